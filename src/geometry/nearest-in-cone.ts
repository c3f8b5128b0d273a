/**
 * One pass over a pool of points for RETRIEVE (safety/redirect.ts): the nearest row whose entailment cone
 * contains a point, and the nearest row overall (the fallback), both by geodesic distance, without a
 * transcendental function per row, with the same answers as entailedBy + distancesTo.
 *
 * Same rule as lorentz.ts: inputs are space components x in R^D; the time component is sqrt(1/c + |x|^2).
 *
 * FORMULAS. Per row x (pool) and point q (query), with x_t, q_t the time components:
 *
 *   w = -c <x, q>_L = c (x_t q_t - x.q) = cosh(sqrt(c) d(x, q)) >= 1                    (coshDistanceFromInner)
 *
 * - Nearest: d(x, q) = acosh(w)/sqrt(c) is increasing in w, so the nearest row maximises <x, q>_L, i.e.
 *   minimises w: one dot product x.q per row, no acosh.
 * - Cone (entailment.ts): q is in the cone of x iff ext(x, q) <= aper(x), with
 *     cos ext(x, q) = c (x_t (x.q) - |x|^2 q_t) / (|x| sqrt(l^2 - 1)),  l^2 - 1 = w^2 - 1  (cosExteriorFromInner)
 *     aper(x) = asin(b),  b = clamp(2K / (sqrt(c)|x|))  (b = clamp(1) for |x| = 0).
 *   acos is decreasing and asin increasing on [-1, 1] (and the clamps are monotone), so
 *     acos(clamp(cos ext)) <= asin(b)  iff  clamp(cos ext) >= cos(asin(b)) = sqrt((1 - b)(1 + b)):
 *   no acos/asin per row. Per row x_t, |x|^2, |x| are precomputed when the pool is built (prepareRows) and
 *   cos(aper(x)) once per K (coneIndex; cosHalfApertureFromNorm, the same b as halfApertureFromNorm), which
 *   leaves the dot product, one sqrt, two divisions and a few flops. Edge cases as exteriorAngleFromSums: a row
 *   with |x| = 0 has angle pi/2 > aper, it contains nothing (stored as cos(aper) = +Infinity); nor does a NaN row.
 *
 * EARLY EXIT (stage 1, D >= 16). The pool is also projected on its first h = D/4 principal axes
 * (principal-axes.ts; orthonormal rows of A, h x D; `heads1`/`heads2`, float32).
 * x.q = (A x).(A q) + (x - A^T A x).(q - A^T A q),
 * so by Cauchy-Schwarz x.q <= xyHi = (A x).(A q) + tail(x) tail(q), from h products instead of D, in two steps
 * (the first h/2 axes, then the rest, each with its tail bound). From xyHi:
 *   - a lower bound of w: c (x_t q_t - xyHi);
 *   - an upper bound of cos ext: where its numerator is > 0, cos ext increases with x.q (numerator up, w down),
 *     so cos ext <= max(0, its value at xyHi);
 *   - the angle at the origin: the angles of the triangle O-x-q sum to less than pi and the one at x is
 *     pi - ext(x, q), so for q in the cone angle(x, q at O) <= ext(x, q) <= aper(x) (the angle at O is the
 *     Euclidean one between x and q), i.e. x.q >= |x||q| cos(aper(x)): a row with
 *     xyHi < |x||q| (cos(aper(x)) - band) is out, for a few multiplications.
 * A row whose lower bound of w cannot beat the running nearest row, and which cannot beat the running in-cone
 * row or is certainly outside the cone, is done; the others go on (to the second step, then to the full dot
 * product, stage 2). Embeddings keep most of their norm in a few directions, so few rows go on (hysac-mini,
 * 100,000 x 64: ~19 % after 8 products, ~1.7 % after 16).
 *
 * SAME ANSWERS AS THE REFERENCE. The reference is entailedBy (cone flags) + distancesTo (distances, from the
 * cancellation-free squared chord) + the first strict minimum of each (ties: the lowest index), which is what
 * redirect.ts did before this kernel. The fast w and cosine differ from the reference's values by rounding only,
 * and the kernel carries a bound on that difference. A row that the fast values do not settle for certain (it
 * may beat the current winner by less than the bound; its cosine is within the band of cos(aper); it nearly
 * coincides with q, w - 1 < NEAR_DUPLICATE_W) is recomputed with the reference's own arithmetic (rowPointSums:
 * the same loop, then chordSqFromSums, distanceFromChordSq, exteriorAngleFromSums, halfApertureFromNorm) and
 * compared exactly as the reference does, so the chosen rows, the in-cone flag and the distances are the
 * reference's, bit for bit. That takes every row that improves on the running winner (O(log n) in random order)
 * and the near-ties: a handful per query.
 *
 * The bound. With u = 2^-53 and T = c (x_t + q_t)^2 (which bounds c x_t q_t, c |x||q| and c |x - q|^2),
 * standard summation bounds give |w_fast - w*| <= (D + 8) u T / 4 and |w_ref - w*| <= 4 (D + 4) u T, w* the exact
 * value for the stored time components (those miss the hyperboloid by (D + 2) u x_t^2 at most). The kernel uses
 * tau = 64 (D + 8) u T, over 16 times the sum: "w_fast - tau >= w of the winner" then also leaves a relative gap
 * far above the last-ulp behaviour of asinh. For the cosine, the numerator's error is at most ~(D + 8) u T /
 * sqrt(w^2 - 1) and the denominator's relative error at most ~w tau / (w^2 - 1), each way, so the band is
 * tau (1 + (1 + 4 w) / (w^2 - 1)) + ANGLE_SLACK. Stage 1's own rounding: the float32 heads are within ~1.2e-7
 * |x||q| of the exact projection (HEAD_ERROR = 1e-6 |x||q| is added to xyHi) and the tails come from
 * |x|^2 - |A x|^2 with TAIL_MARGIN = 1e-6 |x|^2 added under the square root.
 */
