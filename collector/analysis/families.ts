// Families: processes that are the same program. Pure.
//
// Two rules, joined transitively: children of one parent that run the same entry script (a worker
// that forks a child per job passes each child different arguments), and processes that run the same
// command after volatile arguments (ids, numbers, ports, temporary paths) are normalised, whatever
// their parent (four workers that each fork children). A family of one is no family.

import { displayFile, ProcessRecord, Recording } from '../model';

export interface Family {
  /** Normalised command shared by most members, for display: `node child.js job-<n>`. */
  command: string;
  /** Node binary and entry script (argv[1]), normalised. */
  entry: string;
  members: ProcessRecord[];
  /** True when every member's parent is in the recording: the members are forks. */
  forked: boolean;
  /** True when the members are worker threads (a pool of threads), not processes. */
  threads: boolean;
}

// Node flags whose value is the next argument, so that it is not taken for the entry script.
const FLAGS_WITH_VALUE = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions',
  '--cpu-prof-dir', '--cpu-prof-name', '--cpu-prof-interval', '--heap-prof-dir', '--heap-prof-name',
  '--heap-prof-interval', '--inspect-port', '--debug-port', '--title', '--max-old-space-size',
  '--stack-size', '--diagnostic-dir', '--redirect-warnings', '--input-type',
]);

const TEMP_PATH = /(^|[=:])(?:\/tmp|\/var\/tmp|\/dev\/shm|(?:\/private)?\/var\/folders|[A-Za-z]:\\(?:[^\\]+\\)*Temp)(?:[\\/][^\s]*)?/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const HEX_RUN = /\b[0-9a-f]{8,}\b/gi;
const DIGITS = /\d+/g;

/** Replaces the parts of an argument that change from run to run (ids, ports, temp paths). */
export function normaliseArg(arg: string): string {
  return arg
    .replace(TEMP_PATH, '$1<tmp>')
    .replace(UUID, '<id>')
    .replace(HEX_RUN, (m) => (/\d/.test(m) && /[a-f]/i.test(m) ? '<id>' : m))
    .replace(DIGITS, '<n>');
}

export interface ParsedCommand {
  exe: string;
  /** The entry script (`-e` or `-p` code counts as one), empty for a bare `node`. */
  entry: string;
  /** Arguments after the entry, normalised. */
  args: string[];
}

/** Splits a Node command line into binary, entry script and normalised script arguments. */
export function parseCommand(argv: string[]): ParsedCommand {
  const exe = (argv[0] ?? '').split(/[\\/]/).pop() || '?';
  let i = 1;
  while (i < argv.length && argv[i].startsWith('-')) {
    const a = argv[i];
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      return { exe, entry: `${a} ${argv[i + 1] ?? ''}`, args: argv.slice(i + 2).map(normaliseArg) };
    }
    if (a === '--') {
      i++;
      break;
    }
    i += FLAGS_WITH_VALUE.has(a) ? 2 : 1;
  }
  // The entry script is the program's identity: kept as it is, even when it lives under /tmp
  // (a checkout there is still one program); only the arguments after it are normalised.
  const entry = argv[i] ?? '';
  return { exe, entry, args: argv.slice(i + 1).map(normaliseArg) };
}

function commandKeyOf(p: ProcessRecord): { entry: string; command: string } {
  const c = p.argv.length > 0 ? parseCommand(p.argv) : { exe: '', entry: normaliseArg(p.command), args: [] };
  const entry = `${c.exe} ${c.entry}`.trim();
  return { entry, command: [entry, ...c.args].join(' ') };
}

/** Families of at least `minMembers` (default 2) sampled processes, largest first. */
export function findFamilies(r: Recording, minMembers = 2): Family[] {
  const procs = r.processes.filter((p) => p.sampled);
  const keys = procs.map(commandKeyOf);
  const parent = procs.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const union = (a: number, b: number): void => {
    parent[find(a)] = find(b);
  };
  const joinBy = (keyOf: (i: number) => string): void => {
    const first = new Map<string, number>();
    procs.forEach((_, i) => {
      const k = keyOf(i);
      const j = first.get(k);
      if (j === undefined) first.set(k, i);
      else union(i, j);
    });
  };
  joinBy((i) => `cmd\u0000${keys[i].command}`);
  joinBy((i) => `sib\u0000${procs[i].host ?? ''}\u0000${procs[i].ppid}\u0000${keys[i].entry}`);

  const groups = new Map<number, number[]>();
  procs.forEach((_, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  });

  const present = new Set(r.processes.map((p) => `${p.host ?? ''}:${p.pid}`));
  const families: Family[] = [];
  for (const idx of groups.values()) {
    if (idx.length < minMembers) continue;
    const members = idx.map((i) => procs[i]);
    families.push({
      command: displayCommand(mostCommon(idx.map((i) => keys[i].command)), r.meta.cwd),
      entry: displayCommand(keys[idx[0]].entry, r.meta.cwd),
      members,
      forked: members.every((p) => present.has(`${p.host ?? ''}:${p.ppid}`)),
      threads: members.every((p) => p.thread !== undefined),
    });
  }
  return families.sort((a, b) => b.members.length - a.members.length || a.command.localeCompare(b.command));
}

function mostCommon(values: string[]): string {
  const n = new Map<string, number>();
  let best = values[0];
  for (const v of values) {
    const c = (n.get(v) ?? 0) + 1;
    n.set(v, c);
    if (c > (n.get(best) ?? 0)) best = v;
  }
  return best;
}

function displayCommand(command: string, cwd?: string): string {
  return command
    .split(' ')
    .map((a) => (a.startsWith('/') || a.startsWith('file://') ? displayFile(a, cwd) : a))
    .join(' ');
}

/** The normalised command of one process, for display and for matching processes across recordings. */
export function normalisedCommand(p: ProcessRecord, cwd?: string): string {
  return displayCommand(commandKeyOf(p).command, cwd);
}
