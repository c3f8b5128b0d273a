/**
 * Graceful shutdown of the HTTP server: stop accepting, answer every request a client has already sent,
 * then close; bounded in time.
 *
 * Three ways node:http (Node 20) would answer a request that is already on the wire with a reset instead
 * (each one reproduced in test/faults/drain.test.ts, and measured in the shutdown test under load):
 *
 *  1. The accept queue. Since libuv 1.45 (libuv#3696, in Node 20) a listening socket accepts ONE connection
 *     per event-loop turn. Under load a turn takes tens of milliseconds, so connections the kernel has
 *     already completed (the client's request written, waiting in the socket) sit in the listen backlog
 *     for a while; closing the listener makes the kernel reset every one of them (the client sees
 *     ECONNRESET for a request it had fully sent). So the listener stays open until one whole event-loop
 *     turn has passed without a new connection (the queue is empty), at most `acceptMs`.
 *  2. Idle keep-alive connections. `http.Server.close()` destroys idle connections at once, including one
 *     whose next request is already in its socket buffer but not yet parsed (reset). So only the listener
 *     is closed (`net.Server.prototype.close`), and a connection with no request in progress is closed
 *     only after it has been idle for `graceMs` counted from the later of its last response and the start
 *     of the drain, and only if no byte of a further request has arrived since (`socket.bytesRead`). A
 *     connection accepted but silent is idle from the moment it was accepted.
 *  3. The keep-alive race. A response sent without `connection: close` invites the client to reuse the
 *     socket, which the server is about to close. Every response not yet started when the drain begins,
 *     and every request that arrives during it, is answered with `connection: close` (node:http then ends
 *     the connection after that response).
 *
 * A connection still open `hardMs` after the drain began is destroyed, so shutdown is bounded. What stays
 * out of reach of any server: a client that connects after the listener closed is refused (ECONNREFUSED,
 * correct); a connection completed by the kernel in the instant between the last empty-queue check and the
 * close is reset; a client that reuses an idle keep-alive connection at the moment the grace period ends
 * it sees the connection close (the HTTP keep-alive race, which clients handle by retrying on a fresh
 * connection, as RFC 9112 section 9.3.1 allows for idempotent requests).
 */
import * as net from 'node:net';
import type { Server, ServerResponse } from 'node:http';

export interface DrainOptions {
  /**
   * A connection with no request in progress is closed once idle this long during the drain (ms). Default 500.
   * A request already in a socket buffer when the drain starts needs none of it (it is read in the next
   * event-loop turn, before the first sweep); the grace is for a client whose last response went out
   * without `connection: close` (started before the drain) and that reuses the connection right away.
   */
  graceMs?: number;
  /** Longest the listener stays open to empty the kernel's accept queue (ms). Default 3000. */
  acceptMs?: number;
  /** Whatever is still open this long after the drain began is destroyed (ms). Default 9000. */
  hardMs?: number;
}

export interface Drainer {
  /** True once draining started: every response from then on says `connection: close`. */
  readonly draining: boolean;
  /** Starts the drain (once; later calls return the same promise); resolves when every connection is closed. */
  drain(): Promise<void>;
}

/** How often idle connections are looked for once the listener is closed. */
const SWEEP_MS = 50;

interface ConnectionState {
  /** Requests on this connection whose response has not closed yet. */
  inFlight: number;
  /** When the connection last had no request in progress (accepted, or its last response closed). */
  idleSince: number;
  /** `socket.bytesRead` at that moment: more since means a further request has started arriving. */
  bytesAtIdle: number;
}

export function createDrainer(server: Server, opts: DrainOptions = {}): Drainer {
  const graceMs = nonNegative('graceMs', opts.graceMs ?? 500);
  const acceptMs = nonNegative('acceptMs', opts.acceptMs ?? 3000);
  const hardMs = nonNegative('hardMs', opts.hardMs ?? 9000);
  const connections = new Map<net.Socket, ConnectionState>();
  const responses = new Set<ServerResponse>();
  let accepted = 0;
  let draining = false;
  let drainStartedAt = 0;
  let done: Promise<void> | null = null;

  server.on('connection', (socket: net.Socket) => {
    accepted++;
    connections.set(socket, { inFlight: 0, idleSince: Date.now(), bytesAtIdle: socket.bytesRead });
    socket.once('close', () => connections.delete(socket));
  });
  // Registered before the request handler (main.ts creates the drainer first), so the header is set before
  // any handler writes. http-server.ts emits 'request' for `Expect: 100-continue` too.
  server.on('request', (req, res) => {
    const socket = req.socket as net.Socket;
    const state = connections.get(socket);
    if (state) state.inFlight++;
    responses.add(res);
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      responses.delete(res);
      if (!state) return;
      state.inFlight--;
      state.idleSince = Date.now();
      state.bytesAtIdle = socket.bytesRead;
    });
  });

  /** Resolves once a whole event-loop turn (its poll phase included) accepted no connection, or at `deadline`. */
  const acceptQueueEmptied = (deadline: number) =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      // An immediate queued from the check phase runs in the next turn's check phase, after that turn's poll
      // phase, where libuv accepts one queued connection if there is one (level-triggered: the listening
      // socket stays readable while its queue is not empty).
      let seen = accepted;
      const check = () => {
        if (accepted === seen || Date.now() >= deadline) return resolve();
        seen = accepted;
        setImmediate(check);
      };
      setImmediate(() => {
        seen = accepted;
        setImmediate(check);
      });
    });

  /** Closes each connection idle for `graceMs` (from the later of its last response and the drain's start) with no new bytes. */
  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, state] of connections) {
      if (state.inFlight === 0 && now - Math.max(state.idleSince, drainStartedAt) >= graceMs && socket.bytesRead === state.bytesAtIdle) socket.destroy();
    }
  };

  return {
    get draining() {
      return draining;
    },
    drain: () =>
      (done ??= (async () => {
        draining = true;
        drainStartedAt = Date.now();
        for (const res of responses) if (!res.headersSent) res.setHeader('connection', 'close');
        const hard = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of connections.keys()) socket.destroy();
        }, hardMs);
        let sweep: NodeJS.Timeout | undefined;
        try {
          await acceptQueueEmptied(drainStartedAt + acceptMs);
          // Only the listener: http.Server.close() would also destroy every idle connection at once (2 above).
          const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
          closeIdle();
          sweep = setInterval(closeIdle, SWEEP_MS);
          await closed;
        } finally {
          clearTimeout(hard);
          clearInterval(sweep);
        }
      })()),
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`createDrainer: ${name} must be a finite number of milliseconds >= 0; got ${value}`);
  return value;
}
