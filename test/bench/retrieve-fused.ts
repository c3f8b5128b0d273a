/**
 * RETRIEVE's pool search, before and after the one-pass kernel (issue 6, goal 5: p50 <= 10 ms over 100,000
 * prompts), side by side in one run.
 *
 *   before: test/safety/retrieve-reference.ts, retrieveSafe as it was: three passes over the pool (entailedBy
 *           with acos/asin a row; nearest in-cone by distancesTo with asinh a row and a filter closure;
 *           nearest overall again when no cone contains the point);
 *   after:  src/safety/redirect.ts retrieveSafe -> geometry/nearest-in-cone.ts: one pass, the cone compared in
 *           cosine space against per-row constants prepared with the pool, most rows settled by a bound from 8
 *           or 16 products on the pool's principal axes, the rest by the full dot product (the same answers).
 *
 * Pools: (1) synthetic, 100,000 x 64 with hysac-mini's curvature, cone K and bounds, clustered so that some
 * cones contain the traversed queries and some do not; (2) unless --bundle none, the 100,000 generated prompts
 * of run-bench.ts section 5 embedded by the bundle (default hysac-mini; a few seconds), queried with the unsafe
 * pair prompts of ../shared/eval (or generated prompts when it is absent).
 * For every query both versions run, in alternating order (old first on even queries, new first on odd ones),
 * `--rounds` times; p50/p99 are over all calls. Every answer (index, in-cone flag) is compared.
 *
 *   npx tsx test/bench/retrieve-fused.ts [--rows 100000] [--queries 200] [--rounds 3] [--bundle DIR|none]
 *
 * End to end (the figure run-bench.ts section 5 reports, without `npm run build` here): `--gateways A,B` starts
 * two built copies of the repository (each with dist/src/cli.js, as for ab.ts; e.g. `git archive HEAD` before
 * and after the change, node_modules and models linked in, `npx tsc -p tsconfig.json` in each) alternately,
 * `--rounds` times, on run-bench.ts's 100,000-prompt pool (the embedding cache shared, so warm after the first
 * start), and measures sequential `redirect(strategy: RETRIEVE)` on the unsafe pair prompts the bundle judges
 * unsafe, 3 passes, and classify on the same prompts, exactly as run-bench.ts's redirectLatency does.
 *
 *   npx tsx test/bench/retrieve-fused.ts --gateways /tmp/before,/tmp/after [--rounds 4] [--bundle DIR]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultModelDir } from '../../src/config';
import { loadBundle } from '../../src/runtime/bundle';
import type { Manifest } from '../../src/runtime/manifest-types';
import { ModelRuntime } from '../../src/runtime/model-runtime';
import { distanceFromOrigin, nearestInCone, type Matrix } from '../../src/geometry';
import { PointSet } from '../../src/safety/index-matrix';
import { readPoolFile, type SafePool } from '../../src/safety/pool';
import { retrieveSafe } from '../../src/safety/redirect';
import { retrieveSafeReference } from '../safety/retrieve-reference';
import { CLASSIFY_TEXT, drive, httpPostJson, median, REDIRECT, startServer } from './lib';
import { generatePrompts, rng, unsafePairPrompts, writePoolFile } from './prompts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    bundle: { type: 'string' },
    gateways: { type: 'string' },
  },
});
const ROWS = Number(args.rows);
const QUERIES = Number(args.queries);
const ROUNDS = Number(args.rounds);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function makePool(matrix: Matrix, manifest: Manifest): SafePool {
  const points = new PointSet(matrix, manifest.curvature);
  points.search(); // as loadSafePool does
  const distances = new Float64Array(matrix.rows);
  const usable = new Uint8Array(matrix.rows);
  let usableCount = 0;
  for (let i = 0; i < matrix.rows; i++) {
    distances[i] = distanceFromOrigin(points.row(i), manifest.curvature);
    if (distances[i] < manifest.threshold.text) {
      usable[i] = 1;
      usableCount++;
    }
  }
  return { texts: Array.from({ length: matrix.rows }, (_, i) => `p${i}`), points, distances, usable, usableCount, source: 'model', file: '' };
}

function compare(label: string, pool: SafePool, manifest: Manifest, queries: Float32Array[]): void {
  let same = 0;
  let entailed = 0;
  let fullRows = 0;
  let referenceRows = 0;
  const mismatches: string[] = [];
  for (let k = 0; k < queries.length; k++) {
    const a = retrieveSafeReference(queries[k], 'TEXT', pool, manifest)!;
    const b = retrieveSafe(queries[k], 'TEXT', pool, manifest)!;
    if (a.index === b.index && a.entailed === b.entailed) same++;
    else mismatches.push(`query ${k}: before ${a.index}/${a.entailed}, after ${b.index}/${b.entailed}`);
    if (a.entailed) entailed++;
    const found = nearestInCone(b.traversed, pool.points.coneIndex(manifest.coneK), pool.usable);
    fullRows += found.fullRows;
    referenceRows += found.referenceRows;
  }
  pool.points.coneIndex(manifest.coneK); // prepared (and timed) separately below, not inside the first query
  const times = { old: [] as number[], new: [] as number[] };
  const run = (which: 'old' | 'new', q: Float32Array): void => {
    const t = performance.now();
    if (which === 'old') retrieveSafeReference(q, 'TEXT', pool, manifest);
    else retrieveSafe(q, 'TEXT', pool, manifest);
    times[which].push(performance.now() - t);
  };
  for (let i = 0; i < 5; i++) (run('old', queries[i % queries.length]), run('new', queries[i % queries.length]));
  times.old.length = 0;
  times.new.length = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < queries.length; k++) {
      const order: ('old' | 'new')[] = (k + r) % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
      for (const w of order) run(w, queries[k]);
    }
  }
  const o = [...times.old].sort((x, y) => x - y);
  const n = [...times.new].sort((x, y) => x - y);
  const t0 = performance.now();
  const fresh = new PointSet(pool.points.matrix, manifest.curvature);
  const t1 = performance.now();
  fresh.search();
  const t2 = performance.now();
  fresh.coneIndex(manifest.coneK);
  const t3 = performance.now();
  const prep = `PointSet ${(t1 - t0).toFixed(0)} ms, search() ${(t2 - t1).toFixed(0)} ms, coneIndex(K) ${(t3 - t2).toFixed(1)} ms`;
  const { rows, dim } = pool.points.matrix;
  console.log(
    `${label}: ${rows} rows x ${dim} (${pool.usableCount} usable), ${queries.length} queries (${entailed} in a cone), ${o.length} calls each\n` +
      `  before (3 passes): p50 ${percentile(o, 0.5).toFixed(2)} ms, p99 ${percentile(o, 0.99).toFixed(2)} ms\n` +
      `  after  (1 pass):   p50 ${percentile(n, 0.5).toFixed(2)} ms, p99 ${percentile(n, 0.99).toFixed(2)} ms  (p50 x${(percentile(o, 0.5) / percentile(n, 0.5)).toFixed(1)})\n` +
      `  same answer (index and in-cone flag): ${same}/${queries.length}${mismatches.length ? '  MISMATCH: ' + mismatches.slice(0, 5).join('; ') : ''}\n` +
      `  rows a query past the partial sum (full dot product): ${(fullRows / queries.length).toFixed(0)} of ${pool.usableCount}; recomputed with the reference arithmetic: ${(referenceRows / queries.length).toFixed(1)}\n` +
      `  pool preparation, once (a fresh build of the same pool): ${prep}`,
  );
  if (mismatches.length) process.exitCode = 1;
}

/** hysac-mini's geometry, on clustered random points. */
function synthetic(manifest: Manifest): { pool: SafePool; queries: Float32Array[] } {
  const D = 64;
  const r = rng(64);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const unit = (v: Float64Array): Float64Array => {
    const n = Math.hypot(...v);
    return v.map((a) => a / n);
  };
  const centres = Array.from({ length: 40 }, () => unit(Float64Array.from({ length: D }, gauss)));
  const sc = Math.sqrt(manifest.curvature);
  const data = new Float32Array(ROWS * D);
  for (let i = 0; i < ROWS; i++) {
    const centre = centres[Math.floor(r() * centres.length)];
    const dir = unit(centre.map((a) => a + 0.35 * gauss() / Math.sqrt(D)));
    const dist = 0.5 + 2.9 * r(); // geodesic distance from the origin (hysac-mini: 1 % below 0.55); text threshold 3.195
    const radius = Math.sinh(sc * dist) / sc;
    for (let j = 0; j < D; j++) data[i * D + j] = radius * dir[j];
  }
  const pool = makePool({ data, rows: ROWS, dim: D }, manifest);
  const queries = Array.from({ length: QUERIES }, (_, k) => {
    // even: near a centre (cones along it contain the traversed point); odd: anywhere (often the fallback)
    const dir = k % 2 === 0 ? unit(centres[k % centres.length].map((a) => a + 0.35 * gauss() / Math.sqrt(D))) : unit(Float64Array.from({ length: D }, gauss));
    const radius = Math.sinh(sc * 3.4) / sc;
    return Float32Array.from(dir, (a) => a * radius);
  });
  return { pool, queries };
}

