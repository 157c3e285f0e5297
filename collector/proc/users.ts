// User names for messages, from /etc/passwd.
import { readFileSync } from 'node:fs';

/** `alice (uid 1001)`, or `uid 1001` when /etc/passwd does not know it. */
export function describeUser(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (Number(id) === uid && name) return `${name} (uid ${uid})`;
    }
  } catch {
    // fall through
  }
  return `uid ${uid}`;
}
