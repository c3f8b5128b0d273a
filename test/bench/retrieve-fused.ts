/**
 * A PROPOSAL, measured here, for src/safety/redirect.ts `retrieveSafe` (not used by the gateway): the same
 * RETRIEVE decision in one pass over the pool with no transcendental function per row.
 *
 * retrieveSafe today makes two or three passes over the pool (entailedBy, then nearest with a filter, then
 * nearest again when no cone contains the point), each computing acos/asin (cone test) or asinh (distance) per
 * row, allocating a Float64Array per pass and calling a filter closure per row. Equivalent and cheaper:
 *   - distance is monotone in the squared chord s (distanceFromChordSq), so the nearest row is the row with the
 *     smallest s: rank by s, take asinh once for the winner;
 *   - acos is decreasing and asin increasing, so ext(x, q) <= aper(x) iff clamp(cos ext) >= cos(aper(x)) =
 *     sqrt(1 - clamp(2K / (sqrt(c)|x|))^2), a per-row constant computed once when the pool is loaded;
 *   - the in-cone winner and the overall winner (the fallback) come out of the same pass.
 * Per row that leaves the three dot-product sums of today's kernels, one sqrt and a division.
 *
 * `npx tsx test/bench/retrieve-fused.ts` checks it against retrieveSafe on random pools and queries (D = 16 and
 * 64, 100,000 rows) and times both.
 */
import { chordSqFromSums, distanceFromChordSq, traverseToDistance } from '../../src/geometry';
import { ANGLE_EPS, SINH_SQ_MIN } from '../../src/geometry/entailment';
import type { Manifest } from '../../src/runtime/manifest-types';
import type { SafePool } from '../../src/safety/pool';
import { retrieveSafe, safeBound } from '../../src/safety/redirect';
import { PointSet } from '../../src/safety/index-matrix';
import type { ModalityName } from '../../src/safety/verdict';

/** Per-row constants of a pool, computed once: |x|^2, 1/|x|, cos(aperture). */
interface PoolPrep {
  xx: Float64Array;
  invNorm: Float64Array;
  cosAper: Float64Array;
}
const preps = new WeakMap<SafePool, PoolPrep>();

function prepare(pool: SafePool, c: number, K: number): PoolPrep {
  let p = preps.get(pool);
  if (p) return p;
  const { data, rows, dim } = pool.points.matrix;
  const xx = new Float64Array(rows);
  const invNorm = new Float64Array(rows);
  const cosAper = new Float64Array(rows);
  const sc = Math.sqrt(c);
  const hi = 1 - ANGLE_EPS;
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += data[base + j] * data[base + j];
    const n = Math.sqrt(ss);
    xx[i] = ss;
    invNorm[i] = n > 0 ? 1 / n : 0;
    let u = n === 0 ? 1 : (2 * K) / (sc * n);
    u = u > hi ? hi : u < -hi ? -hi : u; // the clamp of halfApertureFromNorm
    cosAper[i] = Math.sqrt(1 - u * u);
  }
  p = { xx, invNorm, cosAper };
  preps.set(pool, p);
  return p;
}

/**
 * `dotOnly`: one accumulator per row (x . q) instead of three, with s1 = |x|^2 - 2 x.q + |q|^2 and
 * s2 = |x|^2 - |q|^2 from per-row constants. Cheaper, but s1 cancels for rows within ~1e-7 of the query, so a
 * near-duplicate could rank differently from retrieveSafe's cancellation-free sums.
 */