import { ANGLE_EPS, cosHalfApertureFromNorm, exteriorAngleFromSums, halfApertureFromNorm, rowPointSums } from './entailment';
import { assertCurvature, assertMatrix, chordSqFromSums, distanceFromChordSq, sqNorm, type Matrix, type Vec } from './lorentz';
import { principalAxes } from './principal-axes';

/**
 * Below this w - 1 (w = cosh(sqrt(c) d), so sqrt(c) d < ~1.4e-3) a row nearly coincides with the point: the
 * fast form of w - 1 and of the cone's denominator sqrt(w^2 - 1) cancels, so the row is decided by the
 * reference arithmetic (which also keeps the reference's SINH_SQ_MIN clamp out of the fast path).
 */
export const NEAR_DUPLICATE_W = 1e-6;

/** Absolute slack of the cone band: acos, asin and the sqrt of cos(aper) are each within ~1 ulp (< 5e-16). */
export const ANGLE_SLACK = 1e-14;

/** Stage 1: bound of the error of the float32 head sum, relative to |x||q| (the error is below ~1.2e-7). */
export const HEAD_ERROR = 1e-6;

/** Stage 1: added to |x|^2 - |A x|^2, relative to |x|^2, before the square root of a tail norm (covers ~2.5e-7). */
export const TAIL_MARGIN = 1e-6;

/** u = 2^-53, the unit roundoff of float64. */
const UNIT_ROUNDOFF = 2 ** -53;

/** The angle-at-the-origin test is used where w - 1 >= this; there band <= tau (1 + 4 / 1e-3) + ANGLE_SLACK. */
const ANGLE_TEST_W = 1e-3;

/** Stage 1's number of principal axes for dimension D: D/4 (rounded up) for D >= 16, none below. */
export function defaultAxesCount(dim: number): number {
  return dim >= 16 ? Math.ceil(dim / 4) : 0;
}

/** Per-row constants of a pool that do not depend on K: computed once, when the pool is built. */
export interface PreparedRows {
  readonly matrix: Matrix;
  readonly c: number;
  /** x_t = sqrt(1/c + |x|^2), bit for bit timeComponents(matrix, c). */
  readonly times: Float64Array;
  /** |x|^2, summed in the same order as rowSqNorm (and entailedBy's loop). */
  readonly sqNorms: Float64Array;
  /** |x| = sqrt(|x|^2). */
  readonly norms: Float64Array;
}

