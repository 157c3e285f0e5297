// Recordings for the viewer's tests, built with the real RecordingBuilder: a fork-per-job worker
// (`node worker.js` and its `node child.js` children), package and Node-internal frames, V8's (idle)
// frame, and frame names and paths written to break out of HTML, SVG and script contexts.

import { syntheticStacks } from '../../bench/synthetic-stacks';
import { IDLE_FRAME_NAME, Recording, RecordingBuilder, emptyRecording, emptySamples, ProcessRecord } from '../../collector/model';

export const HOSTILE_NAME = '</script><img src=x onerror=alert(1)>';
export const HOSTILE_FILE = '/app/src/"<&\'>/evil.js';
export const CWD = '/app';
const T0 = Date.UTC(2024, 4, 1, 14, 3, 22);

function addProcess(b: RecordingBuilder, pid: number, ppid: number, script: string, extra: Partial<ProcessRecord> = {}): ProcessRecord {
  return b.upsertProcess(String(pid), () => ({
    pid,
    ppid,
    argv: ['/usr/local/bin/node', `${CWD}/${script}`],
    command: `node ${script}`,
    cwd: CWD,
    nodeVersion: 'v20.20.2',
    startTime: T0 + (pid - 100) * 150,
    endTime: T0 + (pid - 100) * 150 + 900,
    exitCode: 0,
    signal: null,
    sampled: true,
    intervalUs: 1000,
    samples: emptySamples(),
    errors: [],
    ...extra,
  }));
}

/** A worker with three forked children; the children repeat the same start-up work. */
export function forkWorkerRecording(): Recording {
  const b = new RecordingBuilder(
    emptyRecording({ title: 'node worker.js', startTime: T0, endTime: T0 + 3000, intervalUs: 1000, cwd: CWD, command: ['node', 'worker.js'], wspyVersion: '0.1.0' }),
  );
  const main = b.frame('', `${CWD}/worker.js`, 1, 1);
  const loader = b.frame('Module._load', 'node:internal/modules/cjs/loader', 1021, 25);
  const configure = b.frame('configureModels', `${CWD}/src/models.js`, 12, 3);
  const define = b.frame('Model.init', `${CWD}/node_modules/sequelize/lib/model.js`, 120, 10);
  const validate = b.frame('validateAttributes', `${CWD}/node_modules/sequelize/lib/model.js`, 340, 5);
  const runJob = b.frame('runJob', `${CWD}/src/jobs/send.js`, 8, 1);
  const render = b.frame('renderTemplate', `${CWD}/node_modules/@acme/mailer/dist/render.js`, 55, 2);
  const hostile = b.frame(HOSTILE_NAME, HOSTILE_FILE, 7, 1);
  const fork = b.frame('fork', 'node:child_process', 160, 3);
  const idle = b.frame(IDLE_FRAME_NAME, '', 0, 0);
  const gc = b.frame('(garbage collector)', '', 0, 0);

  const parent = addProcess(b, 100, 1, 'worker.js', { endTime: undefined, exitCode: undefined });
  b.addSamples(parent, b.stackOf([main, loader]), 40, 50);
  b.addSamples(parent, b.stackOf([main, fork]), 25, 900);
  b.addSamples(parent, b.stackOf([idle]), 500, 2000);
  b.addSamples(parent, b.stackOf([gc]), 5, 2100);

  for (const [i, pid] of [101, 102, 103].entries()) {
    const child = addProcess(b, pid, 100, 'child.js', i === 2 ? { exitCode: null, signal: 'SIGKILL', errors: ['Error: boom </b>'] } : {});
    b.addSamples(child, b.stackOf([main, loader]), 30, 100);
    b.addSamples(child, b.stackOf([main, configure, define]), 120, 300);
    b.addSamples(child, b.stackOf([main, configure, define, validate]), 80 + 10 * i, 400);
    b.addSamples(child, b.stackOf([main, runJob, render]), 20, 600);
    b.addSamples(child, b.stackOf([main, runJob, hostile]), 15, 700);
    b.addSamples(child, b.stackOf([idle]), 100, 800);
  }
  return b.recording;
}

/**
 * A recording with `stacks` distinct stacks spread over a few processes, with the long tail of tiny
 * stacks real profiles have (a few hot paths, most stacks seen once).
 */
export function manyStacksRecording(stacks: number): Recording {
  const b = new RecordingBuilder(emptyRecording({ title: 'many stacks', startTime: T0, endTime: T0 + 60_000, intervalUs: 1000, cwd: CWD }));
  const procs = [addProcess(b, 100, 1, 'worker.js'), addProcess(b, 101, 100, 'child.js'), addProcess(b, 102, 100, 'child.js')];
  const { random, nextStack } = syntheticStacks(b, CWD, 42);
  const seen = new Set<number>();
  for (let made = 0; seen.size < stacks; made++) {
    const s = nextStack();
    seen.add(s);
    const hot = random(100) < 5;
    b.addSamples(procs[random(3)], s, hot ? 50 + random(200) : 1 + random(3), made);
  }
  return b.recording;
}

