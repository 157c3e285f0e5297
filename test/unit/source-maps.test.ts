// Source maps on disk: real tsc output (the TypeScript compiler's own API, external and inline maps)
// moves frames to their .ts lines; files without maps, broken maps and odd files change nothing.
// The pure relocation merges frames and stacks that land on the same place. The agent's in-memory
// lookup places frames of a module compiled in memory.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { WireFrame } from '../../agent/protocol';
import { placeFrame } from '../../agent/source-maps';
import { applySourceMaps } from '../../collector/ingest';
import { emptySamples, frameFile, frameName, framesOf, Recording, RecordingBuilder, relocateFrames } from '../../collector/model';
import { tempDir } from '../helpers/wspy';

const APP_TS = [
  'interface Job { size: number }', // types vanish: every line below moves up in the output
  'type Size = number;',
  '',
  'export const crunchArrow = (job: Job): number => {',
  '  let s = 0;',
  '  for (let i = 0; i < job.size; i++) s += Math.sqrt(i);',
  '  return s;',
  '};',
  '',
  'export function crunchNumbers(n: Size): number {',
  '  return crunchArrow({ size: n });',
  '}',
  '',
].join('\n');

/** Line (1-based) in the TypeScript source where `text` starts. */
function tsLine(text: string): number {
  return APP_TS.slice(0, APP_TS.indexOf(text)).split('\n').length;
}

/** Where V8 puts a function's start in generated code: just after its name, at `(` (1-based line and column). */
function v8Start(js: string, marker: string): { line: number; column: number } {
  const at = js.indexOf(marker);
  assert.ok(at >= 0, `${marker} is in the output`);
  const before = js.slice(0, at + marker.length - 1);
  const line = before.split('\n').length;
  return { line, column: at + marker.length - 1 - before.lastIndexOf('\n') };
}

/** tsc's real output for app.ts in `dir`: app.js with an external app.js.map, or an inline map. */
function compile(dir: string, inline: boolean): string {
  const out = ts.transpileModule(APP_TS, {
    fileName: path.join(dir, 'app.ts'),
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2019, sourceMap: !inline, inlineSourceMap: inline },
  });
  fs.writeFileSync(path.join(dir, 'app.ts'), APP_TS);
  fs.writeFileSync(path.join(dir, 'app.js'), out.outputText);
  if (out.sourceMapText) fs.writeFileSync(path.join(dir, 'app.js.map'), out.sourceMapText);
  return out.outputText;
}

function processInit(pid: number) {
  return { pid, ppid: 0, argv: ['node'], command: 'node', sampled: true, intervalUs: 1000, samples: emptySamples(), errors: [] };
}

/** A recording of one process with a stack main → crunchNumbers → crunchArrow at their generated places. */
function recordingOf(file: string, js: string): Recording {
  const b = new RecordingBuilder();
  const p = b.upsertProcess('1', () => processInit(1));
  const numbers = v8Start(js, 'function crunchNumbers(');
  const arrow = v8Start(js, 'crunchArrow = (');
  const main = b.frame('main', '/elsewhere/main.js', 1, 1);
  const fNumbers = b.frame('crunchNumbers', file, numbers.line, numbers.column);
  const fArrow = b.frame('crunchArrow', file, arrow.line, arrow.column);
  b.addSamples(p, b.stackOf([main, fNumbers, fArrow]), 7, 10);
  b.addSamples(p, b.stackOf([main, fNumbers]), 3, 20);
  return b.recording;
}

function placeOf(r: Recording, name: string): string {
  const f = r.frames.name.findIndex((n) => r.strings[n] === name);
  return `${frameFile(r, f)}:${r.frames.line[f]}`;
}

for (const inline of [false, true]) {
  test(`tsc output with ${inline ? 'an inline' : 'an external .map'} source map: frames land on their .ts lines`, () => {
    const dir = fs.realpathSync(tempDir());
    const js = compile(dir, inline);
    assert.notEqual(v8Start(js, 'function crunchNumbers(').line, tsLine('export function crunchNumbers'), 'tsc moved the line');
    const r = recordingOf(path.join(dir, 'app.js'), js);
    const { recording, mapped, maps, problems } = applySourceMaps(r);
    assert.deepEqual(problems, []);
    assert.equal(maps, 1);
    assert.equal(mapped, 2);
    assert.equal(placeOf(recording, 'crunchNumbers'), `${path.join(dir, 'app.ts')}:${tsLine('export function crunchNumbers')}`);
    assert.equal(placeOf(recording, 'crunchArrow'), `${path.join(dir, 'app.ts')}:${tsLine('export const crunchArrow')}`);
    assert.equal(placeOf(recording, 'main'), '/elsewhere/main.js:1', 'a file without a map is left alone');
    assert.deepEqual(recording.processes[0].samples.count, [7, 3]);
    const leaf = framesOf(recording, recording.processes[0].samples.stack[0]).map((f) => frameName(recording, f));
    assert.deepEqual(leaf, ['main', 'crunchNumbers', 'crunchArrow']);
  });
}

