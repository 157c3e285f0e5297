// The rooms of collector/ keep their doors: other code imports a room through its index.ts only, and
// each room imports only the rooms collector/README.md says it may. The data flows one way, so
// nothing in agent/ or collector/ imports the viewer or the CLI.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/wspy';

const ROOMS = ['model', 'ingest', 'analysis', 'formats', 'attach', 'queues', 'proc'];

/** What each room may import besides itself ('agent' is the agent/ folder). */
const ALLOWED: Record<string, string[]> = {
  model: [],
  proc: [],
  analysis: ['model'],
  formats: ['model'],
  ingest: ['model', 'agent'],
  attach: ['model', 'proc', 'agent'],
  queues: ['model', 'proc', 'agent'],
};

interface Import {
  file: string;
  target: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']*)'/g)) {
    out.push({ file, target: path.normalize(path.join(path.dirname(file), m[1])) });
  }
  return out;
}

/** `collector/model` for `collector/model/recording`, the top folder otherwise. */
function roomOf(p: string): string {
  const parts = p.split(path.sep);
  return parts[0] === 'collector' && parts.length > 1 ? `collector/${parts[1]}` : parts[0];
}

const code = ['agent', 'collector', 'viewer', 'cli'].flatMap(sourceFiles).flatMap(importsOf);

test('collector/ holds only rooms, each with an index.ts and a README', () => {
  const entries = fs.readdirSync(path.join(ROOT, 'collector'), { withFileTypes: true });
  const loose = entries.filter((e) => e.isFile() && e.name !== 'README.md').map((e) => e.name);
  assert.deepEqual(loose, [], 'no loose files in collector/');
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(folders, [...ROOMS].sort());
  for (const room of ROOMS) {
    assert.ok(fs.existsSync(path.join(ROOT, 'collector', room, 'index.ts')), `${room}/index.ts`);
    const readme = fs.readFileSync(path.join(ROOT, 'collector', room, 'README.md'), 'utf8');
    for (const file of fs.readdirSync(path.join(ROOT, 'collector', room)).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
      assert.ok(readme.includes(`\`${file}\``), `collector/${room}/README.md has a line for ${file}`);
    }
  }
});

test('other code reaches a room only through its index.ts', () => {
  const bad = code.filter((i) => {
    const room = roomOf(i.target);
    if (!room.startsWith('collector/') || roomOf(i.file) === room) return false;
    return i.target !== room && i.target !== path.join(room, 'index');
  });
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.target}`), []);
});

test('rooms import only the rooms they may, and nothing imports upstream', () => {
  const bad = code.filter((i) => {
    const from = roomOf(i.file);
    const to = roomOf(i.target);
    if (from === to) return false;
    if (from.startsWith('collector/')) {
      const allowed = ALLOWED[from.slice('collector/'.length)].map((r) => (r === 'agent' ? 'agent' : `collector/${r}`));
      return !allowed.includes(to);
    }
    // The agent runs inside profiled processes: it depends on nothing of the rest.
    if (from === 'agent') return true;
    // The viewer may use the collector, never the CLI.
    if (from === 'viewer') return to === 'cli';
    return false;
  });
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.target}`), []);
});

test('commands do not import each other', () => {
  const commands = new Set(['record', 'report', 'diff', 'ps', 'demo'].map((c) => path.join('cli', c)));
  const bad = code.filter((i) => i.file.startsWith('cli' + path.sep) && commands.has(i.target) && i.file !== path.join('cli', 'main.ts'));
  assert.deepEqual(bad.map((i) => `${i.file} -> ${i.target}`), []);
});
