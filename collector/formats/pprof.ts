// pprof (profile.proto), written and read with pprof-format. The exporter writes one gzipped profile
// for the whole recording: sample types [samples/count, cpu|wall/nanoseconds], every sample labelled
// with its process (`pid` numeric label, `command` string label), one location and function per
// frame. The importer splits processes by a `pid` label when there is one.

import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Label, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { baseKey, countsByStack, emptyRecording, emptySamples, framesOf, Recording, RecordingBuilder, StackIndex, UserError } from '../model';
import { ExportOptions, Exporter, Importer } from './format';
import { gunzipOrUndefined, isGzip } from './sniff';

export function writePprof(r: Recording, opts: ExportOptions = {}): Buffer {
  const idle = opts.idle ?? r.meta.idle;
  const st = new StringTable();
  const timeType = idle ? 'wall' : 'cpu';
  const functions = r.frames.name.map(
    (n, f) =>
      new PprofFunction({
        id: f + 1,
        name: st.dedup(r.strings[n] || '(anonymous)'),
        systemName: st.dedup(r.strings[n]),
        filename: st.dedup(r.strings[r.frames.file[f]]),
        startLine: r.frames.line[f],
      }),
  );
  const locations = r.frames.name.map(
    (_, f) => new Location({ id: f + 1, line: [{ functionId: f + 1, line: r.frames.line[f], column: r.frames.column[f] }] }),
  );
  const pidKey = st.dedup('pid');
  const commandKey = st.dedup('command');
  const hostKey = st.dedup('host');
  const samples: Sample[] = [];
  for (const p of r.processes) {
    const labels: Label[] = [new Label({ key: pidKey, num: p.pid }), new Label({ key: commandKey, str: st.dedup(p.command) })];
    if (p.host) labels.push(new Label({ key: hostKey, str: st.dedup(p.host) }));
    for (const [stack, count] of countsByStack(r, p, idle)) {
      if (count <= 0) continue;
      const leafFirst = framesOf(r, stack).reverse().map((f) => f + 1);
      samples.push(new Sample({ locationId: leafFirst, value: [count, Math.round(count * p.intervalUs * 1000)], label: labels }));
    }
  }
  const profile = new Profile({
    sampleType: [
      new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }),
      new ValueType({ type: st.dedup(timeType), unit: st.dedup('nanoseconds') }),
    ],
    sample: samples,
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: BigInt(Math.round(r.meta.startTime)) * 1_000_000n,
    durationNanos: BigInt(Math.max(0, Math.round((r.meta.endTime - r.meta.startTime) * 1e6))),
    periodType: new ValueType({ type: st.dedup(timeType), unit: st.dedup('microseconds') }),
    period: r.meta.intervalUs,
  });
  return gzipSync(profile.encode());
}

export const pprofExporter: Exporter = { name: 'pprof', extension: '.pb.gz', endings: ['.pb.gz', '.pprof', '.pb'], write: writePprof };

/**
 * Walks the top level of a protobuf message without decoding it: true when every field is well
 * formed and the last one ends exactly at the end of the buffer. pprof-format's decoder silently
 * accepts truncated input, so this is how a cut-off file is told apart from a whole one.
 */
export function walkProtobuf(buf: Uint8Array): { ok: boolean; fields: Set<number> } {
  const fields = new Set<number>();
  let i = 0;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (i >= buf.length) return undefined;
      const b = buf[i++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
    }
    return undefined;
  };
  while (i < buf.length) {
    const tag = varint();
    if (tag === undefined) return { ok: false, fields };
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field < 1 || field > 15) return { ok: false, fields };
    if (wire === 0) {
      if (varint() === undefined) return { ok: false, fields };
    } else if (wire === 2) {
      const len = varint();
      if (len === undefined || i + len > buf.length) return { ok: false, fields };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else return { ok: false, fields };
    if (i > buf.length) return { ok: false, fields };
    fields.add(field);
  }
  return { ok: true, fields };
}

function fail(what: string): never {
  throw new UserError(`broken pprof profile: ${what}`);
}