/** PreparedRows plus stage 1's projection on the principal axes (K-independent; built once per pool). */
export interface SearchRows extends PreparedRows {
  /** h, the number of axes (0: no stage 1). */
  readonly axesCount: number;
  /** h1 <= h, the axes of stage 1's first step (h/2 rounded to a multiple of 4 for h >= 8, else h). */
  readonly firstAxes: number;
  /** The axes: h x D, orthonormal rows (principalAxes). */
  readonly axes: Float64Array;
  /** Each row's coordinates on the first h1 axes, rows x h1, float32. */
  readonly heads1: Float32Array;
  /** Each row's coordinates on the other h - h1 axes, rows x (h - h1), float32. */
  readonly heads2: Float32Array;
  /** Upper bound of each row's norm off the first h1 axes: sqrt(max(0, |x|^2 - |heads1|^2) + TAIL_MARGIN |x|^2). */
  readonly tails1: Float64Array;
  /** The same off all h axes. */
  readonly tails2: Float64Array;
}

/** SearchRows plus cos(aper(x)) for one K. */
export interface ConeIndex extends SearchRows {
  readonly K: number;
  /** cos(aper(x)) = cosHalfApertureFromNorm(|x|, sqrt(c), K); +Infinity where !(|x|^2 > 0) (never in a cone). */
  readonly cosAper: Float64Array;
}

/**
 * One pass over the matrix: |x|^2, |x| and x_t of every row (x_t identical to timeComponents).
 * Input: m (rows x D), c > 0. Output: PreparedRows holding m (not copied).
 */
export function prepareRows(m: Matrix, c: number): PreparedRows {
  assertCurvature(c);
  assertMatrix(m);
  const { data, rows, dim } = m;
  const invC = 1 / c;
  const times = new Float64Array(rows);
  const sqNorms = new Float64Array(rows);
  const norms = new Float64Array(rows);
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    let ss = 0;
    for (let j = 0; j < dim; j++) {
      const v = data[base + j];
      ss += v * v;
    }
    sqNorms[i] = ss;
    norms[i] = Math.sqrt(ss);
    times[i] = Math.sqrt(invC + ss);
  }
  return { matrix: m, c, times, sqNorms, norms };
}

/**
 * Stage 1's data: the first h principal axes of the rows, every row's coordinates on them and its tail norm
 * bounds. One pass over the matrix, h x D products a row (100,000 x 64, h = 16: ~0.1-0.2 s), plus the axes from
 * a sample of at most PRINCIPAL_AXES_SAMPLE rows.
 * Input: rows from prepareRows, 0 <= h <= D (default defaultAxesCount(D)). Output: SearchRows sharing rows' arrays.
 */
export function prepareSearch(rows: PreparedRows, axesCount = defaultAxesCount(rows.matrix.dim)): SearchRows {
  const { data, rows: n, dim } = rows.matrix;
  const h = axesCount;
  const h1 = h >= 8 ? 4 * Math.round(h / 8) : h;
  const h2 = h - h1;
  const axes = principalAxes(rows.matrix, h);
  const heads1 = new Float32Array(n * h1);
  const heads2 = new Float32Array(n * h2);
  const tails1 = new Float64Array(h > 0 ? n : 0);
  const tails2 = new Float64Array(h > 0 ? n : 0);
  const tail = (xx: number, hh: number): number => {
    const rest = xx - hh;
    return Math.sqrt((rest > 0 ? rest : 0) + TAIL_MARGIN * xx);
  };
  if (h > 0) {
    const v = new Float64Array(h);
    for (let i = 0, base = 0; i < n; i++, base += dim) {
      // four axes at a time: four independent sums, each row value loaded once
      let a = 0;
      for (; a + 4 <= h; a += 4) {
        let v0 = 0;
        let v1 = 0;
        let v2 = 0;
        let v3 = 0;
        for (let j = 0, k = a * dim; j < dim; j++, k++) {
          const x = data[base + j];
          v0 += axes[k] * x;
          v1 += axes[k + dim] * x;
          v2 += axes[k + 2 * dim] * x;
          v3 += axes[k + 3 * dim] * x;
        }
        v[a] = v0;
        v[a + 1] = v1;
        v[a + 2] = v2;
        v[a + 3] = v3;
      }
      for (; a < h; a++) {
        let va = 0;
        for (let j = 0, k = a * dim; j < dim; j++, k++) va += axes[k] * data[base + j];
        v[a] = va;
      }
      let hh = 0;
      for (a = 0; a < h; a++) {
        const v32 = Math.fround(v[a]);
        if (a < h1) heads1[i * h1 + a] = v32;
        else heads2[i * h2 + a - h1] = v32;
        hh += v32 * v32;
        if (a === h1 - 1) tails1[i] = tail(rows.sqNorms[i], hh);
      }
      tails2[i] = tail(rows.sqNorms[i], hh);
    }
  }
  return { ...rows, axesCount: h, firstAxes: h1, axes, heads1, heads2, tails1, tails2 };
}

