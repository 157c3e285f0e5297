// A short-lived job: busy for <ms> milliseconds from its first line, then exits.
// Usage: node busy-child.js <ms>
const ms = Number(process.argv[2]);

function spinFor(deadline: number): number {
  let x = 0;
  while (performance.now() < deadline) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  return x;
}

const sink = spinFor(performance.now() + ms);
if (sink === -1) console.log(sink);

export {};
