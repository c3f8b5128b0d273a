/** Helpers of the benchmark scripts: child processes, HTTP, autocannon load, percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import autocannon from 'autocannon';

export const REPO = path.resolve(__dirname, '../..');
export const CLI = path.join(REPO, 'dist', 'src', 'cli.js');
export const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

// ---- statistics ---------------------------------------------------------------------------------------------
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export function median(xs: number[]): number {
  return percentile(xs, 50);
}

// ---- processes ----------------------------------------------------------------------------------------------
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export function httpPostJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux: fall through to ps */
  }
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
}

/** Children still running, killed if the script fails half-way. */
const LIVE = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of LIVE) p.kill('SIGKILL');
});

export interface Server {
  url: string;
  proc: ChildProcess;
  /** Milliseconds from spawn to the first /readyz 200. */
  readyMs: number;
  logs: string[];
  stop(): Promise<void>;
}

/** Spawns `node dist/src/cli.js serve` (or any command) and waits for /readyz (or `readyPath`) to answer 200. */
export async function startServer(opts: { env?: Record<string, string>; bundle?: string; command?: string[]; readyPath?: string; timeoutMs?: number; cwd?: string } = {}): Promise<Server> {
  const port = await freePort();
  const command = opts.command ?? [CLI, 'serve', '--port', String(port), ...(opts.bundle ? ['--bundle', opts.bundle] : [])];
  const t0 = performance.now();
  const proc = spawn(process.execPath, command.map((c) => c.replace('$PORT', String(port))), {
    cwd: opts.cwd ?? REPO,
    // RATE_LIMIT_PER_SECOND=0: one load generator is one client address, which the per-client limit would throttle.
    env: { ...process.env, LOG_LEVEL: 'info', RATE_LIMIT_PER_SECOND: '0', ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: string[] = [];
  let exited: number | null = null;
  proc.stderr!.setEncoding('utf8');
  let partial = '';
  proc.stderr!.on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    logs.push(...lines);
  });
  LIVE.add(proc);
  const exitPromise = new Promise<void>((resolve) => proc.once('exit', (code) => ((exited = code ?? -1), LIVE.delete(proc), resolve())));
  const url = `http://127.0.0.1:${port}`;
  const deadline = t0 + (opts.timeoutMs ?? 600_000);
  let readyMs = NaN;
  while (performance.now() < deadline) {
    if (exited !== null) throw new Error(`server exited with code ${exited} before it was ready:\n${logs.slice(-20).join('\n')}`);
    try {
      const r = await httpGet(`${url}${opts.readyPath ?? '/readyz'}`, 1000);
      if (r.status === 200) {
        readyMs = performance.now() - t0;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  if (Number.isNaN(readyMs)) {
    proc.kill('SIGKILL');
    throw new Error(`server not ready after ${opts.timeoutMs} ms`);
  }
  return {
    url,
    proc,
    readyMs,
    logs,
    stop: async () => {
      if (exited === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        await exitPromise;
        clearTimeout(t);
      }
    },
  };
}

/**
 * The gateway built in another checkout (`dir`/dist, as variant.sh makes them) on `bundle`, with a fresh cache
 * folder that stop() removes: one side of the A/B tools (ab.ts, rotate.ts).
 */
export async function startBuild(dir: string, bundle: string | undefined, env: Record<string, string>): Promise<Server> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-build-'));
  const server = await startServer({
    command: [path.join(dir, 'dist', 'src', 'cli.js'), 'serve', '--port', '$PORT', ...(bundle ? ['--bundle', bundle] : [])],
    env: { CACHE_DIR: cacheDir, LOG_LEVEL: 'warn', ...env },
    cwd: dir,
  });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

export function modelReadyLog(logs: string[]): { ms?: number; pool?: { entries: number; from: string } } | null {
  for (const l of logs) {
    try {
      const j = JSON.parse(l) as { msg?: string; ms?: number; pool?: { entries: number; from: string } };
      if (j.msg === 'model ready') return j;
    } catch {
      /* not JSON */
    }
  }
  return null;
}

export function runChild(cmd: string, argv: string[], timeoutMs = 600_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, argv, { cwd: REPO, env: process.env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

export function lastJsonLine(text: string): any {
  const lines = text.trim().split('\n').filter((l) => l.startsWith('{'));
  return JSON.parse(lines[lines.length - 1]);
}

// ---- load generation ----------------------------------------------------------------------------------------
export interface LoadResult {
  /** 2xx responses without GraphQL errors per second. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
  gqlErrors: number;
  non2xx: number;
  seconds: number;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
}

/** Drives POST /graphql with `bodies` (round robin) from `connections` autocannon clients. */
export async function drive(url: string, bodies: string[], o: { connections: number; duration?: number; amount?: number }): Promise<LoadResult> {
  let next = 0;
  let gqlErrors = 0;
  const latencies: number[] = [];
  const inst = autocannon({
    url: `${url}/graphql`,
    connections: o.connections,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.duration ?? 10 }),
    timeout: 60,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => {
          req.body = bodies[next++ % bodies.length];
          return req;
        },
        onResponse: (status: number, body: string) => {
          if (status === 200 && body.includes('"errors"')) gqlErrors++;
        },
      },
    ],
  } as autocannon.Options);
  // Without a callback autocannon returns an instance that is both a Promise and an EventEmitter (its types
  // show only the Promise).
  (inst as unknown as NodeJS.EventEmitter).on('response', (_c: unknown, status: number, _b: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = (await inst) as autocannon.Result;
  const ok = latencies.length - gqlErrors;
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, Number((v as { count: number | string }).count)]));
  if (r.non2xx || r.errors || gqlErrors) {
    console.warn(`    WARNING: ${r.non2xx} non-2xx responses (${JSON.stringify(statuses)}), ${r.errors} connection errors, ${gqlErrors} GraphQL errors`);
  }
  return { rps: ok / r.duration, p50: median(latencies), p99: percentile(latencies, 99), ok, errors: r.errors, gqlErrors, non2xx: r.non2xx, seconds: r.duration, statuses };
}

/**
 * Trivial requests at a fixed rate from a separate process (its own event loop, so the main load generator's
 * callbacks do not delay it; autocannon cannot run inside a worker thread of ours, it reserves those for
 * its own workers mode): GET /healthz and POST { __typename }, one connection each, `rate` a second.
 * Latencies are autocannon's, corrected for coordinated omission at that rate.
 */
export async function probe(url: string, seconds: number, rate = 50): Promise<Record<'healthz' | 'typename', { p50: number; p99: number; max: number; count: number }>> {
  const code = `
    const autocannon = require(${JSON.stringify(require.resolve('autocannon'))});
    const one = (opts, duration) => autocannon({ connections: 1, overallRate: ${rate}, duration, ...opts });
    const health = { url: ${JSON.stringify(url)} + '/healthz' };
    const typename = { url: ${JSON.stringify(url)} + '/graphql', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) };
    (async () => {
      await Promise.all([one(health, 1), one(typename, 1)]); // warm-up: connections, JIT
      const [h, t] = await Promise.all([one(health, ${seconds}), one(typename, ${seconds})]);
      const pick = (r) => ({ p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, count: r.requests.total, non2xx: r.non2xx, errors: r.errors });
      console.log(JSON.stringify({ healthz: pick(h), typename: pick(t) }));
    })();
  `;
  const r = await runChild(process.execPath, ['-e', code], (seconds + 40) * 1000);
  if (r.code !== 0) throw new Error(`probe failed: ${r.stderr.slice(-500)}`);
  return lastJsonLine(r.stdout);
}

export async function metricsSnapshot(url: string): Promise<Record<string, number>> {
  const text = (await httpGet(`${url}/metrics`)).body;
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(gateway_model_(?:batches|items)_total)\{modality="(\w+)"\} ([0-9.e+-]+)$/.exec(line);
    if (m) out[`${m[1]}:${m[2]}`] = Number(m[3]);
  }
  return out;
}
export function meanBatch(before: Record<string, number>, after: Record<string, number>, modality: string): number {
  const items = (after[`gateway_model_items_total:${modality}`] ?? 0) - (before[`gateway_model_items_total:${modality}`] ?? 0);
  const batches = (after[`gateway_model_batches_total:${modality}`] ?? 0) - (before[`gateway_model_batches_total:${modality}`] ?? 0);
  return batches ? items / batches : NaN;
}

/** A bare node:http server that reads the body and answers a canned classify result: the HTTP ceiling. */
export const BARE_GRAPHQL_SERVER = `require('http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(200, { 'content-type': 'application/json' }); s.end('{"data":{"classify":{"unsafe":false,"score":0.0123,"distance":0.456}}}'); }); }).listen($PORT, '127.0.0.1')`;
export const CLASSIFY_TEXT = 'query($t: String!) { classify(input: { text: $t }) { unsafe score distance } }';
export const CLASSIFY_IMAGE = 'query($b: String!) { classify(input: { image: { base64: $b } }) { unsafe score distance } }';
export const REDIRECT = 'query($t: String!, $s: RedirectStrategy) { redirect(input: { text: $t, strategy: $s }) { output redirected strategy } }';

/**
 * CPU time a process has used so far (Linux /proc), in milliseconds: the main thread (the event loop, the
 * gateway's serial part) and all threads together. Less sensitive to other load on the machine than
 * throughput: divide the difference over a load window by the requests served.
 */
export function cpuTimes(pid: number): { mainMs: number; totalMs: number; tids: Record<string, number> } | null {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const parse = (stat: string): { ms: number } => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ms: (Number(f[11]) + Number(f[12])) * tick }; // utime, stime (fields 14, 15)
  };
  try {
    const tids: Record<string, number> = {};
    let totalMs = 0;
    let mainMs = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const { ms } = parse(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      totalMs += ms;
      if (tid === String(pid)) mainMs = ms;
      tids[tid] = ms;
    }
    return { mainMs, totalMs, tids };
  } catch {
    return null;
  }
}

/** The gateway's own event-loop lag percentiles (prom-client's default metrics, seconds -> ms), or null. */
export async function eventLoopLag(url: string): Promise<Record<string, number> | null> {
  try {
    const text = (await httpGet(`${url}/metrics`)).body;
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      const m = /^\w*nodejs_eventloop_lag_(p50|p90|p99|max)_seconds (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]) * 1000;
    }
    return Object.keys(out).length ? out : null;
  } catch {
    return null;
  }
}
