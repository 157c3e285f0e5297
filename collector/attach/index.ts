// Attaching to a running Node process: checks from /proc, its inspector opened and closed again,
// the agent injected (docs/ATTACH.md); and attaching to a whole tree of processes.
export { attach } from './attach';
export type { AttachOptions, AttachResult } from './attach';
export { attachWithDescendants, descendants, isYoung, MIN_DESCENDANT_AGE_MS } from './descendants';
export type { TreeAttachOptions, TreeAttachOutcome } from './descendants';
export { TargetGone } from './errors';
export { configuredInspectorAddress, DEFAULT_INSPECTOR_PORT, INSPECTOR_WINDOW_MS, isLoopbackHost } from './inspector';
export type { InspectorAddress } from './inspector';
export { attachProcess, attachTree, dumpProcess } from './route';
export type { Attached, RoutedDump, RouteOutcome, TreeAttach } from './route';
export { activateDormant, dumpDormant, findDormantSocket, isPrepared, removeStaleDormantSockets } from './dormant';
export type { Activated } from './dormant';
export { dumpStackThroughInspector } from './stack';
export type { InspectorDump } from './stack';
export { attachLockPath, withAttachLock } from './lock';
