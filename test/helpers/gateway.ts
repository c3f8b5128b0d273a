/** Starts a real gateway (real ONNX sessions in worker threads, real HTTP on loopback) for tests. Rate limiting is off unless a test turns it on. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig, type Config } from '../../src/config';
import { startGateway, type Gateway } from '../../src/main';

type StartOptions = Parameters<typeof startGateway>[1];

export const FIXTURE_BUNDLE = path.resolve(__dirname, '../../models/fixture-tiny');

export async function startTestGateway(overrides: Partial<Config> = {}, env: Record<string, string> = {}, opts: StartOptions = {}): Promise<Gateway> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-cache-'));
  const config = resolveConfig({ PORT: '0', MODEL_WORKERS: '1', RATE_LIMIT_PER_SECOND: '0', ...env }, { modelDir: FIXTURE_BUNDLE, cacheDir, ...overrides });
  return startGateway(config, opts);
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[] };
}

export async function gql<T = Record<string, any>>(gw: Gateway, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResponse<T>['body'] };
}

/** Reads a counter's value (summed over label sets matching `labels`) from /metrics. */
export async function metric(gw: Gateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{([^}]*)\})? ([0-9.eE+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const lbl = Object.fromEntries((m[3] ?? '').split(',').filter(Boolean).map((kv) => { const [k, v] = kv.split('='); return [k, v.replace(/"/g, '')]; }));
    if (Object.entries(labels).every(([k, v]) => lbl[k] === v)) sum += Number(m[4]);
  }
  return sum;
}
