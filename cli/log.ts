// wspy's own messages: always on stderr and marked as wspy's, so that they never mix with the
// profiled command's output on stdout.
export function info(message: string): void {
  process.stderr.write(`wspy: ${message}\n`);
}

export function warn(message: string): void {
  process.stderr.write(`wspy: warning: ${message}\n`);
}

export function error(message: string): void {
  process.stderr.write(`wspy: error: ${message}\n`);
}
