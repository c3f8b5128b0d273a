import {
  ANGLE_EPS,
  coneDecision,
  coneIndex,
  cosExteriorFromInner,
  cosHalfApertureFromNorm,
  coshDistanceFromInner,
  defaultAxesCount,
  distance,
  distancesTo,
  dot,
  entailedBy,
  exteriorAngle,
  halfAperture,
  halfApertureFromNorm,
  matrixFromRows,
  nearestInCone,
  norm,
  prepareRows,
  prepareSearch,
  principalAxes,
  sqNorm,
  timeComponent,
  timeComponents,
  type ConeIndex,
  type Matrix,
} from '../../src/geometry';
import { mulberry32, randomVector, type Rng } from '../helpers/prng';
import { construct, constructedAngles, CURVS, expectClose, randFrame } from './helpers';

/** A ConeIndex with stage 1 (the principal axes) as the pool gets it, or without (axes = 0). */
function index(m: Matrix, c: number, K: number, axes?: number): ConeIndex {
  return coneIndex(prepareSearch(prepareRows(m, c), axes), K);
}

/**
 * The reference: what redirect.ts did before the kernel. Cone flags from entailedBy, distances from distancesTo
 * (with precomputed time components, as PointSet), the first strict minimum (lowest index on ties) of each.
 */
function reference(point: ArrayLike<number>, m: Matrix, c: number, K: number, keep?: Uint8Array): { inCone: number; inConeDistance: number; nearest: number; nearestDistance: number } {
  const flags = entailedBy(point, m, c, K);
  const d = distancesTo(point, m, c, timeComponents(m, c));
  let inCone = -1;
  let nearest = -1;
  for (let i = 0; i < m.rows; i++) {
    if (keep && keep[i] !== 1) continue;
    if (nearest < 0 || d[i] < d[nearest]) nearest = i;
    if (flags[i] === 1 && (inCone < 0 || d[i] < d[inCone])) inCone = i;
  }
  return { inCone, inConeDistance: inCone < 0 ? NaN : d[inCone], nearest, nearestDistance: nearest < 0 ? NaN : d[nearest] };
}

function expectSame(point: ArrayLike<number>, ix: ConeIndex, K: number, keep?: Uint8Array): ReturnType<typeof nearestInCone> {
  const got = nearestInCone(point, ix, keep);
  const want = reference(point, ix.matrix, ix.c, K, keep);
  expect({ inCone: got.inCone, nearest: got.nearest }).toEqual({ inCone: want.inCone, nearest: want.nearest });
  expect(Object.is(got.inConeDistance, want.inConeDistance)).toBe(true);
  expect(Object.is(got.nearestDistance, want.nearestDistance)).toBe(true);
  return got;
}

/**
 * Rows clustered around a few directions inside a `rank`-dimensional subspace (so the principal axes carry most
 * of the norm, as with embeddings), at geodesic distances from the origin in [0.3, 2.5]/sqrt(c).
 */
function clusteredRows(rng: Rng, n: number, D: number, c: number, rank: number, centres: number[][]): number[][] {
  const sc = Math.sqrt(c);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const centre = centres[Math.floor(rng() * centres.length)];
    const noise = randomVector(rng, D, 0.4);
    const v = centre.map((a, j) => a + (j < rank ? noise[j] : 0.05 * noise[j]));
    const r = Math.sinh(sc * (0.3 + 2.2 * rng())) / sc;
    const n0 = Math.hypot(...v);
    rows.push(v.map((a) => (a / n0) * r));
  }
  return rows;
}

