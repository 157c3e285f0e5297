// `wspy top` in a real terminal (tmux): attached to a busy parent and its forked child, it shows
// the hot function, switches to per-process rows on m, and on q detaches, exits 0 and gives the
// terminal back (main screen, cursor shown, line discipline cooked); the targets run on with no
// port open. (top-plain.test.ts: without a terminal.)
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { isAlive, listeningSockets } from '../../collector/proc';
import { FIXTURES, ROOT, WSPY } from '../helpers/wspy';
import { startTarget, Target } from '../helpers/attach-targets';
import { until } from '../helpers/wait';

const HOT = path.join(FIXTURES, 'dump', 'hot-worker.js');
const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `wspy-top-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
after(() => spawnSync('tmux', ['kill-session', '-t', session]));

test('top -p -s in a terminal shows the hot function, m switches, q exits and restores the terminal', { skip: hasTmux ? false : 'tmux is not installed' }, async () => {
  const t = await startTarget(['--inspect-port=0', HOT], { waitFor: /^ready/ }); // a random port: no 9229 needed
  targets.push(t);
  const [, parent, child] = t.lines[0].split(' ').map(Number);
  // Past the minimum descendant age, so that -s attaches to the child too.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const shell = `cd ${ROOT} && ${process.execPath} ${WSPY} top -p ${parent} -s; echo "WSPY_EXIT=$?"; stty -a | tr ' ' '\\n' | grep -x -- '-\\?icanon'; sleep 60`;
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', shell);
  const pane = () => tmux('capture-pane', '-p', '-t', session);
  // The hot function is burn, or the loop that calls it when V8 inlined burn into it.
  const screen = await until(() => (/(burn|parentHotLoop|childHotLoop) \(.*hot-worker\.js:\d+\)/.test(pane()) ? pane() : undefined), {
    timeoutMs: 30_000,
    what: () => `the hot function on the screen:\n${pane()}`,
  });
  assert.match(screen, /wspy top · pid/);
  assert.match(screen, /[23] processes/);
  assert.match(tmux('display', '-p', '-t', session, '#{alternate_on}'), /^1/);

  tmux('send-keys', '-t', session, 'm');
  await until(() => /^\s+OWN%.*\bPID\b/m.test(pane()), { timeoutMs: 10_000, what: () => `per-process rows:\n${pane()}` });
  const perProcess = pane();
  assert.match(perProcess, new RegExp(`\\s${parent}\\s+(burn|parentHotLoop)`));
  assert.match(perProcess, new RegExp(`\\s${child}\\s+(burn|childHotLoop)`));

  tmux('send-keys', '-t', session, 'q');
  const after = await until(() => (/WSPY_EXIT=\d+/.test(pane()) ? pane() : undefined), { timeoutMs: 20_000, what: () => `wspy to exit:\n${pane()}` });
  assert.match(after, /WSPY_EXIT=0/);
  assert.match(after, /^icanon$/m, 'raw mode is off again');
  assert.match(tmux('display', '-p', '-t', session, '#{alternate_on} #{cursor_flag}'), /^0 1/, 'main screen, cursor shown');
  for (const pid of [parent, child]) {
    assert.ok(isAlive(pid), `process ${pid} runs on`);
    assert.deepEqual(listeningSockets(pid), [], `process ${pid} listens on no port`);
  }
  assert.doesNotMatch(t.stderr(), /Segmentation|Assertion|Error/);
});
