// The npm package as a new user gets it: `npm pack`, `npm install -g` of the tarball into an empty
// prefix, and wspy run from a directory with no checkout in sight (--version, demo, record).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { functionNames, readRecording, ROOT, RunResult, tempDir } from '../helpers/wspy';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  private?: boolean;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// The installed bin's `#!/usr/bin/env node` finds the node that runs the tests.
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
delete env.NODE_PATH;
delete env.NODE_OPTIONS;
delete env.npm_config_prefix;

let tarball = '';
let files: string[] = [];
let prefix = '';
let installed = '';
let work = '';

before(() => {
  const packDir = tempDir('wspy-pack-');
  // `npm test` has just built dist/; the tarball's own build (prepack) would empty dist/ under the
  // running tests, so the package is made from the build at hand.
  const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, env, encoding: 'utf8' });
  const info = (JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
  tarball = path.join(packDir, path.basename(info.filename));
  files = info.files.map((f) => f.path);
  prefix = tempDir('wspy-prefix-');
  execFileSync(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: packDir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  installed = path.join(prefix, 'lib', 'node_modules', 'wspy');
  work = tempDir('wspy-user-');
});

function runInstalled(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(prefix, 'bin', 'wspy'), args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('package.json is publishable and builds when packed', () => {
  assert.equal(pkg.private, undefined, 'not private');
  assert.match(pkg.scripts.prepack ?? '', /build/, 'npm pack builds dist/ first');
  assert.equal(pkg.scripts.prepare, undefined, 'npm ci does not build: npm test and npm run demo do');
  assert.match(pkg.scripts.test, /build/);
  assert.match(pkg.scripts.demo, /build/);
});

test('the tarball holds the built runtime and the demo, and no sources, tests or benchmarks', () => {
  for (const needed of ['bin/wspy.js', 'dist/cli/main.js', 'dist/bundles/agent.js', 'dist/bundles/agent-stream.js', 'dist/bundles/report.js', 'examples/demo/worker.js', 'README.md', 'package.json']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  const unwanted = files.filter((f) => /\.ts$/.test(f) || /^(test|bench|scripts|dist\/test|dist\/bench)\//.test(f) || f.startsWith('.'));
  assert.deepEqual(unwanted, []);
});

test('installed from the tarball: only runtime dependencies, none of the build tools', () => {
  assert.ok(fs.existsSync(path.join(prefix, 'bin', 'wspy')), 'the wspy command is linked into <prefix>/bin');
  for (const dep of Object.keys(pkg.dependencies)) {
    assert.ok(fs.existsSync(path.join(installed, 'node_modules', dep)) || fs.existsSync(path.join(prefix, 'lib', 'node_modules', dep)), `${dep} installed`);
  }
  for (const dev of ['typescript', 'esbuild', 'd3-flame-graph', 'playwright-core']) {
    assert.ok(!fs.existsSync(path.join(installed, 'node_modules', dev)), `${dev} (a devDependency) is not installed`);
  }
});

test('wspy --version prints the package version', async () => {
  const r = await runInstalled(['--version']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), pkg.version);
});

test('wspy demo runs from the package and writes its report', async () => {
  const r = await runInstalled(['demo', '--jobs', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^wspy: Wrote wspy-demo\.html: 4 processes, \d+ samples?, 0 errors$/m);
  const html = fs.readFileSync(path.join(work, 'wspy-demo.html'), 'utf8');
  assert.match(html, /configureModels/);
  assert.match(r.stderr, /defineModel .*ran in 3 of 3 forks/);
});

test('wspy record -- node app.js records the program from a directory with no checkout', async () => {
  fs.writeFileSync(
    path.join(work, 'app.js'),
    'function crunchNumbers() { let x = 0; for (let i = 0; i < 4e7; i++) x += i % 7; return x; }\n' +
      'let t = Date.now(); while (Date.now() - t < 400) crunchNumbers(); process.exitCode = 3;\n',
  );
  const r = await runInstalled(['record', '-o', 'x.json', '--', 'node', 'app.js']);
  assert.equal(r.code, 3, `the program's exit code passes through: ${r.stderr}`);
  assert.match(r.stderr, /^wspy: Wrote x\.json: 1 process, \d+ samples, 0 errors$/m);
  const rec = readRecording(path.join(work, 'x.json'));
  assert.equal(rec.processes.length, 1);
  assert.ok(functionNames(rec, rec.processes[0].pid).has('crunchNumbers'), 'the hot function is in the recording');
});
