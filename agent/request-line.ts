// Reading the one request a connection to a dormant socket carries: a line of JSON, bounded in size
// and in how long the peer may stay silent. Shared by the main thread's socket (dormant.ts) and the
// listener thread's (listener-thread.ts), so that both read requests alike. Small and dependency-free:
// it is bundled into agent-dormant.js, which every prepared process loads.
import type * as netTypes from 'net';

/** Largest request line accepted; an activation is well under 1 KB. */
const MAX_REQUEST_BYTES = 16 * 1024;
/** A connection that says nothing is dropped after this long. */
const IDLE_CONNECTION_MS = 5000;

/**
 * Calls `onRequest` once, with the first line the peer sends parsed as JSON (`NOT_JSON` when it is
 * not). A peer that stays silent for IDLE_CONNECTION_MS, sends more than MAX_REQUEST_BYTES without
 * a newline, or errs is dropped. Once the line is in, the idle timeout is off: an activation may take
 * seconds on a busy machine, and wspy has its own timeout. Nothing here throws into the program:
 * an exception of `onRequest` is swallowed.
 */
export function readRequestLine(socket: netTypes.Socket, onRequest: (request: unknown) => void): void {
  socket.setTimeout(IDLE_CONNECTION_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (text: string) => {
    try {
      buffered += text;
      const end = buffered.indexOf('\n');
      if (end < 0) {
        if (buffered.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      socket.setTimeout(0);
      onRequest(parseRequest(buffered.slice(0, end)));
    } catch {
      // An event handler's exception would reach the program.
    }
  });
}

/**
 * What a request that is not JSON parses to. JSON.parse never returns undefined, and undefined
 * survives postMessage's structured clone, so the listener thread can pass it on as it is.
 */
export const NOT_JSON = undefined;

function parseRequest(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return NOT_JSON;
  }
}