/**
 * cos(aper(x)) of every row for cone parameter K (no pass over the matrix: it uses the precomputed norms).
 * Input: rows from prepareSearch, K >= 0 finite. Output: ConeIndex sharing rows' arrays.
 */
export function coneIndex(rows: SearchRows, K: number): ConeIndex {
  if (!(K >= 0) || !Number.isFinite(K)) throw new RangeError(`K must be a finite number >= 0; got ${K}`);
  const { sqNorms, norms } = rows;
  const sc = Math.sqrt(rows.c);
  const cosAper = new Float64Array(norms.length);
  for (let i = 0; i < norms.length; i++) {
    cosAper[i] = sqNorms[i] > 0 ? cosHalfApertureFromNorm(norms[i], sc, K) : Infinity;
  }
  return { ...rows, K, cosAper };
}

/** What nearestInCone finds. Distances are geodesic, computed as distancesTo does (bit for bit). */
export interface NearestInCone {
  /** Nearest kept row whose cone contains the point (ties: lowest index); -1 when no kept row's cone does. */
  inCone: number;
  /** Its distance to the point; NaN when inCone is -1. */
  inConeDistance: number;
  /** Nearest kept row (ties: lowest index); -1 when no row is kept. */
  nearest: number;
  /** Its distance to the point; NaN when nearest is -1. */
  nearestDistance: number;
  /** Rows that reached the full dot product (diagnostics; every kept row when there is no stage 1). */
  fullRows: number;
  /** Rows recomputed with the reference arithmetic (diagnostics: a handful per query). */
  referenceRows: number;
}

/**
 * w = -c <x, q>_L = c (x_t q_t - x.q) = cosh(sqrt(c) d(x, q)) from x.q and the time components.
 * @internal the kernel's distance proxy (exported for the tests that pin it against lorentz.ts).
 */
export function coshDistanceFromInner(c: number, xt: number, qt: number, xy: number): number {
  return c * (xt * qt - xy);
}

/**
 * cos ext(x, q), exteriorAngle's cosine before its clamps, from x.q and w = coshDistanceFromInner(...):
 * c (x_t (x.q) - |x|^2 q_t) / (|x| sqrt((w - 1)(w + 1))), with xx = |x|^2 and nx = |x| (exteriorAngleFromSums's
 * numerator over its l^2 - 1 = w^2 - 1). Meaningful for |x| > 0 and w > 1.
 * @internal the kernel's cone cosine (exported for the tests that pin it against entailment.ts).
 */
export function cosExteriorFromInner(c: number, xt: number, xx: number, nx: number, xy: number, qt: number, w: number): number {
  return (c * (xt * xy - xx * qt)) / (nx * Math.sqrt((w - 1) * (w + 1)));
}

/**
 * The cone test in cosine space, with the band of the file comment: 1 = in the cone, 0 = out, 2 = too close to
 * call (or w too near 1 for the bound): the reference arithmetic decides. cosExt is clamped as the reference
 * clamps it; ca = cos(aper(x)); tau = the row's rounding bound, 64 (D + 8) 2^-53 c (x_t + q_t)^2.
 * @internal exported for the tests.
 */
export function coneDecision(cosExt: number, ca: number, w: number, tau: number): number {
  const wm1 = w - 1;
  if (!(wm1 >= NEAR_DUPLICATE_W && wm1 >= 64 * tau)) return 2;
  const hi = 1 - ANGLE_EPS;
  const cl = cosExt > hi ? hi : cosExt < -hi ? -hi : cosExt;
  const band = tau * (1 + (1 + 4 * w) / (wm1 * (w + 1))) + ANGLE_SLACK;
  const diff = cl - ca;
  return diff > band ? 1 : diff < -band ? 0 : 2; // NaN: 2
}

