/**
 * `npm run bench`: the gateway's performance against its goals, every figure next to a baseline measured in
 * the same run on the same machine. A script, never a test: nothing here fails a build.
 *
 *   npm run build && npx tsx test/bench/run-bench.ts [options]
 *
 *   --bundle DIR|standin|subwords
 *                          bundle to serve (default: the embedded default, models/hysac-mini when it exists,
 *                          else models/fixture-tiny); `standin` builds and uses test/bench/standin-bundle.ts,
 *                          `subwords` test/runtime/subword-bundle.ts's two-input test bundle (in a temp folder)
 *   --out FILE             JSON results (default test/bench/results/latest.json)
 *   --duration S           seconds of each text load test (default 15)
 *   --quick                shorter runs and a smaller baseline search (a smoke test of the script)
 *   --only a,b             run only these sections: cold, tokenizer, raw, text, v1, nobatch, image, redirect, retrieve
 *   --env K=V              extra environment for every gateway started (repeatable), e.g. --env MODEL_THREADS=2
 *
 * Sections (numbers as in issue 6):
 *   1 text      classify, one prompt a request, 64 concurrent autocannon clients over loopback HTTP, vs raw
 *               onnxruntime-node on the same tokenised prompts (best batch size x threads x workers found here)
 *   2 nobatch   the same load with BATCH_MAX_SIZE=1, vs 1
 *   3 (in 1)    p99 of GET /healthz and POST { __typename } while 1 runs, vs the same at idle
 *   4 image     classify of the 32 photographs in ../shared/eval/safe_images, vs nsfwjs in TF.js (pure-JS CPU and
 *               WASM backends) on the same files
 *   5 redirect  EDIT on the unsafe prompts of ../shared/eval/paired_unsafe_safe; retrieve: RETRIEVE over a
 *               generated pool of 100,000 prompts (cache warm; the cold build is reported separately)
 *   6 cold      spawn of `node dist/src/cli.js serve` to the first /readyz 200, and RSS at idle, vs a bare
 *               Node HTTP server
 *   tokenizer   test/bench/tokenizer-bench.ts (one core)
 *   v1          issue #12: the load of 1 on the current bundle and on v1 (models/hysac-mini at git 7362428,
 *               from history into test/bench/.cache), alternated round by round, ratio against the floor 0.6;
 *               the size of both bundles (v1-compare.ts, bundle-size.ts). Skipped, saying why, without git history
 *
 * Everything runs on this machine over loopback: the load generator shares the CPU with the gateway, which
 * the raw baseline does not (it has every core). The table says so next to the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';
import { defaultModelDir } from '../../src/config';
import { loadBundle } from '../../src/runtime/bundle';
import { BARE_GRAPHQL_SERVER, CLASSIFY_IMAGE, CLASSIFY_TEXT, CLI, cpuTimes, drive, eventLoopLag, httpPostJson, lastJsonLine, meanBatch, median, metricsSnapshot, modelReadyLog, percentile, probe, REDIRECT, rssMb, runChild, startServer as startServerRaw, TSX, type LoadResult, type Server } from './lib';
import { NSFWJS_INSTALL, nsfwjsInstalled } from './nsfwjs-baseline';
import { SHARED_EVAL, textLoad, unsafePairPrompts, writePoolFile } from './prompts';
import { rawBatches, subwordStats } from './raw-batches';
import { bundleSize } from './bundle-size';
import { alternateLoad, materialiseV1, summarise, V1_CACHE_ROOT, V1_COMMIT } from './v1-compare';
import { buildSubwordBundle } from '../runtime/subword-bundle';
import { buildStandinBundle } from './standin-bundle';

const SECTIONS = ['cold', 'tokenizer', 'raw', 'text', 'v1', 'nobatch', 'image', 'redirect', 'retrieve'] as const;
type Section = (typeof SECTIONS)[number];

// ---- options ------------------------------------------------------------------------------------------------
const { values: args } = parseArgs({
  options: {
    bundle: { type: 'string' },
    out: { type: 'string' },
    duration: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    env: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  const doc = fs.readFileSync(__filename, 'utf8').split('*/')[0];
  process.stdout.write(doc.replace(/^\/\*\*?|^ \* ?/gm, '') + '\n');
  process.exit(0);
}
const QUICK = args.quick === true;
const DURATION = Number(args.duration ?? (QUICK ? 5 : 15));
const ONLY = new Set<Section>((args.only ? args.only.split(',') : SECTIONS).map((s) => s.trim() as Section));
for (const s of ONLY) if (!SECTIONS.includes(s)) throw new Error(`--only ${s}: allowed: ${SECTIONS.join(', ')}`);
const EXTRA_ENV: Record<string, string> = Object.fromEntries((args.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const OUT = path.resolve(args.out ?? path.join(__dirname, 'results', 'latest.json'));
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-bench-'));
/** `--bundle subwords` is built into a temp folder of its own, removed with WORK. */
let tempBundle: string | null = null;
function cleanUp(): void {
  fs.rmSync(WORK, { recursive: true, force: true });
  if (tempBundle) fs.rmSync(tempBundle, { recursive: true, force: true });
}

// ---- table --------------------------------------------------------------------------------------------------
interface Row {
  test: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: { what: string; value: number };
  /** value / baseline value. */
  ratio?: number;
  goal?: { text: string; met: boolean; by: string };
  note?: string;
}
const rows: Row[] = [];
const details: Record<string, unknown> = {};
const notes: string[] = [];

function goalAtLeast(value: number, goal: number, unit = ''): Row['goal'] {
  const met = value >= goal;
  const pct = ((value - goal) / goal) * 100;
  return { text: `>= ${fmt(goal)}${unit}`, met, by: `${met ? 'met' : 'missed'} by ${Math.abs(pct).toFixed(0)} %${met ? '' : ` (needs ${fmt(goal / value)}x)`}` };
}
function goalAtMost(value: number, goal: number, unit = ''): Row['goal'] {
  const met = value <= goal;
  const pct = ((goal - value) / goal) * 100;
  return { text: `<= ${fmt(goal)}${unit}`, met, by: `${met ? 'met' : 'missed'} by ${Math.abs(pct).toFixed(0)} %${met ? '' : ` (needs ${fmt(value / goal)}x faster)`}` };
}
function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}
function add(row: Row): void {
  if (row.baseline && row.baseline.value) row.ratio = row.value / row.baseline.value;
  rows.push(row);
  console.log(`  ${row.test} | ${row.figure}: ${fmt(row.value)} ${row.unit}${row.baseline ? ` | ${row.baseline.what}: ${fmt(row.baseline.value)} (x${fmt(row.ratio ?? NaN)})` : ''}${row.goal ? ` | ${row.goal.text}: ${row.goal.by}` : ''}`);
}


// ---- raw ONNX Runtime baseline ------------------------------------------------------------------------------
interface RawPoint {
  workers: number;
  threads: number;
  batch: number;
  perSecond: number;
  /** CPU microseconds per item in the workers (1 intra-op thread only: a pool thread's CPU is not seen). */
  cpuUsPerItem?: number;
}

interface RawResult {
  best: RawPoint;
  leanest: RawPoint;
  grid: RawPoint[];
  /** With a subword model: distinct subword-read words over the whole prompt list, and mean subword rows a run by batch size. */
  subwords: { input: string; distinctRows: number; rowsPerRun: Record<number, number> } | null;
  /** Prompts longer than one window (only their first window is run). */
  multiWindowPrompts: number;
}

/**
 * best: the highest measured items/s (the goal's baseline). leanest: the lowest CPU per item (1 intra-op thread),
 * which other load on the machine hardly changes: cores / its CPU time is the physical limit on a quiet machine.
 */
async function rawBaseline(bundleDir: string, prompts: string[]): Promise<RawResult> {
  const bundle = await loadBundle(bundleDir);
  const t = bundle.manifest.text;
  // A subword model's n-gram ids go to the graph's second input, each batch with its own rows (raw-batches.ts).
  const subwordInput = t.tokenizer.type === 'word' ? (t.tokenizer.subwords?.input ?? null) : null;
  const stats = subwordStats(bundle.tokenizer, prompts);
  const batchesOf = (batch: number) => rawBatches(bundle.tokenizer, prompts, batch, { trim: t.trimPadding === true });
  const subwordRowsPerRun: Record<number, number> = {};
  const cores = os.availableParallelism();
  const workerCounts = [...new Set([1, cores, Math.min(2 * cores, 4)])];
  const threadCounts = [1, 2];
  const batches = QUICK ? [1, 16, 64, 256] : [1, 2, 4, 8, 16, 32, 64, 128, 256];
  const ms = QUICK ? 400 : 1000;
  const grid: RawPoint[] = [];
  const measure = async (workers: Worker[], batch: number, duration: number): Promise<{ perSecond: number; cpuUsPerItem: number }> => {
    const wait = (type: string) => Promise.all(workers.map((w) => new Promise<any>((r) => w.once('message', (m) => (m.type === type ? r(m) : r(m))))));
    const { batches } = batchesOf(batch);
    if (subwordInput !== null) subwordRowsPerRun[batch] = batches.reduce((a, b) => a + (b.subwords?.rows ?? 0), 0) / batches.length;
    await Promise.all(workers.map((w) => w.postMessage({ type: 'measure', batches, ms: duration })));
    await wait('warm');
    const done = wait('done');
    workers.forEach((w) => w.postMessage({ type: 'go' }));
    const res = await done;
    const items = res.reduce((a, m) => a + m.items, 0);
    return { perSecond: res.reduce((a, m) => a + m.items / m.seconds, 0), cpuUsPerItem: (res.reduce((a, m) => a + m.cpuSeconds, 0) / items) * 1e6 };
  };
  const startWorkers = async (n: number, threads: number): Promise<Worker[]> => {
    const ws = Array.from({ length: n }, () => new Worker(path.join(__dirname, 'raw-ort-worker.ts'), { execArgv: ['--require', require.resolve('tsx/cjs')] }));
    await Promise.all(
      ws.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.postMessage({ type: 'init', model: path.join(bundle.dir, t.model), inputName: t.input, subwordInput, outputName: t.output, dtype: t.inputType, threads });
          }),
      ),
    );
    return ws;
  };
  let best: RawPoint = { workers: 0, threads: 0, batch: 0, perSecond: 0 };
  let leanest: RawPoint = { workers: 0, threads: 0, batch: 0, perSecond: 0, cpuUsPerItem: Infinity };
  for (const workers of workerCounts) {
    for (const threads of threadCounts) {
      const ws = await startWorkers(workers, threads);
      const line: string[] = [];
      for (const batch of batches) {
        const { perSecond, cpuUsPerItem } = await measure(ws, batch, ms);
        const point: RawPoint = { workers, threads, batch, perSecond, ...(threads === 1 && Number.isFinite(cpuUsPerItem) ? { cpuUsPerItem } : {}) };
        grid.push(point);
        line.push(`${batch}:${fmt(perSecond)}`);
        if (perSecond > best.perSecond) best = point;
        if ((point.cpuUsPerItem ?? Infinity) < leanest.cpuUsPerItem!) leanest = point;
      }
      console.log(`    raw ORT workers=${workers} threads=${threads}: ${line.join(' ')} items/s`);
      ws.forEach((w) => w.postMessage({ type: 'exit' }));
      await Promise.all(ws.map((w) => new Promise((r) => w.once('exit', r))));
    }
  }
  // Re-measure the best point for longer, and keep the better of the two (the grid pass is short).
  const ws = await startWorkers(best.workers, best.threads);
  const again = await measure(ws, best.batch, QUICK ? 1000 : 3000);
  ws.forEach((w) => w.postMessage({ type: 'exit' }));
  await Promise.all(ws.map((w) => new Promise((r) => w.once('exit', r))));
  best = { ...best, perSecond: Math.max(again.perSecond, best.perSecond) };
  return { best, leanest, grid, subwords: subwordInput === null ? null : { input: subwordInput, distinctRows: stats.distinctSubwordRows, rowsPerRun: subwordRowsPerRun }, multiWindowPrompts: stats.multiWindow };
}