describe('cosHalfApertureFromNorm', () => {
  it('is cos(aper) at hand values, the cap and K = 0', () => {
    // c = 1, |x| = 0.5, K = 0.1: b = 0.4
    expectClose(cosHalfApertureFromNorm(0.5, 1, 0.1), Math.sqrt(1 - 0.16), 1e-15);
    // c = 4, |x| = 1, K = 0.2: b = 0.2
    expectClose(cosHalfApertureFromNorm(1, 2, 0.2), Math.sqrt(1 - 0.04), 1e-15);
    // sqrt(c)|x| = 4K: b = 1/2, cos = sqrt(3)/2
    expectClose(cosHalfApertureFromNorm(0.4 / Math.sqrt(2.3), Math.sqrt(2.3), 0.1), Math.sqrt(3) / 2, 1e-15);
    // the cap (|x| = 0, and sqrt(c)|x| <= 2K): b = 1 - ANGLE_EPS, cos = sqrt(ANGLE_EPS (2 - ANGLE_EPS)) ~ 1.414e-6
    const hi = 1 - ANGLE_EPS; // 1 - b is exactly 1e-12 to within the rounding of hi (~1e-4 relative)
    expectClose(cosHalfApertureFromNorm(0, 1, 0.1), Math.sqrt((1 - hi) * (1 + hi)), 1e-15);
    expectClose(cosHalfApertureFromNorm(0, 1, 0.1), Math.sqrt(2e-12), 2e-4);
    expect(cosHalfApertureFromNorm(0.1, 1, 0.1)).toBe(cosHalfApertureFromNorm(0, 1, 0.1));
    expectClose(cosHalfApertureFromNorm(0, 1, 0.1), Math.cos(halfApertureFromNorm(0, 1, 0.1)), 1e-9);
    // K = 0: aper = 0, cos = 1
    expect(cosHalfApertureFromNorm(3, 1, 0)).toBe(1);
  });

  it('equals cos(halfAperture) for random norms, curvatures and K', () => {
    const rng = mulberry32(71);
    for (let k = 0; k < 2000; k++) {
      const c = CURVS[k % CURVS.length];
      const K = [0, 0.05, 0.1, 0.4][k % 4];
      const nx = 10 ** (-3 + 6 * rng());
      const want = Math.cos(halfAperture([nx], c, K));
      // cos near the cap is ill-conditioned in the angle: compare with the angle's rounding (1e-16) as the scale
      expectClose(cosHalfApertureFromNorm(nx, Math.sqrt(c), K), want, 1e-14, 1e-15);
    }
  });

  it('comparing cosines decides acos(a) <= asin(b) as comparing the angles does', () => {
    const rng = mulberry32(72);
    let agreements = 0;
    for (let k = 0; k < 20000; k++) {
      const nx = 10 ** (-2 + 3 * rng());
      const aper = halfApertureFromNorm(nx, 1, 0.1);
      const a = Math.cos(aper + (rng() - 0.5) * 10 ** (-16 * rng())); // angles at and around the boundary
      const byAngle = Math.acos(a) <= aper;
      const byCos = a >= cosHalfApertureFromNorm(nx, 1, 0.1);
      // they can differ only in the last ulps (acos, asin and the cosine are each rounded); the kernel sends
      // such rows to the reference arithmetic (ANGLE_SLACK)
      if (byAngle !== byCos) expect(Math.abs(a - cosHalfApertureFromNorm(nx, 1, 0.1))).toBeLessThan(1e-15);
      else agreements++;
    }
    expect(agreements).toBeGreaterThan(15000);
  });
});

describe('the kernel formulas', () => {
  it('w = c (x_t q_t - x.q) is cosh(sqrt(c) d) and the cosine is cos(exteriorAngle) on constructed angles', () => {
    for (const { c, B, phi, x, y } of constructedAngles(mulberry32(73))) {
      const xt = timeComponent(x, c);
      const qt = timeComponent(y, c);
      const w = coshDistanceFromInner(c, xt, qt, dot(x, y));
      expectClose(w, Math.cosh(B), 1e-11);
      expectClose(w, Math.cosh(Math.sqrt(c) * distance(x, y, c)), 1e-11);
      const cosExt = cosExteriorFromInner(c, xt, sqNorm(x), norm(x), dot(x, y), qt, w);
      expectClose(cosExt, Math.cos(phi), 0, 1e-9);
      expectClose(cosExt, Math.cos(exteriorAngle(x, y, c)), 0, 1e-9);
    }
  });

  it('hand cases: the right angle, and points on the ray from the origin (cos = 1 beyond x, -1 before)', () => {
    // c = 1, x = (sinh 1, 0), y = (cosh 1 sinh 1, sinh 1): d = 1, exterior angle pi/2 (entailment.test.ts)
    const x = [Math.sinh(1), 0];
    const y = [Math.cosh(1) * Math.sinh(1), Math.sinh(1)];
    const w = coshDistanceFromInner(1, timeComponent(x, 1), timeComponent(y, 1), dot(x, y));
    expectClose(w, Math.cosh(1), 1e-14);
    expectClose(cosExteriorFromInner(1, timeComponent(x, 1), sqNorm(x), norm(x), dot(x, y), timeComponent(y, 1), w), 0, 0, 1e-14);
    for (const c of CURVS) {
      const p = [0.3, -0.4];
      for (const [f, want] of [
        [3, 1],
        [0.2, -1],
      ]) {
        const q = p.map((a) => a * f);
        const wq = coshDistanceFromInner(c, timeComponent(p, c), timeComponent(q, c), dot(p, q));
        expectClose(wq, Math.cosh(Math.sqrt(c) * distance(p, q, c)), 1e-13);
        expectClose(cosExteriorFromInner(c, timeComponent(p, c), sqNorm(p), norm(p), dot(p, q), timeComponent(q, c), wq), want, 0, 1e-12);
      }
    }
  });
});

