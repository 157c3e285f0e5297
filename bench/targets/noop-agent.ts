// An agent that does nothing: attaching it costs the target only what Node's inspector costs
// (SIGUSR1, a DevTools session, one evaluation, closing). The attach-memory benchmark measures
// wspy's real agent against it.
export function start(): void {}
export function stop(): void {}
