/**
 * Moving points along geodesics of the Lorentz model (curvature -c): HySAC's safety traversal (pull an
 * embedding towards the origin, where the safe region lies) and general geodesic interpolation.
 *
 * Same rule as lorentz.ts: inputs and outputs are space components x in R^D; the time component is
 * sqrt(1/c + |x|^2).
 *
 * Geodesics through the origin are the rays t -> t u (u a unit vector) in space components: a point at geodesic
 * distance d from the origin in direction u has space components sinh(sqrt(c) d)/sqrt(c) * u. So moving along
 * the geodesic through the origin only rescales x, by the hyperbolic, not the Euclidean, length.
 */
import { assertCurvature, assertMatrix, distanceFromOrigin, pointPair, rowSqNorm, type Matrix, type Vec } from './lorentz';

function assertTargetDistance(d: number, what: string): void {
  if (!(d >= 0) || !Number.isFinite(d)) throw new RangeError(`${what}: target distance must be finite and >= 0; got ${d}`);
}

/** Space norm sinh(sqrt(c) d)/sqrt(c) of a point at geodesic distance d from the origin; throws if it overflows. */
function radiusAtDistance(d: number, sqrtC: number, what: string): number {
  const r = Math.sinh(sqrtC * d) / sqrtC;
  if (!Number.isFinite(r)) {
    throw new RangeError(`${what}: a point at distance ${d} from the origin (c = ${sqrtC * sqrtC}) overflows float64`);
  }
  return r;
}

/**
 * Moves x along the geodesic through the origin (the ray from the origin through x) to the point at geodesic
 * distance d from the origin:
 *   traverseToDistance(x, d) = sinh(sqrt(c) d)/sqrt(c) * x/|x|,
 * so that distanceFromOrigin(result) = d and the direction is x's. Equivalently expMap0(d * x/|x|).
 *
 * Difference from the HySAC reference code (`traverse_to_safe_text/_image` in hysac/models.py): it sets the
 * Euclidean norm of the space vector to the target, `upper_bound * x/|x|`, which lands at geodesic distance
 * asinh(sqrt(c) d)/sqrt(c) < d from the origin, not at d (for c = 1, d = 2: ~1.44 instead of 2). This function
 * lands exactly at distance d, on the same ray.
 *
 * x = 0 has no direction: the result is the zero vector (the origin), whatever d is. The norm of x is computed
 * with scaling, so tiny vectors (even 1e-300) keep their direction.
 * Input: x in R^D, d >= 0 finite with sinh(sqrt(c) d)/sqrt(c) finite (else RangeError), c > 0.
 * Output: Float64Array in R^D, |output| = sinh(sqrt(c) d)/sqrt(c) (0 for x = 0).
 */
export function traverseToDistance(x: Vec, d: number, c: number): Float64Array {
  assertCurvature(c);
  assertTargetDistance(d, 'traverseToDistance');
  const D = x.length;
  const out = new Float64Array(D);
  let mx = 0;
  for (let j = 0; j < D; j++) {
    const a = Math.abs(x[j]);
    if (a > mx) mx = a;
  }
  if (mx === 0) return out;
  if (!Number.isFinite(mx)) {
    out.fill(NaN);
    return out;
  }
  let ss = 0;
  for (let j = 0; j < D; j++) {
    const a = x[j] / mx;
    ss += a * a;
  }
  const k = radiusAtDistance(d, Math.sqrt(c), 'traverseToDistance') / Math.sqrt(ss);
  for (let j = 0; j < D; j++) out[j] = k * (x[j] / mx);
  return out;
}

/**
 * Batched traverseToDistance: row i moves along its ray from the origin to geodesic distance d (one number for
 * all rows, or d[i] per row). Zero rows stay zero. The output is float32, so distances are exact up to float32
 * rounding of the coordinates (relative ~1e-7).
 * Input: m (rows x D), d >= 0 (number or Float64Array of length rows), c > 0.
 * Output: new Matrix (rows x D, float32); m is unchanged.
 */