/** A realistic-looking fork-per-job worker for the README's screenshot (no hostile names). */
export function screenshotRecording(): Recording {
  const b = new RecordingBuilder(
    emptyRecording({ title: 'node worker.js (fork per job)', startTime: T0, endTime: T0 + 10_000, intervalUs: 1000, cwd: CWD, command: ['node', 'worker.js', '--queue', 'emails'], wspyVersion: '0.1.0' }),
  );
  const f = (name: string, file: string, line: number): number => b.frame(name, file, line, 1);
  const main = f('', `${CWD}/worker.js`, 1);
  const load = f('Module._load', 'node:internal/modules/cjs/loader', 1021);
  const compile = f('Module._compile', 'node:internal/modules/cjs/loader', 1364);
  const requireSeq = f('', `${CWD}/node_modules/sequelize/lib/index.js`, 1);
  const configure = f('configureModels', `${CWD}/src/models.js`, 12);
  const init = f('Model.init', `${CWD}/node_modules/sequelize/lib/model.js`, 120);
  const refresh = f('refreshAttributes', `${CWD}/node_modules/sequelize/lib/model.js`, 410);
  const validate = f('validateAttributes', `${CWD}/node_modules/sequelize/lib/model.js`, 340);
  const assoc = f('belongsTo', `${CWD}/node_modules/sequelize/lib/associations/mixin.js`, 88);
  const runJob = f('runJob', `${CWD}/src/jobs/send.js`, 8);
  const render = f('renderTemplate', `${CWD}/node_modules/@acme/mailer/dist/render.js`, 55);
  const parse = f('parse', `${CWD}/node_modules/handlebars/dist/cjs/handlebars/compiler/base.js`, 30);
  const send = f('sendMail', `${CWD}/src/jobs/send.js`, 31);
  const write = f('writeGeneric', 'node:internal/stream_base_commons', 151);
  const fork = f('fork', 'node:child_process', 160);
  const poll = f('pollQueue', `${CWD}/src/queue.js`, 44);
  const json = f('JSON.parse', '', 0);
  const gc = f('(garbage collector)', '', 0);
  const parent = addProcess(b, 100, 1, 'worker.js', { endTime: undefined, exitCode: undefined });
  b.addSamples(parent, b.stackOf([main, load, compile]), 60, 100);
  b.addSamples(parent, b.stackOf([main, poll, json]), 45, 200);
  b.addSamples(parent, b.stackOf([main, poll, fork]), 90, 300);
  b.addSamples(parent, b.stackOf([gc]), 12, 300);
  for (let i = 0; i < 6; i++) {
    const child = addProcess(b, 101 + i, 100, 'child.js', i === 5 ? { exitCode: 1, errors: ['Error: connect ECONNREFUSED 127.0.0.1:5432'] } : {});
    const j = (n: number): number => n + ((i * 7) % 11);
    b.addSamples(child, b.stackOf([main, load, compile, requireSeq]), j(70), 100);
    b.addSamples(child, b.stackOf([main, load, compile]), j(25), 100);
    b.addSamples(child, b.stackOf([main, configure, init, refresh]), j(110), 300);
    b.addSamples(child, b.stackOf([main, configure, init, refresh, validate]), j(95), 300);
    b.addSamples(child, b.stackOf([main, configure, assoc]), j(40), 300);
    b.addSamples(child, b.stackOf([main, runJob, render, parse]), j(30), 600);
    b.addSamples(child, b.stackOf([main, runJob, send, write]), j(12), 700);
    b.addSamples(child, b.stackOf([gc]), j(8), 700);
  }
  return b.recording;
}

/**
 * A fork-per-job worker with `forks` children started one after another: each loads a module
 * (start-up, under the loader), then runs its job. What the timeline draws.
 */
export function manyForksRecording(forks: number): Recording {
  const lifeMs = 200;
  const b = new RecordingBuilder(
    emptyRecording({ title: 'node worker.js', startTime: T0, endTime: T0 + 100 + forks * 20 + lifeMs, intervalUs: 1000, cwd: CWD, command: ['node', 'worker.js'], wspyVersion: '0.1.0' }),
  );
  const main = b.frame('', `${CWD}/worker.js`, 1, 1);
  const loader = b.frame('Module._load', 'node:internal/modules/cjs/loader', 1021, 25);
  const runJob = b.frame('runJob', `${CWD}/src/jobs/send.js`, 8, 1);
  const parent = addProcess(b, 100, 1, 'worker.js', { startTime: T0, endTime: undefined, exitCode: undefined });
  b.addSamples(parent, b.stackOf([main, loader]), 40, 50);
  for (let i = 0; i < forks; i++) {
    const start = 100 + i * 20;
    const child = addProcess(b, 1000 + i, 100, 'child.js', { startTime: T0 + start, endTime: T0 + start + lifeMs });
    b.addSamples(child, b.stackOf([main, loader]), 60, start + 70);
    b.addSamples(child, b.stackOf([main, runJob]), 90, start + 180);
  }
  return b.recording;
}
