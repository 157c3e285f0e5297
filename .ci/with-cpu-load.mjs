// Runs a command while N busy-loop Node processes keep every core saturated, then stops them:
//   node .ci/with-cpu-load.mjs [--busy N] -- <command...>
// The attach and e2e tests must hold on a loaded machine (no timing thresholds, condition-based
// waits); CI runs them a second time under this. Exits with the command's exit code. The busy
// processes are killed by their pids whatever happens (exit, error, SIGINT/SIGTERM to this script).
import { spawn } from 'node:child_process';

const args = process.argv.slice(2);
let busy = 4;
if (args[0] === '--busy') {
  busy = Number(args[1]);
  args.splice(0, 2);
}
if (args[0] === '--') args.shift();
if (args.length === 0 || !(busy >= 0)) {
  console.error('usage: node .ci/with-cpu-load.mjs [--busy N] -- <command...>');
  process.exit(2);
}

const loaders = Array.from({ length: busy }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopLoad = () => {
  for (const l of loaders) {
    try {
      l.kill('SIGKILL');
    } catch {
      // gone already
    }
  }
};
process.on('exit', stopLoad);
console.error(`ci: running under CPU load (${busy} busy processes: ${loaders.map((l) => l.pid).join(' ')}): ${args.join(' ')}`);
const started = Date.now();
const cmd = spawn(args[0], args.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => cmd.kill(signal));
cmd.on('error', (err) => {
  console.error(`ci: cannot run ${args[0]}: ${err.message}`);
  process.exit(1);
});
cmd.on('exit', (code, signal) => {
  console.error(`ci: under load, done in ${Math.round((Date.now() - started) / 1000)} s (exit ${code ?? signal})`);
  process.exit(code ?? 1);
});