export function traverseBatch(m: Matrix, d: number | Float64Array, c: number): Matrix {
  assertCurvature(c);
  assertMatrix(m);
  const { data, rows, dim } = m;
  const sc = Math.sqrt(c);
  let fixedRadius = 0;
  if (typeof d === 'number') {
    assertTargetDistance(d, 'traverseBatch');
    fixedRadius = radiusAtDistance(d, sc, 'traverseBatch');
  } else {
    if (!(d instanceof Float64Array) || d.length !== rows) {
      throw new RangeError(`traverseBatch: per-row distances must be a Float64Array of length rows (${rows})`);
    }
    for (let i = 0; i < rows; i++) assertTargetDistance(d[i], `traverseBatch (row ${i})`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    // Float32 values squared never underflow in float64, so no scaling is needed here.
    const ss = rowSqNorm(data, base, dim);
    if (ss === 0) continue;
    const radius = typeof d === 'number' ? fixedRadius : radiusAtDistance(d[i], sc, 'traverseBatch');
    const k = radius / Math.sqrt(ss);
    for (let j = 0; j < dim; j++) out[base + j] = k * data[base + j];
  }
  return { data: out, rows, dim };
}

/**
 * Moves x a fraction t of the way to the origin along the geodesic through the origin: the point on the ray
 * O->x at geodesic distance (1 - t) * distanceFromOrigin(x) from the origin. t = 0 gives x, t = 1 the origin.
 * Equal to geodesicPoint(x, 0, t, c).
 * Input: x in R^D, t in [0, 1] (else RangeError), c > 0. Output: Float64Array in R^D.
 */
export function traverseToward(x: Vec, t: number, c: number): Float64Array {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`traverseToward: fraction t must be in [0, 1]; got ${t}`);
  return traverseToDistance(x, (1 - t) * distanceFromOrigin(x, c), c);
}

/** sinh(a theta) / sinh(theta) for theta >= 0, without overflow: sign(a) e^{(|a|-1) theta} expm1(-2|a| theta) / expm1(-2 theta). */
function sinhRatio(a: number, theta: number): number {
  if (theta < 1e-8) return a * (1 + ((a * a - 1) * theta * theta) / 6);
  const b = Math.abs(a);
  const r = (Math.exp((b - 1) * theta) * Math.expm1(-2 * b * theta)) / Math.expm1(-2 * theta);
  return a < 0 ? -r : r;
}

/**
 * The point at fraction t along the geodesic from x to y: exp_X(t log_X(Y)), with X, Y the ambient
 * (time, space) points. In ambient coordinates (theta = sqrt(c) d(x, y); see logMapAt / expMapAt in lorentz.ts):
 *   log_X(Y) = theta/sinh(theta) (Y + l X),  l = c <X, Y>_L = -cosh(theta),
 *   exp_X(t v) = cosh(t theta) X + sinh(t theta)/theta v      (|v|_L = d(x, y)),
 * which simplifies to the hyperbolic "slerp"
 *   P(t) = sinh((1 - t) theta)/sinh(theta) X + sinh(t theta)/sinh(theta) Y.
 * P(t) is an ambient point on the hyperboloid; its space part w(1 - t) x + w(t) y is returned (its time part is
 * the same combination of x_t and y_t and needs no computing). The weights are evaluated in an overflow-free
 * form; theta comes from the cancellation-free distance. t = 0 returns x and t = 1 returns y exactly; x = y
 * returns x for every t. t outside [0, 1] extrapolates along the same (complete) geodesic.
 * Input: x, y in R^D (same D), t finite, c > 0. Output: Float64Array in R^D with d(x, P) = |t| d(x, y) and
 * d(P, y) = |1 - t| d(x, y).
 */
export function geodesicPoint(x: Vec, y: Vec, t: number, c: number): Float64Array {
  assertCurvature(c);
  const { s } = pointPair(x, y, c, 'geodesicPoint');
  if (!Number.isFinite(t)) throw new RangeError(`geodesicPoint: t must be finite; got ${t}`);
  const D = x.length;
  const theta = 2 * Math.asinh(0.5 * Math.sqrt(c * s));
  const wx = sinhRatio(1 - t, theta);
  const wy = sinhRatio(t, theta);
  const out = new Float64Array(D);
  for (let j = 0; j < D; j++) out[j] = wx * x[j] + wy * y[j];
  return out;
}