describe('prepareRows, principalAxes, prepareSearch', () => {
  it('prepareRows: time components bit for bit timeComponents, |x|^2 and |x| as sqNorm and norm', () => {
    const rng = mulberry32(74);
    const rows = Array.from({ length: 50 }, () => randomVector(rng, 17, 5 * rng()));
    rows.push(new Array(17).fill(0));
    const m = matrixFromRows(rows);
    for (const c of CURVS) {
      const p = prepareRows(m, c);
      expect(p.times).toEqual(timeComponents(m, c));
      for (let i = 0; i < m.rows; i++) {
        const r = m.data.subarray(i * 17, (i + 1) * 17);
        expect(p.sqNorms[i]).toBe(sqNorm(r));
        expect(p.norms[i]).toBe(norm(r));
      }
    }
  });

  it('principalAxes recovers the directions of a known second moment, orthonormal to rounding', () => {
    const rng = mulberry32(75);
    const D = 12;
    // orthonormal u_0..u_{D-1} by Gram-Schmidt on random vectors; rows = sum_k s_k g_k u_k with s decreasing
    const u: number[][] = [];
    while (u.length < D) {
      let v = randomVector(rng, D, 1);
      for (const b of u) {
        const p = dot(v, b);
        v = v.map((a, j) => a - p * b[j]);
      }
      const n = Math.hypot(...v);
      u.push(v.map((a) => a / n));
    }
    const scales = Array.from({ length: D }, (_, k) => 2 ** -k);
    const rows = Array.from({ length: 20000 }, () => {
      const g = randomVector(rng, D, Math.sqrt(D)); // ~unit variance per coordinate
      const out = new Array(D).fill(0);
      for (let k = 0; k < D; k++) for (let j = 0; j < D; j++) out[j] += scales[k] * g[k] * u[k][j];
      return out;
    });
    const axes = principalAxes(matrixFromRows(rows), 4);
    for (let a = 0; a < 4; a++) {
      const row = axes.subarray(a * D, (a + 1) * D);
      expect(Math.abs(dot(row, u[a]))).toBeGreaterThan(0.99);
      for (let b = 0; b <= a; b++) expectClose(dot(row, axes.subarray(b * D, (b + 1) * D)), a === b ? 1 : 0, 0, 1e-14);
    }
  });

  it('principalAxes: no rows or a NaN give the coordinate axes; count is checked', () => {
    expect(Array.from(principalAxes({ data: new Float32Array(0), rows: 0, dim: 3 }, 2))).toEqual([1, 0, 0, 0, 1, 0]);
    const withNaN = matrixFromRows([
      [1, 2, 3],
      [NaN, 0, 0],
    ]);
    expect(Array.from(principalAxes(withNaN, 1))).toEqual([1, 0, 0]);
    expect(() => principalAxes(withNaN, 4)).toThrow(RangeError);
    expect(defaultAxesCount(64)).toBe(16);
    expect(defaultAxesCount(16)).toBe(4);
    expect(defaultAxesCount(8)).toBe(0);
  });

  it('prepareSearch: heads are the projections (float32), tails bound the rest of the norm', () => {
    const rng = mulberry32(76);
    const D = 64;
    const centres = Array.from({ length: 5 }, () => randomVector(rng, D, 1));
    const m = matrixFromRows(clusteredRows(rng, 3000, D, 1, 20, centres));
    const s = prepareSearch(prepareRows(m, 1));
    const [h, h1] = [s.axesCount, s.firstAxes];
    expect([h, h1]).toEqual([16, 8]);
    for (let i = 0; i < m.rows; i += 7) {
      const x = m.data.subarray(i * D, (i + 1) * D);
      const proj = new Float64Array(D);
      for (let a = 0; a < h; a++) {
        const axis = s.axes.subarray(a * D, (a + 1) * D);
        const v = dot(axis, x);
        expectClose(a < h1 ? s.heads1[i * h1 + a] : s.heads2[i * (h - h1) + a - h1], v, 0, 1e-7 * norm(x));
        for (let j = 0; j < D; j++) proj[j] += v * axis[j];
        if (a === h1 - 1 || a === h - 1) {
          const rest = Math.hypot(...Array.from(x, (b, j) => b - proj[j]));
          const tail = a < h1 ? s.tails1[i] : s.tails2[i];
          expect(tail).toBeGreaterThanOrEqual(rest);
          expect(tail).toBeLessThan(rest + 2e-3 * norm(x) + 1e-300);
        }
      }
    }
    expect(s.tails2[0]).toBeLessThan(s.tails1[0]);
    // small dimensions: one step, or no stage 1
    expect(prepareSearch(prepareRows(matrixFromRows([[1, 2, 3, 4, 5, 6]]), 1), 4).firstAxes).toBe(4);
    expect(prepareSearch(prepareRows(matrixFromRows([[1, 2, 3]]), 1)).axesCount).toBe(0);
  });
});

