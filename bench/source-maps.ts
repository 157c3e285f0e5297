// Benchmark: what source maps cost. In the agent: encoding a chunk of plain JavaScript frames with the
// in-memory lookup (agent/source-maps.ts) against the same encoder without it, interleaved rounds,
// CPU time. In the wspy process: applySourceMaps over a recording whose frames name many files on
// disk, most without a map (node_modules-like) and some with tsc's .map files.
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { encodeChunk } from '../agent/encode';
import type { WireFrame } from '../agent/protocol';
import type { ProfileNode } from '../agent/sampler';
import { applySourceMaps } from '../collector/ingest';
import { emptySamples, RecordingBuilder } from '../collector/model';
import { tempDir } from './proc';
import { Benchmark } from './result';
import { median, round } from './stats';

/** A call tree of `width` × `depth` nodes over `scripts` distinct .js files, every leaf sampled. */
function jsTree(width: number, depth: number, scripts: number): ProfileNode {
  let n = 0;
  const node = (d: number): ProfileNode => {
    const i = n++;
    return {
      name: `fn${i}`,
      scriptName: `/srv/app/node_modules/pkg${i % scripts}/lib/index.js`,
      lineNumber: 1 + (i % 400),
      columnNumber: 1 + (i % 30),
      hitCount: d === depth ? 1 : 0,
      children: d === depth ? [] : Array.from({ length: d === 0 ? width : 1 }, () => node(d + 1)),
    };
  };
  return { name: '(root)', scriptName: '', lineNumber: 0, columnNumber: 0, hitCount: 0, children: [node(0)] };
}

/**
 * A .ts module compiled in memory with an inline map, the way tsx and ts-node load code (here with
 * TypeScript's transpileModule behind require.extensions and Node's source maps enabled), and a call
 * tree of its `functions` functions at their generated places.
 */
