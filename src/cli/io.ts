/**
 * The command line's output: JSON lines on stdout, one-line messages on stderr.
 *
 * stdout may close before the command is done (`hysac-gateway classify --file big.txt | head -1`): the
 * write then fails with EPIPE, which Node reports as an 'error' event that, unhandled, ends the process with
 * a stack trace. Here it marks stdout closed instead; later writes are dropped, commands stop early
 * (`stdoutClosed()`), and the process ends with exit status 0, as `yes | head -1` does.
 */

let closed = false;
let watching = false;

function watch(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    closed = true;
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      process.exitCode = 0;
      return;
    }
    process.stderr.write(`hysac-gateway: cannot write to stdout: ${e.message}\n`);
    process.exitCode = 1;
  });
}

/** True once stdout's reader has gone (EPIPE): there is no one left to print for. */
export function stdoutClosed(): boolean {
  return closed;
}

/** One JSON value on one line of stdout (dropped once stdout is closed). */
export function printJson(value: unknown): void {
  printText(`${JSON.stringify(value)}\n`);
}

export function printText(text: string): void {
  watch();
  if (!closed) process.stdout.write(text);
}

/** Exits with `hysac-gateway: <message>` on stderr (usage errors: status 2). */
export function fail(message: string, code = 2): never {
  process.stderr.write(`hysac-gateway: ${message}\n`);
  process.exit(code);
}

/** A warning line on stderr that does not stop the command. */
export function warn(message: string): void {
  process.stderr.write(`hysac-gateway: ${message}\n`);
}
