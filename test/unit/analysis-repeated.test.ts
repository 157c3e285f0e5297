// Known-answer tests of the repeated-work analysis on constructed recordings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, findFamilies, frameInclusiveMs, summaryLines } from '../../collector/analysis';
import { countsByStack } from '../../collector/model';
import { BOOT, COMPILE, LOAD, PlantedRecording, REQUIRE, RUN_MAIN } from '../helpers/analysis-support';

const TOP = '@/app/child.js:1';
const SEQUELIZE = '@/app/node_modules/sequelize/index.js:1';
const CONFIGURE = 'configureModels@/app/models.js:12';
const DEFINE = 'define@/app/models.js:40';
const HANDLER = 'onMessage@/app/child.js:20';

/** A child that boots (5 ms), loads sequelize (10 ms), runs configureModels (20 ms + define 40 ms), then its own job. */
function plantedChild(pid: number, job: number): Parameters<PlantedRecording['add']>[0] {
  const main = [RUN_MAIN, LOAD, COMPILE, TOP];
  return {
    pid,
    ppid: 100,
    argv: ['/usr/bin/node', '/app/child.js', `--job=${job}`],
    samples: [
      [[BOOT], 5],
      [[...main, REQUIRE, LOAD, COMPILE, SEQUELIZE], 10],
      [[...main, CONFIGURE], 20],
      [[...main, CONFIGURE, DEFINE], 40],
      [[HANDLER, `job${job}@/app/jobs.js:${job + 1}`], 5],
    ],
  };
}

function plantedFamily(n: number): PlantedRecording {
  const rec = new PlantedRecording().add({ pid: 100, ppid: 1, argv: ['/usr/bin/node', '/app/worker.js'], samples: [[['poll@/app/worker.js:3'], 50]] });
  for (let i = 0; i < n; i++) rec.add(plantedChild(200 + i, i));
  return rec;
}

