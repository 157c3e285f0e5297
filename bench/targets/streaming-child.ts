// A long-lived busy process: slices of CPU work with setImmediate between them, for <seconds>.
// Usage: node streaming-child.js <seconds>
const seconds = Number(process.argv[2]);
const end = Date.now() + seconds * 1000;
let sink = 0;

function slice(): void {
  const until = performance.now() + 5;
  while (performance.now() < until) sink += Math.sqrt(sink + 1);
  if (Date.now() < end) setImmediate(slice);
  else if (sink === -1) console.log(sink);
}

slice();

export {};
