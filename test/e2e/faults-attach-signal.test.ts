// Faults in attach mode: wspy interrupted with SIGINT or SIGTERM writes the report from what it
// had and detaches: the target keeps running with no agent left (wspy's global gone,
// ChildProcess.prototype.spawn restored, no WSPY_AGENT or --require in its env), children it starts
// afterwards are not followed, and the recording's private directory is gone.

import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { sleep, until } from '../helpers/wait';
import { FIXTURES, readRecording, runWspy, tempDir } from '../helpers/wspy';

const target = path.join(FIXTURES, 'faults', 'attach-target.js');

interface Status {
  pid: number;
  jobs: number;
  agent: boolean;
  spawnPatched: boolean;
  agentEnv: boolean;
  /** The recording directory named by WSPY_AGENT, while there is one. */
  agentDir: string | null;
  nodeOptions: string;
  lastChild: { agentEnv: boolean; agent: boolean } | null;
}

function readStatus(file: string): Status | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Status;
  } catch {
    return undefined;
  }
}

/** The target's status file is rewritten as it goes: looked at every 50 ms, for up to 15 s. */
const STATUS_WAIT = { timeoutMs: 15_000, everyMs: 50 };

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`attach mode, ${signal}: the report is written and the target runs on without an agent`, { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const statusFile = path.join(dir, 'status.json');
    const out = path.join(dir, 'attached.json');
    const victim: ChildProcess = spawn(process.execPath, [target, statusFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let victimStderr = '';
    victim.stderr!.on('data', (d) => (victimStderr += d));
    try {
      await until(() => readStatus(statusFile) !== undefined, { ...STATUS_WAIT, what: 'the target to start' });
      let wspyPid = 0;
      const running = runWspy(['record', '-p', String(victim.pid), '-s', '-o', out], { onSpawn: (pid) => (wspyPid = pid) });
      const attached = await until(
        () => {
          const s = readStatus(statusFile);
          return s && s.agent && s.spawnPatched && s.lastChild?.agent ? s : undefined;
        },
        { ...STATUS_WAIT, what: 'the agent to be in the target and follow its children' },
      );
      const privateDir = attached.agentDir;
      assert.ok(privateDir && fs.existsSync(path.join(privateDir, 'collector.sock')), `the agent knows the recording's directory: ${privateDir}`);
      await sleep(1000);
      process.kill(wspyPid, signal);
      const r = await running;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`${signal}: stopping the recording and detaching`));

      // The report holds the target (and followed jobs) with samples.
      const rec = readRecording(out);
      const root = rec.processes.find((p) => p.pid === victim.pid);
      assert.ok(root && root.sampleCount > 0, 'the target was sampled');
      assert.ok(rec.processes.some((p) => p.ppid === victim.pid && p.sampleCount > 0), 'a followed job was sampled');

      // Detached: give the target time to start new jobs, then look.
      const jobsAtStop = readStatus(statusFile)!.jobs;
      await until(() => readStatus(statusFile)!.jobs >= jobsAtStop + 2, { ...STATUS_WAIT, what: 'two new jobs after the detach' });
      const after = readStatus(statusFile)!;
      assert.equal(victim.exitCode, null, 'the target still runs');
      assert.equal(after.agent, false, 'no agent global left');
      assert.equal(after.spawnPatched, false, 'ChildProcess.prototype.spawn restored');
      assert.equal(after.agentEnv, false, 'WSPY_AGENT removed from the env');
      assert.doesNotMatch(after.nodeOptions, /agent\.js/, 'the --require removed from NODE_OPTIONS');
      assert.deepEqual(after.lastChild, { agentEnv: false, agent: false }, 'new jobs are not followed');
      assert.equal(fs.existsSync(privateDir), false, `private dir ${privateDir} left behind`);
      // Node itself announces the inspector that attaching opens; nothing else may appear.
      const foreign = victimStderr.split('\n').filter((l) => l && !/^(Debugger listening on|For help, see|Debugger attached|Debugger ending)/.test(l));
      assert.deepEqual(foreign, [], 'the target printed nothing else on stderr');
    } finally {
      victim.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