export function readPprof(bytes: Buffer, fileName: string): Recording | undefined {
  const named = /\.(pb|pprof|prof)(\.gz)?$/i.test(fileName);
  let raw: Buffer = bytes;
  if (isGzip(bytes)) {
    const inner = gunzipOrUndefined(bytes);
    if (!inner) return undefined; // the dispatcher reports broken gzip itself
    raw = inner;
  }
  const walk = walkProtobuf(raw);
  // A profile starts with its sample types (field 1) and always has a string table (field 6).
  if (!walk.ok) {
    if (named || (raw[0] === 0x0a && walk.fields.has(1) && walk.fields.has(6))) fail('the protobuf data ends in the middle of a field; is it truncated?');
    return undefined;
  }
  if (!walk.fields.has(6) || !walk.fields.has(1)) {
    if (named) fail('it has no sample types or no string table');
    return undefined;
  }
  let prof: Profile;
  try {
    prof = Profile.decode(raw);
  } catch (e) {
    fail(`it does not decode (${(e as Error).message})`);
  }
  const strings = prof.stringTable.strings;
  const str = (i: unknown, at: string): string => {
    const s = strings[Number(i)];
    return s !== undefined ? s : fail(`${at} refers to string ${Number(i)}, past the string table`);
  };
  const types = prof.sampleType.map((t, i) => ({ type: str(t.type, `sampleType[${i}]`), unit: str(t.unit, `sampleType[${i}]`) }));
  if (types.length === 0) fail('it has no sample types');
  let countIndex = types.findIndex((t) => t.unit === 'count');
  const timeIndex = types.findIndex((t) => t.unit === 'nanoseconds');
  if (countIndex < 0) countIndex = timeIndex >= 0 ? timeIndex : 0;

  const functions = new Map<number, { name: string; file: string; startLine: number }>();
  for (const fn of prof.function) {
    functions.set(Number(fn.id), { name: str(fn.name, `function ${fn.id}`), file: str(fn.filename, `function ${fn.id}`), startLine: Number(fn.startLine) });
  }
  const b = new RecordingBuilder(emptyRecording({ title: path.basename(fileName), source: 'pprof' }));
  // A location is a list of lines, innermost (inlined) first; its frames are those lines reversed.
  const locationFrames = new Map<number, number[]>();
  for (const loc of prof.location) {
    const frames = loc.line.map((ln) => {
      const fn = functions.get(Number(ln.functionId)) ?? fail(`location ${loc.id} refers to function ${ln.functionId}, which is missing`);
      return b.frame(fn.name === '(anonymous)' ? '' : fn.name, fn.file, Number(ln.line) || fn.startLine, Number(ln.column) || 0);
    });
    if (frames.length === 0) frames.push(b.frame(`0x${Number(loc.address).toString(16)}`, '', 0, 0));
    locationFrames.set(Number(loc.id), frames.reverse());
  }

  const startMs = Number(prof.timeNanos) / 1e6;
  const durationMs = Number(prof.durationNanos) / 1e6;
  const periodUnit = prof.periodType ? str(prof.periodType.unit, 'periodType') : '';
  const periodUs = periodUnit === 'nanoseconds' ? Number(prof.period) / 1000 : periodUnit === 'microseconds' ? Number(prof.period) : 0;
  const stacks = new Map<string, StackIndex>();
  const perProcess = new Map<string, { pid: number; command: string; host?: string; counts: Map<StackIndex, number>; ns: number; n: number }>();
  prof.sample.forEach((s, i) => {
    let pid = 0;
    let command = path.basename(fileName);
    let host: string | undefined;
    for (const l of s.label) {
      const key = str(l.key, `sample ${i} label`);
      if (key === 'pid' && Number(l.num)) pid = Number(l.num);
      else if (key === 'pid' && Number(l.str)) pid = Number(str(l.str, `sample ${i} label`)) || 0;
      else if ((key === 'command' || key === 'process_name') && Number(l.str)) command = str(l.str, `sample ${i} label`);
      else if (key === 'host' && Number(l.str)) host = str(l.str, `sample ${i} label`);
    }
    const ids = s.locationId.map(Number);
    const idKey = ids.join(',');
    let stack = stacks.get(idKey);
    if (stack === undefined) {
      const frames: number[] = [];
      for (let j = ids.length - 1; j >= 0; j--) frames.push(...(locationFrames.get(ids[j]) ?? fail(`sample ${i} refers to location ${ids[j]}, which is missing`)));
      stack = b.stackOf(frames);
      stacks.set(idKey, stack);
    }
    const count = Number(s.value[countIndex] ?? 0);
    if (!(count > 0)) return;
    const key = baseKey(pid, host);
    let proc = perProcess.get(key);
    if (!proc) perProcess.set(key, (proc = { pid, command, host, counts: new Map(), ns: 0, n: 0 }));
    proc.counts.set(stack, (proc.counts.get(stack) ?? 0) + count);
    if (timeIndex >= 0 && timeIndex !== countIndex) {
      proc.ns += Number(s.value[timeIndex] ?? 0);
      proc.n += count;
    }
  });
  if (perProcess.size === 0 && prof.sample.length > 0) fail('none of its samples has a positive count');

  let meanInterval = 0;
  for (const [key, proc] of perProcess) {
    const intervalUs = proc.n > 0 && proc.ns > 0 ? proc.ns / proc.n / 1000 : periodUs || 10_000;
    meanInterval ||= intervalUs;
    const p = b.upsertProcess(key, () => ({
      pid: proc.pid, ppid: 0, argv: [], command: proc.command, startTime: startMs, endTime: startMs + durationMs,
      sampled: true, intervalUs, samples: emptySamples(), errors: [],
    }));
    if (proc.host) p.host = proc.host;
    // pprof keeps no sample times: every sample is placed at the end of the profile.
    for (const [stack, count] of proc.counts) b.addSamples(p, stack, count, durationMs);
  }
  const r = b.recording;
  Object.assign(r.meta, { startTime: startMs, endTime: startMs + durationMs, intervalUs: meanInterval || periodUs || 10_000 });
  return r;
}

export const pprofImporter: Importer = { name: 'pprof', read: readPprof };
