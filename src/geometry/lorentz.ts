/**
 * The Lorentz (hyperboloid) model of hyperbolic space with constant curvature -c (c > 0).
 *
 * RULE: inputs and outputs are space components x in R^D; the time component is sqrt(1/c + |x|^2).
 *
 * A point of D-dimensional hyperbolic space is the point (x_t, x) of R^(D+1) on the upper sheet of the
 * hyperboloid <p, p>_L = -1/c, where <p, q>_L = p_space . q_space - p_t q_t is the Lorentzian inner product.
 * As in MERU (facebookresearch/meru, meru/lorentz.py) and HySAC, every function here takes and returns only the
 * space components x; the time component is always recomputed from the constraint. The origin (hyperboloid
 * vertex) is x = 0, with time component 1/sqrt(c). Tangent vectors at the origin have time component 0, so
 * they are also plain vectors in R^D, which is why expMap0 / logMap0 map R^D <-> R^D.
 *
 * Arithmetic is float64 throughout. Single vectors are any `ArrayLike<number>` (number[], Float32Array,
 * Float64Array); batches are row-major Float32Array matrices (`Matrix`). Single-vector results are
 * Float64Array; batch results that are points are Float32Array matrices (they feed float32 models and pools),
 * batch results that are scalars are Float64Array.
 *
 * Geodesic distance is computed in a cancellation-free form (see `distance`) that is algebraically identical to
 * MERU's acosh(-c <x, y>_L) / sqrt(c) but stays accurate for nearby points: distance(x, x) is exactly 0.
 * The scalar-valued batch functions (timeComponents, distancesFromOrigin, distancesTo) share the single versions'
 * arithmetic, so they agree bit for bit on the same (float32) rows; batches of points (expMap0Batch) agree up to
 * the float32 rounding of their output.
 *
 * Precision: for points far from the origin (c |x|^2 >> 1) hyperbolic quantities are ill-conditioned in space
 * coordinates; expect relative errors of order c |x|^2 * 1e-16 in quantities that cancel (angles near 0, very
 * short distances between far-out points). Non-finite inputs propagate as NaN; callers validate model outputs.
 */

/** A single vector: space components of a point, or a tangent vector at the origin. */
export type Vec = ArrayLike<number>;

/** A batch of vectors: row-major, `rows` x `dim`, in one Float32Array of length rows * dim. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

/**
 * Below this value of sqrt(c)|v| the ratios sinh(r)/r and asinh(r)/r are evaluated by their Taylor series
 * (1 + r^2/6 and 1 - r^2/6); the next terms (r^4/120, 3r^4/40) are < 1e-17 there, below float64 resolution,
 * and the series avoids 0/0 at r = 0.
 */
export const SERIES_CUTOFF = 1e-4;

/**
 * Largest argument of sinh in expMap0 / expMap0Batch: asinh(2^15), exactly MERU's and HySAC's clamp, so lifted
 * embeddings match the reference models. Inputs with sqrt(c)|v| beyond it keep their direction but their space
 * norm saturates at 2^15 / sqrt(c) (geodesic distance from the origin saturates at asinh(2^15)/sqrt(c) ~
 * 11.09/sqrt(c)). Protects against overflow (sinh overflows float32 above ~89 and float64 above ~710).
 */
export const EXPMAP0_MAX_ARG = Math.asinh(2 ** 15);

/** Throws RangeError unless c is a finite number > 0. */
export function assertCurvature(c: number): void {
  if (!(c > 0) || !Number.isFinite(c)) {
    throw new RangeError(`curvature c must be a finite number > 0 (the space has curvature -c); got ${c}`);
  }
}

/** Throws RangeError unless `m` is a well-formed Matrix (non-negative integer shape, data.length = rows*dim). */
export function assertMatrix(m: Matrix): void {
  if (!Number.isInteger(m.rows) || m.rows < 0 || !Number.isInteger(m.dim) || m.dim < 0) {
    throw new RangeError(`matrix shape must be non-negative integers; got rows=${m.rows}, dim=${m.dim}`);
  }
  if (!(m.data instanceof Float32Array) || m.data.length !== m.rows * m.dim) {
    throw new RangeError(
      `matrix data must be a Float32Array of length rows*dim = ${m.rows * m.dim}; got length ${m.data?.length}`,
    );
  }
}

