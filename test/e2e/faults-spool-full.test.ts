// Fault: a full spool disk lost 161 of 172 processes' samples while the report said "0 errors". On a
// real full disk (a small tmpfs mounted as TMPDIR, filled to the last byte by the worker itself) a
// fork-per-job worker's children lose what they spool: wspy must count it per process, say in one
// line who lost how many chunks and why (disk full at <dir>), put it in the report, still write the
// report, and exit with code 74. The jobs must not notice (the agent never throws into them).
// Needs root (mount); skipped with the reason otherwise, except under CI=true, where it must run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, readRecording, runWspy, tempDir } from '../helpers/wspy';

const JOBS = 6;
/** Room for wspy's directory and the worker's hello; the worker fills the rest. */
const TMPFS_SIZE = '512k';

const mounted: string[] = [];
after(() => {
  for (const dir of mounted) execFileSync('umount', ['-l', dir]);
});

/** Mounts a small tmpfs, or says why it cannot (a failure instead of a skip under CI). */
function mountSmallDisk(t: { skip(reason: string): void }): string | undefined {
  const why = (reason: string): undefined => {
    if (process.env.CI === 'true') assert.fail(`under CI this test must run, but ${reason}`);
    console.log(`# skipped: ${reason}`);
    t.skip(reason);
    return undefined;
  };
  if (process.getuid?.() !== 0) return why('mounting a tmpfs needs root');
  const dir = tempDir('wspy-full-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    return why(`mount -t tmpfs failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
  }
  mounted.push(dir);
  return dir;
}

test('a full spool disk: the loss is counted per process, reported in one line and in the report, and record exits 74', { timeout: 120_000 }, async (t) => {
  const disk = mountSmallDisk(t);
  if (!disk) return;
  const out = path.join(tempDir(), 'full.json');
  const run = await runWspy(['record', '-s', '-f', 'json', '-o', out, '--', process.execPath, path.join(FIXTURES, 'faults', 'disk-filler-worker.js'), String(JOBS)], {
    env: { ...process.env, TMPDIR: disk },
  });
  // The jobs never noticed: every one ended with 0, and so did the worker.
  assert.match(run.stdout, new RegExp(`worker done: ${JOBS} of ${JOBS} jobs ok`), run.stdout + run.stderr);
  assert.equal(run.code, 74, `exit code 74 when data was lost\n${run.stderr}`);
  const line = /wspy: warning: data lost: (\d+) of (\d+) processes lost ([\d,]+) chunks?\b.*: disk full at (\S+)/.exec(run.stderr);
  assert.ok(line, `one line says who lost what and why:\n${run.stderr}`);
  assert.equal(line[4].replace(/[;(]$/, ''), disk, 'the line names the full directory');
  assert.equal(run.stderr.match(/data lost/g)?.length, 1, 'said once');

  // The report was written all the same, and carries the tally per process.
  const r = readRecording(out);
  const worker = r.processes.find((p) => p.argv.some((a) => a.endsWith('disk-filler-worker.js')) && !p.argv.includes('--job'));
  assert.ok(worker, 'the worker is in the recording');
  assert.ok(worker.sampleCount > 0, 'the worker streamed its samples over ws');
  // Every job the worker forked is in the recording, if only through its loss marker (its parent's
  // report of it may be lost too, when it had to go through the spool).
  const jobPids = [...run.stdout.matchAll(/^job \d+ pid (\d+) code 0 /gm)].map((m) => Number(m[1]));
  assert.equal(jobPids.length, JOBS, run.stdout);
  const jobs = jobPids.map((pid) => r.processes.find((p) => p.pid === pid));
  for (const [i, job] of jobs.entries()) {
    assert.ok(job, `job ${jobPids[i]} is in the recording`);
    // Every write of a job's agent went to a disk filled to the last byte: all of it was lost, and counted.
    assert.ok(job.lost, `job ${job.pid} has its loss: ${JSON.stringify(job)}`);
    assert.ok(job.lost.messages >= 2, `job ${job.pid}: its hello and exit at least`);
    assert.equal(job.lost.reason, `disk full at ${disk}`);
  }
  const lostProcesses = r.processes.filter((p) => p.lost).length;
  assert.equal(Number(line[1]), lostProcesses, 'the line counts the processes that lost data');
  assert.equal(Number(line[2]), r.processes.length);
  const chunks = r.processes.reduce((n, p) => n + (p.lost?.chunks ?? 0), 0);
  assert.equal(Number(line[3].replace(/,/g, '')), chunks);
  assert.ok(chunks >= 1, 'chunks (samples) were among the losses');

  // The HTML report says it too, from the same recording.
  const html = path.join(tempDir(), 'full.html');
  const report = await runWspy(['report', out, '-o', html]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(fs.readFileSync(html, 'utf8'), /<p id="data-lost" class="failure">Data lost: \d+ of \d+ processes lost [\d,]+ chunks?.*disk full at /);
  // wspy removed its directory from the full disk: only the worker's filler is left.
  assert.deepEqual(fs.readdirSync(disk).filter((n) => !n.startsWith('filler-')), []);
});

test('a full spool disk under top: the same one line, and top exits 74 as record does', { timeout: 120_000 }, async (t) => {
  const disk = mountSmallDisk(t);
  if (!disk) return;
  const run = await runWspy(['top', '-s', '--', process.execPath, path.join(FIXTURES, 'faults', 'disk-filler-worker.js'), String(JOBS)], {
    env: { ...process.env, TMPDIR: disk },
  });
  assert.match(run.stdout, new RegExp(`worker done: ${JOBS} of ${JOBS} jobs ok`), run.stdout + run.stderr);
  assert.equal(run.code, 74, `exit code 74 when data was lost\n${run.stderr}`);
  assert.equal(run.stderr.match(/wspy: warning: data lost: \d+ of \d+ processes lost .*: disk full at /g)?.length, 1, `said once:\n${run.stderr}`);
});
