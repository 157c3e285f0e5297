// Figures that `ps` shows for a process, from /proc/<pid>/stat and status: when it started, how much
// CPU it used, how much memory it holds. Like ps(1), CPU % is the average over the process's life.
import { readFileSync } from 'node:fs';

export interface ProcStats {
  /** ms since the epoch. */
  startTime: number;
  /** User + system CPU time in seconds. */
  cpuSeconds: number;
  /** Resident set size in bytes (0 when unknown). */
  rssBytes: number;
}

// USER_HZ, the unit of /proc's tick counts: 100 on every Linux architecture Node runs on.
const TICKS_PER_SECOND = 100;

let bootTime: number | undefined;

/**
 * The machine's boot time in ms since the epoch, from /proc/uptime (10 ms steps) against the clock,
 * read once. Not /proc/stat's btime, which is in whole seconds: with btime a 300 ms old process could
 * read 1.2 s old, and a child too young to be signalled safely was signalled (attach-stress under
 * load, Node 18 and 20).
 */
function machineBootTime(): number {
  if (bootTime === undefined) {
    const uptimeMs = Number(readOrUndefined('/proc/uptime')?.split(' ')[0] ?? NaN) * 1000;
    bootTime = Number.isFinite(uptimeMs) ? Date.now() - uptimeMs : 0;
  }
  return bootTime;
}

export function readProcStats(pid: number): ProcStats | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const status = readOrUndefined(`/proc/${pid}/status`) ?? '';
  // The command name (field 2) is in parentheses and may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const startTicks = Number(fields[19]);
  const rss = /^VmRSS:\s+(\d+)\s*kB/m.exec(status);
  return {
    startTime: machineBootTime() + (startTicks * 1000) / TICKS_PER_SECOND,
    cpuSeconds: (utime + stime) / TICKS_PER_SECOND,
    rssBytes: rss ? Number(rss[1]) * 1024 : 0,
  };
}

export interface ProcessGroups {
  /** The process group (field 5 of /proc/<pid>/stat). */
  group: number;
  /** The foreground process group of its controlling terminal (field 8), when it has a terminal. */
  foreground?: number;
}

/** Which process group `pid` is in, and its terminal's foreground group; undefined when unreadable. */
export function processGroupsOf(pid: number): ProcessGroups | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // fields[0] is field 3 (state): pgrp is field 5, tty_nr 7, tpgid 8.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const group = Number(fields[2]);
  const tty = Number(fields[4]);
  const tpgid = Number(fields[5]);
  if (!Number.isInteger(group) || group <= 0) return undefined;
  return tty !== 0 && tpgid > 0 ? { group, foreground: tpgid } : { group };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
