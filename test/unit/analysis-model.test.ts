// Known-answer tests of the analysis's model (docs/ANALYSIS.md, "The model"): CPU before the agent,
// package loads folded into the package that required them, GC shared by the JS it ran with,
// set-up vs the job from structure, the family's topology, and what each cure saves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, reportAnalysis, summaryLines } from '../../collector/analysis';
import { BOOT, COMPILE, GC, LOAD, PlantedRecording, ProcessSpec, REQUIRE, RUN_MAIN } from '../helpers/analysis-support';

const MAIN = [RUN_MAIN, LOAD, COMPILE, '@/app/child.js:1'];
const loading = (pkg: string, from = MAIN): string[] => [...from, REQUIRE, LOAD, COMPILE, `@/app/node_modules/${pkg}/index.js:1`];
const JOB = ['onMessage@/app/child.js:20', 'handle@/app/jobs.js:4'];

/** A parent and `n` forked children made by `child(i)`. */
function family(n: number, child: (i: number) => Omit<ProcessSpec, 'pid' | 'ppid' | 'argv'>): PlantedRecording {
  const rec = new PlantedRecording().add({ pid: 100, ppid: 1, argv: ['node', '/app/worker.js'], samples: [[['poll@/app/worker.js:3'], 5]] });
  for (let i = 0; i < n; i++) rec.add({ pid: 200 + i, ppid: 100, argv: ['node', '/app/child.js', `--job=${i}`], ...child(i) });
  return rec;
}

test('a package load folds the packages it requires: no two rows count the same samples, shares add to at most 100 %', () => {
  const a = analyze(
    family(4, () => ({
      samples: [
        [[BOOT], 5],
        [loading('sequelize'), 10],
        [loading('lodash', loading('sequelize')), 20],
        [loading('lodash'), 5],
        [JOB, 5],
      ],
    })).recording,
  );
  const f = a.families[0];
  assert.deepEqual(f.packages.map((p) => [p.name, p.msPerMember]), [['sequelize', 30], ['lodash', 5]]);
  const ra = reportAnalysis(a, Infinity);
  const shares = ra.findings.filter((x) => !x.within).reduce((t, x) => t + x.share, 0);
  assert.ok(shares <= 1, `shares add to ${shares}`);
});

test('CPU before the agent is start-up; GC is shared by the JS of its window; the cure saves the item and its GC', () => {
  const a = analyze(
    family(4, () => ({
      cpu: { beforeAgentMs: 30, sampledMs: 125 },
      messages: 1,
      samples: [
        [[BOOT], 5],
        [loading('sequelize'), 20],
        [[...MAIN, 'configureModels@/app/models.js:12'], 60],
        [[GC], 20],
        [JOB, 10],
        [[GC], 10],
      ],
    })).recording,
  );
  const f = a.families[0];
  // 125 ms sampled + 30 ms before the agent, per member.
  assert.equal(f.cpuMs, 4 * 155);
  assert.equal(f.startup.beforeAgentMs.median, 30);
  assert.equal(f.startup.cpuMs.median, 30 + 5 + 20 + 60 + 20);
  const top = f.repeated[0];
  assert.equal(top.frame, 'configureModels');
  // 60 of the 80 ms of start-up JS: 60 / 80 of the 20 ms of start-up GC, in each of 4 members.
  assert.equal(top.gcMs, 4 * 15);
  assert.equal(top.estimate.savedMs, 4 * (60 + 15));
  assert.equal(f.packages[0].gcMs, 4 * 5);
  assert.equal(f.packages[0].estimate.savedMs, 4 * 25);
  // Set-up: everything up to the job (before the agent, boot, loading, configureModels, their GC).
  assert.equal(f.startup.setupMs.median, 135);
  const handler = f.repeated.find((i) => i.frame === 'handle')!;
  assert.equal(handler.role, 'job');
  assert.equal(handler.estimate.savedMs, 0);
});

