/**
 * Graceful shutdown of the HTTP server: stop accepting, finish every request in flight, then close.
 *
 * Why not Apollo's drain plugin: it half-closes every connection that has not yet produced a 'request'
 * event, which includes connections already accepted whose request bytes have not been parsed yet (the
 * event loop was busy) — their clients see ECONNRESET for a request they had fully sent. Here:
 *  1. `server.close()` stops accepting; every response from now on says `connection: close`, so keep-alive
 *     sockets end after the response they carry;
 *  2. idle connections are swept after `graceMs` (time for already-sent requests to be parsed and become
 *     active) and every 250 ms after that;
 *  3. whatever is still open at `hardMs` is destroyed, so shutdown is bounded.
 */
import type { Server } from 'node:http';

export interface Drainer {
  /** True once draining started: responses should carry `connection: close`. */
  readonly draining: boolean;
  drain(): Promise<void>;
}

export function createDrainer(server: Server, opts: { graceMs?: number; hardMs?: number } = {}): Drainer {
  const graceMs = opts.graceMs ?? 1000;
  const hardMs = opts.hardMs ?? 9000;
  let draining = false;
  let done: Promise<void> | null = null;
  server.on('request', (_req, res) => {
    if (draining) res.setHeader('connection', 'close');
  });
  return {
    get draining() {
      return draining;
    },
    drain: () =>
      (done ??= new Promise<void>((resolve) => {
        draining = true;
        let sweep: NodeJS.Timeout | null = null;
        const first = setTimeout(() => {
          server.closeIdleConnections();
          sweep = setInterval(() => server.closeIdleConnections(), 250);
        }, graceMs);
        const hard = setTimeout(() => server.closeAllConnections(), hardMs);
        server.close(() => {
          clearTimeout(first);
          clearTimeout(hard);
          if (sweep) clearInterval(sweep);
          resolve();
        });
      })),
  };
}
