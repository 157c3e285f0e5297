// wspy's own messages: always on stderr and marked as wspy's, so that they never mix with the
// profiled command's output on stdout. Messages quote names from profiled programs, so control
// characters in them are escaped (terminal-text.ts).
import { terminalSafe } from './terminal-text';

export function info(message: string): void {
  process.stderr.write(`wspy: ${terminalSafe(message)}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`wspy: warning: ${terminalSafe(message)}\n`);
}

export function error(message: string): void {
  process.stderr.write(`wspy: error: ${terminalSafe(message)}\n`);
}
