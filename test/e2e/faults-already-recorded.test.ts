// A target that another wspy is already recording: a second `record -p` says so in one line and
// exits non-zero (it used to say "attached", record 0 samples and exit 0), and the first recording
// goes on unharmed.

import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { until } from '../helpers/wait';
import { FIXTURES, readRecording, runWspy, tempDir } from '../helpers/wspy';

const target = path.join(FIXTURES, 'faults', 'attach-target.js');

function agentIn(statusFile: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(statusFile, 'utf8')).agent === true;
  } catch {
    return false;
  }
}

test('record -p on a target another wspy records: a clear error, and the first recording is whole', { timeout: 90_000 }, async () => {
  const dir = tempDir();
  const statusFile = path.join(dir, 'status.json');
  const victim: ChildProcess = spawn(process.execPath, [target, statusFile], { stdio: 'ignore' });
  try {
    await until(() => fs.existsSync(statusFile), { timeoutMs: 15_000, everyMs: 50, what: 'the target to start' });
    let firstPid = 0;
    const first = runWspy(['record', '-p', String(victim.pid), '-o', path.join(dir, 'first.json')], { onSpawn: (pid) => (firstPid = pid) });
    await until(() => agentIn(statusFile), { timeoutMs: 30_000, everyMs: 50, what: 'the first wspy to attach' });

    const second = await runWspy(['record', '-p', String(victim.pid), '-d', '1', '-o', path.join(dir, 'second.json')]);
    assert.notEqual(second.code, 0, second.stderr);
    assert.match(second.stderr, /wspy: error: process \d+ is already being recorded by another wspy: stop that recording first/);
    assert.equal(second.stderr.trim().split('\n').filter((l) => l.startsWith('wspy: error')).length, 1, second.stderr);
    assert.ok(!fs.existsSync(path.join(dir, 'second.json')), 'no empty report');

    process.kill(firstPid, 'SIGINT');
    const done = await first;
    assert.equal(done.code, 0, done.stderr);
    const rec = readRecording(path.join(dir, 'first.json'));
    assert.ok(rec.processes.some((p) => p.pid === victim.pid && p.sampleCount > 0), 'the first recording sampled the target');
    assert.equal(victim.exitCode, null, 'the target still runs');
  } finally {
    victim.kill('SIGKILL');
  }
});