function startServer(opts: Parameters<typeof startServerRaw>[0] = {}): Promise<Server> {
  return startServerRaw({ ...opts, env: { ...EXTRA_ENV, ...opts.env } });
}

// ---- sections -----------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadavgAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
  const machineText = `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}`;
  console.log(`machine: ${machineText}; load average at start ${machine.loadavgAtStart.join(' ')}`);
  if (machine.loadavgAtStart[0] > 0.5) {
    notes.push(`load average was ${machine.loadavgAtStart[0]} at start: other processes were using the CPU, so absolute figures are low; ratios within this run are still comparable`);
    console.log(`  WARNING: ${notes[notes.length - 1]}`);
  }
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does)`);

  let bundleDir = args.bundle === 'standin' ? await buildStandinBundle() : args.bundle === 'subwords' ? (tempBundle = buildSubwordBundle().dir) : path.resolve(args.bundle ?? defaultModelDir());
  const bundle = await loadBundle(bundleDir);
  bundleDir = bundle.dir;
  const m = bundle.manifest;
  console.log(`bundle: ${m.name} (${bundleDir})${m.fixture ? ' [fixture]' : ''}; text ${m.text.tokenizer.type} ctx ${m.text.tokenizer.contextLength}, image ${m.image.preprocess.size}px, D=${m.embeddingDim}`);
  if (Object.keys(EXTRA_ENV).length) console.log(`extra gateway environment: ${JSON.stringify(EXTRA_ENV)}`);
  const prompts = textLoad(QUICK ? 2000 : 4000, QUICK ? 1000 : 2000);
  console.log(`text load: ${prompts.length} distinct prompts (generated${fs.existsSync(SHARED_EVAL) ? ' + COCO captions' : ''})`);
  const textBodies = prompts.map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } }));
  const cacheDir = path.join(WORK, 'cache');
  // One load generator is one client address: the per-client rate limit (default 100/s) would answer 429.
  const baseEnv = { CACHE_DIR: cacheDir, MODEL_DIR: bundleDir, RATE_LIMIT_PER_SECOND: '0' };

  // 6. Cold start and idle memory, first, while nothing else runs.
  let server: Server | null = null;
  if (ONLY.has('cold')) {
    console.log('\n[6] cold start and idle memory');
    const bare = await startServer({ command: ['-e', `require('http').createServer((q, s) => s.end('ok')).listen($PORT, '127.0.0.1')`], readyPath: '/' });
    await new Promise((r) => setTimeout(r, 2000));
    const bareRss = rssMb(bare.proc.pid!);
    await bare.stop();
    const first = await startServer({ env: baseEnv }); // empty cache dir: anchors + pool embedded now
    await new Promise((r) => setTimeout(r, 3000));
    const firstRss = rssMb(first.proc.pid!);
    await first.stop();
    server = await startServer({ env: baseEnv }); // warm cache: what every restart costs
    await new Promise((r) => setTimeout(r, 3000));
    const rss = rssMb(server.proc.pid!);
    add({ test: '6 cold start', figure: 'spawn -> /readyz 200, empty cache', value: first.readyMs / 1000, unit: 's', baseline: { what: 'bare node http server', value: bare.readyMs / 1000 }, goal: goalAtMost(first.readyMs / 1000, 3, ' s') });
    add({ test: '6 cold start', figure: 'spawn -> /readyz 200, warm cache', value: server.readyMs / 1000, unit: 's', baseline: { what: 'bare node http server', value: bare.readyMs / 1000 }, goal: goalAtMost(server.readyMs / 1000, 3, ' s') });
    add({ test: '6 idle memory', figure: 'RSS at idle (main + model workers)', value: rss, unit: 'MB', baseline: { what: 'bare node http server', value: bareRss }, goal: goalAtMost(rss, 400, ' MB'), note: `empty-cache start: ${fmt(firstRss)} MB` });
    details.cold = { bareMs: bare.readyMs, emptyCacheMs: first.readyMs, warmCacheMs: server.readyMs, bareRssMb: bareRss, emptyCacheRssMb: firstRss, rssMb: rss, log: modelReadyLog(server.logs) };
  }

  // Tokenizer (one core), in a child so it has a quiet process to itself.
  if (ONLY.has('tokenizer')) {
    console.log('\n[tokenizer] test/bench/tokenizer-bench.ts');
    const r = await runChild(TSX, [path.join(__dirname, 'tokenizer-bench.ts'), QUICK ? '20000' : '50000']);
    if (r.code !== 0) {
      notes.push(`tokenizer-bench failed: ${r.stderr.slice(-300)}`);
    } else {
      const j = lastJsonLine(r.stdout);
      details.tokenizer = j;
      const type = m.text.tokenizer.type === 'clip-bpe' ? 'clip' : 'word';
      const cold = j[type].cold as number;
      add({ test: 'tokenizer', figure: `${type} tokenizer, cold cache, 1 core`, value: cold, unit: 'prompts/s', baseline: { what: `${type} warm cache`, value: j[type].warm }, goal: goalAtLeast(cold, 50_000, '/s'), note: `clip-bpe cold ${fmt(j.clip.cold)}/s, word cold ${fmt(j.word.cold)}/s` });
    }
  }

  // Raw ONNX Runtime: the physical limit for text.
  let raw: RawResult | null = null;
  if (ONLY.has('raw') || ONLY.has('text')) {
    console.log('\n[raw] onnxruntime-node on the tokenised prompts: batch 1..256 x intra-op threads 1..2 x workers');
    raw = await rawBaseline(bundleDir, prompts);
    details.raw = raw;
    console.log(`    best: ${fmt(raw.best.perSecond)} items/s (workers ${raw.best.workers}, threads ${raw.best.threads}, batch ${raw.best.batch}); leanest: ${fmt(raw.leanest.cpuUsPerItem ?? NaN)} us CPU an item (batch ${raw.leanest.batch})`);
    if (raw.subwords) {
      const sw = raw.subwords;
      notes.push(`raw ORT: two-input text graph (${m.text.input} + ${sw.input}); ${sw.distinctRows} distinct subword-read words over the ${prompts.length} prompts; each run is fed its own batch's subword rows, as the gateway does (mean rows a run: ${Object.entries(sw.rowsPerRun).map(([b, u]) => `b${b} ${fmt(u)}`).join(', ')})`);
      console.log(`    ${notes[notes.length - 1]}`);
    }
    if (raw.multiWindowPrompts) notes.push(`raw ORT: ${raw.multiWindowPrompts} of the prompts are longer than one window; the baseline runs their first window only (the gateway runs every window)`);
  }

  // 1 + 3. Text classify under 64 clients, with the responsiveness probe running alongside.
  if (ONLY.has('text')) {
    console.log(`\n[1, 3] text classify, 64 connections, ${DURATION} s (probe of /healthz and { __typename } alongside)`);
    server ??= await startServer({ env: baseEnv });
    await eventLoopLag(server.url); // resets the lag histogram
    const idle = await probe(server.url, QUICK ? 3 : 6);
    const idleLag = await eventLoopLag(server.url);
    await drive(server.url, textBodies, { connections: 64, duration: QUICK ? 2 : 3 }); // warm-up
    const before = await metricsSnapshot(server.url);
    const cpu0 = cpuTimes(server.proc.pid!);
    const client0 = process.cpuUsage();
    // The probe starts with a 1 s warm-up of its own and then measures for DURATION - 3 s, inside the load window.
    const [load, busy] = await Promise.all([drive(server.url, textBodies, { connections: 64, duration: DURATION }), probe(server.url, Math.max(1, DURATION - 3))]);
    const clientUs = process.cpuUsage(client0);
    const cpu1 = cpuTimes(server.proc.pid!);
    const lag = await eventLoopLag(server.url); // prom-client resets the lag histogram on every scrape: read it first
    const after = await metricsSnapshot(server.url);
    const batch = meanBatch(before, after, 'TEXT');
    const served = load.ok + load.gqlErrors;
    const cpu = cpu0 && cpu1 ? { mainUsPerReq: ((cpu1.mainMs - cpu0.mainMs) * 1000) / served, gatewayUsPerReq: ((cpu1.totalMs - cpu0.totalMs) * 1000) / served, clientUsPerReq: (clientUs.user + clientUs.system) / served } : null;
    // The HTTP ceiling: a bare Node server answering a canned classify response to the same client and load.
    const bare = await startServer({ command: ['-e', BARE_GRAPHQL_SERVER], readyPath: '/' });
    await drive(bare.url, textBodies, { connections: 64, duration: 2 });
    const ceiling = await drive(bare.url, textBodies, { connections: 64, duration: Math.min(DURATION, 10) });
    await bare.stop();
    details.text = { load, idleProbe: idle, idleEventLoopLag: idleLag, busyProbe: busy, meanBatch: batch, bareHttp: ceiling, cpu, eventLoopLag: lag };
    const rawBest = raw!.best;
    add({
      test: '1 text classify',
      figure: '64 clients, 1 prompt/request: throughput',
      value: load.rps,
      unit: 'req/s',
      baseline: { what: `raw ORT (w${rawBest.workers} t${rawBest.threads} b${rawBest.batch})`, value: rawBest.perSecond },
      goal: goalAtLeast(load.rps / rawBest.perSecond, 0.7, 'x raw'),
      note: `ratio is the goal's figure; mean model batch ${fmt(batch)}; ${load.gqlErrors + load.non2xx + load.errors} failed`,
    });
    add({ test: '1 text classify', figure: 'same vs bare Node HTTP server (info)', value: load.rps, unit: 'req/s', baseline: { what: 'canned reply, same client', value: ceiling.rps }, note: 'the most any Node HTTP server answers here with this load generator sharing the cores' });
    if (cpu && raw!.leanest.cpuUsPerItem) {
      const cores = os.availableParallelism();
      add({
        test: '1 text classify',
        figure: 'CPU per request, all gateway threads (info)',
        value: cpu.gatewayUsPerReq,
        unit: 'us',
        baseline: { what: `raw ORT CPU an item (b${raw!.leanest.batch})`, value: raw!.leanest.cpuUsPerItem },
        note: `main thread ${fmt(cpu.mainUsPerReq)} us, load generator ${fmt(cpu.clientUsPerReq)} us a request; on a quiet machine the cores allow about ${fmt((cores * 1e6) / (cpu.gatewayUsPerReq + cpu.clientUsPerReq))} req/s with this client sharing them, ${fmt((cores * 1e6) / cpu.gatewayUsPerReq)} without it, and raw ORT ${fmt((cores * 1e6) / raw!.leanest.cpuUsPerItem)} items/s`,
      });
    }
    add({ test: '1 text classify', figure: 'latency p50', value: load.p50, unit: 'ms' });
    add({ test: '1 text classify', figure: 'latency p99', value: load.p99, unit: 'ms' });
    if (lag) add({ test: '3 responsiveness', figure: 'event-loop lag p99 during the load (info)', value: lag.p99, unit: 'ms', ...(idleLag ? { baseline: { what: 'idle', value: idleLag.p99 } } : {}), note: `the gateway's own monitorEventLoopDelay (prom-client, 10 ms sampling interval included: an idle loop reads ~10 ms): p50 ${fmt(lag.p50)} ms, max ${fmt(lag.max)} ms` });
    add({ test: '3 responsiveness', figure: 'GET /healthz p99 under load', value: busy.healthz.p99, unit: 'ms', baseline: { what: 'idle', value: idle.healthz.p99 }, goal: goalAtMost(busy.healthz.p99, 25, ' ms') });
    add({ test: '3 responsiveness', figure: '{ __typename } p99 under load', value: busy.typename.p99, unit: 'ms', baseline: { what: 'idle', value: idle.typename.p99 }, goal: goalAtMost(busy.typename.p99, 25, ' ms') });
  }

  // 5. EDIT on the unsafe pair prompts (default pool).
  if (ONLY.has('redirect')) {
    console.log('\n[5] redirect EDIT on the unsafe prompts of the pair files, one request at a time');
    server ??= await startServer({ env: baseEnv });
    const pairs = unsafePairPrompts();
    if (pairs.length === 0) notes.push(`redirect: ${path.join(SHARED_EVAL, 'paired_unsafe_safe')} not found; EDIT not measured`);
    else {
      const r = await redirectLatency(server.url, pairs, 'EDIT');
      details.edit = r;
      add({ test: '5 redirect EDIT', figure: `p50 (${r.unsafe}/${pairs.length} judged unsafe)`, value: r.p50, unit: 'ms', baseline: { what: 'classify p50, same prompts', value: r.classifyP50 }, goal: goalAtMost(r.p50, 20, ' ms'), note: r.note });
      add({ test: '5 redirect EDIT', figure: 'p99', value: r.p99, unit: 'ms', baseline: { what: 'classify p99', value: r.classifyP99 } });
    }
  }

  if (server) {
    details.rssAfterLoadMb = rssMb(server.proc.pid!);
    await server.stop();
    server = null;
  }

  // Issue #12: the current bundle beside v1, same load, alternated.
  if (ONLY.has('v1')) {
    console.log(`\n[v1] text classify on the current bundle beside v1 (${V1_COMMIT}), 64 connections, ${DURATION} s a turn, alternated`);
    await v1Section(bundleDir, baseEnv, textBodies, machineText);
  }

  // 2. The same text load with cross-request batching off.
  if (ONLY.has('nobatch') && ONLY.has('text')) {
    console.log(`\n[2] the same load with BATCH_MAX_SIZE=1, ${DURATION} s`);
    const s = await startServer({ env: { ...baseEnv, BATCH_MAX_SIZE: '1' } });
    await drive(s.url, textBodies, { connections: 64, duration: QUICK ? 2 : 3 });
    const load = await drive(s.url, textBodies, { connections: 64, duration: DURATION });
    await s.stop();
    const on = (details.text as { load: LoadResult }).load;
    details.nobatch = { load };
    add({ test: '2 batching', figure: 'batching on / off (BATCH_MAX_SIZE=1)', value: on.rps / load.rps, unit: 'x', goal: goalAtLeast(on.rps / load.rps, 3, 'x'), note: `off: ${fmt(load.rps)} req/s, p50 ${fmt(load.p50)} ms, p99 ${fmt(load.p99)} ms` });
  }

  // 4. Images.
  if (ONLY.has('image')) {
    console.log('\n[4] image classify on ../shared/eval/safe_images');
    await imageSection(bundleDir, baseEnv, m.provenance.source + ' ' + (m.provenance.notes ?? '') + ' ' + m.image.model, m.name);
  }

  // 5. RETRIEVE over a 100,000-prompt pool.
  if (ONLY.has('retrieve')) {
    console.log('\n[5] redirect RETRIEVE over a generated 100,000-prompt pool');
    const poolFile = path.join(os.tmpdir(), 'hysac-bench-pool-100k.txt');
    writePoolFile(poolFile, QUICK ? 20_000 : 100_000);
    const env = { ...baseEnv, REDIRECT_POOL: poolFile, CACHE_DIR: path.join(WORK, 'cache-100k') };
    const cold = await startServer({ env, timeoutMs: 1_800_000 });
    const coldLog = modelReadyLog(cold.logs);
    await cold.stop();
    const warm = await startServer({ env });
    const warmLog = modelReadyLog(warm.logs);
    const pairs = unsafePairPrompts();
    const r = await redirectLatency(warm.url, pairs.length ? pairs : prompts.slice(0, 100), 'RETRIEVE');
    details.retrieve = { ...r, coldReadyMs: cold.readyMs, warmReadyMs: warm.readyMs, coldLog, warmLog, rssMb: rssMb(warm.proc.pid!) };
    await warm.stop();
    const entries = coldLog?.pool?.entries ?? NaN;
    add({ test: '5 redirect RETRIEVE', figure: `p50 over ${fmt(entries)} prompts (${r.unsafe}/${r.total} judged unsafe)`, value: r.p50, unit: 'ms', baseline: { what: 'classify p50, same prompts', value: r.classifyP50 }, goal: goalAtMost(r.p50, 10, ' ms'), note: r.note });
    add({ test: '5 redirect RETRIEVE', figure: 'p99', value: r.p99, unit: 'ms', baseline: { what: 'classify p99', value: r.classifyP99 } });
    add({ test: '5 redirect RETRIEVE', figure: 'pool build, empty cache (spawn -> ready)', value: cold.readyMs / 1000, unit: 's', baseline: { what: 'same with the cache warm', value: warm.readyMs / 1000 }, note: `"model ready" after ${fmt((coldLog?.ms ?? NaN) / 1000)} s cold, ${fmt((warmLog?.ms ?? NaN) / 1000)} s warm` });
  }

  const loadavgAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  printTable(machineText, m.name, m.fixture);
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(
    OUT,
    JSON.stringify({ date: new Date().toISOString(), machine: { ...machine, loadavgAtEnd }, bundle: { name: m.name, dir: bundleDir, fixture: m.fixture }, options: { quick: QUICK, duration: DURATION, env: EXTRA_ENV, sections: [...ONLY] }, rows, notes, details }, null, 2) + '\n',
  );
  console.log(`\nresults: ${path.relative(process.cwd(), OUT)}`);
  cleanUp();
}

