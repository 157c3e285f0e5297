// From a client address that Redis reports (CLIENT LIST's addr) to the local process that holds
// that end of the connection: find the TCP socket of wspy's network namespace whose local end is
// that address (and whose remote end is the Redis server), then the process whose /proc/<pid>/fd
// links to the socket's inode.
import * as os from 'node:os';
import { canonicalAddress, isListening, LOOPBACK_IPV6, readTcpSockets, socketHolders, TcpSocket } from '../proc';
import { splitAddress } from './redis-clients';

export type ConnectionOwner =
  /** The processes that hold the socket (usually one). */
  | { kind: 'local'; pids: number[] }
  /** The socket is here but its process belongs to another user whose fds wspy may not read. */
  | { kind: 'other-user'; uid: number }
  /** No such socket here: the client runs on another machine (or in another network namespace). */
  | { kind: 'remote'; address: string; isOurAddress: boolean }
  /** A unix-socket connection, or an address wspy cannot read. */
  | { kind: 'unknown'; why: string };

export interface ClientEnds {
  /** CLIENT LIST's addr: the client's end. */
  addr: string;
  /** CLIENT LIST's laddr: the server's end, when Redis reports it. */
  laddr?: string;
}

/** Owners of several connections at once (one pass over /proc/net and one over /proc/*\/fd). */
export function ownersOfConnections(clients: ClientEnds[]): ConnectionOwner[] {
  const table = readTcpSockets('self');
  const sockets = clients.map((client) => findSocket(table, client));
  const wanted = new Set<number>();
  for (const s of sockets) if (s && 'inode' in s) wanted.add(s.inode);
  const holders = socketHolders(wanted);
  const myUid = os.userInfo().uid;
  return sockets.map((socket, i): ConnectionOwner => {
    if (socket === undefined) return { kind: 'unknown', why: `cannot read the address ${clients[i].addr}` };
    if ('kind' in socket) return socket;
    const pids = holders.get(socket.inode) ?? [];
    if (pids.length > 0) return { kind: 'local', pids };
    if (socket.uid !== myUid && myUid !== 0) return { kind: 'other-user', uid: socket.uid };
    return { kind: 'unknown', why: `no process holds the socket of ${clients[i].addr} any more` };
  });
}

function findSocket(table: TcpSocket[], client: ClientEnds): TcpSocket | ConnectionOwner | undefined {
  if (client.addr.startsWith('/') || client.addr.startsWith('unix')) {
    return { kind: 'unknown', why: `the connection ${client.addr} is a unix socket, which wspy cannot trace to a process` };
  }
  const local = splitAddress(client.addr);
  const address = local && canonicalAddress(local.address);
  if (!local || !address) return undefined;
  const serverEnd = client.laddr ? splitAddress(client.laddr) : undefined;
  const server = serverEnd && { address: canonicalAddress(serverEnd.address), port: serverEnd.port };
  const socket = table.find(
    (c) =>
      c.localPort === local.port &&
      c.localAddress === address &&
      !isListening(c) &&
      (!server || (c.remotePort === server.port && c.remoteAddress === server.address)),
  );
  return socket ?? { kind: 'remote', address: local.address, isOurAddress: isOurAddress(address) };
}

/** True when `address` (canonical) belongs to one of this machine's interfaces. */
function isOurAddress(address: string): boolean {
  if (address.startsWith('127.') || address === LOOPBACK_IPV6) return true;
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) if (canonicalAddress(info.address) === address) return true;
  }
  return false;
}
