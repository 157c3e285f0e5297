// Attach, step 1: what /proc says about the target before anything is sent to it. Nothing here
// touches the target.
import { describeProcess, isNodeProcess, listeningSockets, ListeningSocket, ProcAccessDenied, ProcStatus, readStatus } from '../proc';
import { UserError } from '../model';
import { permissionDenied, TargetGone } from './errors';

/** Checks from /proc that `pid` is a live Node process wspy may attach to; its status, or a UserError saying why not. */
export function checkTarget(pid: number): ProcStatus {
  if (!Number.isInteger(pid) || pid <= 0) throw new UserError(`${pid} is not a process id: give a positive integer`);
  if (pid === process.pid) throw new UserError(`${pid} is wspy itself: give the pid of the Node process to profile`);
  const status = readStatus(pid);
  if (status === undefined) throw new TargetGone(`no process with pid ${pid}: check the pid (wspy ps lists Node processes)`);
  if (status.state === 'Z' || status.state === 'X') throw new TargetGone(`process ${pid} has already exited`);
  const myUid = process.getuid?.() ?? 0;
  if (myUid !== 0 && status.uid !== myUid) {
    throw new UserError(`process ${pid} belongs to user id ${status.uid}: run wspy as that user or with sudo`);
  }
  if (!isNodeProcess(pid)) {
    throw new UserError(`process ${describeProcess(pid)} is not a Node.js process: give the pid of a node process (wspy ps lists them)`);
  }
  return status;
}

/** The target's listening sockets, translating /proc permission problems into a UserError. */
export function socketsOf(pid: number): ListeningSocket[] {
  try {
    return listeningSockets(pid);
  } catch (error) {
    if (error instanceof ProcAccessDenied) throw permissionDenied(pid);
    throw error;
  }
}