export function retrieveFused(query: ArrayLike<number>, modality: ModalityName, pool: SafePool, manifest: Manifest, dotOnly = false): { index: number; text: string; entailed: boolean; distance: number } | null {
  if (pool.usableCount === 0) return null;
  const c = manifest.curvature;
  const q = traverseToDistance(query, safeBound(manifest, modality), c);
  const { data, rows, dim } = pool.points.matrix;
  const times = pool.points.times;
  const { xx, invNorm, cosAper } = prepare(pool, c, manifest.coneK);
  let qq = 0;
  for (let j = 0; j < dim; j++) qq += q[j] * q[j];
  const qt = Math.sqrt(1 / c + qq);
  const hi = 1 - ANGLE_EPS;
  let bestCone = -1;
  let bestConeS = Infinity;
  let bestAll = -1;
  let bestAllS = Infinity;
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    if (pool.usable[i] !== 1) continue;
    let s1 = 0;
    let s2 = 0;
    let xy = 0;
    if (dotOnly) {
      for (let j = 0; j < dim; j++) xy += data[base + j] * q[j];
      s1 = xx[i] - 2 * xy + qq;
      s2 = xx[i] - qq;
    } else {
      for (let j = 0; j < dim; j++) {
        const a = data[base + j];
        const b = q[j];
        const d = a - b;
        s1 += d * d;
        s2 += d * (a + b);
        xy += a * b;
      }
    }
    const xt = times[i];
    const s = chordSqFromSums(s1, s2, xt, qt);
    if (s < bestAllS) {
      bestAllS = s;
      bestAll = i;
    }
    if (s >= bestConeS) continue; // cannot win the cone race: skip the cone test
    // Cone test as in exteriorAngleFromSums, compared in cosine space.
    const x2 = xx[i];
    let inCone: boolean;
    if (!(x2 > 0)) inCone = Math.PI / 2 <= Math.asin(hi); // x = 0: angle pi/2 against the capped aperture
    else {
      const cs = c * s;
      const l2m1 = cs * (1 + 0.25 * cs);
      let cosExt = (c * (xt * xy - x2 * qt) * invNorm[i]) / Math.sqrt(l2m1 > SINH_SQ_MIN ? l2m1 : SINH_SQ_MIN);
      cosExt = cosExt > hi ? hi : cosExt < -hi ? -hi : cosExt;
      inCone = cosExt >= cosAper[i];
    }
    if (inCone) {
      bestConeS = s;
      bestCone = i;
    }
  }
  const entailed = bestCone >= 0;
  const index = entailed ? bestCone : bestAll;
  return { index, text: pool.texts[index], entailed, distance: distanceFromChordSq(entailed ? bestConeS : bestAllS, Math.sqrt(c)) };
}

function main(): void {
  const rnd = (seed: number) => {
    let a = seed >>> 0;
    return () => ((a = (Math.imul(a, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  };
  for (const D of [16, 64]) {
    const N = 100_000;
    const r = rnd(D);
    // Clustered points at several radii, so that some cones contain the traversed queries and some do not.
    const data = new Float32Array(N * D);
    for (let i = 0; i < N; i++) {
      const radius = 0.05 + 0.6 * r();
      let ss = 0;
      const row = data.subarray(i * D, (i + 1) * D);
      for (let j = 0; j < D; j++) ss += (row[j] = r() - 0.5 + (j < 3 ? 0.8 : 0)) ** 2;
      for (let j = 0; j < D; j++) row[j] *= radius / Math.sqrt(ss);
    }
    const points = new PointSet({ data, rows: N, dim: D }, 1);
    const usable = new Uint8Array(N).map(() => (r() < 0.95 ? 1 : 0));
    const pool = { texts: Array.from({ length: N }, (_, i) => `p${i}`), points, distances: new Float64Array(N), usable, usableCount: usable.reduce((a, b) => a + b, 0), source: 'model', file: '' } as unknown as SafePool;
    const manifest = { curvature: 1, coneK: 0.1, bounds: { safeText: { p95: 0.6 }, safeImage: { p95: 0.7 } }, threshold: { text: 1.5, image: 1.4 } } as unknown as Manifest;
    // Half the queries along the cluster (cones contain them), half anywhere (often no cone: the fallback).
    const queries = Array.from({ length: 200 }, (_, k) => {
      const v = new Float32Array(D);
      for (let j = 0; j < D; j++) v[j] = (r() - 0.5) * 2 + (k % 2 === 0 && j < 3 ? 1 : 0);
      return v;
    });
    let agree = 0;
    let agreeDot = 0;
    let entailedCount = 0;
    for (const q of queries) {
      const a = retrieveSafe(q, 'TEXT', pool, manifest)!;
      const b = retrieveFused(q, 'TEXT', pool, manifest)!;
      const e = retrieveFused(q, 'TEXT', pool, manifest, true)!;
      if (a.index === b.index && a.entailed === b.entailed) agree++;
      if (a.index === e.index && a.entailed === e.entailed) agreeDot++;
      if (a.entailed) entailedCount++;
    }
    const time = (f: (q: Float32Array) => unknown): number => {
      for (let i = 0; i < 5; i++) f(queries[i]);
      const t = performance.now();
      for (const q of queries.slice(0, 50)) f(q);
      return (performance.now() - t) / 50;
    };
    const old = time((q) => retrieveSafe(q, 'TEXT', pool, manifest));
    const fused = time((q) => retrieveFused(q, 'TEXT', pool, manifest));
    const dot = time((q) => retrieveFused(q, 'TEXT', pool, manifest, true));
    console.log(`D=${D}, ${N} rows, ${queries.length} queries (${entailedCount} in a cone): retrieveSafe ${old.toFixed(2)} ms; fused ${fused.toFixed(2)} ms (x${(old / fused).toFixed(1)}, same answer ${agree}/${queries.length}); fused dot-only ${dot.toFixed(2)} ms (x${(old / dot).toFixed(1)}, same answer ${agreeDot}/${queries.length})`);
  }
}

if (require.main === module) main();