/** Section v1 (v1-compare.ts): rows for the throughput ratio, CPU a request and both bundles' sizes. */
async function v1Section(bundleDir: string, baseEnv: Record<string, string>, textBodies: string[], machineText: string): Promise<void> {
  const v1 = materialiseV1(path.resolve(__dirname, '../..'), V1_CACHE_ROOT);
  if (!v1.ok) {
    notes.push(`v1: not measured: ${v1.reason}`);
    console.log(`  SKIPPED: ${v1.reason}`);
    return;
  }
  console.log(`  v1: ${V1_COMMIT} (${v1.commit.slice(0, 12)}) in ${path.relative(process.cwd(), v1.dir)}${v1.reused ? ' (reused)' : ''}`);
  const same = fs.readFileSync(path.join(v1.dir, 'manifest.json'), 'utf8') === fs.readFileSync(path.join(bundleDir, 'manifest.json'), 'utf8');
  if (same) {
    notes.push(`v1: the current bundle IS v1 (same manifest.json as at ${V1_COMMIT}): the ratio measures this machine's noise between two identical gateways, not a change`);
    console.log(`  NOTE: ${notes[notes.length - 1]}`);
  }
  const rounds = QUICK ? 2 : 4;
  const loadavg0 = os.loadavg()[0];
  const turns = await alternateLoad({
    start: (side) => startServer({ env: { ...baseEnv, MODEL_DIR: side === 'v1' ? v1.dir : bundleDir, CACHE_DIR: path.join(WORK, `cache-${side}`) } }),
    bodies: textBodies,
    rounds,
    warmupSeconds: QUICK ? 2 : 3,
    seconds: DURATION,
    log: (line) => console.log(`    ${line}`),
  });
  const s = summarise(turns);
  const loadavg1 = os.loadavg()[0];
  const sizeCur = bundleSize(bundleDir);
  const sizeV1 = bundleSize(v1.dir);
  details.v1 = { commit: v1.commit, dir: v1.dir, sameAsCurrent: same, rounds, order: 'A B, B A, ... (A = current)', turns, summary: s, size: { current: sizeCur, v1: sizeV1 }, loadavg: [loadavg0, loadavg1] };
  const failed = turns.reduce((a, t) => a + t.failed, 0);
  add({
    test: '12 v1 beside current',
    figure: '64 clients, 1 prompt/request: throughput',
    value: s.current.rps,
    unit: 'req/s',
    baseline: { what: `v1 ${V1_COMMIT}, same run`, value: s.v1.rps },
    goal: goalAtLeast(s.ratio, 0.6, 'x v1'),
    note: `medians of ${rounds} rounds, alternated A B / B A, ${DURATION} s a turn, both gateways up throughout; round ratios ${s.roundRatios.map(fmt).join(', ')}; ${failed} failed; ${machineText}, load average ${fmt(loadavg0)} -> ${fmt(loadavg1)}`,
  });
  add({ test: '12 v1 beside current', figure: 'CPU per request, all gateway threads (info)', value: s.current.cpuUsPerReq, unit: 'us', baseline: { what: 'v1', value: s.v1.cpuUsPerReq }, note: `v1 / current CPU a request ${fmt(s.cpuRatio)}: moved less by other load than req/s` });
  add({ test: '12 v1 beside current', figure: 'bundle size (manifest + files it names)', value: sizeCur.mb, unit: 'MB', baseline: { what: 'v1', value: sizeV1.mb }, goal: goalAtMost(sizeCur.mb, 60, ' MB'), note: `MB = 10^6 bytes; current: ${Object.entries(sizeCur.files).map(([f, b]) => `${f} ${fmt(b / 1e6)}`).join(', ')}` });
}

