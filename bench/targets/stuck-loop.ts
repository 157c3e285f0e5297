// A process stuck in a synchronous loop that never returns to its event loop, for the dump
// benchmark. Prints "ready" and then spins in a named function until killed.
function stuckForever(): void {
  let x = 0;
  for (;;) x = (x + Math.sqrt(x + 1)) % 1e9;
}
console.log('ready');
setTimeout(stuckForever, 10);
