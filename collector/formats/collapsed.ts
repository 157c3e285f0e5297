// Brendan Gregg's folded stacks: one line per stack, `root;caller;leaf count`. Frames are written as
// `function (file:line)`, below a `pid N: command` frame per process unless processes are merged; the importer reads
// both, and plain folded files from other tools (stackcollapse-*.pl, py-spy, ...).

import * as path from 'node:path';
import { emptyRecording, emptySamples, foldedStacks, frameLabel, processLabel, ProcessRecord, Recording, RecordingBuilder, UserError } from '../model';
import { ExportOptions, Exporter, Importer } from './format';
import { isText } from './sniff';

/** Folded files carry no timing: one count is taken to stand for this much time. */
export const FOLDED_INTERVAL_US = 1000;
const MAX_LINE = 1 << 20;

function clean(label: string): string {
  // A ';' or line break inside a name would split the frame or the line.
  return label.replace(/[;\r\n]/g, ' ');
}

export function writeCollapsed(r: Recording, opts: ExportOptions = {}): string {
  const labels = r.frames.name.map((_, f) => clean(frameLabel(r, f)));
  const counts = new Map<string, number>();
  for (const p of r.processes) {
    const prefix = opts.mergeProcesses ? [] : [clean(processLabel(p))];
    for (const { frames, count } of foldedStacks(r, p, opts.idle ?? r.meta.idle)) {
      if (count <= 0) continue;
      const parts = [...prefix, ...frames.map((f) => labels[f])];
      if (parts.length === 0) continue;
      const line = parts.join(';');
      counts.set(line, (counts.get(line) ?? 0) + count);
    }
  }
  const lines = [...counts.keys()].sort();
  return lines.map((l) => `${l} ${counts.get(l)}\n`).join('');
}

export const collapsedExporter: Exporter = {
  name: 'collapsed',
  extension: '.folded',
  endings: ['.folded', '.collapsed', '.txt'],
  write: writeCollapsed,
};

const PROCESS_FRAME = /^(?:(\S+) )?pid (\d+)(?:: (.*))?$/;
const FRAME = /^(.*?) \(([^()]*?)(?::(\d+))?(?::(\d+))?\)$/;

interface FoldedLine {
  frames: string[];
  count: number;
}

/** Splits `name (file:line:col)` back into its parts; a name alone has no file. */
export function parseFrameLabel(label: string): { name: string; file: string; line: number; column: number } {
  const m = FRAME.exec(label);
  // `(anonymous)`, `(idle)` and names like `foo (bar)` without a path-looking part stay names.
  if (m && m[1] !== '' && (m[3] !== undefined || /[/\\.]/.test(m[2]))) {
    return { name: m[1] === '(anonymous)' ? '' : m[1], file: m[2], line: m[3] ? Number(m[3]) : 0, column: m[4] ? Number(m[4]) : 0 };
  }
  return { name: label, file: '', line: 0, column: 0 };
}

function parseLine(line: string): FoldedLine | undefined {
  const sp = line.lastIndexOf(' ');
  if (sp <= 0) return undefined;
  const countText = line.slice(sp + 1);
  if (!/^\d+$/.test(countText)) return undefined;
  const stack = line.slice(0, sp).trimEnd();
  if (stack === '') return undefined;
  return { frames: stack.split(';'), count: Number(countText) };
}

export function readCollapsed(bytes: Buffer, fileName: string, warn?: (m: string) => void): Recording | undefined {
  const named = /\.(folded|collapsed)$/i.test(fileName);
  if (!isText(bytes)) return undefined;
  const text = bytes.toString('utf8');
  const parsed: FoldedLine[] = [];
  let bad = 0;
  let firstBad = 0;
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const raw = end - start > MAX_LINE ? undefined : text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (raw !== undefined && (raw.trim() === '' || raw.startsWith('#') || raw.startsWith('//'))) continue;
    const p = raw === undefined ? undefined : parseLine(raw);
    if (p) parsed.push(p);
    else if (bad++ === 0) firstBad = lineNo;
  }
  if (parsed.length === 0 || bad > parsed.length) {
    if (named) throw new UserError(`no folded stack lines ("a;b;c 12") found (line ${firstBad || 1} is not one)`);
    return undefined;
  }
  if (bad > 0) warn?.(`${bad} line${bad === 1 ? ' is' : 's are'} not folded stacks and ${bad === 1 ? 'was' : 'were'} skipped (first: line ${firstBad})`);

  const b = new RecordingBuilder(emptyRecording({ title: path.basename(fileName), source: 'collapsed', intervalUs: FOLDED_INTERVAL_US }));
  const fallbackCommand = path.basename(fileName);
  const elapsedMs = new Map<ProcessRecord, number>();
  for (const { frames, count } of parsed) {
    let rest = frames;
    let pid = 0;
    let host: string | undefined;
    let command = fallbackCommand;
    const m = PROCESS_FRAME.exec(frames[0]);
    if (m) {
      host = m[1];
      pid = Number(m[2]);
      command = m[3] ?? `pid ${pid}`;
      rest = frames.slice(1);
    }
    const key = host ? `${host}:${pid}` : String(pid);
    const p = b.upsertProcess(key, () => ({
      pid, ppid: 0, host, argv: [], command, sampled: true, intervalUs: FOLDED_INTERVAL_US, samples: emptySamples(), errors: [],
    }));
    if (p.host === undefined) delete p.host;
    if (count === 0) continue;
    const stack = b.stackOf(rest.map((label) => {
      const f = parseFrameLabel(label);
      return b.frame(f.name, f.file, f.line, f.column);
    }));
    const t = (elapsedMs.get(p) ?? 0) + (count * FOLDED_INTERVAL_US) / 1000;
    elapsedMs.set(p, t);
    b.addSamples(p, stack, count, t);
  }
  const r = b.recording;
  r.meta.endTime = Math.max(0, ...elapsedMs.values());
  return r;
}

export const collapsedImporter: Importer = { name: 'collapsed', read: readCollapsed };
