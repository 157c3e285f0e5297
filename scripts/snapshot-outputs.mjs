// Writes every output wspy makes from a fixed set of inputs into one directory, so that a refactor
// can be shown to change nothing: snapshot before, snapshot after, `diff -r` the two directories.
//
//   node scripts/snapshot-outputs.mjs <out-dir> <input files or directories...>
//
// For each input: `wspy report` in every format, `report --json` (the analysis) and the messages
// wspy printed; for each pair of inputs given with --diff a:b, `wspy diff`. Random parts of the
// HTML (the CSP nonce) are masked; everything else must match byte for byte.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const wspy = path.join(root, 'bin', 'wspy.js');
const args = process.argv.slice(2);
const out = args.shift();
if (!out) {
  console.error('usage: node scripts/snapshot-outputs.mjs <out-dir> [--diff a:b] <inputs...>');
  process.exit(2);
}
const diffs = [];
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--diff') diffs.push(args[++i].split(':'));
  else inputs.push(args[i]);
}
fs.mkdirSync(out, { recursive: true });
const outDir = path.resolve(out);

const FORMATS = { html: '.html', svg: '.svg', speedscope: '.speedscope.json', pprof: '.pb.gz', collapsed: '.folded', json: '.json' };

function run(argv, stdoutFile) {
  const r = spawnSync(process.execPath, [wspy, ...argv], { cwd: root, encoding: 'buffer', env: { ...process.env, NO_COLOR: '1' } });
  if (stdoutFile) fs.writeFileSync(stdoutFile, r.stdout);
  const command = `$ wspy ${argv.map((a) => path.relative(root, a) || a).join(' ')}`;
  // The output directory differs between the two snapshots being compared: name it the same.
  return `${command}\nexit ${r.status}\n${mask(r.stderr.toString())}`.split(outDir).join('<out>').split(path.relative(root, outDir)).join('<out>');
}

function mask(text) {
  return text.replace(/nonce-[A-Za-z0-9+/=]+/g, 'nonce-X').replace(/nonce="[^"]*"/g, 'nonce="X"');
}

const names = new Set();
for (const input of inputs) {
  let name = path.basename(input).replace(/[^A-Za-z0-9_.-]/g, '_');
  while (names.has(name)) name += '_';
  names.add(name);
  const log = [];
  for (const [format, ext] of Object.entries(FORMATS)) {
    const file = path.join(out, `${name}${ext}`);
    log.push(run(['report', input, '-f', format, '-o', file]));
    if (format === 'html' || format === 'svg') {
      if (fs.existsSync(file)) fs.writeFileSync(file, mask(fs.readFileSync(file, 'utf8')));
    }
  }
  log.push(run(['report', input, '--json'], path.join(out, `${name}.analysis.json`)));
  fs.writeFileSync(path.join(out, `${name}.log`), log.join('\n'));
}
for (const [a, b] of diffs) {
  const name = `diff-${path.basename(a)}-${path.basename(b)}`.replace(/[^A-Za-z0-9_.-]/g, '_');
  for (const normalize of ['process', 'unit', 'none']) {
    const file = path.join(out, `${name}.${normalize}.html`);
    const log = run(['diff', a, b, '--normalize', normalize, '-o', file]);
    if (fs.existsSync(file)) fs.writeFileSync(file, mask(fs.readFileSync(file, 'utf8')));
    fs.writeFileSync(path.join(out, `${name}.${normalize}.log`), log);
  }
}
console.log(`wrote ${fs.readdirSync(out).length} files to ${out}`);
