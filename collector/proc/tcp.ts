// The TCP sockets of a network namespace, from /proc/<pid>/net/tcp and tcp6, with addresses in one
// canonical form (canonicalAddress) so that what the kernel writes, what Redis prints in CLIENT LIST
// and what Node's options say can be compared as strings.
import { readText } from './process';

export interface TcpSocket {
  /** Canonical address (see canonicalAddress) and port of this end. */
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel state in hex: '01' established, '0A' listening, ... */
  state: string;
  /** Owner of the socket (the uid of the process that created it). */
  uid: number;
  inode: number;
}

export interface ListeningSocket {
  /** Canonical local address: '127.0.0.1', '0.0.0.0', and for IPv6 eight groups of four hex digits. */
  address: string;
  port: number;
  inode: number;
}

const TCP_LISTEN = '0A';

/** The TCP sockets of the network namespace of `pid` (every process's, not only its own); 'self' is wspy's. */
export function readTcpSockets(pid: number | 'self' = 'self'): TcpSocket[] {
  const sockets: TcpSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    // Missing when the kernel has no IPv6, or the process is gone.
    const text = readText(`/proc/${pid}/net/${table}`) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [localHex, localPortHex] = fields[1].split(':');
      const [remoteHex, remotePortHex] = fields[2].split(':');
      sockets.push({
        localAddress: fromKernelHex(localHex),
        localPort: parseInt(localPortHex, 16),
        remoteAddress: fromKernelHex(remoteHex),
        remotePort: parseInt(remotePortHex, 16),
        state: fields[3],
        uid: Number(fields[7]),
        inode: Number(fields[9]),
      });
    }
  }
  return sockets;
}

/** The listening TCP sockets of the network namespace of `pid`. */
export function listeningSocketsInNamespace(pid: number | 'self'): ListeningSocket[] {
  return readTcpSockets(pid)
    .filter((s) => s.state === TCP_LISTEN)
    .map((s) => ({ address: s.localAddress, port: s.localPort, inode: s.inode }));
}

export function isListening(socket: TcpSocket): boolean {
  return socket.state === TCP_LISTEN;
}

/**
 * One text per address: dotted quad for IPv4 (also for IPv4-mapped IPv6), and for IPv6 eight
 * groups of four lowercase hex digits. Undefined when `text` is not an IP address.
 */
export function canonicalAddress(text: string): string | undefined {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return address.split('.').map(Number).join('.');
  if (!address.includes(':')) return undefined;
  // An embedded dotted quad (`::ffff:1.2.3.4`) is two more hex groups.
  const withoutDots = address.replace(/:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/, (_, a, b, c, d) =>
    `:${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`,
  );
  const halves = withoutDots.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] => (part ? part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)) : []);
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const zeros = halves.length === 2 ? 8 - left.length - right.length : 0;
  if (zeros < 0) return undefined;
  const groups = [...left, ...new Array<number>(zeros).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g > 0xffff)) return undefined;
  return fromGroups(groups);
}

/** The canonical forms of the wildcard addresses a socket listens on to accept every interface. */
export const ANY_IPV4 = '0.0.0.0';
export const ANY_IPV6 = canonicalAddress('::') as string;
export const LOOPBACK_IPV6 = canonicalAddress('::1') as string;

// The kernel writes an address as 32-bit words in host byte order (little endian on x86 and arm64).
function fromKernelHex(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).map((b) => parseInt(b, 16)).reverse());
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  return fromGroups(groups);
}

function fromGroups(groups: number[]): string {
  const v4Mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (v4Mapped) return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
}