/**
 * Stage 1: whether a row with x.q <= xyHi may still change a winner (false: the row is done). See the file
 * comment; nx = |x|, nq = |q|, ca = cos(aper(x)), wNearest/wCone = w of the current winners (+Infinity: none).
 * A non-finite bound (NaN or infinite row or point) always goes on, to the reference arithmetic.
 */
function mayChangeWinner(xyHi: number, c: number, xt: number, qt: number, xx: number, nx: number, nq: number, ca: number, tau: number, wNearest: number, wCone: number): boolean {
  const w1 = coshDistanceFromInner(c, xt, qt, xyHi); // <= w
  const lower = w1 - tau;
  if (!(lower >= wNearest && lower < Infinity)) return true; // may be nearer, or not finite (see below)
  if (!(lower < wCone && ca <= 1)) return false; // cannot beat the in-cone winner, or |x| = 0: never in a cone
  // The angle at the origin. Where the band applies (w - 1 >= 64 tau, as in coneDecision) and w - 1 >= ANGLE_TEST_W,
  // the band is at most tau (1 + 4 / ANGLE_TEST_W) + ANGLE_SLACK.
  const wm1 = w1 - 1;
  if (wm1 >= ANGLE_TEST_W && wm1 >= 64 * tau && xyHi < nx * nq * (ca - (tau * (1 + 4 / ANGLE_TEST_W) + ANGLE_SLACK))) return false;
  return coneDecision(Math.max(0, cosExteriorFromInner(c, xt, xx, nx, xyHi, qt, w1)), ca, w1, tau) !== 0;
}

/** Scratch of the exact fallback (rowPointSums): s1 = |x - q|^2, s2 = (x - q).(x + q), xx = |x|^2, xy = x.q. */
const ref = new Float64Array(4);

/**
 * In one pass over the kept rows of a pool: the nearest row (geodesic distance) whose entailment cone contains
 * `point` (entails(row, point, c, K)), and the nearest row overall. Same answers as the reference (see the file
 * comment): entailedBy for the cone flags, distancesTo for the distances, the first strict minimum for each.
 * Input: point in R^D, index from coneIndex, optional keep (Uint8Array, one entry a row: only rows with
 * keep[i] === 1 are considered). NaN or infinite rows or points get the reference's answer too (they are left to
 * the reference arithmetic, where a NaN chord counts as distance 0 and a NaN angle as outside the cone).
 */
