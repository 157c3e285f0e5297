// A live collector (startCollector) under attack from its own socket: no token or a wrong one,
// malformed, binary, hostile and oversized messages, and another user. Bad messages are dropped and
// the recording goes on; connections without the token are refused at the handshake; an oversized
// message closes only its own connection; nothing a socket sends is executed or reaches
// Object.prototype; the private directory and socket are the recording user's alone.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { Collector, startCollector } from '../../collector/ingest';
import { until } from '../helpers/wait';

let collector: Collector;
let socket: string;
let dir: string;
const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();

before(async () => {
  collector = await startCollector({ intervalUs: 1000, follow: true, chunkMs: 1000, title: 'security' });
  socket = collector.agentConfig.socket;
  dir = path.dirname(socket);
});

after(async () => {
  await collector.finish();
});

/** Opens a ws connection the way an agent does; resolves once open, rejects with the handshake failure. */
function connect(headers: Record<string, string>, urlPath = '/agent'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${socket}:${urlPath}`, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

const withToken = () => ({ 'x-wspy-token': collector.agentConfig.token });

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(-1);
    ws.once('close', (code) => resolve(code));
  });
}

function send(ws: WebSocket, data: string | Buffer, binary = false): Promise<void> {
  return new Promise((resolve, reject) => ws.send(data, { binary }, (err) => (err ? reject(err) : resolve())));
}

function hello(pid: number, extra = ''): string {
  return `{"t":"hello","pid":${pid},"ppid":1,"argv":["node","victim.js"],"execArgv":[],"cwd":"/tmp","node":"v20","start":${Date.now()}${extra}}`;
}

function chunk(pid: number, seq: number, hits: number, name = 'honestWork'): string {
  return JSON.stringify({ t: 'chunk', pid, seq, start: Date.now() - 100, end: Date.now() + seq, frames: [[name, '/app/w.js', 3, 1]], nodes: [-1, 0, hits] });
}

test('the private directory is 0700, the spool 0700 and the socket 0600, owned by us', () => {
  const uid = process.getuid!();
  for (const [file, mode] of [[dir, 0o700], [collector.agentConfig.spool, 0o700], [socket, 0o600]] as const) {
    const st = fs.statSync(file);
    assert.equal(st.mode & 0o777, mode, `${file} is ${(st.mode & 0o777).toString(8)}`);
    assert.equal(st.uid, uid);
  }
  assert.ok(fs.statSync(socket).isSocket());
  assert.match(path.basename(dir), /^wspy-/);
  assert.equal(collector.agentConfig.token.length, 48, '24 random bytes');
});

test('connections without the token, with a wrong one, or on another path are refused', async () => {
  const token = collector.agentConfig.token;
  const flipped = (token[0] === 'a' ? 'b' : 'a') + token.slice(1);
  for (const headers of [{} as Record<string, string>, { 'x-wspy-token': '' }, { 'x-wspy-token': 'x' }, { 'x-wspy-token': flipped }, { 'x-wspy-token': token + '0' }, { 'x-wspy-token': token.slice(1) }]) {
    await assert.rejects(connect(headers), /HTTP 401/, JSON.stringify(headers));
  }
  await assert.rejects(connect(withToken(), '/other'), /HTTP 400|socket hang up|ECONNRESET/);
  // Plain HTTP on the socket gets a 404 and the server lives on.
  const status = await new Promise<number>((resolve, reject) => {
    http.get({ socketPath: socket, path: '/agent', headers: withToken() }, (res) => resolve(res.statusCode!)).on('error', reject);
  });
  assert.equal(status, 404);
  assert.equal(collector.stats().connected, 0);
  assert.equal(collector.stats().processes, 0, 'nothing from the refused connections was recorded');
});

test('malformed, binary and hostile messages are dropped, nothing is executed, and the recording goes on', async () => {
  const ws = await connect(withToken());
  const rejectedBefore = collector.stats().rejected;
  const exitBefore = process.exitCode;
  const hostile: Array<string | Buffer> = [
    'not json {',
    '',
    'null',
    '42',
    '"hello"',
    '[]',
    '['.repeat(200_000),
    '{"t":"eval","pid":4001,"code":"process.exitCode = 99; globalThis.pwned = true"}',
    '{"t":"stop","pid":4001}',
    '{"t":"hello","pid":"__proto__","ppid":1,"argv":[],"execArgv":[],"start":1}',
    '{"t":"hello","pid":-1,"ppid":1,"argv":[],"execArgv":[],"start":1}',
    '{"t":"hello","pid":1e308,"ppid":1,"argv":[],"execArgv":[],"start":1}',
    '{"t":"hello","pid":4002,"ppid":1,"argv":"rm -rf /","execArgv":[],"start":1}',
    '{"t":"constructor","pid":4003}',
    '{"t":"toString","pid":4003}',
    '{"t":"__proto__","pid":4003}',
    '{"__proto__":{"polluted":"yes","t":"hello"},"pid":4004}',
    '{"t":"chunk","pid":4005,"seq":0,"start":1,"end":2,"frames":[["a","b",1,1]],"nodes":[-1,5,1]}',
    '{"t":"chunk","pid":4005,"seq":1,"start":1,"end":2,"frames":[["a","b",1,1]],"nodes":[7,0,1]}',
    '{"t":"chunk","pid":4005,"seq":2,"start":1,"end":2,"frames":[["a","b",1,1]],"nodes":[-1,0,-5]}',
    '{"t":"chunk","pid":4005,"seq":3,"start":1,"end":2,"frames":[["a","b",1,1]],"nodes":[-1,0,1e300]}',
    '{"t":"chunk","pid":4005,"seq":4,"start":1,"end":2,"frames":{"length":1e9},"nodes":[]}',
    '{"t":"chunk","pid":4005,"seq":5,"start":1,"end":2,"frames":[[{"toString":1},"b",1,1]],"nodes":[-1,0,1]}',
    '{"t":"spawn","pid":4006,"child":"__proto__","argv":[],"time":1}',
    '{"t":"exit","pid":4006,"of":{"valueOf":1},"code":0,"signal":null,"time":1}',
    Buffer.from([0x00, 0xff, 0x7b, 0x7d]),
    Buffer.from(hello(4007)),
  ];
  for (const m of hostile) await send(ws, m, Buffer.isBuffer(m));
  // Pollution through nested keys, in messages that are otherwise valid and therefore ingested.
  await send(ws, hello(4242, ',"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}'));
  await send(ws, chunk(4242, 0, 7));
  await send(ws, JSON.stringify({ t: 'chunk', pid: 4242, seq: 1, start: 1, end: Date.now() + 50, frames: [['__proto__', 'constructor', 1, 1], ['hasOwnProperty', '__proto__', 2, 2]], nodes: [-1, 0, 2, 0, 1, 3] }));
  await until(() => collector.stats().samples >= 12, { timeoutMs: 5000, what: 'the honest chunk' });

  const stats = collector.stats();
  assert.ok(stats.rejected - rejectedBefore >= 20, `${stats.rejected - rejectedBefore} rejected`);
  assert.equal(stats.samples, 12, 'only the honest samples are counted');
  assert.equal(ws.readyState, WebSocket.OPEN, 'the connection survived its own bad messages');
  assert.equal(process.exitCode, exitBefore);
  assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty, Object.getOwnPropertyDescriptor(Object.prototype, 'hasOwnProperty')!.value);
  ws.close();
  await closed(ws);
});

test('an oversized message closes only its own connection; the others go on recording', async () => {
  const good = await connect(withToken());
  const bad = await connect(withToken());
  await send(good, hello(5001));
  const badClosed = closed(bad);
  // Just over the 32 MiB limit: ws refuses it while reading the frame header, so it is never buffered.
  const huge = Buffer.alloc(32 * 1024 * 1024 + 16, 0x61);
  bad.send(huge, () => {});
  const code = await badClosed;
  assert.equal(code, 1009, 'closed with "message too big"');
  await send(good, chunk(5001, 0, 4, 'stillRecorded'));
  await until(() => collector.stats().samples >= 16, { timeoutMs: 5000, what: 'the good connection' });
  assert.equal(good.readyState, WebSocket.OPEN);
  // A new connection with the token is still accepted.
  const later = await connect(withToken());
  later.close();
  good.close();
  await closed(good);
});

test('another user cannot list the directory, read the spool or connect to the socket', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to run a client as user nobody');
  // The client runs from -e (nobody may not read this checkout), and reports what each attempt did.
  const client = `
    const fs = require('fs'), net = require('net');
    const [dir, spool, socket] = process.argv.slice(1);
    const out = { uid: process.getuid() };
    for (const [k, f] of [['list', () => fs.readdirSync(dir)], ['spool', () => fs.readdirSync(spool)], ['stat', () => fs.statSync(socket)]]) {
      try { f(); out[k] = 'ok'; } catch (e) { out[k] = e.code; }
    }
    const s = net.connect(socket);
    s.on('connect', () => { out.connect = 'ok'; s.destroy(); console.log(JSON.stringify(out)); });
    s.on('error', (e) => { out.connect = e.code; console.log(JSON.stringify(out)); });`;
  const run = spawnSync(process.execPath, ['-e', client, dir, collector.agentConfig.spool, socket], { uid: 65534, gid: 65534, encoding: 'utf8', timeout: 10_000 });
  if (run.error) return t.skip(`cannot run node as nobody: ${run.error.message}`);
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(out, { uid: 65534, list: 'EACCES', spool: 'EACCES', stat: 'EACCES', connect: 'EACCES' });
  assert.ok(collector.stats().processes > 0, 'the collector still runs');
});

test('finishing keeps only the honest data and removes the private directory', async () => {
  const r = await collector.finish();
  assert.equal(fs.existsSync(dir), false, 'the private directory is gone');
  const pids = r.processes.map((p) => p.pid).sort((a, b) => a - b);
  assert.deepEqual(pids, [4242, 5001]);
  const victim = r.processes.find((p) => p.pid === 4242)!;
  assert.deepEqual(victim.samples.count, [7, 2, 3]);
  assert.deepEqual(victim.argv, ['node', 'victim.js']);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore);
});
