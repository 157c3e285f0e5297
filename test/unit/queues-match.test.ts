// CLIENT LIST parsing, exact queue matching and address handling, on text captured from a real
// Redis 7 with BullMQ 5, BullMQ 6 and Bull 4 workers connected.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { test } from 'node:test';
import { canonicalAddress, readTcpSockets } from '../../collector/proc';
import { databaseOf, redactUrl } from '../../collector/queues';
import { isWorkerOf, parseClientList, parseWorkerName, splitAddress, workerConnectionName } from '../../collector/queues/redis-clients';
import { ownersOfConnections } from '../../collector/queues/sockets';

const CAPTURED = [
  'id=5 addr=127.0.0.1:43982 laddr=127.0.0.1:6399 fd=11 name= age=2 idle=2 flags=N db=0 sub=0 psub=0 cmd=eval user=default redir=-1 resp=2',
  'id=6 addr=127.0.0.1:43986 laddr=127.0.0.1:6399 fd=12 name=bull:Zm9vYmFy:w:named:w:x age=2 idle=2 flags=b db=0 cmd=bzpopmin user=default',
  'id=8 addr=127.0.0.1:44010 laddr=127.0.0.1:6399 fd=14 name=myapp:c2l4 age=2 idle=2 flags=b db=0 cmd=bzpopmin user=default',
  'id=10 addr=127.0.0.1:44026 laddr=127.0.0.1:6399 fd=16 name=bull:Zm9v:qe age=2 idle=2 flags=b db=0 cmd=xread user=default',
  'id=13 addr=127.0.0.1:44044 laddr=127.0.0.1:6399 fd=19 name=bull:bGVnYWN5 age=2 idle=2 flags=b db=3 cmd=brpoplpush user=default',
  'id=4 addr=[::1]:43968 laddr=[::1]:6399 fd=9 name=bull:Zm9v age=2 idle=2 flags=b db=0 cmd=bzpopmin user=default',
  '',
].join('\r\n');

test('CLIENT LIST lines become clients with addr, laddr, name, db and cmd', () => {
  const clients = parseClientList(CAPTURED);
  assert.equal(clients.length, 6);
  assert.deepEqual(clients[1], { id: '6', addr: '127.0.0.1:43986', laddr: '127.0.0.1:6399', name: 'bull:Zm9vYmFy:w:named:w:x', db: 0, cmd: 'bzpopmin' });
  assert.equal(clients[0].name, '');
  assert.equal(clients[4].db, 3);
});

test('a queue matches its own workers only, never a queue whose name it is a prefix of', () => {
  // The trap: base64("foo") = "Zm9v" is a prefix of base64("foobar") = "Zm9vYmFy".
  assert.ok(workerConnectionName('foobar').startsWith(workerConnectionName('foo')));
  const names = parseClientList(CAPTURED).map((c) => c.name);
  assert.deepEqual(names.filter((n) => isWorkerOf(n, 'foo')), ['bull:Zm9v']); // not :qe, not foobar
  assert.deepEqual(names.filter((n) => isWorkerOf(n, 'foobar')), ['bull:Zm9vYmFy:w:named:w:x']);
  assert.deepEqual(names.filter((n) => isWorkerOf(n, 'six')), []);
  assert.deepEqual(names.filter((n) => isWorkerOf(n, 'six', 'myapp')), ['myapp:c2l4']);
  assert.equal(isWorkerOf('bull:Zm9v:w:', 'foo'), false);
  assert.equal(isWorkerOf('bullx:Zm9v', 'foo'), false);
  assert.equal(isWorkerOf('a:b:Zm9v', 'foo', 'a:b'), true);
});

test('worker names read back into prefix, queue and worker name', () => {
  assert.deepEqual(parseWorkerName('bull:Zm9vYmFy:w:named:w:x'), { prefix: 'bull', queue: 'foobar', worker: 'named:w:x' });
  assert.deepEqual(parseWorkerName('myapp:c2l4'), { prefix: 'myapp', queue: 'six' });
  assert.deepEqual(parseWorkerName('a:b:Zm9v'), { prefix: 'a:b', queue: 'foo' });
  assert.deepEqual(parseWorkerName('a:b:Zm9v', 'a:b'), { prefix: 'a:b', queue: 'foo' });
  assert.equal(parseWorkerName('bull:Zm9v:qe'), undefined);
  assert.equal(parseWorkerName(''), undefined);
  assert.equal(parseWorkerName('sidekiq'), undefined);
  assert.equal(parseWorkerName('bull:Zm9v', 'myapp'), undefined);
  const unicode = workerConnectionName('émails ✉');
  assert.deepEqual(parseWorkerName(unicode), { prefix: 'bull', queue: 'émails ✉' });
});

test('client addresses: IPv4, bracketed and bare IPv6, IPv4-mapped, unix sockets', () => {
  assert.deepEqual(splitAddress('127.0.0.1:43982'), { address: '127.0.0.1', port: 43982 });
  assert.deepEqual(splitAddress('[::1]:6379'), { address: '::1', port: 6379 });
  assert.deepEqual(splitAddress('::1:6379'), { address: '::1', port: 6379 });
  assert.equal(splitAddress('/var/run/redis.sock:0'), undefined);
  assert.equal(canonicalAddress('::1'), '0000:0000:0000:0000:0000:0000:0000:0001');
  assert.equal(canonicalAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(canonicalAddress('2001:DB8::a:1'), '2001:0db8:0000:0000:0000:0000:000a:0001');
  assert.equal(canonicalAddress('fe80::1%eth0'), 'fe80:0000:0000:0000:0000:0000:0000:0001');
  assert.equal(canonicalAddress('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(canonicalAddress('redis.example'), undefined);
});

test('a real loopback connection is traced to this process; an address of another host is remote', async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  try {
    const addr = `127.0.0.1:${client.localPort}`;
    assert.ok(readTcpSockets().some((c) => c.localPort === client.localPort && c.remotePort === port));
    const [own, remote, unix] = ownersOfConnections([
      { addr, laddr: `127.0.0.1:${port}` },
      { addr: '203.0.113.7:40000', laddr: `127.0.0.1:${port}` },
      { addr: '/run/redis.sock:0' },
    ]);
    assert.deepEqual(own, { kind: 'local', pids: [process.pid] });
    assert.deepEqual(remote, { kind: 'remote', address: '203.0.113.7', isOurAddress: false });
    assert.equal(unix.kind, 'unknown');
  } finally {
    client.destroy();
    server.close();
  }
});

test('Redis URLs: database number, and no password in messages', () => {
  assert.equal(databaseOf('redis://127.0.0.1:6380/4'), 4);
  assert.equal(databaseOf('redis://127.0.0.1:6380'), 0);
  assert.equal(redactUrl('redis://:s3cret@host:6380/0'), 'redis://:***@host:6380/0');
  assert.equal(redactUrl('redis://user:pw@host'), 'redis://user:***@host');
});
