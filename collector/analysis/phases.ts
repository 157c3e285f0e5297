// How much of each process's CPU was start-up, by the same rule as the analysis (member.ts): what the
// report's timeline colours as start-up and as the job. Pure.

import { Recording } from '../model';
import { frameKinds } from './classify';
import { MemberReader } from './member';

/**
 * CPU ms of each sampled process's start-up, by process key. Start-up is a prefix of the process's
 * samples in time order (it ends at the first sample that runs user code outside the loader).
 */
export function startupCpuMs(r: Recording): Map<string, number> {
  const reader = new MemberReader(r, frameKinds(r));
  const startup = new Map<string, number>();
  for (const p of r.processes) if (p.sampled) startup.set(p.key, reader.read(p).startup.cpuMs);
  return startup;
}
