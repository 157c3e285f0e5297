// What the members' parents spend starting them: CPU under child_process's fork/spawn/exec in the
// parent. A fork per job pays it once per job; a pool of c long-lived children pays it c times, so
// it is part of what a pool saves (36 of 40 forks' worth in a pool of 4). Pure.

import { ProcessRecord, Recording, ROOT_STACK, samplesToMs } from '../model';
import { checkParentsFirst } from './member';

/** child_process's functions that start a child (fork calls spawn; execFile and exec do too). */
const STARTS_CHILD = new Set(['fork', 'spawn', 'execFile', 'exec', 'spawnSync', 'execFileSync', 'execSync']);

/** Per stack: a function of node:child_process that starts a child is on it. */
export function spawnStacks(r: Recording): Uint8Array {
  checkParentsFirst(r);
  const { frame, parent } = r.stacks;
  const own = r.frames.name.map((name, f) => r.strings[r.frames.file[f]] === 'node:child_process' && STARTS_CHILD.has(r.strings[name]));
  const out = new Uint8Array(frame.length);
  for (let s = 0; s < frame.length; s++) out[s] = own[frame[s]] || (parent[s] !== ROOT_STACK && out[parent[s]]) ? 1 : 0;
  return out;
}

/**
 * The CPU ms the members' parents spent starting these members: each sampled parent's CPU under
 * `spawning` stacks, shared over all the children it started (sampled or not) and counted for those
 * that are members.
 */
export function parentForkMs(r: Recording, members: ProcessRecord[], spawning: Uint8Array): number {
  const memberKeys = new Set(members.map((m) => m.key));
  let total = 0;
  for (const ppid of new Set(members.map((m) => m.ppid))) {
    const parent = r.processes.find((p) => p.pid === ppid && p.sampled && !memberKeys.has(p.key));
    if (!parent) continue;
    const children = r.processes.filter((p) => p.ppid === ppid && p.key !== parent.key);
    const mine = children.filter((p) => memberKeys.has(p.key)).length;
    if (children.length === 0 || mine === 0) continue;
    const { stack, count } = parent.samples;
    let ms = 0;
    for (let i = 0; i < stack.length; i++) if (stack[i] !== ROOT_STACK && spawning[stack[i]]) ms += samplesToMs(parent, count[i]);
    total += (ms * mine) / children.length;
  }
  return total;
}
