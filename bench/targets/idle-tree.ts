// A running worker to attach to: it does a little work every 10 ms, and forks <children> children
// that do the same. Prints "ready" once every child runs; lives until killed.
// Usage: node idle-tree.js <children>
import { fork } from 'child_process';

function tick(): void {
  let x = 0;
  for (let i = 0; i < 20000; i++) x += Math.sqrt(i);
  if (x === -1) console.log(x);
}
setInterval(tick, 10);

const children = Number(process.argv[2] ?? 0);
if (children > 0) {
  let ready = 0;
  for (let i = 0; i < children; i++) {
    const c = fork(__filename, ['0'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    c.on('message', () => {
      if (++ready === children) console.log('ready');
    });
  }
} else if (process.send) {
  // A child ends with its parent (the benchmark SIGKILLs the parent).
  process.on('disconnect', () => process.exit(0));
  process.send('up');
} else {
  console.log('ready');
}