function inMemoryModule(dir: string, functions: number): { tree: ProfileNode; file: string } {
  const file = path.join(dir, 'in-memory.ts');
  const source = Array.from({ length: functions }, (_, i) => `type T${i} = number;\nexport function h${i}(x: T${i}): T${i} {\n  return x + ${i};\n}`).join('\n');
  fs.writeFileSync(file, source);
  const out = ts.transpileModule(source, { fileName: file, compilerOptions: { module: ts.ModuleKind.CommonJS, inlineSourceMap: true, inlineSources: true } });
  process.setSourceMapsEnabled(true);
  const extensions = require.extensions as Record<string, (m: NodeModule, filename: string) => void>;
  extensions['.ts'] = (m, filename) => (m as unknown as { _compile(code: string, f: string): void })._compile(out.outputText, filename);
  try {
    require(file);
  } finally {
    delete extensions['.ts'];
    process.setSourceMapsEnabled(false);
  }
  const children: ProfileNode[] = [];
  out.outputText.split('\n').forEach((text, i) => {
    const m = /^function (h\d+)\(/.exec(text);
    if (m) children.push({ name: m[1], scriptName: file, lineNumber: i + 1, columnNumber: m[0].length, hitCount: 1, children: [] });
  });
  return { file, tree: { name: '(root)', scriptName: '', lineNumber: 0, columnNumber: 0, hitCount: 0, children } };
}

function cpuMs(f: () => void): number {
  const t = process.cpuUsage();
  f();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}

export const sourceMaps: Benchmark = {
  name: 'source-maps',
  title: 'Source maps: agent cost on plain JavaScript, collector time over many files',
  async run(ctx) {
    const rounds = ctx.quick ? 5 : 21;
    const tree = jsTree(ctx.quick ? 200 : 1000, 10, 300);
    const window = { pid: 1, seq: 0, start: 0, end: 1 };
    const identity = (f: WireFrame) => f;
    const withLookup: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 3; i++) (encodeChunk(tree, window), encodeChunk(tree, window, identity)); // warm-up
    for (let i = 0; i < rounds; i++) {
      // Interleaved, the order alternating, so that load on the machine falls on both alike.
      const a = () => withLookup.push(cpuMs(() => encodeChunk(tree, window)));
      const b = () => without.push(cpuMs(() => encodeChunk(tree, window, identity)));
      if (i % 2) (a(), b());
      else (b(), a());
    }
    const frames = encodeChunk(tree, window)!.frames.length;

    // A module compiled in memory: the first chunk finds and parses its map, later chunks reuse it.
    const memDir = tempDir();
    const mem = inMemoryModule(memDir, ctx.quick ? 300 : 2000);
    let firstChunk: WireFrame[] = [];
    const firstMs = cpuMs(() => (firstChunk = encodeChunk(mem.tree, window)!.frames));
    const placed = firstChunk.filter((f) => f[2] % 4 === 2).length; // every h<i> is on line 4i+2 of the .ts
    const memWith: number[] = [];
    const memWithout: number[] = [];
    for (let i = 0; i < rounds; i++) {
      memWith.push(cpuMs(() => encodeChunk(mem.tree, window)));
      memWithout.push(cpuMs(() => encodeChunk(mem.tree, window, identity)));
    }
    fs.rmSync(memDir, { recursive: true, force: true });

    const dir = tempDir();
    try {
      const plainFiles = ctx.quick ? 200 : 2000;
      const mappedFiles = ctx.quick ? 20 : 200;
      const b = new RecordingBuilder();
      const p = b.upsertProcess('1', () => ({ pid: 1, ppid: 0, argv: ['node'], command: 'node', sampled: true, intervalUs: 1000, samples: emptySamples(), errors: [] }));
      const body = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i}; }`).join('\n') + '\n';
      for (let i = 0; i < plainFiles; i++) {
        const file = path.join(dir, 'node_modules', `pkg${i}`, 'index.js');
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, body);
        for (let l = 1; l <= 20; l++) b.addSamples(p, b.stackOf([b.frame(`f${l}`, file, l, 10)]), 1, 0);
      }
      const tsSource = Array.from({ length: 200 }, (_, i) => `export function g${i}(x: number): number {\n  return x * ${i};\n}`).join('\n');
      for (let i = 0; i < mappedFiles; i++) {
        const out = ts.transpileModule(tsSource, { fileName: `m${i}.ts`, compilerOptions: { module: ts.ModuleKind.CommonJS, sourceMap: true } });
        fs.writeFileSync(path.join(dir, `m${i}.js`), out.outputText);
        fs.writeFileSync(path.join(dir, `m${i}.js.map`), out.sourceMapText!);
        const lines = out.outputText.split('\n');
        for (let l = 0; l < lines.length; l += 7) if (lines[l].startsWith('function')) b.addSamples(p, b.stackOf([b.frame('g', path.join(dir, `m${i}.js`), l + 1, 12)]), 1, 0);
      }
      const applyMs: number[] = [];
      let mapped = 0;
      for (let i = 0; i < (ctx.quick ? 1 : 5); i++) applyMs.push(cpuMs(() => (mapped = applySourceMaps(b.recording).mapped)));
      const frameCount = b.recording.frames.name.length;
      const ratio = median(withLookup) / median(without);
      return {
        figures: [
          { metric: `agent: encodeChunk of ${frames.toLocaleString('en')} plain JS frames, with the lookup: median CPU`, value: round(median(withLookup), 2), unit: 'ms' },
          { metric: 'agent: the same without the lookup: median CPU', value: round(median(without), 2), unit: 'ms' },
          { metric: 'agent: with / without', value: round(ratio, 2), unit: 'x', target: '<= 1.5 x', met: ratio <= 1.5 },
          { metric: 'agent: extra CPU per distinct frame', value: round(((median(withLookup) - median(without)) * 1000) / frames, 3), unit: 'µs' },
          { metric: `agent: ${mem.tree.children.length} frames of a .ts module compiled in memory, first chunk (finds and parses the map)`, value: round(firstMs, 2), unit: 'ms' },
          { metric: 'agent: the same frames, later chunks: median CPU with / without the lookup', value: `${round(median(memWith), 2)} / ${round(median(memWithout), 2)}`, unit: 'ms' },
          { metric: 'agent: in-memory frames placed at their .ts line', value: `${placed} of ${mem.tree.children.length}` },
          { metric: `wspy: applySourceMaps over ${plainFiles + mappedFiles} files (${mappedFiles} with .map), ${frameCount.toLocaleString('en')} frames: median CPU`, value: round(median(applyMs), 0), unit: 'ms' },
          { metric: 'wspy: frames moved', value: mapped },
        ],
        notes: [
          `Agent: one synthetic call tree (${frames} distinct frames over 300 .js scripts), encoded ${rounds} times with agent/source-maps.ts's placeFrame and ${rounds} times with an identity, interleaved with alternating order; process.cpuUsage() per encode, medians. Plain JavaScript never reaches Node's source map cache: the cost is a few string tests per distinct frame. Three warm-up rounds of each are not counted.`,
          'In memory: a .ts module of N functions (each after a type alias, so tsc moves every line) compiled by TypeScript\'s transpileModule with an inline map behind require.extensions, with process.setSourceMapsEnabled(true) as tsx does; a chunk of one frame per function at its generated place.',
          'wspy: a temp directory of generated files: node_modules-like .js files without maps (the tail of each is read once) and tsc output with .map files (parsed with @jridgewell/trace-mapping); applySourceMaps on a recording with 20 frames per plain file and ~30 per mapped file, CPU medians.',
        ],
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