export function nearestInCone(point: Vec, index: ConeIndex, keep?: Uint8Array): NearestInCone {
  const { matrix, c, K, times, sqNorms, norms, cosAper, axesCount: h, firstAxes: h1, axes, heads1, heads2, tails1, tails2 } = index;
  const { data, rows, dim } = matrix;
  if (point.length !== dim) throw new RangeError(`nearestInCone: point has dimension ${point.length}, pool has ${dim}`);
  if (keep !== undefined && keep.length !== rows) throw new RangeError(`nearestInCone: keep must have one entry per row (${rows})`);
  const q = Float64Array.from(point);
  const sc = Math.sqrt(c);
  const qq = sqNorm(q);
  const qt = Math.sqrt(1 / c + qq); // as distancesTo and entailedBy compute it
  const nq = Math.sqrt(qq);
  const kap = 64 * (dim + 8) * UNIT_ROUNDOFF * c; // tau = kap (x_t + q_t)^2
  const h2 = h - h1;
  const d4 = dim - (dim % 4);
  const h14 = h1 - (h1 % 4);
  const h24 = h2 - (h2 % 4);
  // Stage 1: the point's coordinates on the axes, its tail norms, the head sums' error bound.
  const qh1 = new Float64Array(h1);
  const qh2 = new Float64Array(h2);
  let hq = 0;
  let tq1 = 0;
  for (let a = 0; a < h; a++) {
    let v = 0;
    for (let j = 0; j < dim; j++) v += axes[a * dim + j] * q[j];
    if (a < h1) qh1[a] = v;
    else qh2[a - h1] = v;
    hq += v * v;
    if (a === h1 - 1) tq1 = Math.sqrt(Math.max(0, qq - hq) + TAIL_MARGIN * qq);
  }
  const tq2 = Math.sqrt(Math.max(0, qq - hq) + TAIL_MARGIN * qq);
  const eq = HEAD_ERROR * nq;

  let nearest = -1;
  let nearestD = NaN;
  let wNearest = Infinity; // w of the nearest row (from its reference distance)
  let inCone = -1;
  let inConeD = NaN;
  let wCone = Infinity; // w of the in-cone winner; +Infinity until there is one: every row may win
  let fullRows = 0;
  let referenceRows = 0;

  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    if (keep !== undefined && keep[i] !== 1) continue;
    const xt = times[i];
    const t = xt + qt;
    const tau = kap * t * t;
    if (h > 0 && nearest >= 0) {
      // Stage 1, first step: x.q <= (first h1 head products) + tails1 tq1.
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let a = 0;
      for (let k = i * h1; a < h14; a += 4, k += 4) {
        p0 += heads1[k] * qh1[a];
        p1 += heads1[k + 1] * qh1[a + 1];
        p2 += heads1[k + 2] * qh1[a + 2];
        p3 += heads1[k + 3] * qh1[a + 3];
      }
      for (let k = i * h1 + a; a < h1; a++, k++) p0 += heads1[k] * qh1[a];
      const nx = norms[i];
      const err = nx * eq;
      if (!mayChangeWinner(p0 + p1 + (p2 + p3) + tails1[i] * tq1 + err, c, xt, qt, sqNorms[i], nx, nq, cosAper[i], tau, wNearest, wCone)) continue;
      if (h2 > 0) {
        // Second step: the other h - h1 products, tails2 tq2.
        a = 0;
        for (let k = i * h2; a < h24; a += 4, k += 4) {
          p0 += heads2[k] * qh2[a];
          p1 += heads2[k + 1] * qh2[a + 1];
          p2 += heads2[k + 2] * qh2[a + 2];
          p3 += heads2[k + 3] * qh2[a + 3];
        }
        for (let k = i * h2 + a; a < h2; a++, k++) p0 += heads2[k] * qh2[a];
        if (!mayChangeWinner(p0 + p1 + (p2 + p3) + tails2[i] * tq2 + err, c, xt, qt, sqNorms[i], nx, nq, cosAper[i], tau, wNearest, wCone)) continue;
      }
    }
    // Stage 2: x.q, four accumulators (any summation order is within the bound).
    fullRows++;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let j = 0;
    for (let k = base; j < d4; j += 4, k += 4) {
      a0 += data[k] * q[j];
      a1 += data[k + 1] * q[j + 1];
      a2 += data[k + 2] * q[j + 2];
      a3 += data[k + 3] * q[j + 3];
    }
    for (let k = base + j; j < dim; j++, k++) a0 += data[k] * q[j];
    const xy = a0 + a1 + (a2 + a3);
    const w = coshDistanceFromInner(c, xt, qt, xy); // -c <x, q>_L
    const lower = w - tau; // the reference's w for this row is >= lower + tau / 2

    // Cone: 0 = not in the cone (or cannot beat the in-cone winner; |x| = 0 or NaN: never in a cone),
    // 1 = in the cone, 2 = undecided.
    const cone = lower < wCone && cosAper[i] <= 1 ? coneDecision(cosExteriorFromInner(c, xt, sqNorms[i], norms[i], xy, qt, w), cosAper[i], w, tau) : 0;
    // Done unless it may change a winner. A non-finite w (a NaN or infinite row or point) goes to the reference
    // too: there chordSqFromSums turns a NaN chord into 0 (distance 0), which the bounds know nothing about.
    if (cone === 0 && nearest >= 0 && lower >= wNearest && lower < Infinity) continue;

    // The reference's arithmetic for this row.
    referenceRows++;
    rowPointSums(data, base, dim, q, ref);
    const s = chordSqFromSums(ref[0], ref[1], xt, qt);
    const d = distanceFromChordSq(s, sc);
    if (nearest < 0 || d < nearestD) {
      nearest = i;
      nearestD = d;
      wNearest = 1 + 0.5 * c * s;
    }
    if (cone !== 0 && (inCone < 0 || d < inConeD)) {
      const xx = ref[2];
      const isIn = cone === 1 || exteriorAngleFromSums(c, xx, xt, ref[3], qt, s) <= halfApertureFromNorm(Math.sqrt(xx), sc, K);
      if (isIn) {
        inCone = i;
        inConeD = d;
        wCone = 1 + 0.5 * c * s;
      }
    }
  }
  return { inCone, inConeDistance: inConeD, nearest, nearestDistance: nearestD, fullRows, referenceRows };
}