test('work at load in a child that got its job in argv and does nothing else is the job: no saving is promised', () => {
  const a = analyze(
    family(6, (i) => ({
      messages: 0,
      samples: [
        [[BOOT], 5],
        [[...MAIN, 'hashPayload@/app/child.js:3', 'pbkdf2Sync@node:internal/crypto/pbkdf2:40'], 100 + i],
      ],
    })).recording,
  );
  const f = a.families[0];
  const hash = f.repeated.find((i) => i.frame === 'hashPayload')!;
  assert.equal(hash.phase, 'startup');
  assert.equal(hash.role, 'job');
  assert.equal(hash.cure, 'none');
  assert.equal(hash.estimate.savedMs, 0);
  // A pool would only save the 5 ms of boot per child, not the job.
  assert.equal(f.startup.setupMs.median, 5);
  const line = summaryLines(a).find((l) => l.startsWith('hashPayload'))!;
  assert.match(line, /It is the job itself \(each child runs one job, and this is its only work besides loading modules\): per-job work, which no change shares\.$/);
  assert.doesNotMatch(line, /saves/);
});

test('top-level code of a module that repeats is a finding named after its module', () => {
  const a = analyze(family(4, () => ({ messages: 1, samples: [[[BOOT], 5], [MAIN, 100], [JOB, 10]] })).recording);
  const f = a.families[0];
  const top = f.repeated[0];
  assert.equal(top.label, 'top-level code of child.js');
  assert.equal(top.topLevel, true);
  assert.equal(top.role, 'setup');
  assert.equal(top.msPerMember, 100);
  assert.equal(top.members, 4);
  const ra = reportAnalysis(a);
  assert.equal(ra.findings[0].what, 'module');
  assert.deepEqual(ra.findings[0].frames, ['(anonymous) (child.js:1)']);
  assert.match(summaryLines(a)[0], /^Top-level code of child\.js ran in 4 of 4 forks, 100 ms each \(400 ms in all\)/);
});

test('compile-type work on the first job is set-up that a precompiled build removes', () => {
  const a = analyze(
    family(4, () => ({
      messages: 1,
      samples: [
        [[BOOT], 5],
        [loading('pug'), 10],
        [['render@/app/child.js:30', 'compile@/app/node_modules/pug/lib/index.js:200'], 80],
        [['render@/app/child.js:30', 'template@/app/views.js:1'], 5],
      ],
    })).recording,
  );
  const f = a.families[0];
  const render = f.repeated.find((i) => i.frame === 'render')!;
  assert.equal(render.phase, 'work');
  assert.equal(render.role, 'setup');
  assert.equal(render.cure, 'precompile');
  assert.equal(render.estimate.savedMs, 4 * 85);
  assert.match(render.advice, /^precompile/);
  assert.equal(reportAnalysis(a).findings[0].label, render.label, 'the compile is ranked first, above loading pug');
});

