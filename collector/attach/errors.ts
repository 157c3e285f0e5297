// How attaching fails, in words for the user. TargetGone is its own class because attaching to a
// tree treats it differently: a child that ended while wspy reached it missed nothing.
import { UserError } from '../model';

/** The target is not there any more (it exited, or never existed). */
export class TargetGone extends UserError {}

export const RESTART_HINT = 'restart it under wspy instead: wspy record -- node ...';

export function permissionDenied(pid: number): UserError {
  return new UserError(`permission denied on process ${pid}: run wspy as the user that owns it, or with sudo`);
}

export function exitedWhileAttaching(pid: number): TargetGone {
  return new TargetGone(`process ${pid} exited while wspy was attaching to it`);
}
