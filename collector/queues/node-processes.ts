// What `wspy ps` lists: the Node processes on this machine as a forest (children under parents),
// with their figures from /proc, whether a wspy agent runs in them, and the queues they work for —
// as their agents reported them and, when asked, as Redis's CLIENT LIST shows their connections.
import { forestOrder, parentLookup } from '../model';
import { allPids, isNodeProcess, readCmdline, readProcStats, readStatus } from '../proc';
import { runningAgents } from './agents';
import { isSameProcess, readClientList } from './find-workers';
import { parseWorkerName } from './redis-clients';
import { ownersOfConnections } from './sockets';

export interface QueueRef {
  queue: string;
  prefix: string;
  /** Who said so: the process's wspy agent, or its connection in CLIENT LIST. */
  source: 'agent' | 'redis';
}

export interface NodeProcess {
  pid: number;
  ppid: number;
  uid: number;
  /** Depth in the forest: 0 for a process whose parent is not a listed Node process. */
  depth: number;
  startTime: number;
  uptimeS: number;
  /** Average CPU use over the process's life, in % of one core (like ps). */
  cpuPercent: number;
  rssBytes: number;
  argv: string[];
  queues: QueueRef[];
  /** A wspy agent is recording this process now. */
  agent: boolean;
}

export interface ListOptions {
  /** Also ask this Redis which queues the processes' connections consume. */
  redisUrl?: string;
  /** Key prefix that helps read worker names whose prefix has colons in it. */
  prefix?: string;
  /** Processes not to list (wspy's own). */
  exclude?: number[];
  now?: number;
}

/** The Node processes of this machine, parents before children (depth-first, by pid). */
export async function listNodeProcesses(opts: ListOptions = {}): Promise<NodeProcess[]> {
  const now = opts.now ?? Date.now();
  const exclude = new Set(opts.exclude ?? []);
  const found = new Map<number, NodeProcess>();
  for (const pid of allPids()) {
    if (exclude.has(pid) || !isNodeProcess(pid)) continue;
    const status = readStatus(pid);
    const stats = readProcStats(pid);
    if (!status || !stats || status.state === 'Z') continue;
    const uptimeS = Math.max(0, (now - stats.startTime) / 1000);
    found.set(pid, {
      pid,
      ppid: status.ppid,
      uid: status.uid,
      depth: 0,
      startTime: stats.startTime,
      uptimeS,
      cpuPercent: uptimeS > 0 ? (100 * stats.cpuSeconds) / uptimeS : 0,
      rssBytes: stats.rssBytes,
      argv: readCmdline(pid),
      queues: [],
      agent: false,
    });
  }

  for (const agent of runningAgents().values()) {
    const p = found.get(agent.pid);
    if (!p || !isSameProcess(agent.pid, agent.processStart)) continue;
    p.agent = true;
    for (const q of agent.queues) addQueue(p, { queue: q.queue, prefix: q.prefix, source: 'agent' });
  }

  if (opts.redisUrl) {
    const workers = (await readClientList(opts.redisUrl))
      .map((client) => ({ client, name: parseWorkerName(client.name, opts.prefix) ?? parseWorkerName(client.name) }))
      .filter((w) => w.name !== undefined);
    ownersOfConnections(workers.map((w) => w.client)).forEach((owner, i) => {
      if (owner.kind !== 'local') return;
      for (const pid of owner.pids) {
        const p = found.get(pid);
        if (p) addQueue(p, { queue: workers[i].name!.queue, prefix: workers[i].name!.prefix, source: 'redis' });
      }
    });
  }

  const byPid = [...found.values()].sort((a, b) => a.pid - b.pid);
  return forestOrder(byPid, parentLookup(byPid, (p) => p.pid, (p) => p.ppid)).map(({ item, depth }) => {
    item.depth = depth;
    return item;
  });
}

function addQueue(p: NodeProcess, q: QueueRef): void {
  if (!p.queues.some((o) => o.queue === q.queue && o.prefix === q.prefix)) p.queues.push(q);
}