/** Sequential redirect latency on the prompts the bundle judges unsafe (all of them if it judges none unsafe). */
async function redirectLatency(url: string, texts: string[], strategy: 'EDIT' | 'RETRIEVE'): Promise<{ p50: number; p99: number; classifyP50: number; classifyP99: number; unsafe: number; total: number; strategies: Record<string, number>; note: string }> {
  const verdicts = await httpPostJson(`${url}/graphql`, { query: 'query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', variables: { i: texts.map((text) => ({ text })) } });
  const flags = (verdicts.body.data?.classifyMany ?? []) as { unsafe: boolean }[];
  const unsafe = texts.filter((_, i) => flags[i]?.unsafe);
  const used = unsafe.length ? unsafe : texts;
  const passes = QUICK ? 2 : 5;
  const bodies = used.map((t) => JSON.stringify({ query: REDIRECT, variables: { t, s: strategy } }));
  const strategies: Record<string, number> = {};
  for (const b of bodies) {
    const r = await httpPostJson(`${url}/graphql`, JSON.parse(b));
    const s = r.body.data?.redirect ? `${r.body.data.redirect.strategy}${r.body.data.redirect.redirected ? '' : ' (unchanged)'}` : `error ${r.body.errors?.[0]?.extensions?.code}`;
    strategies[s] = (strategies[s] ?? 0) + 1;
  }
  const red = await drive(url, bodies, { connections: 1, amount: bodies.length * passes });
  const cls = await drive(
    url,
    used.map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } })),
    { connections: 1, amount: used.length * passes },
  );
  const note = `outcomes: ${Object.entries(strategies).map(([k, v]) => `${k} ${v}`).join(', ')}${unsafe.length ? '' : '; NONE judged unsafe by this bundle: measured on all (redirect returns them unchanged)'}`;
  return { p50: red.p50, p99: red.p99, classifyP50: cls.p50, classifyP99: cls.p99, unsafe: unsafe.length, total: texts.length, strategies, note };
}