/** `--gateways A,B`: end-to-end redirect RETRIEVE latency of two builds, alternating (A B, B A, ...). */
async function gateways(dirs: string[], bundleDir: string): Promise<void> {
  const poolFile = path.join(os.tmpdir(), 'hysac-bench-pool-100k.txt'); // run-bench.ts section 5's pool
  writePoolFile(poolFile, 100_000);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-retrieve-'));
  const env = { CACHE_DIR: cacheDir, REDIRECT_POOL: poolFile, MODEL_DIR: bundleDir };
  const texts = unsafePairPrompts();
  if (!texts.length) throw new Error('--gateways needs ../shared/eval/paired_unsafe_safe');
  const res = new Map<string, { p50: number[]; p99: number[]; classifyP50: number[]; readyMs: number[] }>(dirs.map((d) => [d, { p50: [], p99: [], classifyP50: [], readyMs: [] }]));
  let cold = true; // the first start embeds the pool: left out of the start-up median
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const dir of r % 2 === 0 ? dirs : [...dirs].reverse()) {
        const s = await startServer({ command: [path.join(dir, 'dist/src/cli.js'), 'serve', '--port', '$PORT'], cwd: dir, env, timeoutMs: 1_800_000 });
        try {
          const verdicts = await httpPostJson(`${s.url}/graphql`, { query: 'query($i: [ContentInput!]!) { classifyMany(inputs: $i) { unsafe } }', variables: { i: texts.map((text) => ({ text })) } });
          const flags = (verdicts.body.data?.classifyMany ?? []) as { unsafe: boolean }[];
          const unsafe = texts.filter((_, i) => flags[i]?.unsafe);
          const bodies = unsafe.map((t) => JSON.stringify({ query: REDIRECT, variables: { t, s: 'RETRIEVE' } }));
          for (const b of bodies.slice(0, 10)) await httpPostJson(`${s.url}/graphql`, JSON.parse(b)); // warm-up
          const red = await drive(s.url, bodies, { connections: 1, amount: bodies.length * 3 });
          const cls = await drive(s.url, unsafe.map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } })), { connections: 1, amount: unsafe.length * 3 });
          const e = res.get(dir)!;
          e.p50.push(red.p50);
          e.p99.push(red.p99);
          e.classifyP50.push(cls.p50);
          if (!cold) e.readyMs.push(s.readyMs);
          cold = false;
          console.log(`round ${r} ${dir}: RETRIEVE p50 ${red.p50.toFixed(2)} ms, p99 ${red.p99.toFixed(2)} ms (classify p50 ${cls.p50.toFixed(2)} ms; ${unsafe.length} unsafe prompts x 3); spawn -> ready ${(s.readyMs / 1000).toFixed(2)} s`);
        } finally {
          await s.stop();
        }
      }
    }
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  for (const [dir, e] of res) {
    console.log(`${dir}: median of ${e.p50.length} rounds: RETRIEVE p50 ${median(e.p50).toFixed(2)} ms, p99 ${median(e.p99).toFixed(2)} ms; classify p50 ${median(e.classifyP50).toFixed(2)} ms; spawn -> ready ${(median(e.readyMs) / 1000).toFixed(2)} s (cache warm)`);
  }
  console.log(`load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus()[0]?.model}, ${os.availableParallelism()} cores, Node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const bundleDir = args.bundle === 'none' ? null : path.resolve(args.bundle ?? defaultModelDir());
  if (args.gateways) return gateways(args.gateways.split(',').map((d) => path.resolve(d)), bundleDir ?? defaultModelDir());
  const bundle = bundleDir ? await loadBundle(bundleDir) : null;
  const manifest =
    bundle?.manifest ??
    ({ curvature: 0.254339, coneK: 0.1, bounds: { safeText: { p95: 2.747 }, safeImage: { p95: 1.049 } }, threshold: { text: 3.195, image: 1.974 } } as unknown as Manifest);

  const s = synthetic(manifest);
  compare(`synthetic (c = ${manifest.curvature}, K = ${manifest.coneK})`, s.pool, manifest, s.queries);

  if (bundle) {
    const runtime = await ModelRuntime.start(bundle, { workers: Math.min(2, os.availableParallelism()), intraOpThreads: 1, executionProviders: ['cpu'], batchMaxSize: 256, batchMaxWaitMs: 1, inferenceTimeoutMs: 600_000 });
    try {
      const poolFile = path.join(os.tmpdir(), 'hysac-bench-pool-100k.txt'); // run-bench.ts section 5's pool
      writePoolFile(poolFile, 100_000);
      const texts = readPoolFile(poolFile).slice(0, ROWS);
      const t0 = performance.now();
      const dim = manifest.embeddingDim;
      const data = new Float32Array(texts.length * dim);
      const chunk = 1024;
      const jobs: Promise<void>[] = [];
      for (let i = 0; i < texts.length; i += chunk) {
        const start = i;
        jobs.push(runtime.embedTexts(texts.slice(start, start + chunk)).then((rows) => rows.forEach((v, j) => data.set(v, (start + j) * dim))));
      }
      await Promise.all(jobs);
      console.log(`(embedded ${texts.length} pool prompts with ${manifest.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const pool = makePool({ data, rows: texts.length, dim }, manifest);
      const pairs = unsafePairPrompts();
      const qTexts = (pairs.length ? pairs : generatePrompts(QUERIES, 99)).slice(0, QUERIES);
      const queries = await runtime.embedTexts(qTexts);
      compare(`${manifest.name} (${pairs.length ? 'unsafe pair prompts' : 'generated prompts'} as queries)`, pool, manifest, queries);
    } finally {
      await runtime.close(0);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