test('file: URLs (ES modules, .cpuprofile imports) stay URLs once mapped', () => {
  const dir = fs.realpathSync(tempDir());
  const js = compile(dir, false);
  const { recording } = applySourceMaps(recordingOf(pathToFileURL(path.join(dir, 'app.js')).href, js));
  assert.equal(placeOf(recording, 'crunchNumbers'), `${pathToFileURL(path.join(dir, 'app.ts')).href}:${tsLine('export function crunchNumbers')}`);
});

test('no map, a missing map, a broken map, or a file that is not a regular file: nothing moves', () => {
  const dir = fs.realpathSync(tempDir());
  const js = compile(dir, false);
  const plain = path.join(dir, 'plain.js');
  fs.writeFileSync(plain, js.replace(/\/\/# sourceMappingURL=.*$/m, ''));
  const r1 = recordingOf(plain, js);
  assert.equal(applySourceMaps(r1).recording, r1, 'the same recording when nothing moves');

  fs.rmSync(path.join(dir, 'app.js.map'));
  const missing = applySourceMaps(recordingOf(path.join(dir, 'app.js'), js));
  assert.equal(missing.mapped, 0);
  assert.match(missing.problems.join('\n'), /app\.js: its source map .*app\.js\.map is missing/);

  fs.writeFileSync(path.join(dir, 'app.js.map'), '{"version":3,"mappings":');
  const broken = applySourceMaps(recordingOf(path.join(dir, 'app.js'), js));
  assert.equal(broken.mapped, 0);
  assert.match(broken.problems.join('\n'), /source map is broken/);

  for (const odd of ['/dev/zero', dir, path.join(dir, 'nothing-here.js'), 'relative/app.js', 'node:internal/x.js', '']) {
    const r = recordingOf(odd, js);
    assert.equal(applySourceMaps(r).recording, r, `${odd || '(empty)'} is left alone`);
  }
});

test('relocateFrames merges frames and stacks that land on the same place, and keeps every sample', () => {
  const b = new RecordingBuilder();
  const p = b.upsertProcess('1', () => processInit(1));
  const a = b.frame('f', 'gen.js', 1, 10);
  const a2 = b.frame('f', 'gen.js', 1, 20);
  const other = b.frame('g', 'gen.js', 5, 1);
  b.addSamples(p, b.stackOf([a, other]), 2, 1);
  b.addSamples(p, b.stackOf([a2, other]), 5, 2);
  const r = relocateFrames(b.recording, (f) => (f === other ? undefined : { file: 'src.ts', line: 3, column: 1 }));
  assert.equal(r.frames.name.length, 2, 'the two f frames are one');
  assert.equal(new Set(r.processes[0].samples.stack).size, 1, 'and so are their stacks');
  assert.deepEqual(r.processes[0].samples.count, [2, 5]);
  assert.equal(placeOf(r, 'f'), 'src.ts:3');
  assert.equal(placeOf(r, 'g'), 'gen.js:5');
  assert.equal(b.recording.frames.name.length, 3, 'the input is not changed');
  const renamed = relocateFrames(b.recording, (f) => (f === other ? { file: 'src.ts', line: 9, column: 1, name: 'original' } : undefined));
  assert.equal(placeOf(renamed, 'original'), 'src.ts:9');
});

test('agent: frames of a .ts module compiled in memory (as tsx does) are placed at their .ts lines; JavaScript is never looked up', () => {
  const dir = fs.realpathSync(tempDir());
  const file = path.join(dir, 'in-memory.ts');
  fs.writeFileSync(file, APP_TS);
  const out = ts.transpileModule(APP_TS, { fileName: file, compilerOptions: { module: ts.ModuleKind.CommonJS, inlineSourceMap: true } });
  // tsx compiles in memory with an inline map and enables Node's source maps; so does this.
  process.setSourceMapsEnabled(true);
  const extensions = require.extensions as Record<string, (m: NodeModule, filename: string) => void>;
  extensions['.ts'] = (m, filename) => (m as unknown as { _compile(code: string, f: string): void })._compile(out.outputText, filename);
  try {
    require(file);
  } finally {
    delete extensions['.ts'];
    process.setSourceMapsEnabled(false);
  }
  const at = v8Start(out.outputText, 'function crunchNumbers(');
  assert.notEqual(at.line, tsLine('export function crunchNumbers'));
  assert.deepEqual(placeFrame(['crunchNumbers', file, at.line, at.column]).slice(0, 3), ['crunchNumbers', file, tsLine('export function crunchNumbers')]);
  const url = pathToFileURL(file).href;
  assert.deepEqual(placeFrame(['crunchNumbers', url, at.line, at.column]).slice(0, 3), ['crunchNumbers', url, tsLine('export function crunchNumbers')], 'a file: URL stays a URL');
  for (const frame of [['f', '/srv/app.js', 3, 1], ['f', path.join(dir, 'never-loaded.ts'), 3, 1], ['(idle)', '', 0, 0], ['f', 'node:internal/x', 9, 1]] as WireFrame[]) {
    assert.equal(placeFrame(frame), frame, `${frame[1] || '(no script)'} is left as it is`);
  }
});
