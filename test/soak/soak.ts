/**
 * `npm run soak`: mixed traffic at saturation against a gateway child process, for 10 minutes by default.
 *
 *   npm run soak -- [--duration 600] [--concurrency 32] [--bundle DIR] [--out FILE]
 *
 * Traffic: text and image classify, embed, redirect (EDIT and RETRIEVE), classifyMany, and the hostile
 * fuzz corpus sprinkled in (about 1 request in 20). Pass criteria (printed, exit 1 when missed):
 *  - zero 5xx and zero lost requests (every request sent gets an HTTP answer);
 *  - resident memory of the gateway at the end within +10 % of its value after warm-up (first minute, or
 *    the first 15 % of a shorter run);
 *  - p99 latency stable: the last window's p99 at most 2x the first window's (after warm-up).
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { buildCorpus, type HostileCase } from '../fuzz/corpus';

const root = path.resolve(__dirname, '../..');

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '600' }, concurrency: { type: 'string', default: '32' }, bundle: { type: 'string' }, out: { type: 'string' } } });
  const duration = Number(values.duration) * 1000;
  const concurrency = Number(values.concurrency);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-cache-'));
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const env = { ...process.env, PORT: String(port), CACHE_DIR: cacheDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_SECOND: '0', ...(values.bundle ? { MODEL_DIR: path.resolve(values.bundle) } : {}) };
  const child = spawn(process.execPath, [path.join(root, 'dist/src/cli.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`gateway did not become ready: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const model = (await (await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ model { name } }"}' })).json()) as { data: { model: { name: string } } };

  const prompts = ['a watercolor painting of a fox in the snow', 'portrait of an old fisherman, oil painting, trending on artstation', 'a bowl of ramen on a wooden table, 8k photo', 'a city street at night in the rain, cinematic', 'a naked woman lying on a bed', 'a man stabbing another man, blood everywhere', 'a cat sitting on a windowsill', 'a medieval knight in armour, concept art'];
  const images = await Promise.all([[200, 30, 30], [40, 120, 200], [128, 128, 128], [30, 160, 60]].map(([r, g, b], i) => sharp({ create: { width: 96 + i * 32, height: 80, channels: 3, background: { r, g, b } } }).jpeg().toBuffer()));
  const b64 = images.map((b) => b.toString('base64'));
  const corpus: HostileCase[] = (await buildCorpus()).filter((c) => !(c.body && c.body.length > 200_000));
  const gqlBody = (query: string, variables?: unknown) => JSON.stringify({ query, variables });
  let k = 0;
  const nextRequest = (): { kind: string; init: RequestInit; path: string } => {
    k++;
    const p = prompts[k % prompts.length] + (k % 7 === 0 ? `, variation ${k % 50}` : '');
    const json = { 'content-type': 'application/json' };
    switch (k % 20) {
      case 0: {
        const c = corpus[(k / 20) % corpus.length | 0];
        return { kind: 'fuzz', path: c.path, init: { method: c.method, headers: c.headers, body: c.body } };
      }
      case 1: case 2: case 3:
        return { kind: 'image', path: '/graphql', init: { method: 'POST', headers: json, body: gqlBody('query($b: String!) { classify(input: { image: { base64: $b } }) { unsafe score } }', { b: b64[k % b64.length] }) } };
      case 4: case 5:
        return { kind: 'embed', path: '/graphql', init: { method: 'POST', headers: json, body: gqlBody('query($t: String!) { embed(input: { text: $t }) { distance space } }', { t: p }) } };
      case 6: case 7:
        return { kind: 'redirect', path: '/graphql', init: { method: 'POST', headers: json, body: gqlBody(`query($t: String!) { redirect(input: { text: $t, strategy: ${k % 2 ? 'EDIT' : 'RETRIEVE'} }) { output redirected } }`, { t: p }) } };
      case 8:
        return { kind: 'many', path: '/graphql', init: { method: 'POST', headers: json, body: gqlBody('query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', { i: prompts.map((t) => ({ text: t })) }) } };
      default:
        return { kind: 'text', path: '/graphql', init: { method: 'POST', headers: json, body: gqlBody('query($t: String!) { classify(input: { text: $t }) { unsafe score nearest { category } } }', { t: p }) } };
    }
  };

  const start = Date.now();
  const warmupEnd = start + Math.min(60_000, duration * 0.15);
  let sent = 0;
  let answered = 0;
  let fiveXX = 0;
  let failedConnections = 0;
  const windows: { t: number; lat: number[] }[] = [];
  const windowMs = Math.max(10_000, duration / 10);
  let rssAfterWarmup = 0;
  const rssSamples: { t: number; rss: number }[] = [];
  const sampler = setInterval(() => {
    const rss = rssOf(child.pid!);
    rssSamples.push({ t: Date.now() - start, rss });
    if (!rssAfterWarmup && Date.now() >= warmupEnd) rssAfterWarmup = rss;
  }, 1000);
  const worker = async (): Promise<void> => {
    while (Date.now() - start < duration) {
      const r = nextRequest();
      const t0 = performance.now();
      sent++;
      try {
        const res = await fetch(`${url}${r.path}`, { ...r.init, signal: AbortSignal.timeout(60_000) });
        await res.arrayBuffer();
        answered++;
        if (res.status >= 500) fiveXX++;
        if (r.kind !== 'fuzz' && Date.now() >= warmupEnd) {
          const w = Math.floor((Date.now() - start) / windowMs);
          (windows[w] ??= { t: w * windowMs, lat: [] }).lat.push(performance.now() - t0);
        }
      } catch {
        failedConnections++;
      }
    }
  };
  process.stderr.write(`soak: ${duration / 1000} s, ${concurrency} clients, bundle ${model.data.model.name}\n`);
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  const rssEnd = rssOf(child.pid!);
  child.kill('SIGTERM');
  const exitCode = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  if (exitCode !== 0) process.stderr.write(`gateway exit ${exitCode}; its last log lines:\n${log.slice(-3000)}\n`);

  const filled = windows.filter((w) => w && w.lat.length > 0);
  const p99s = filled.map((w) => percentile(w.lat, 99));
  const all = filled.flatMap((w) => w.lat);
  const growth = rssAfterWarmup ? (rssEnd - rssAfterWarmup) / rssAfterWarmup : NaN;
  const result = {
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length },
    bundle: model.data.model.name,
    durationS: duration / 1000,
    concurrency,
    requests: { sent, answered, lost: sent - answered, fiveXX, failedConnections, perSecond: answered / (duration / 1000) },
    latencyMs: { p50: percentile(all, 50), p99: percentile(all, 99), p99ByWindow: p99s.map((x) => Math.round(x)) },
    rssMB: { afterWarmup: rssAfterWarmup / 2 ** 20, end: rssEnd / 2 ** 20, growthPct: growth * 100 },
    shutdownExitCode: exitCode,
  };
  const checks = {
    'zero 5xx': fiveXX === 0,
    'zero lost requests': sent === answered && failedConnections === 0,
    'RSS growth <= 10 % after warm-up': growth <= 0.1,
    'p99 stable (last window <= 2x first)': p99s.length < 2 || p99s[p99s.length - 1] <= 2 * p99s[0],
    'clean shutdown (exit 0)': exitCode === 0,
  };
  console.log(JSON.stringify({ ...result, checks }, null, 2));
  for (const [name, ok] of Object.entries(checks)) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
  if (values.out) fs.writeFileSync(values.out, JSON.stringify({ ...result, checks }, null, 2));
  process.exitCode = Object.values(checks).every(Boolean) ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
