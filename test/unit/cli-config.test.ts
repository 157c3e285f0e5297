import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRecordConfig, SINGLE_RATE_HZ, TREE_RATE_HZ } from '../../cli/record-config';
import { UserError } from '../../collector/model';
import { terminalSafe, terminalSafeJson } from '../../cli/terminal-text';

const now = new Date('2026-11-23T20:15:00Z');

test('launch mode: defaults follow py-spy', () => {
  const c = parseRecordConfig({}, ['node', 'worker.js'], now);
  assert.deepEqual(c.target, { kind: 'launch', command: ['node', 'worker.js'] });
  assert.equal(c.format, 'html');
  assert.equal(c.output, 'wspy-worker-20261123-201500.html');
  assert.equal(c.rateHz, SINGLE_RATE_HZ);
  assert.equal(c.subprocesses, false);
  assert.equal(c.idle, false);
});

test('the default rate is 100 Hz for one process and 250 Hz with its children; -r wins', () => {
  assert.equal(parseRecordConfig({ pid: '42' }, [], now).rateHz, SINGLE_RATE_HZ);
  assert.equal(parseRecordConfig({ pid: '42', subprocesses: true }, [], now).rateHz, TREE_RATE_HZ);
  assert.equal(parseRecordConfig({ subprocesses: true }, ['node', 'w.js'], now).rateHz, TREE_RATE_HZ);
  assert.equal(parseRecordConfig({ queue: 'emails' }, [], now).rateHz, TREE_RATE_HZ);
  assert.equal(parseRecordConfig({ subprocesses: true, rate: '100' }, ['node', 'w.js'], now).rateHz, 100);
});

test('format comes from -f, else from the output name', () => {
  assert.equal(parseRecordConfig({ output: 'p.speedscope.json' }, ['x'], now).format, 'speedscope');
  assert.equal(parseRecordConfig({ output: 'p.json' }, ['x'], now).format, 'json');
  assert.equal(parseRecordConfig({ output: 'p.pb.gz' }, ['x'], now).format, 'pprof');
  assert.equal(parseRecordConfig({ output: 'p.svg' }, ['x'], now).format, 'svg');
  assert.equal(parseRecordConfig({ output: 'p.folded' }, ['x'], now).format, 'collapsed');
  assert.equal(parseRecordConfig({ output: 'p.out', format: 'json' }, ['x'], now).format, 'json');
  assert.equal(parseRecordConfig({ format: 'speedscope' }, ['npm', 'run', 'start'], now).output, 'wspy-npm-20261123-201500.speedscope.json');
});

test('--queue attaches to a queue\'s workers with their children', () => {
  const c = parseRecordConfig({ queue: 'emails', redis: 'redis://h:6380/0', prefix: 'myapp' }, [], now);
  assert.deepEqual(c.target, { kind: 'queue', name: 'emails', redisUrl: 'redis://h:6380/0', prefix: 'myapp' });
  assert.deepEqual(parseRecordConfig({ pid: '42' }, [], now).target, { kind: 'pid', pid: 42 });
  assert.equal(c.subprocesses, true);
  assert.equal(c.output, 'wspy-queue-emails-20261123-201500.html');
  assert.equal(parseRecordConfig({ pid: '42' }, [], now).output, 'wspy-pid42-20261123-201500.html');
});

test('bad input gives one clear line', () => {
  const cases: Array<[object, string[], RegExp]> = [
    [{}, [], /nothing to record/],
    [{ pid: 'abc' }, [], /-p\/--pid needs a process id/],
    [{ pid: '12' }, ['node'], /one of -p <pid>, --queue <name> or a command/],
    [{ pid: '12', queue: 'q' }, [], /one of -p <pid>, --queue <name> or a command/],
    [{ queue: ' ' }, [], /--queue needs a queue name/],
    [{ redis: 'redis://x' }, ['node'], /--redis and --prefix go with --queue/],
    [{ duration: '-1' }, ['node'], /-d\/--duration needs seconds/],
    [{ rate: '0' }, ['node'], /-r\/--rate needs samples per second/],
    [{ rate: '100000' }, ['node'], /too high/],
    [{ format: 'png' }, ['node'], /unknown format "png": use one of html/],
  ];
  for (const [raw, command, message] of cases) {
    assert.throws(() => parseRecordConfig(raw, command, now), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, message);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }
});

test('terminalSafe shows C0, DEL, C1 and ESC sequences as visible escapes, and nothing else changes', () => {
  assert.equal(terminalSafe('a\x1b[2Jb\x1b]0;t\x07c\u009b31md\x7fe\rf\tg\nh'), 'a\\x1b[2Jb\\x1b]0;t\\x07c\\x9b31md\\x7fe\\x0df\\x09g\\x0ah');
  assert.equal(terminalSafe('x\ny\x1b', { keepNewlines: true }), 'x\ny\\x1b');
  assert.equal(terminalSafe('plain ütf-8 → 😀'), 'plain ütf-8 → 😀');
  const json = terminalSafeJson(JSON.stringify({ s: 'a\u009bb\x7f\x1b' }));
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(json));
  assert.deepEqual(JSON.parse(json), { s: 'a\u009bb\x7f\x1b' });
});
