// Process keys of imported and merged recordings: `host:pid` when the host is known, else the pid
// (`pid/tN` for worker thread N of the process),
// made unique with a `#2`, `#3` suffix when two processes claim the same one (pid reuse, several
// files from different machines without host names, profiles that carry no pid).

export function baseKey(pid: number, host?: string, thread?: number): string {
  const id = thread === undefined ? String(pid) : threadKey(pid, thread);
  return host ? `${host}:${id}` : id;
}

/** The key of worker thread `thread` of process `pid`, as the collector makes it. */
export function threadKey(pid: number, thread: number): string {
  return `${pid}/t${thread}`;
}

export function uniqueKey(taken: Set<string>, base: string): string {
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}#${n}`;
  taken.add(key);
  return key;
}
