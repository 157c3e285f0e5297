// Queues: the processes behind a BullMQ or Bull queue (Redis's CLIENT LIST, then /proc), the queues
// that running agents saw their processes work for, and the Node processes of this machine for
// `wspy ps` (docs/QUEUES.md).
export { DEFAULT_REDIS_URL, databaseOf, findQueueWorkers, readClientList, redactUrl } from './find-workers';
export type { FindWorkersOptions, FoundWorkers, QueueWorker } from './find-workers';
export { listNodeProcesses } from './node-processes';
export type { ListOptions, NodeProcess, QueueRef } from './node-processes';
export { runningAgents } from './agents';
export type { AgentQueue, RunningAgent } from './agents';
