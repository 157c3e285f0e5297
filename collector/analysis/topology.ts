// How a family's members relate to jobs: one fork per job, a pool of children that each take many
// jobs, cluster workers, or a few one-off children. It decides which advice fits: keeping children
// alive only helps children that live for one job. Pure.

import { parseCommand } from './families';
import type { Family } from './families';
import type { MemberSamples } from './member';
import { median } from './stats';
import type { Topology } from './types';
import type { Recording } from '../model';

/** A family this small is a few one-off children rather than a fork per job. */
const FEW = 3;

export function topologyOf(r: Recording, f: Family, members: MemberSamples[]): Topology {
  const concurrency = maxConcurrency(members);
  const counted = members.map((m) => m.jobs).filter((j): j is number => j !== undefined);
  const jobsPerMember = counted.length * 2 >= members.length && counted.length > 0 ? median(counted) : undefined;
  const base = { concurrency, ...(jobsPerMember !== undefined ? { jobsPerMember } : {}) };
  if (f.forked && isCluster(r, f)) return { kind: 'cluster', ...base };
  if (jobsPerMember !== undefined && jobsPerMember >= 2) return { kind: 'pool', ...base };
  if (!f.forked) return { kind: 'processes', ...base };
  return { kind: members.length < FEW ? 'one-off' : 'fork-per-job', ...base };
}

/** Kinds whose children live for one job each, where a pool of long-lived children would help. */
export function oneJobPerChild(t: Topology): boolean {
  return t.kind === 'fork-per-job' || t.kind === 'one-off' || t.kind === 'processes';
}

/** cluster.fork() runs the primary's own entry script again: members whose entry is their parent's. */
function isCluster(r: Recording, f: Family): boolean {
  const byPid = new Map(r.processes.map((p) => [p.pid, p]));
  return f.members.every((m) => {
    const parent = byPid.get(m.ppid);
    if (!parent || parent.argv.length === 0) return false;
    // The same entry and arguments: a program that forks itself with a job argument is no cluster.
    const a = parseCommand(m.argv);
    const b = parseCommand(parent.argv);
    return a.entry !== '' && a.entry === b.entry && a.args.join('\0') === b.args.join('\0');
  });
}

/** Most members alive at once (start and end times), at least 1. */
function maxConcurrency(members: MemberSamples[]): number {
  const events: Array<[number, number]> = [];
  for (const m of members) {
    const { startTime, endTime } = m.process;
    if (startTime === undefined || endTime === undefined || endTime < startTime) continue;
    events.push([startTime, 1], [endTime, -1]);
  }
  if (events.length === 0) return 1;
  // Ends before starts at the same instant: a pool slot handed from one child to the next.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 1;
  for (const [, d] of events) most = Math.max(most, (now += d));
  return most;
}
