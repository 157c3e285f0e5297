// attach() of a process whose main thread is blocked in a long synchronous task: wspy gives up with
// a clear one-line message, does not start the agent, and the target closes the inspector wspy
// opened as soon as the task ends. Also exercises the case where the inspector opens only then.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import { attach } from '../../collector/attach';
import { listeningSockets } from '../../collector/proc';
import { UserError } from '../../collector/model';
import { agentConfig, alive, FIXTURES, MARKER_AGENT, startTarget, Target } from '../helpers/attach-targets';
import { until } from '../helpers/wait';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

for (const mode of ['js', 'native'] as const) {
  test(`a target blocked in a ${mode === 'js' ? 'JavaScript loop' : 'native call'} for 3 s`, async () => {
    const t = await startTarget([path.join(FIXTURES, 'long-task.js'), mode, '3000'], { waitFor: /^ready/ });
    targets.push(t);
    await t.nextLine(/^blocking/);
    const config = agentConfig(MARKER_AGENT);
    const error = await attach(t.pid, config, { timeoutMs: 1500 }).then(
      () => assert.fail('attach should have given up'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.ok(!error.message.includes('\n'));
    assert.match(error.message, mode === 'js' ? /did not return to its event loop/ : /did not open within|did not answer/);
    await t.nextLine(/^free/, 5000);
    await until(() => listeningSockets(t.pid).length === 0, {
      timeoutMs: 2000,
      what: () => `the inspector to close once the task ended (still listening: ${JSON.stringify(listeningSockets(t.pid))})`,
    });
    await t.nextLine(/^tick/);
    assert.ok(alive(t.pid));
    assert.deepEqual(readdirSync(config.spool).filter((f) => f.startsWith('started')), [], 'the agent was not started');
    assert.doesNotMatch(t.stderr(), /Error|Segmentation/);
  });
}
