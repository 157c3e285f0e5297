// What attach reads from /proc, checked against real processes whose facts the test knows.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { configuredInspectorAddress } from '../../collector/attach';
import {
  descendantPids,
  describeProcess,
  handlesSigusr1,
  isAlive,
  isNodeProcess,
  listeningSockets,
  portHolders,
  readStatus,
} from '../../collector/proc';
import { FIXTURES, startTarget, Target } from '../helpers/attach-targets';
import { sleep } from '../helpers/wait';

const targets: Target[] = [];
after(() => targets.forEach((t) => t.kill()));

async function start(args: string[], opts: Parameters<typeof startTarget>[1] = {}): Promise<Target> {
  const t = await startTarget(args, opts);
  targets.push(t);
  return t;
}

test('status: parent, owner, and whether SIGUSR1 is handled', async () => {
  const node = await start([path.join(FIXTURES, 'idle.js')], { waitFor: /^ready/ });
  const status = readStatus(node.pid);
  assert.ok(status);
  assert.equal(status.ppid, process.pid);
  assert.equal(status.uid, process.getuid?.());
  assert.equal(status.ownPid, node.pid);
  assert.equal(handlesSigusr1(status), true, 'Node handles SIGUSR1 to open its inspector');
  assert.equal(isNodeProcess(node.pid), true);
  assert.match(describeProcess(node.pid), new RegExp(`^${node.pid} \\(.*idle\\.js\\)$`));

  const sleeper = await start(['30'], { node: 'sleep' });
  await sleep(100);
  assert.equal(isNodeProcess(sleeper.pid), false);
  assert.equal(handlesSigusr1(readStatus(sleeper.pid)!), false, 'sleep would die of SIGUSR1');

  assert.equal(readStatus(2 ** 22 + 1), undefined, 'beyond pid_max: no such process');
  sleeper.kill();
  await new Promise((resolve) => sleeper.child.once('exit', resolve));
  assert.equal(isAlive(sleeper.pid), false);
});

test('listening sockets of a process, on IPv4 and IPv6, and who holds a port', async () => {
  const server = await start([path.join(FIXTURES, 'servers.js'), '127.0.0.1:0', '0.0.0.0:0', '::1:0', ':::0'], { waitFor: /^\[/ });
  const [loopback, any, loopback6, any6] = JSON.parse(server.lines[0]) as (number | null)[];
  const sockets = listeningSockets(server.pid);
  const find = (port: number | null) => sockets.find((s) => s.port === port)?.address;
  assert.equal(find(loopback), '127.0.0.1');
  assert.equal(find(any), '0.0.0.0');
  // IPv6 addresses in the one canonical form of collector/proc/tcp.ts.
  if (loopback6 !== null) assert.equal(find(loopback6), '0000:0000:0000:0000:0000:0000:0000:0001');
  if (any6 !== null) assert.equal(find(any6), '0000:0000:0000:0000:0000:0000:0000:0000');
  assert.equal(sockets.length, [loopback, any, loopback6, any6].filter((p) => p !== null).length);
  assert.deepEqual(portHolders(loopback as number), [server.pid]);

  const idle = await start([path.join(FIXTURES, 'idle.js')], { waitFor: /^ready/ });
  assert.deepEqual(listeningSockets(idle.pid), []);
});

test('descendants, parents before children', async () => {
  const parent = await start([path.join(FIXTURES, 'parent.js')], { waitFor: /children/ });
  const info = JSON.parse(parent.lines[0]) as { children: number[]; sleep: number };
  const found = descendantPids(parent.pid);
  assert.deepEqual([...found].sort(), [...info.children, info.sleep].sort());
  parent.child.kill('SIGTERM');
});

test('the inspector address a process was configured with', async () => {
  const idle = path.join(FIXTURES, 'idle.js');
  const cases: [string[], NodeJS.ProcessEnv, { host: string; port: number }][] = [
    [[idle], {}, { host: '127.0.0.1', port: 9229 }],
    [['--inspect-port=4321', idle], {}, { host: '127.0.0.1', port: 4321 }],
    [['--inspect-port', '0.0.0.0:4322', idle], {}, { host: '0.0.0.0', port: 4322 }],
    [[idle], { NODE_OPTIONS: '--inspect-port=4323' }, { host: '127.0.0.1', port: 4323 }],
    // the command line wins over NODE_OPTIONS, as in Node
    [['--inspect-port=4325', idle], { NODE_OPTIONS: '--inspect-port=4324' }, { host: '127.0.0.1', port: 4325 }],
    // arguments of the program itself are not Node's options
    [[idle, '--inspect-port=4326'], {}, { host: '127.0.0.1', port: 9229 }],
  ];
  for (const [args, env, expected] of cases) {
    const t = await start(args, { env: { ...process.env, ...env }, waitFor: /^ready/ });
    assert.deepEqual(configuredInspectorAddress(t.pid), expected, args.join(' '));
    t.kill();
  }
});