function assertSameDim(a: Vec, b: Vec, what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: dimension mismatch (${a.length} vs ${b.length})`);
  }
}

/** A zero-filled rows x dim Matrix. */
export function createMatrix(rows: number, dim: number): Matrix {
  const m = { data: new Float32Array(rows * dim), rows, dim };
  assertMatrix(m);
  return m;
}

/** Packs equal-length vectors into a Matrix (values rounded to float32). */
export function matrixFromRows(rows: readonly Vec[], dim?: number): Matrix {
  const d = dim ?? (rows.length > 0 ? rows[0].length : 0);
  const m = createMatrix(rows.length, d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.length !== d) throw new RangeError(`matrixFromRows: row ${i} has length ${r.length}, expected ${d}`);
    for (let j = 0; j < d; j++) m.data[i * d + j] = r[j];
  }
  return m;
}

/** Row i of m as a Float32Array view (no copy). */
export function matrixRow(m: Matrix, i: number): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new RangeError(`row ${i} out of range [0, ${m.rows})`);
  return m.data.subarray(i * m.dim, (i + 1) * m.dim);
}

/** Euclidean squared norm |x|^2 (float64 accumulation). */
export function sqNorm(x: Vec): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * x[j];
  return s;
}

/** Euclidean norm |x| (float64 accumulation). */
export function norm(x: Vec): number {
  return Math.sqrt(sqNorm(x));
}

/**
 * Squared Euclidean norm of one row of a batch: sum of data[base + j]^2 for j < dim (float64 accumulation, the
 * same order as sqNorm, so batch and single versions agree bit for bit). No subarray, no allocation.
 * @internal shared by the batch kernels (expMap0Batch, distancesFromOrigin, timeComponents, traverseBatch).
 */
export function rowSqNorm(data: Float32Array, base: number, dim: number): number {
  let ss = 0;
  for (let j = 0; j < dim; j++) {
    const v = data[base + j];
    ss += v * v;
  }
  return ss;
}

/** Euclidean dot product x . y (float64 accumulation). Shapes: x, y in R^D. */
export function dot(x: Vec, y: Vec): number {
  assertSameDim(x, y, 'dot');
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * y[j];
  return s;
}

/**
 * Time component of the point with space components x: x_t = sqrt(1/c + |x|^2).
 * Input: x in R^D, c > 0. Output: x_t in [1/sqrt(c), inf). Satisfies x_t^2 - |x|^2 = 1/c.
 */
export function timeComponent(x: Vec, c: number): number {
  assertCurvature(c);
  return Math.sqrt(1 / c + sqNorm(x));
}

/**
 * Lorentzian inner product of two points given by space components: <x, y>_L = x . y - x_t y_t.
 * Input: x, y in R^D (same D), c > 0. Output: (-inf, -1/c]; equals -1/c exactly when x = y (mathematically),
 * and -cosh(sqrt(c) d(x, y)) / c in general.
 */
export function lorentzInner(x: Vec, y: Vec, c: number): number {
  assertCurvature(c);
  const p = pointPair(x, y, c, 'lorentzInner');
  return p.xy - p.xt * p.yt;
}

/**
 * Squared Minkowski length of the chord between two hyperboloid points, from loop sums.
 *
 * With X = (x_t, x), Y = (y_t, y): s = <X - Y, X - Y>_L = |x - y|^2 - (x_t - y_t)^2 = -2/c - 2 <x, y>_L, and
 * x_t - y_t = (|x|^2 - |y|^2) / (x_t + y_t) = ((x - y) . (x + y)) / (x_t + y_t), which has no cancellation.
 * Inputs: s1 = sum (x_j - y_j)^2, s2 = sum (x_j - y_j)(x_j + y_j), the two time components.
 * Output: s >= 0. The clamp at 0 protects against rounding making s slightly negative (the chord between two
 * points of the hyperboloid is always spacelike, s >= 0); it is the counterpart of MERU's clamp of the acosh
 * argument to >= 1.
 * @internal shared by the single and batch kernels so they agree bit for bit.
 */
export function chordSqFromSums(s1: number, s2: number, xt: number, yt: number): number {
  const dt = s2 / (xt + yt);
  const s = s1 - dt * dt;
  return s > 0 ? s : 0;
}

/**
 * Geodesic distance from the squared chord s: d = (2/sqrt(c)) asinh(sqrt(c s) / 2).
 * Derivation: -c <x, y>_L = 1 + c s / 2 = cosh(sqrt(c) d) and cosh(u) - 1 = 2 sinh^2(u/2), so
 * sinh(sqrt(c) d / 2) = sqrt(c s) / 2. Input s >= 0, sqrtC = sqrt(c). Output [0, inf).
 * @internal
 */
export function distanceFromChordSq(s: number, sqrtC: number): number {
  return (2 / sqrtC) * Math.asinh(0.5 * sqrtC * Math.sqrt(s));
}

/** What one pass over a pair of points x, y gives; see pointPair. */
export interface PointPair {
  /** (x - y) . (x + y) = |x|^2 - |y|^2, without cancellation. */
  s2: number;
  /** |x|^2 */
  xx: number;
  /** x . y */
  xy: number;
  /** Time components x_t = sqrt(1/c + |x|^2) and y_t. */
  xt: number;
  yt: number;
  /** Squared Minkowski chord <X - Y, X - Y>_L >= 0 (chordSqFromSums). */
  s: number;
}

/**
 * One pass over two points x, y in R^D (same D, else RangeError naming `what`): the loop sums
 * s1 = |x - y|^2, s2 = (x - y).(x + y), |x|^2, |y|^2, x . y, the time components and the squared chord
 * s = chordSqFromSums(s1, s2, x_t, y_t). Does not check c (callers do, first).
 * @internal the one kernel of lorentzInner, distance, logMapAt, exteriorAngle and geodesicPoint, so that they
 * all do the same arithmetic.
 */
export function pointPair(x: Vec, y: Vec, c: number, what: string): PointPair {
  assertSameDim(x, y, what);
  const invC = 1 / c;
  let s1 = 0;
  let s2 = 0;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let j = 0; j < x.length; j++) {
    const a = x[j];
    const b = y[j];
    const d = a - b;
    s1 += d * d;
    s2 += d * (a + b);
    xx += a * a;
    yy += b * b;
    xy += a * b;
  }
  const xt = Math.sqrt(invC + xx);
  const yt = Math.sqrt(invC + yy);
  return { s2, xx, xy, xt, yt, s: chordSqFromSums(s1, s2, xt, yt) };
}

/**
 * Geodesic distance between two points: d(x, y) = (1/sqrt(c)) acosh(-c <x, y>_L), the acosh argument clamped
 * to >= 1 (rounding can push it below 1).
 *
 * Computed as d = (2/sqrt(c)) asinh(sqrt(c s)/2) with s = |x - y|^2 - (x_t - y_t)^2 >= 0 (see
 * `chordSqFromSums`), which is the same quantity (the clamp s >= 0 is the clamp of the acosh argument to >= 1)
 * but without the catastrophic cancellation of acosh near 1: MERU's form loses about half the digits for
 * nearby points (an error ~ 1e-8 |x| instead of 0 for d(x, x)).
 * Input: x, y in R^D (same D), c > 0. Output: [0, inf); exactly symmetric; d(x, x) = 0.
 */
export function distance(x: Vec, y: Vec, c: number): number {
  assertCurvature(c);
  return distanceFromChordSq(pointPair(x, y, c, 'distance').s, Math.sqrt(c));
}

/**
 * Geodesic distance from the origin: d(x, 0) = (1/sqrt(c)) asinh(sqrt(c) |x|), the closed form of `distance`
 * with y = 0 (there -c <x, 0>_L = sqrt(c) x_t = sqrt(1 + c|x|^2), and acosh(sqrt(1 + u^2)) = asinh(u)).
 * Input: x in R^D, c > 0. Output: [0, inf), equal to |logMap0(x)|.
 */
export function distanceFromOrigin(x: Vec, c: number): number {
  assertCurvature(c);
  const sc = Math.sqrt(c);
  return Math.asinh(sc * norm(x)) / sc;
}

/** sinh(r)/r for r >= 0 with r clamped to EXPMAP0_MAX_ARG in the sinh (not in the divisor). */
function expMap0Factor(r: number): number {
  if (r < SERIES_CUTOFF) return 1 + (r * r) / 6;
  return Math.sinh(r < EXPMAP0_MAX_ARG ? r : EXPMAP0_MAX_ARG) / r;
}

/** asinh(r)/r for r >= 0. */
function logMap0Factor(r: number): number {
  if (r < SERIES_CUTOFF) return 1 - (r * r) / 6;
  return Math.asinh(r) / r;
}

/**
 * Exponential map at the origin: lifts a tangent vector v at the origin (a Euclidean vector in R^D) onto the
 * hyperboloid. Space components: expMap0(v) = sinh(sqrt(c)|v|) / (sqrt(c)|v|) * v.
 * The result lies at geodesic distance |v| from the origin, in the direction of v. v = 0 maps to 0 (the series
 * 1 + r^2/6 is used for small r = sqrt(c)|v|, see SERIES_CUTOFF). The sinh argument is clamped to
 * EXPMAP0_MAX_ARG (MERU/HySAC's asinh(2^15)) against overflow, so for sqrt(c)|v| > 11.09 the output norm
 * saturates at 2^15/sqrt(c) and logMap0 no longer inverts it.
 * Input: v in R^D, c > 0. Output: Float64Array in R^D, |output| in [0, 2^15/sqrt(c)].
 */
export function expMap0(v: Vec, c: number): Float64Array {
  assertCurvature(c);
  const f = expMap0Factor(Math.sqrt(c) * norm(v));
  const out = new Float64Array(v.length);
  for (let j = 0; j < v.length; j++) out[j] = f * v[j];
  return out;
}

/**
 * Logarithmic map at the origin (inverse of expMap0): logMap0(x) = asinh(sqrt(c)|x|) / (sqrt(c)|x|) * x.
 * The result is the tangent vector at the origin whose length is the geodesic distance d(x, 0) and whose
 * direction is x's. x = 0 maps to 0 (series 1 - r^2/6 for small r). No clamp is needed: asinh is finite for
 * every finite argument. (MERU computes acosh(sqrt(1 + c|x|^2)) here, which is the same value but inaccurate
 * near the origin.)
 * Input: x in R^D, c > 0. Output: Float64Array in R^D, |output| = distanceFromOrigin(x) in [0, inf).
 */
export function logMap0(x: Vec, c: number): Float64Array {
  assertCurvature(c);
  const f = logMap0Factor(Math.sqrt(c) * norm(x));
  const out = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) out[j] = f * x[j];
  return out;
}

/**
 * Batched exponential map at the origin with a scale (HySAC/MERU's learned alpha) applied first:
 * row i of the output = expMap0(scale * row i of m). This lifts raw encoder outputs onto the hyperboloid
 * exactly as HySAC's encode_text / encode_image do (features * alpha.exp(), then exp_map0), including the
 * EXPMAP0_MAX_ARG clamp. One pass to get each row's norm, one to write it; no per-row allocation.
 * Input: m (rows x D), c > 0, scale finite (default 1). Output: new Matrix (rows x D, float32); m is unchanged.
 */
export function expMap0Batch(m: Matrix, c: number, scale = 1): Matrix {
  assertCurvature(c);
  assertMatrix(m);
  if (!Number.isFinite(scale)) throw new RangeError(`expMap0Batch: scale must be finite; got ${scale}`);
  const { data, rows, dim } = m;
  const out = new Float32Array(data.length);
  const sc = Math.sqrt(c);
  const absScale = Math.abs(scale);
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    const f = expMap0Factor(sc * absScale * Math.sqrt(rowSqNorm(data, base, dim))) * scale;
    for (let j = 0; j < dim; j++) out[base + j] = f * data[base + j];
  }
  return { data: out, rows, dim };
}

/**
 * Geodesic distance from the origin of every row: (1/sqrt(c)) asinh(sqrt(c) |row_i|).
 * Input: m (rows x D), c > 0. Output: Float64Array of length rows, values in [0, inf).
 */
export function distancesFromOrigin(m: Matrix, c: number): Float64Array {
  assertCurvature(c);
  assertMatrix(m);
  const { data, rows, dim } = m;
  const out = new Float64Array(rows);
  const sc = Math.sqrt(c);
  for (let i = 0, base = 0; i < rows; i++, base += dim) out[i] = Math.asinh(sc * Math.sqrt(rowSqNorm(data, base, dim))) / sc;
  return out;
}

/**
 * Time component of every row: sqrt(1/c + |row_i|^2). Precompute this once for a fixed pool and pass it to
 * distancesTo / entailedBy.
 * Input: m (rows x D), c > 0. Output: Float64Array of length rows, values in [1/sqrt(c), inf).
 */
export function timeComponents(m: Matrix, c: number): Float64Array {
  assertCurvature(c);
  assertMatrix(m);
  const { data, rows, dim } = m;
  const out = new Float64Array(rows);
  const invC = 1 / c;
  for (let i = 0, base = 0; i < rows; i++, base += dim) out[i] = Math.sqrt(invC + rowSqNorm(data, base, dim));
  return out;
}

/**
 * Throws RangeError unless `times` is a Float64Array with one entry per row (precomputed timeComponents).
 * @internal shared by distancesTo and entailedBy.
 */
export function assertTimes(times: Float64Array, rows: number, what: string): void {
  if (!(times instanceof Float64Array) || times.length !== rows) {
    throw new RangeError(`${what}: times must be a Float64Array with one entry per row (${rows})`);
  }
}

/**
 * Geodesic distance from `query` to every row of m, same arithmetic as `distance(query, row_i, c)` (so equal
 * bit for bit). Built for pools of ~1e5 rows: the query is copied to float64 and its time component computed
 * once; one tight loop per row, no allocation per row. Pass `times` = timeComponents(m, c) (precomputed once for
 * the pool) to skip the per-row |row|^2 sum; they must be for the same c.
 * Input: query in R^D, m (rows x D), c > 0, optional times (length rows). Output: Float64Array of length rows,
 * values in [0, inf).
 */
export function distancesTo(query: Vec, m: Matrix, c: number, times?: Float64Array): Float64Array {
  assertCurvature(c);
  assertMatrix(m);
  const { data, rows, dim } = m;
  if (query.length !== dim) throw new RangeError(`distancesTo: query has dimension ${query.length}, pool has ${dim}`);
  if (times !== undefined) assertTimes(times, rows, 'distancesTo');
  const q = Float64Array.from(query);
  const invC = 1 / c;
  const sc = Math.sqrt(c);
  const qt = Math.sqrt(invC + sqNorm(q));
  const out = new Float64Array(rows);
  if (times !== undefined) {
    for (let i = 0, base = 0; i < rows; i++, base += dim) {
      let s1 = 0;
      let s2 = 0;
      for (let j = 0; j < dim; j++) {
        const a = q[j];
        const b = data[base + j];
        const d = a - b;
        s1 += d * d;
        s2 += d * (a + b);
      }
      out[i] = distanceFromChordSq(chordSqFromSums(s1, s2, qt, times[i]), sc);
    }
  } else {
    for (let i = 0, base = 0; i < rows; i++, base += dim) {
      let s1 = 0;
      let s2 = 0;
      let bb = 0;
      for (let j = 0; j < dim; j++) {
        const a = q[j];
        const b = data[base + j];
        const d = a - b;
        s1 += d * d;
        s2 += d * (a + b);
        bb += b * b;
      }
      out[i] = distanceFromChordSq(chordSqFromSums(s1, s2, qt, Math.sqrt(invC + bb)), sc);
    }
  }
  return out;
}

/**
 * Ambient (time, space) coordinates of a point: [x_t, x_1, ..., x_D] with x_t = sqrt(1/c + |x|^2).
 * Input: x in R^D, c > 0. Output: Float64Array of length D + 1 on the hyperboloid <X, X>_L = -1/c.
 */
export function toAmbient(x: Vec, c: number): Float64Array {
  assertCurvature(c);
  const out = new Float64Array(x.length + 1);
  out[0] = Math.sqrt(1 / c + sqNorm(x));
  for (let j = 0; j < x.length; j++) out[j + 1] = x[j];
  return out;
}

/**
 * Logarithmic map at a general point x, in ambient coordinates: the tangent vector v at X = (x_t, x) with
 * exp_X(v) = Y, <X, v>_L = 0 and Lorentz length sqrt(<v, v>_L) = d(x, y).
 *
 * Formula: with l = c <X, Y>_L = -cosh(theta), theta = sqrt(c) d(x, y):
 *   u = Y + l X (the projection of Y onto the tangent space at X; <u, u>_L = (l^2 - 1)/c = sinh^2(theta)/c),
 *   log_X(Y) = d * u / |u|_L = (theta / sinh(theta)) * u.
 * u is evaluated as (Y - X) - z X with z = -l - 1 = c s / 2 (s the squared chord, see chordSqFromSums) and
 * y_t - x_t = -((x - y).(x + y))/(x_t + y_t), which avoids cancellation when y is near x; theta/sinh(theta)
 * uses the series 1 - theta^2/6 below SERIES_CUTOFF (y = x gives the zero vector).
 * Input: x, y in R^D (same D), c > 0. Output: Float64Array of length D + 1, [v_t, v_1..v_D].
 */
export function logMapAt(x: Vec, y: Vec, c: number): Float64Array {
  assertCurvature(c);
  const { s2, xt, yt, s } = pointPair(x, y, c, 'logMapAt');
  const D = x.length;
  const z = 0.5 * c * s;
  const h = 0.5 * Math.sqrt(c * s); // sinh(theta / 2)
  const theta = 2 * Math.asinh(h);
  const f = theta < SERIES_CUTOFF ? 1 - (theta * theta) / 6 : theta / (2 * h * Math.sqrt(1 + h * h));
  const out = new Float64Array(D + 1);
  out[0] = f * (-s2 / (xt + yt) - z * xt);
  for (let j = 0; j < D; j++) out[j + 1] = f * (y[j] - x[j] - z * x[j]);
  return out;
}

/**
 * Exponential map at a general point x, tangent vector in ambient coordinates:
 *   exp_X(v) = cosh(sqrt(c)|v|_L) X + sinh(sqrt(c)|v|_L) / (sqrt(c)|v|_L) v,  |v|_L = sqrt(<v, v>_L).
 * Precondition: v is tangent at X, i.e. <X, v>_L = 0 (e.g. a multiple of logMapAt(x, .)); not checked.
 * <v, v>_L is clamped to >= 0: tangent vectors are spacelike, rounding can make a tiny one negative.
 * No clamp on sinh/cosh: arguments above ~710 overflow to Infinity (a point ~710/sqrt(c) away).
 * Input: x in R^D, v of length D + 1 ([v_t, v_1..v_D]), c > 0. Output: Float64Array in R^D (space components).
 */
export function expMapAt(x: Vec, v: Vec, c: number): Float64Array {
  assertCurvature(c);
  const D = x.length;
  if (v.length !== D + 1) throw new RangeError(`expMapAt: tangent vector must have length D + 1 = ${D + 1}`);
  let vv = -v[0] * v[0];
  for (let j = 1; j <= D; j++) vv += v[j] * v[j];
  const r = Math.sqrt(c * (vv > 0 ? vv : 0));
  const ch = Math.cosh(r);
  const f = r < SERIES_CUTOFF ? 1 + (r * r) / 6 : Math.sinh(r) / r;
  const out = new Float64Array(D);
  for (let j = 0; j < D; j++) out[j] = ch * x[j] + f * v[j + 1];
  return out;
}
