// Process keys of imported and merged recordings: `host:pid` when the host is known, else the pid,
// made unique with a `#2`, `#3` suffix when two processes claim the same one (pid reuse, several
// files from different machines without host names, profiles that carry no pid).

export function baseKey(pid: number, host?: string): string {
  return host ? `${host}:${pid}` : String(pid);
}

export function uniqueKey(taken: Set<string>, base: string): string {
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}#${n}`;
  taken.add(key);
  return key;
}
