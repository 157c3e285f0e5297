// /proc: the one place that reads what Linux says about other processes (status, arguments,
// environment, descendants, CPU so far, TCP sockets and who holds them). Snapshots: callers re-check.
export * from './process';
export * from './stat';
export * from './tcp';
export * from './sockets';
export * from './users';
export * from './unix';
