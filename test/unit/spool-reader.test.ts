// Fault: the spool directory was re-scanned every 250 ms with every child's file kept, so after
// 30,000 children each scan stat'ed 30,000 files (2.3 s of a blocked event loop). A file whose
// process's own exit line was read is consumed: it must be deleted, so the directory holds only the
// processes still running. Real files in a real directory; the cost figure is in bench/spool.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SpoolReader } from '../../collector/ingest';
import { tempDir } from '../helpers/wspy';

const line = (m: object): string => JSON.stringify(m) + '\n';

function writeChild(dir: string, pid: number, exited: boolean): void {
  let text = line({ t: 'hello', pid, ppid: 1, argv: ['node', 'job.js'], start: 1 });
  // A parent reports a child's end in its own file: that does not consume the parent's file.
  text += line({ t: 'exit', pid, of: pid + 1_000_000, code: 0, signal: null, time: 2 });
  if (exited) text += line({ t: 'exit', pid, of: pid, code: 0, signal: null, time: 3 });
  fs.writeFileSync(path.join(dir, `${pid}.jsonl`), text);
}

test('spool files of exited processes are deleted once read; running ones stay and are read on', () => {
  const dir = tempDir('wspy-spool-');
  const CHILDREN = 3000;
  const RUNNING = 30;
  for (let pid = 1; pid <= CHILDREN; pid++) writeChild(dir, pid, pid > RUNNING);
  const seen: unknown[] = [];
  const reader = new SpoolReader(dir, (m) => seen.push(m));
  reader.read();
  assert.equal(seen.length, CHILDREN * 2 + (CHILDREN - RUNNING), 'every line was passed on');
  const left = fs.readdirSync(dir).sort((a, b) => parseInt(a) - parseInt(b));
  assert.deepEqual(left, Array.from({ length: RUNNING }, (_, i) => `${i + 1}.jsonl`), 'only the running processes remain');

  // A running process appends its exit later: read from where the last read stopped, then consumed.
  fs.appendFileSync(path.join(dir, '7.jsonl'), line({ t: 'exit', pid: 7, of: 7, code: 0, signal: null, time: 4 }));
  seen.length = 0;
  reader.read();
  assert.equal(seen.length, 1, 'only the new line');
  assert.equal(fs.readdirSync(dir).length, RUNNING - 1);
  assert.ok(!fs.existsSync(path.join(dir, '7.jsonl')));
});

test('a half-written exit line does not consume the file', () => {
  const dir = tempDir('wspy-spool-');
  const file = path.join(dir, '42.jsonl');
  fs.writeFileSync(file, line({ t: 'hello', pid: 42 }) + '{"t":"exit","pid":42,"of":42');
  const reader = new SpoolReader(dir, () => {});
  reader.read();
  assert.ok(fs.existsSync(file));
  fs.appendFileSync(file, ',"code":0,"signal":null,"time":1}\n');
  reader.read();
  assert.ok(!fs.existsSync(file));
});

test('loss markers are passed on and taken; a file that ends mid-line at the last read is a loss', () => {
  const dir = tempDir('wspy-spool-');
  const losses: Array<[number, number | undefined, unknown]> = [];
  const reader = new SpoolReader(dir, () => {}, (pid, thread, loss) => losses.push([pid, thread, loss]));
  fs.writeFileSync(path.join(dir, '42.lost-3-1-17-2048-ENOSPC'), '');
  fs.writeFileSync(path.join(dir, '42-2.lost-1-0-0-90-EDQUOT'), '');
  fs.writeFileSync(path.join(dir, '43.lost-1-x-ENOSPC'), ''); // not a marker: left alone
  fs.writeFileSync(path.join(dir, '44.jsonl'), line({ t: 'hello', pid: 44 }) + '{"t":"chunk","pid":44,"se');
  reader.read();
  assert.deepEqual(losses.sort((x, y) => (x[1] ?? 0) - (y[1] ?? 0)), [
    [42, undefined, { messages: 3, chunks: 1, samples: 17, bytes: 2048, code: 'ENOSPC' }],
    [42, 2, { messages: 1, chunks: 0, samples: 0, bytes: 90, code: 'EDQUOT' }],
  ]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['43.lost-1-x-ENOSPC', '44.jsonl'], 'markers taken, the half line still awaited');
  losses.length = 0;
  reader.read(true);
  assert.deepEqual(losses, [[44, undefined, { messages: 1, chunks: 0, samples: 0, bytes: 25, code: 'CUT_SHORT' }]]);
});
