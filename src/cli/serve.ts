/**
 * serve: the HTTP/GraphQL server until SIGTERM or SIGINT (drain, close the ONNX sessions, exit 0).
 * A port that cannot be bound ends the process with one line naming the port and how to choose another,
 * not a stack trace.
 */
import * as net from 'node:net';
import type { Config } from '../config';
import { createLogger, startGateway, type Gateway, type Logger } from '../main';
import { fail } from './io';

/**
 * The message for a listen error Node reports with a code (EADDRINUSE, EACCES, EADDRNOTAVAIL), or null for
 * any other error. `change` says how the user picks another port or address.
 */
export function listenFailure(e: unknown, what: string, change: string): string | null {
  const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
  const where = `${err.address ?? 'the address'}:${err.port ?? '?'}`;
  switch (err?.code) {
    case 'EADDRINUSE':
      return `${what} cannot listen on port ${err.port} (${where}): the port is already in use; allowed: a free port: ${change}`;
    case 'EACCES':
      return `${what} cannot listen on port ${err.port} (${where}): permission denied (ports below 1024 need privileges); allowed: a port from 1024 to 65535: ${change}`;
    case 'EADDRNOTAVAIL':
      return `${what} cannot listen on ${where}: the address is not one of this machine's; allowed: an address of this machine, e.g. 127.0.0.1 or 0.0.0.0 (HOST or --host)`;
    default:
      return null;
  }
}

export const PORT_HINT = 'set the PORT environment variable (e.g. PORT=4001) or pass --port N';

/**
 * Binds and releases host:port, so a port in use is reported at once rather than after the model has
 * loaded (seconds). Port 0 always works. The gateway's own listen is still checked: the port can be
 * taken in between.
 */
export function probePort(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Starts the gateway; a port it cannot bind exits with status 1 and one line. */
export async function startOrExplain(config: Readonly<Config>, log: Logger): Promise<Gateway> {
  try {
    await probePort(config.port, config.host);
    return await startGateway(config, { log });
  } catch (e) {
    const message = listenFailure(e, 'the gateway', PORT_HINT);
    if (message) fail(message, 1);
    throw e;
  }
}

/** Runs `close` on SIGTERM or SIGINT (once), then exits 0, or 1 when it fails or takes over 10 s. */
export function closeOnSignal(log: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (e) => {
        log.error({ err: e }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export async function runServe(config: Readonly<Config>): Promise<void> {
  const log = createLogger();
  const gateway = await startOrExplain(config, log);
  log.info({ url: `${gateway.url}/graphql`, model: gateway.services.runtime.bundle.manifest.name }, 'hysac-gateway listening');
  closeOnSignal(log, () => gateway.close());
}