test('planted start-up work in every fork is ranked first, N of N, with its cost and estimate', () => {
  const a = analyze(plantedFamily(8).recording);
  assert.equal(a.version, 2);
  assert.equal(a.families.length, 1, 'the lone parent is no family');
  const f = a.families[0];
  assert.equal(f.members, 8);
  assert.equal(f.forked, true);
  assert.equal(f.command, 'node child.js --job=<n>');
  assert.equal(f.cpuMs, 8 * 80);

  const top = f.repeated[0];
  assert.equal(top.frame, 'configureModels');
  assert.equal(top.file, 'models.js');
  assert.equal(top.line, 12);
  assert.equal(top.members, 8);
  assert.equal(top.of, 8);
  assert.equal(top.msPerMember, 60);
  assert.equal(top.totalMs, 480);
  assert.equal(top.share, 0.75);
  assert.equal(top.phase, 'startup');
  assert.equal(top.role, 'setup');
  assert.equal(top.cure, 'lazy');
  // Its own cure (run lazily) removes it from all 8 members: 480 of 640 ms.
  assert.equal(top.estimate.savedMs, 8 * 60);
  assert.equal(top.estimate.cpuFall, 0.75);
  assert.equal(top.estimate.speedup, 4);
  assert.doesNotMatch(top.advice, /parent/);
  // A pool (one child at a time here: no end times) keeps one child's set-up: boot, sequelize and configureModels, 75 ms.
  assert.deepEqual(f.topology, { kind: 'fork-per-job', concurrency: 1 });
  assert.equal(f.startup.setupMs.median, 75);
  assert.deepEqual(f.pool, { children: 1, forkMs: 0, savedMs: 7 * 75, cpuFall: 0.8203, speedup: 5.57 });

  const labels = f.repeated.map((i) => i.frame);
  const define = f.repeated.find((i) => i.frame === 'define')!;
  assert.equal(define.msPerMember, 40);
  assert.equal(define.within, 'configureModels (models.js:12)');
  assert.equal(top.within, undefined);
  // The module top-level gives way to configureModels, which carries 60 of its 70 ms.
  assert.ok(!f.repeated.some((i) => i.file === 'child.js' && i.line === 1), labels.join());
  // Per-job functions run in one member each: never repeated.
  assert.ok(!labels.some((l) => /^job\d/.test(l)), labels.join());
  assert.ok(!f.repeated.some((i) => i.file.startsWith('node:')), 'Node internals are never culprits');

  assert.equal(f.startup.runtimeMs.median, 5);
  assert.equal(f.startup.loadingMs.median, 70);
  assert.equal(f.startup.cpuMs.median, 75);
  assert.equal(f.packages[0].name, 'sequelize');
  assert.equal(f.packages[0].msPerMember, 10);
  assert.equal(f.packages[0].members, 8);

  const lines = summaryLines(a);
  assert.equal(
    lines[0],
    "configureModels (models.js:12) ran in 8 of 8 forks, 60 ms each (480 ms in all): 75 % of the children's CPU. " +
      'In one long-lived child: saves 525 ms, about 5.6x the throughput (all start-up: bootstrap, module loading, set-up, their GC). ' +
      'Lazy (run it on first use, only in the jobs that need it): saves 480 ms, about 4.0x (this item and its GC).',
  );
  assert.match(lines[1], /^Loading sequelize took 10 ms in 8 of 8 forks \(80 ms in all\): 13 % of the children's CPU\. In one long-lived child: .* Lazy require \(no code here calls sequelize once it is loaded: .*\): saves 80 ms, about 1\.14x/);
  // The message handler repeats too, but after start-up, once per job: the job itself, no promise.
  const handler = f.repeated.find((i) => i.frame === 'onMessage')!;
  assert.equal(handler.role, 'job');
  assert.equal(handler.estimate.savedMs, 0);
  assert.match(lines.at(-1)!, /^onMessage \(child\.js:20\) ran in 8 of 8 forks, 5 ms each .* It is the job itself \(it runs after start-up, once per job\)/);
  assert.ok(lines.length <= 5);
});

test('a family with no repeated work reports only Node start-up, apart', () => {
  const rec = new PlantedRecording();
  for (let i = 0; i < 5; i++) {
    rec.add({ pid: 300 + i, ppid: 1, argv: ['node', '/app/task.js', String(i)], samples: [[[BOOT], 4], [[`task${i}@/app/task.js:${10 + i}`], 30]] });
  }
  const a = analyze(rec.recording);
  assert.equal(a.families.length, 1);
  const f = a.families[0];
  assert.equal(f.members, 5);
  assert.equal(f.forked, false);
  assert.deepEqual(f.repeated, []);
  assert.deepEqual(f.paths, []);
  assert.deepEqual(f.packages, []);
  assert.equal(f.startup.runtimeMs.median, 4);
  assert.equal(f.startup.loadingMs.median, 0);
  assert.deepEqual(summaryLines(a), []);
});

test('recursion counts a function once per sample', () => {
  const fib = 'fib@/app/fib.js:1';
  const rec = new PlantedRecording();
  for (let i = 0; i < 3; i++) {
    rec.add({ pid: 400 + i, ppid: 1, argv: ['node', '/app/fib.js'], samples: [[[fib, fib, fib], 10], [[fib], 5], [['other@/app/fib.js:9'], 5]] });
  }
  const r = rec.recording;
  const p = r.processes[0];
  const ms = new Map([...countsByStack(r, p)].map(([s, c]) => [s, c]));
  const byFrame = frameInclusiveMs(r, ms);
  assert.equal(byFrame.get(rec.frame(fib)), 15);
  const f = analyze(r).families[0];
  const item = f.repeated.find((i) => i.frame === 'fib')!;
  assert.equal(item.msPerMember, 15);
  assert.equal(item.totalMs, 45);
  assert.equal(item.share, 0.75);
});

test('single processes are not families; ids, ports and temp paths are normalised', () => {
  const one = (pid: number, ppid: number, argv: string[]) => ({ pid, ppid, argv, samples: [[['w@/app/w.js:1'], 3]] as Array<[string[], number]> });
  const rec = new PlantedRecording()
    .add(one(1, 0, ['node', '/app/a.js']))
    .add(one(2, 0, ['node', '/app/b.js']))
    // Same command under different parents, with volatile arguments.
    .add(one(3, 1, ['node', '--cpu-prof-dir', '/tmp/p1', '/app/c.js', '--port=3001', '--tmp=/tmp/x-1a2b']))
    .add(one(4, 2, ['node', '--cpu-prof-dir', '/tmp/p2', '/app/c.js', '--port=3002', '--tmp=/tmp/x-9f8e']))
    // Siblings with the same entry but different arguments.
    .add(one(5, 2, ['node', '/app/d.js', 'send-email']))
    .add(one(6, 2, ['node', '/app/d.js', 'resize-image']));
  const families = findFamilies(rec.recording);
  assert.deepEqual(
    families.map((f) => f.members.map((p) => p.pid).sort()),
    [[3, 4], [5, 6]],
  );
  assert.equal(families[0].command, 'node c.js --port=<n> --tmp=<tmp>');
  assert.deepEqual(analyze(new PlantedRecording().add(one(9, 0, ['node', '/app/a.js'])).recording).families, []);
});

test('chains of equal cost are listed once, at the deepest frame; a project call keeps its package callee', () => {
  const rec = new PlantedRecording();
  for (let i = 0; i < 4; i++) {
    rec.add({
      pid: 500 + i,
      ppid: 1,
      argv: ['node', '/app/x.js'],
      samples: [
        [['a@/app/x.js:1', 'b@/app/x.js:5', 'c@/app/x.js:9'], 50],
        [['setup@/app/y.js:1', 'Model.init@/app/node_modules/sequelize/lib/model.js:900'], 45],
        [['setup@/app/y.js:1'], 10],
      ],
    });
  }
  const f = analyze(rec.recording).families[0];
  assert.deepEqual(f.repeated.map((i) => i.frame), ['setup', 'c']);
  assert.deepEqual(f.paths.map((p) => p.frames.at(-1)), ['setup (y.js:1)', 'c (x.js:9)']);
  assert.equal(f.paths[1].frames.length, 3);
});

test('idle samples are dropped unless the recording kept idle time', () => {
  const rec = new PlantedRecording();
  for (let i = 0; i < 2; i++) rec.add({ pid: 600 + i, ppid: 1, argv: ['node', '/app/z.js'], samples: [[['(idle)'], 100], [['work@/app/z.js:2'], 10]] });
  assert.equal(analyze(rec.recording).families[0].cpuMs, 20);
  rec.recording.meta.idle = true;
  assert.equal(analyze(rec.recording).families[0].cpuMs, 220);
});

test('an item counts as repeated only in most members (80 % by default)', () => {
  const rec = new PlantedRecording();
  for (let i = 0; i < 20; i++) {
    const samples: Array<[string[], number]> = [[['common@/app/c.js:1'], 10]];
    if (i < 16) samples.push([['most@/app/c.js:5'], 10]);
    if (i < 15) samples.push([['some@/app/c.js:9'], 30]);
    rec.add({ pid: 700 + i, ppid: 1, argv: ['node', '/app/c.js'], samples });
  }
  const f = analyze(rec.recording).families[0];
  assert.deepEqual(f.repeated.map((i) => `${i.frame} ${i.members}/${i.of}`), ['common 20/20', 'most 16/20']);
  const loose = analyze(rec.recording, { minMemberShare: 0.75 }).families[0];
  assert.equal(loose.repeated[0].frame, 'some');
  assert.equal(loose.repeated[0].members, 15);
});