describe('nearestInCone', () => {
  it('picks the same rows and distances as entailedBy + distancesTo on random pools (with and without stage 1)', () => {
    const rng = mulberry32(77);
    let inConeQueries = 0;
    let fallbackQueries = 0;
    for (const c of CURVS) {
      for (const [D, rank] of [
        [3, 3],
        [16, 6],
        [64, 12],
      ]) {
        const K = [0.1, 0.05][D % 2];
        const centres = Array.from({ length: 6 }, () => {
          const v = randomVector(rng, rank, 1);
          return Array.from({ length: D }, (_, j) => (j < rank ? v[j] : 0));
        });
        const m = matrixFromRows(clusteredRows(rng, 1500, D, c, rank, centres));
        const keep = Uint8Array.from({ length: m.rows }, () => (rng() < 0.9 ? 1 : 0));
        const withStage1 = index(m, c, K);
        const without = index(m, c, K, 0);
        expect(withStage1.axesCount).toBe(defaultAxesCount(D));
        const sc = Math.sqrt(c);
        for (let k = 0; k < 30; k++) {
          // along a centre, further out (often inside cones), or anywhere (often the fallback)
          const dir = k % 2 === 0 ? centres[k % centres.length].map((a, j) => a + 0.2 * randomVector(rng, D, 1)[j]) : randomVector(rng, D, 1);
          const n0 = Math.hypot(...dir);
          const q = dir.map((a) => (a / n0) * (Math.sinh(sc * (0.5 + 2.5 * rng())) / sc));
          const got = expectSame(q, withStage1, K, keep);
          expectSame(q, without, K, keep);
          expectSame(q, withStage1, K);
          if (got.inCone >= 0) inConeQueries++;
          else fallbackQueries++;
          expect(got.referenceRows).toBeLessThan(60);
        }
      }
    }
    // both outcomes were exercised
    expect(inConeQueries).toBeGreaterThan(40);
    expect(fallbackQueries).toBeGreaterThan(40);
  });

  it('stage 1 skips most rows of an anisotropic pool', () => {
    const rng = mulberry32(78);
    const D = 64;
    const centres = Array.from({ length: 4 }, () => {
      const v = randomVector(rng, 8, 1);
      return Array.from({ length: D }, (_, j) => (j < 8 ? v[j] : 0));
    });
    const m = matrixFromRows(clusteredRows(rng, 5000, D, 1, 8, centres));
    const ix = index(m, 1, 0.1);
    let full = 0;
    for (let k = 0; k < 20; k++) full += expectSame(randomVector(rng, D, 3), ix, 0.1).fullRows;
    expect(full / 20).toBeLessThan(0.25 * m.rows);
  });

  it('edge cases: query at the origin, rows at and near the origin (aperture capped), the query itself, its ray', () => {
    const rng = mulberry32(79);
    for (const c of CURVS) {
      for (const D of [2, 16, 64]) {
        const K = 0.1;
        const sc = Math.sqrt(c);
        const centres = [randomVector(rng, D, 1), randomVector(rng, D, 1)];
        const rows = clusteredRows(rng, 400, D, c, D, centres);
        const q = centres[0].map((a) => (a * Math.sinh(sc * 1.5)) / sc);
        const e = randomVector(rng, D, 1);
        rows.push(new Array(D).fill(0)); // the origin: contains nothing
        rows.push(e.map((a) => a * 1e-9)); // capped aperture, just off the origin
        rows.push(e.map((a) => (a * 2 * K * (1 - 1e-12)) / sc)); // sqrt(c)|x| just below 2K: capped
        rows.push(e.map((a) => (a * 2 * K * (1 + 1e-12)) / sc)); // just above: not capped
        rows.push(q.slice()); // the query itself: w = 1, decided by the reference
        rows.push(q.map((a) => a * (1 + 1e-9))); // a near-duplicate
        for (const f of [0.1, 0.5, 0.9]) rows.push(q.map((a) => a * f)); // on the query's ray: contain it
        const m = matrixFromRows(rows);
        const ix = index(m, c, K);
        const got = expectSame(q, ix, K);
        expect(got.inCone).toBeGreaterThanOrEqual(0);
        expectSame(new Float64Array(D), ix, K); // query at the origin
        expectSame(rows[rows.length - 4], ix, K); // a row as query
        expectSame(e.map((a) => a * 1e-9), ix, K);
        // only near-origin rows: every cone capped just below a half-space
        const near = matrixFromRows([new Array(D).fill(0), e.map((a) => a * 1e-9), e.map((a) => (-a * 2 * K) / sc), randomVector(rng, D, (0.5 * K) / sc)]);
        for (let k = 0; k < 10; k++) expectSame(randomVector(rng, D, 2 * rng()), index(near, c, K), K);
      }
    }
  });

  it('cone boundary: queries at exterior angles within 1e-6 of the aperture', () => {
    const rng = mulberry32(80);
    const decisions = [0, 0, 0];
    for (const c of CURVS) {
      for (const D of [16, 64]) {
        for (let k = 0; k < 27; k++) {
          const [f1, f2] = randFrame(rng, D);
          // The apex as the pool stores it (float32), and the frame rebuilt from it, so that the angle is exact
          // for the stored row: e1 = x32/|x32|, A = asinh(sqrt(c)|x32|).
          const x32 = Array.from(Float32Array.from(construct(c, 0.02 + 2.5 * rng(), 1, 0, f1, f2).x));
          const n32 = norm(x32);
          const e1 = x32.map((a) => a / n32);
          const p = dot(f2, e1);
          const e2u = f2.map((a, j) => a - p * e1[j]);
          const e2 = e2u.map((a) => a / norm(e2u));
          const K = 0.1;
          const aper = halfAperture(x32, c, K);
          const delta = [0, 1e-15, -1e-15, 1e-13, -1e-13, 1e-10, -1e-10, 1e-6, -1e-6][k % 9];
          const { y } = construct(c, Math.asinh(Math.sqrt(c) * n32), 0.1 + 2 * rng(), aper + delta, e1, e2);
          const x = x32;
          // The decision in cosine space: when it decides (0 or 1) it is entails()'s answer; it leaves only the
          // last digits to the reference (2), not 1e-6 rad.
          const xt = timeComponent(x, c);
          const qt = timeComponent(y, c);
          const w = coshDistanceFromInner(c, xt, qt, dot(x, y));
          const tau = 64 * (D + 8) * 2 ** -53 * c * (xt + qt) ** 2;
          const ca = cosHalfApertureFromNorm(norm(x), Math.sqrt(c), K);
          const decision = coneDecision(cosExteriorFromInner(c, xt, sqNorm(x), norm(x), dot(x, y), qt, w), ca, w, tau);
          decisions[decision]++;
          if (decision !== 2) expect(decision).toBe(entailedBy(y, matrixFromRows([x]), c, K)[0]);
          if (Math.abs(delta) >= 1e-6) expect(decision).toBe(delta < 0 ? 1 : 0);
          // The boundary row as the nearest row, after others farther away, so that the answer depends on it.
          const rows = [...Array.from({ length: 30 }, () => randomVector(rng, D, 3 + 3 * rng())), x];
          expectSame(y, index(matrixFromRows(rows), c, K), K);
        }
      }
    }
    expect(decisions[0]).toBeGreaterThan(0);
    expect(decisions[1]).toBeGreaterThan(0);
    expect(decisions[2]).toBeGreaterThan(0);
  });

  it('ties go to the lowest index: duplicate rows, and mirror images at equal distance', () => {
    const rng = mulberry32(81);
    for (const c of CURVS) {
      const D = 16;
      const base = randomVector(rng, D, 0.3);
      const rows = Array.from({ length: 200 }, () => randomVector(rng, D, 2 + rng()));
      rows.splice(37, 0, base.slice());
      rows.splice(90, 0, base.slice());
      rows.push(base.slice());
      const m = matrixFromRows(rows);
      const q = base.map((a) => a * 4);
      const got = expectSame(q, index(m, c, 0.1), 0.1);
      expect(got.inCone).toBe(37);
      // q on an axis of symmetry: rows swapped in two coordinates are at exactly the same distance in exact
      // arithmetic, but their sums round differently
      const sym = Array.from({ length: D }, (_, j) => (j < 2 ? 1.3 : 0.2 * j));
      const mirrorRows: number[][] = [];
      for (let k = 0; k < 100; k++) {
        const r = randomVector(rng, D, 0.5 + rng());
        mirrorRows.push(r, [r[1], r[0], ...r.slice(2)]);
      }
      const mm = matrixFromRows(mirrorRows);
      for (const f of [0.5, 1, 3]) expectSame(sym.map((a) => a * f), index(mm, c, 0.1), 0.1);
    }
  });

  it('NaN and infinite rows and points: the reference answers (a NaN chord counts as distance 0 there)', () => {
    const rng = mulberry32(83);
    const D = 16;
    const rows = Array.from({ length: 100 }, () => randomVector(rng, D, 1 + rng()));
    const q = randomVector(rng, D, 2);
    const nanRow = new Array(D).fill(NaN);
    const infRow = [Infinity, ...new Array(D - 1).fill(0)];
    for (const odd of [nanRow, infRow]) {
      for (const m of [matrixFromRows([odd, ...rows]), matrixFromRows([...rows.slice(0, 50), odd, ...rows.slice(50)])]) {
        const ix = index(m, 1, 0.1);
        expectSame(q, ix, 0.1);
        expectSame(new Array(D).fill(NaN), ix, 0.1);
        expectSame([Infinity, ...new Array(D - 1).fill(0)], ix, 0.1);
      }
    }
    // (the quirk: the reference's chordSqFromSums clamps a NaN chord to 0, so a NaN row is "at distance 0";
    // redirect never meets one: loadSafePool marks a row with a NaN distance from the origin unusable)
    expect(nearestInCone(q, index(matrixFromRows([...rows.slice(0, 50), nanRow, ...rows.slice(50)]), 1, 0.1)).nearest).toBe(50);
  });

  it('keep: rows not kept are never chosen; nothing kept gives -1', () => {
    const rng = mulberry32(82);
    const m = matrixFromRows(Array.from({ length: 300 }, () => randomVector(rng, 16, 1 + rng())));
    const ix = index(m, 1, 0.1);
    const q = randomVector(rng, 16, 2);
    const all = nearestInCone(q, ix);
    const keep = new Uint8Array(300).fill(1);
    keep[all.nearest] = 0;
    const got = expectSame(q, ix, 0.1, keep);
    expect(got.nearest).not.toBe(all.nearest);
    expect(nearestInCone(q, ix, new Uint8Array(300))).toEqual({ inCone: -1, inConeDistance: NaN, nearest: -1, nearestDistance: NaN, fullRows: 0, referenceRows: 0 });
  });

  it('validates shapes and K', () => {
    const m = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    const ix = index(m, 1, 0.1);
    expect(() => nearestInCone([1, 2, 3], ix)).toThrow(RangeError);
    expect(() => nearestInCone([1, 2], ix, new Uint8Array(3))).toThrow(RangeError);
    expect(() => coneIndex(prepareSearch(prepareRows(m, 1)), -1)).toThrow(RangeError);
    expect(() => prepareRows(m, 0)).toThrow(RangeError);
  });
});
