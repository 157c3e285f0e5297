// What the dormant agent's listener thread costs a prepared process, measured inside it: run with
// or without the dormant agent preloaded, it prints its RSS and CPU (process.cpuUsage(), every
// thread) once it has lived past the second after which the agent listens, then exits. With
// `start-thread <bundle>` it instead starts the listener thread itself, as the agent would on
// demand, and prints how long the thread took to listen.
// Usage: node listener-cost.js idle | node listener-cost.js start-thread <agent-listener.js>
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';

const SETTLED_MS = 2500;

if (process.argv[2] === 'start-thread') {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wspy-lc-')), 'l.sock');
  const t0 = process.hrtime.bigint();
  const worker = new Worker(process.argv[3], { workerData: { file }, execArgv: [], env: {}, stdout: true, stderr: true });
  worker.on('message', (m: { t?: string }) => {
    if (m?.t !== 'listening') return;
    console.log(JSON.stringify({ listenMs: Number(process.hrtime.bigint() - t0) / 1e6 }));
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    process.exit(0);
  });
} else {
  setTimeout(() => {
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ rssMb: process.memoryUsage().rss / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000 }));
    process.exit(0);
  }, SETTLED_MS);
}
