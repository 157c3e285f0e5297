// The tests' one poll-until (test/helpers/wait.ts): it returns the condition's first truthy value,
// sync or async, and gives up with an Error that names what it waited for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sleep, until } from '../helpers/wait';

test('until returns the first truthy value of a sync or an async condition', async () => {
  let looks = 0;
  assert.equal(await until(() => (++looks >= 3 ? 'ready' : undefined), { timeoutMs: 5000, everyMs: 1, what: 'the third look' }), 'ready');
  assert.equal(looks, 3);
  const started = Date.now();
  assert.equal(await until(async () => (Date.now() - started >= 30 ? 42 : 0), { timeoutMs: 5000, everyMs: 5, what: 'the answer' }), 42);
});

test('until gives up after its time or its tries, naming what it waited for', async () => {
  const started = Date.now();
  await assert.rejects(until(() => false, { timeoutMs: 50, what: 'the impossible' }), /^Error: timed out after 50 ms waiting for the impossible$/);
  assert.ok(Date.now() - started >= 50);
  let looks = 0;
  await assert.rejects(
    until(() => (looks++, false), { tries: 4, everyMs: 1, what: () => `a miracle (looked ${looks} times)` }),
    /^Error: timed out after 4 tries 1 ms apart waiting for a miracle \(looked 4 times\)$/,
  );
  assert.equal(looks, 4);
});

test('an error thrown by the condition ends the wait at once', async () => {
  let looks = 0;
  await assert.rejects(
    until(() => {
      if (++looks === 2) throw new Error('the server exited');
      return false;
    }, { timeoutMs: 5000, everyMs: 1, what: 'the server' }),
    /the server exited/,
  );
  assert.equal(looks, 2);
});

test('sleep waits at least as long as it is told', async () => {
  const started = Date.now();
  await sleep(30);
  assert.ok(Date.now() - started >= 29);
});
