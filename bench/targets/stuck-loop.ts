// A process stuck in a synchronous loop that never returns to its event loop, for the dump
// benchmark. Prints "ready" and then spins in a named function until killed; argv[2] is how long
// (ms) it waits first (default 10: a prepared process needs a second of event loop to listen).
function stuckForever(): void {
  let x = 0;
  for (;;) x = (x + Math.sqrt(x + 1)) % 1e9;
}
console.log('ready');
setTimeout(stuckForever, Number(process.argv[2] ?? 10));
