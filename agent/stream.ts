// The agent's streaming half, bundled with ws into dist/bundles/agent-stream.js and loaded by
// absolute path only once a process has lived for one chunk interval, so that short-lived children
// never pay for ws and the host's own copy of ws never matters.
import * as net from 'net';
import WebSocket from 'ws';
import type { AgentConfig, AgentMessage } from './protocol';

export interface StreamEvents {
  /** The connection is up and accepted. */
  onOpen(): void;
  /** The collector sent {t:'stop'}. */
  onStop(): void;
  /** The connection failed or closed without a stop. */
  onGone(reason: string): void;
}

export interface StreamLink {
  /** Sends if the socket is open; `done` learns whether the bytes reached the kernel. False when not open. */
  send(message: AgentMessage, done?: (ok: boolean) => void): boolean;
  /** Closes after what is queued; no more events are reported. */
  close(): void;
}

export function connectStream(config: AgentConfig, events: StreamEvents): StreamLink {
  let closing = false;
  let goneReported = false;
  const gone = (reason: string): void => {
    if (closing || goneReported) return;
    goneReported = true;
    events.onGone(reason);
  };
  const ws = new WebSocket(`ws+unix://${config.socket}:/agent`, {
    headers: { 'x-wspy-token': config.token },
    perMessageDeflate: false,
    // An unref'd socket: the agent must never keep its process alive.
    // ws hands over the HTTP options, whose `path` is the URL path; the socket is `socketPath`
    // (Node 20 tolerates the mix, Node 18 connects to "/agent").
    createConnection: (options: net.NetConnectOpts & { socketPath?: string }) => {
      const socket = net.connect({ ...options, path: options.socketPath ?? config.socket } as net.IpcNetConnectOpts);
      socket.unref();
      return socket;
    },
  } as unknown as WebSocket.ClientOptions);
  ws.on('open', () => {
    if (!closing) events.onOpen();
  });
  ws.on('error', (e: Error) => gone(`collector unreachable: ${e.message}`));
  ws.on('close', () => gone('collector closed the connection'));
  ws.on('message', (data: WebSocket.RawData) => {
    if (closing) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return; // noise
    }
    if (message && typeof message === 'object' && (message as { t?: unknown }).t === 'stop') events.onStop();
  });

  return {
    send(message: AgentMessage, done?: (ok: boolean) => void): boolean {
      if (closing || ws.readyState !== WebSocket.OPEN) return false;
      try {
        ws.send(JSON.stringify(message), (err?: Error) => done?.(!err));
        return true;
      } catch {
        return false;
      }
    },
    close(): void {
      if (closing) return;
      closing = true;
      try {
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close();
      } catch {
        // already gone
      }
    },
  };
}