async function imageSection(bundleDir: string, baseEnv: Record<string, string>, provenance: string, bundleName: string): Promise<void> {
  const dir = path.join(SHARED_EVAL, 'safe_images');
  if (!fs.existsSync(dir)) {
    notes.push(`images: ${dir} not found; image test skipped`);
    return;
  }
  const files = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().map((f) => path.join(dir, f));
  const meaningful = /nsfw/i.test(provenance);
  if (!meaningful) {
    notes.push(`images: bundle ${bundleName}'s image tower is not nsfwjs's MobileNetV2, so the comparison with nsfwjs is MEANINGLESS (different model sizes); it is printed only to exercise the path`);
    console.log(`  NOTE: ${notes[notes.length - 1]}`);
  }
  const bodies = files.map((f) => JSON.stringify({ query: CLASSIFY_IMAGE, variables: { b: fs.readFileSync(f).toString('base64') } }));
  const s = await startServer({ env: baseEnv });
  const connections = 16;
  await drive(s.url, bodies, { connections, amount: bodies.length * 2 }); // warm-up: every image once
  const before = await metricsSnapshot(s.url);
  const load = await drive(s.url, bodies, { connections, duration: QUICK ? 5 : Math.max(10, DURATION) });
  const after = await metricsSnapshot(s.url);
  const single = await drive(s.url, bodies, { connections: 1, amount: bodies.length * (QUICK ? 1 : 2) });
  await s.stop();
  const batch = meanBatch(before, after, 'IMAGE');
  details.image = { files: files.length, connections, load, oneAtATime: single, meanBatch: batch };
  const note = `${files.length} photos, ${connections} connections, mean model batch ${fmt(batch)}; one at a time: ${fmt(single.rps)} img/s, p50 ${fmt(single.p50)} ms${meaningful ? '' : '; MEANINGLESS comparison (not the nsfwjs model)'}`;
  if (!nsfwjsInstalled()) {
    notes.push(`images: nsfwjs / TensorFlow.js are not installed, so there is no baseline; install them with \`${NSFWJS_INSTALL}\``);
    add({ test: '4 image classify', figure: 'throughput', value: load.rps, unit: 'img/s', note });
    return;
  }
  const tf = async (backend: string, maxSeconds: number, list: string[]): Promise<any> => {
    const r = await runChild(TSX, [path.join(__dirname, 'nsfwjs-baseline.ts'), '--backend', backend, '--max-seconds', String(maxSeconds), ...list]);
    if (r.code !== 0) throw new Error(`nsfwjs baseline (${backend}) failed: ${r.stderr.slice(-500)}`);
    return lastJsonLine(r.stdout);
  };
  const wasm = await tf('wasm', 120, files);
  // The pure-JS backend takes seconds an image: a time-boxed subset (the rate is per image either way).
  const cpu = await tf('cpu', QUICK ? 8 : 30, files);
  // WASM runs one thread in Node: one process per core is the best TF.js can do on this machine (reported, not a goal).
  const cores = os.availableParallelism();
  const t0 = performance.now();
  const par = await Promise.all(Array.from({ length: cores }, () => tf('wasm', 120, files)));
  const parRate = par.reduce((a, r) => a + r.perSecond, 0);
  details.image = { ...(details.image as object), nsfwjs: { wasm, cpu, wasmPerCoreProcesses: { processes: cores, perSecond: parRate, wallSeconds: (performance.now() - t0) / 1000 } } };
  add({ test: '4 image classify', figure: 'vs nsfwjs TF.js pure-JS CPU backend', value: load.rps, unit: 'img/s', baseline: { what: `tfjs cpu (${cpu.images} imgs)`, value: cpu.perSecond }, goal: goalAtLeast(load.rps / cpu.perSecond, 50, 'x'), note });
  add({ test: '4 image classify', figure: 'vs nsfwjs TF.js WASM backend', value: load.rps, unit: 'img/s', baseline: { what: `tfjs wasm (${wasm.threads} thread)`, value: wasm.perSecond }, goal: goalAtLeast(load.rps / wasm.perSecond, 3, 'x') });
  add({ test: '4 image classify', figure: `vs ${cores} WASM processes in parallel (info)`, value: load.rps, unit: 'img/s', baseline: { what: `tfjs wasm x${cores} processes`, value: parRate } });
}

function printTable(machineText: string, bundleName: string, fixture: boolean): void {
  const header = ['test', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'met?'];
  const body = rows.map((r) => [
    r.test,
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${r.baseline.what}: ${fmt(r.baseline.value)}` : '',
    r.ratio !== undefined ? `${fmt(r.ratio)}x` : '',
    r.goal ? r.goal.text : '',
    r.goal ? r.goal.by : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\nmachine: ${machineText}; bundle: ${bundleName}${fixture ? ' (TEST FIXTURE)' : ''}`);
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const b of body) console.log(line(b));
  const withNotes = rows.filter((r) => r.note);
  if (withNotes.length) {
    console.log('\nnotes:');
    for (const r of withNotes) console.log(`  ${r.test} / ${r.figure}: ${r.note}`);
  }
  for (const n of notes) console.log(`  ${n}`);
  console.log('  The load generator (autocannon) runs on the same cores as the gateway; the raw ORT baseline has them all.');
}

main().catch((e: unknown) => {
  console.error(e);
  cleanUp();
  process.exit(1);
});
