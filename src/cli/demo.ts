/**
 * demo-backend: the demo diffusion backend alone (src/demo), an AUTOMATIC1111 API on --port (default 7860,
 * A1111's own), for a gateway started with DIFFUSION_BACKEND=a1111 DIFFUSION_URL=http://127.0.0.1:7860.
 *
 * demo (`npm run demo`): the demo backend on a free port and, in front of it, a gateway (PORT or --port,
 * default 4000) with the demo policy (src/demo/policy.ts: a redirecting and a blocking API key); then prints
 * requests to try, and one line per prompt the backend receives. SIGINT or SIGTERM stops both.
 */
import { resolveConfig } from '../config';
import { createLogger, startGateway } from '../main';
import { startDemoBackend, type DemoBackend, type DemoReceived } from '../demo/backend';
import { nextSteps } from '../demo/next-steps';
import { writeDemoPolicy } from '../demo/policy';
import { fail, printText } from './io';
import { closeOnSignal, listenFailure, PORT_HINT, probePort } from './serve';

function portOption(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) fail(`${flag} ${raw} is not a port; allowed: an integer from 0 (any free port) to 65535`);
  return n;
}

const receivedLine = (r: DemoReceived) => `demo backend received: ${JSON.stringify(r.prompt)} (${r.width}x${r.height}, ${r.images} image${r.images === 1 ? '' : 's'})\n`;

const backendHint = (flag: string) => `pass ${flag} N (0 picks a free port)`;

export async function runDemoBackend(values: { port?: string; host?: string }): Promise<void> {
  let backend: DemoBackend;
  try {
    backend = await startDemoBackend({ port: portOption(values.port, '--port', 7860), host: values.host ?? '127.0.0.1', onGenerate: (r) => printText(receivedLine(r)) });
  } catch (e) {
    fail(listenFailure(e, 'the demo backend', backendHint('--port')) ?? (e as Error).message, 1);
  }
  printText(`demo backend (AUTOMATIC1111 API) listening on ${backend.url}\n  try: DIFFUSION_BACKEND=a1111 DIFFUSION_URL=${backend.url} npm start\n`);
  closeOnSignal(createLogger(process.env.LOG_LEVEL ?? 'warn'), () => backend.close());
}

export async function runDemo(values: { port?: string; host?: string; bundle?: string; 'backend-port'?: string }, modelDirOverride: { modelDir?: string }): Promise<void> {
  const backendPort = portOption(values['backend-port'], '--backend-port', 0);
  const policy = writeDemoPolicy();
  let backend: DemoBackend | null = null;
  try {
    const b = await startDemoBackend({ port: backendPort, host: '127.0.0.1', onGenerate: (r) => printText(receivedLine(r)) });
    backend = b;
    const env = {
      ...process.env,
      ...(values.port !== undefined ? { PORT: values.port } : {}),
      ...(values.host !== undefined ? { HOST: values.host } : {}),
      DIFFUSION_BACKEND: 'a1111',
      DIFFUSION_URL: b.url,
      DIFFUSION_API_KEY: '',
      POLICY_FILE: policy.file,
    };
    const config = resolveConfig(env, modelDirOverride);
    await probePort(config.port, config.host);
    process.stderr.write('hysac-gateway demo: loading the model and starting the gateway...\n');
    // Warnings and errors only: the requests the backend receives are printed instead (LOG_LEVEL=info for the audit lines).
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const gateway = await startGateway(config, { log });
    printText(nextSteps(gateway.url, b.url));
    closeOnSignal(log, async () => {
      await gateway.close();
      await b.close();
      policy.remove();
    });
  } catch (e) {
    policy.remove();
    const message = backend === null ? listenFailure(e, 'the demo backend', backendHint('--backend-port')) : listenFailure(e, 'the gateway', PORT_HINT);
    await backend?.close();
    if (message) fail(message, 1);
    throw e;
  }
}