test('children that already take many jobs (a pool) are never told to keep children alive', () => {
  const a = analyze(
    family(4, (i) => ({
      messages: 10,
      startTime: 0,
      endTime: 1000 + i,
      samples: [[[BOOT], 5], [loading('ajv'), 20], [JOB, 50]],
    })).recording,
  );
  const f = a.families[0];
  assert.deepEqual(f.topology, { kind: 'pool', concurrency: 4, jobsPerMember: 10 });
  assert.equal(f.pool, undefined);
  for (const line of summaryLines(a)) {
    assert.doesNotMatch(line, /In a pool|long-lived child/);
    assert.doesNotMatch(line, /keep children alive in a pool \(/);
  }
  // The job is the costliest, and first; the set-up after it says a pool has nothing more to give.
  assert.match(summaryLines(a)[0], /^handle \(jobs\.js:4\).* It is the job itself/);
  assert.match(summaryLines(a)[1], /^Loading ajv .* Pooled children \(up to 4 at once, about 10 jobs each\): they already live for many jobs, so keeping them alive saves nothing more\./);
  assert.ok(!f.packages[0].advice.includes('pool'));
});

test('a fork per job with four at a time: a pool of four keeps four children\'s set-up', () => {
  const a = analyze(
    family(40, (i) => ({
      messages: 1,
      startTime: Math.floor(i / 4) * 1000,
      endTime: Math.floor(i / 4) * 1000 + 900,
      samples: [[[BOOT], 10], [loading('sequelize'), 80], [JOB, 10]],
    })).recording,
  );
  const f = a.families[0];
  assert.equal(f.topology.kind, 'fork-per-job');
  assert.equal(f.topology.concurrency, 4);
  // 40 children x 90 ms of set-up, of which a pool of 4 keeps 4 x 90 ms; 100 ms per child in all.
  assert.equal(f.pool!.children, 4);
  assert.equal(f.pool!.savedMs, 36 * 90);
  assert.equal(f.pool!.speedup, Math.round((100 * 4000) / (4000 - 3240)) / 100);
});

test('a pool also saves the parent\'s forks: it starts 4 children instead of 40', () => {
  const rec = new PlantedRecording().add({
    pid: 100,
    ppid: 1,
    argv: ['node', '/app/worker.js'],
    samples: [
      [['poll@/app/worker.js:3'], 5],
      // 120 ms starting 40 children (fork calls spawn), and 10 ms handling their exits.
      [['onexit@node:internal/child_process', 'start@/app/worker.js:9', 'fork@node:child_process', 'spawn@node:child_process', 'ChildProcess.spawn@node:internal/child_process'], 120],
      [['onexit@node:internal/child_process', 'start@/app/worker.js:9'], 10],
    ],
  });
  for (let i = 0; i < 40; i++) {
    rec.add({
      pid: 200 + i,
      ppid: 100,
      argv: ['node', '/app/child.js', `--job=${i}`],
      messages: 1,
      startTime: Math.floor(i / 4) * 1000,
      endTime: Math.floor(i / 4) * 1000 + 900,
      samples: [[[BOOT], 10], [loading('sequelize'), 80], [JOB, 10]],
    });
  }
  const f = analyze(rec.recording).families[0];
  assert.equal(f.pool!.forkMs, 120);
  // 36 children's set-up, and 36 of the 40 forks' 3 ms each.
  assert.equal(f.pool!.savedMs, 36 * 90 + 36 * 3);
  assert.match(summaryLines(analyze(rec.recording))[0], /\(all start-up: bootstrap, module loading, set-up, their GC, and the parent's forks\)/);
});

test('the panel\'s row cap never hides a finding that stands on its own', () => {
  const a = analyze(
    family(3, () => ({
      messages: 1,
      samples: Array.from({ length: 8 }, (_, k): [string[], number] => [[...MAIN, `setup${k}@/app/s.js:${k + 1}`], 10 + k]).concat([[JOB, 5]]),
    })).recording,
  );
  const ra = reportAnalysis(a, 3);
  assert.ok(ra.findings.filter((x) => !x.within).length >= 9, ra.findings.map((x) => x.label).join());
});

test('a package the jobs call is priced as a narrower require (what the part they use does not load); one they never call as a lazy one', () => {
  const sdk = loading('aws-sdk');
  const sub = (file: string): string[] => [...sdk, REQUIRE, LOAD, COMPILE, `@/app/node_modules/aws-sdk/${file}:1`];
  const a = analyze(
    family(4, () => ({
      messages: 1,
      samples: [
        [[BOOT], 5],
        [sdk, 9],
        [sub('lib/core.js'), 30],
        [sub('clients/ec2.js'), 60],
        [loading('lodash'), 20],
        [['handle@/app/jobs.js:4', 'getSignedUrl@/app/node_modules/aws-sdk/lib/core.js:900'], 5],
      ],
    })).recording,
  );
  const [aws, lodash] = a.families[0].packages;
  assert.equal(aws.name, 'aws-sdk');
  assert.equal(aws.cure, 'narrow');
  // A narrower require skips the entry: it keeps core.js (the jobs run it), not ec2.js, and of the
  // entry's own 9 ms the share of what it loads that is kept (30 of 90 ms): 33 ms per member.
  assert.equal(aws.neededMs, 4 * 33);
  assert.equal(aws.estimate.savedMs, 4 * 66);
  assert.match(aws.advice, /^narrower require \(the jobs use it: require aws-sdk\/clients\/s3/);
  assert.equal(lodash.name, 'lodash');
  assert.equal(lodash.cure, 'lazy');
  assert.equal(lodash.estimate.savedMs, 4 * 20);
  assert.match(summaryLines(a)[0], /^Loading aws-sdk took 99 ms .* Narrower require .*: saves 264 ms/);
});

test('a narrower require still loads the core the used part requires; it skips only the unused modules an index fans out to', () => {
  // aws-sdk v2's shape: the entry requires its core (node_loader, core) and clients/all.js, an index
  // of every client; the job uses S3 and the core's service.js, and a file that an unused client
  // happened to load first (shared.js: Node caches modules, so it shows under whoever came first).
  const entry = [...MAIN, REQUIRE, LOAD, COMPILE, '@/app/node_modules/aws-sdk/lib/aws.js:1'];
  const under = (from: string[], file: string): string[] => [...from, REQUIRE, LOAD, COMPILE, `@/app/node_modules/aws-sdk/${file}:1`];
  const nodeLoader = under(entry, 'lib/node_loader.js');
  const core = under(nodeLoader, 'lib/core.js');
  const all = under(entry, 'clients/all.js');
  const c1 = under(all, 'clients/c1.js');
  const clients = Array.from({ length: 8 }, (_, k): [string[], number] => [under(all, `clients/c${k + 2}.js`), 10]);
  const a = analyze(
    family(4, () => ({
      messages: 1,
      samples: [
        [[BOOT], 5],
        [entry, 26],
        [nodeLoader, 20],
        [core, 20],
        [under(core, 'lib/service.js'), 10],
        [under(nodeLoader, 'lib/xml/parser.js'), 30],
        [all, 80],
        [under(all, 'clients/s3.js'), 10],
        [c1, 5],
        [under(c1, 'lib/shared.js'), 5],
        ...clients,
        // The deepest frame is service.js: s3.js counts as used too, being on the same stack.
        [['handle@/app/jobs.js:4', 'S3@/app/node_modules/aws-sdk/clients/s3.js:9', 'Service@/app/node_modules/aws-sdk/lib/service.js:40'], 3],
        [['handle@/app/jobs.js:4', 'util@/app/node_modules/aws-sdk/lib/shared.js:2'], 2],
      ],
    })).recording,
  );
  const [aws] = a.families[0].packages;
  assert.equal(aws.msPerMember, 26 + 20 + 20 + 10 + 30 + 80 + 10 + 5 + 5 + 80);
  assert.equal(aws.cure, 'narrow');
  // Kept per member: node_loader in full (it holds a used file and is no index: 80 ms, its unused
  // xml parser too). Of clients/all.js (an index of 10 clients, 2 of which hold used files, 20 of
  // its 100 ms of clients): s3.js (10), shared.js (5) with c1's own 5 ms in the share 5 / 5 kept,
  // and all.js's own 80 ms in the share 20 / 100: 36 ms. Of the entry's own 26 ms, the share of its
  // 80 + 180 ms of requires that is kept: 26 * 116 / 260.
  const kept = 80 + 36 + (26 * 116) / 260;
  assert.ok(Math.abs(aws.neededMs - 4 * kept) < 0.01, `${aws.neededMs} vs ${4 * kept}`);
  assert.ok(Math.abs(aws.estimate.savedMs - 4 * (286 - kept)) < 0.01, `${aws.estimate.savedMs} vs ${4 * (286 - kept)}`);
});

test('a narrower require of a package whose entry the jobs run saves nothing', () => {
  const sdk = loading('pug');
  const a = analyze(
    family(4, () => ({
      messages: 1,
      samples: [
        [sdk, 10],
        [[...sdk, REQUIRE, LOAD, COMPILE, '@/app/node_modules/pug-lexer/index.js:1'], 40],
        [['handle@/app/jobs.js:4', 'render@/app/node_modules/pug/index.js:300'], 5],
      ],
    })).recording,
  );
  const [pug] = a.families[0].packages;
  assert.equal(pug.cure, 'narrow');
  assert.equal(pug.neededMs, 4 * 50);
  assert.equal(pug.estimate.savedMs, 0);
  const line = summaryLines(a).find((l) => l.startsWith('Loading pug'))!;
  assert.match(line, /A narrower require saves little \(0 ms\): the jobs run code of nearly all it loads\.$/);
  assert.doesNotMatch(line, /Narrower require \(/);
  // The panel's row says the same: what helps a fork per job is a pool.
  const row = reportAnalysis(a).findings.find((x) => x.label === 'pug')!;
  assert.equal(row.shortAdvice, 'a pool');
  assert.match(row.advice, /^a narrower require saves little: .*; keep children alive in a pool/);
});
