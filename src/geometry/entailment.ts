/**
 * MERU's hyperbolic entailment cones (Desai et al., "Hyperbolic Image-Text Representations", ICML 2023,
 * facebookresearch/meru `half_aperture` and `oxy_angle`), as used by HySAC for the safe/unsafe hierarchy.
 *
 * Same rule as lorentz.ts: inputs are space components x in R^D; the time component is sqrt(1/c + |x|^2).
 *
 * Every point x != 0 carries a cone with apex x, axis along the geodesic from the origin through x (pointing away
 * from the origin) and half-aperture aper(x) = asin(2K / (sqrt(c)|x|)); y is entailed by x ("x is more
 * generic than y") when the exterior angle at x of the triangle O-x-y is at most aper(x). K (MERU's
 * `min_radius`, default 0.1) sets the neighbourhood of the origin, sqrt(c)|x| <= 2K, where the cone is capped at
 * (just below) a half-space.
 *
 * Clamps: every asin/acos input is clamped to [-1 + ANGLE_EPS, 1 - ANGLE_EPS]; MERU uses 1e-8 in float32 to keep
 * gradients finite, here (float64, no gradients) ANGLE_EPS = 1e-12, which bounds angles to
 * [~1.41e-6, pi - ~1.41e-6].
 */
import { assertCurvature, assertMatrix, assertTimes, chordSqFromSums, norm, pointPair, sqNorm, type Matrix, type Vec } from './lorentz';

/** Default K of MERU/HySAC (`min_radius`). */
export const DEFAULT_K = 0.1;

/**
 * Clamp margin for asin/acos inputs: they are evaluated on [-1 + ANGLE_EPS, 1 - ANGLE_EPS], which protects
 * against rounding pushing a cosine/sine just outside [-1, 1] (NaN) and caps the aperture of cones near the
 * origin just below pi/2. Angle resolution near 0 and pi is therefore ~sqrt(2 * ANGLE_EPS) ~ 1.41e-6 rad.
 */
export const ANGLE_EPS = 1e-12;

/**
 * Lower bound for l^2 - 1 = sinh^2(sqrt(c) d(x, y)) in the exterior angle's denominator (MERU clamps it at
 * 1e-8). Protects against 0/0 when y = x (the geodesic from x to y has no direction); there the numerator is
 * 0 as well and the angle comes out as pi/2.
 */
export const SINH_SQ_MIN = 1e-12;

function assertK(K: number): void {
  if (!(K >= 0) || !Number.isFinite(K)) throw new RangeError(`K must be a finite number >= 0; got ${K}`);
}

function clampUnit(u: number): number {
  const hi = 1 - ANGLE_EPS;
  return u > hi ? hi : u < -hi ? -hi : u;
}

/**
 * Half-aperture from the apex's Euclidean norm |x|: asin(clamp(2K / (sqrt(c)|x|))); |x| = 0 gives the cap.
 * @internal shared by halfAperture and entailedBy.
 */
export function halfApertureFromNorm(nx: number, sqrtC: number, K: number): number {
  const u = nx === 0 ? 1 : (2 * K) / (sqrtC * nx);
  return Math.asin(clampUnit(u));
}

/**
 * cos(aper) from the apex's Euclidean norm |x|, for comparisons in cosine space (acos is decreasing, asin
 * increasing on [-1, 1], so acos(a) <= asin(b) iff a >= cos(asin(b))): cos(asin(b)) = sqrt(1 - b^2), with b the
 * same clamped asin input as halfApertureFromNorm (b in [0, 1 - ANGLE_EPS] since K >= 0). Evaluated as
 * sqrt((1 - b)(1 + b)): 1 - b is exact for b >= 1/2, so the cap's cosine (b = 1 - ANGLE_EPS, |x| = 0 or
 * sqrt(c)|x| <= 2K) keeps its ~1.41e-6 to full relative precision, where 1 - b*b would lose ~5 digits.
 * Output: [~1.41e-6, 1] (1 for K = 0); equal to cos(halfApertureFromNorm(nx, sqrtC, K)) up to a few ulps.
 * @internal shared with the one-pass pool search (nearest-in-cone.ts).
 */
export function cosHalfApertureFromNorm(nx: number, sqrtC: number, K: number): number {
  const u = nx === 0 ? 1 : (2 * K) / (sqrtC * nx);
  const b = clampUnit(u);
  return Math.sqrt((1 - b) * (1 + b));
}

/**
 * Exterior angle from loop sums (see exteriorAngle for the formula).
 * xx = |x|^2, xt = x_t, xy = x . y, yt = y_t, s = squared chord (chordSqFromSums).
 * @internal shared by exteriorAngle, entails and entailedBy so they agree bit for bit.
 */
export function exteriorAngleFromSums(
  c: number,
  xx: number,
  xt: number,
  xy: number,
  yt: number,
  s: number,
): number {
  if (!(xx > 0)) return xx === 0 ? Math.PI / 2 : NaN;
  const numer = (c * (xt * xy - xx * yt)) / Math.sqrt(xx); // exactly 0 when y = x
  const cs = c * s;
  const l2m1 = cs * (1 + 0.25 * cs); // l^2 - 1 = z (z + 2), z = c s / 2
  const denom = Math.sqrt(l2m1 > SINH_SQ_MIN ? l2m1 : SINH_SQ_MIN);
  return Math.acos(clampUnit(numer / denom));
}

/**
 * Half-aperture of the entailment cone at x: aper(x) = asin(2K / (sqrt(c)|x|)), the asin input clamped to
 * [-1 + ANGLE_EPS, 1 - ANGLE_EPS]: points with sqrt(c)|x| <= 2K (near the origin, including x = 0) get the
 * widest cone, capped just below pi/2 (pi/2 - 1.41e-6).
 * Input: x in R^D, c > 0, K >= 0 (default 0.1). Output: (0, pi/2); decreasing in |x|, -> 0 as |x| -> inf.
 */
export function halfAperture(x: Vec, c: number, K = DEFAULT_K): number {
  assertCurvature(c);
  assertK(K);
  return halfApertureFromNorm(norm(x), Math.sqrt(c), K);
}

/**
 * Exterior angle at x of the hyperbolic triangle O-x-y (MERU's `oxy_angle`): the angle at x between the
 * geodesic continuing from x away from the origin O and the geodesic from x to y. 0 when y lies further out on
 * the ray O->x, pi when y lies between O and x (or beyond O).
 *
 * Formula (MERU): with x_t, y_t the time components and l = c <x, y>_L = -cosh(sqrt(c) d(x, y)),
 *   ext(x, y) = acos( (y_t + x_t l) / (|x| sqrt(l^2 - 1)) ).
 * Derivation (hyperbolic law of cosines, curvature -c, lengths scaled by sqrt(c)): in triangle O-x-y let
 * a = sqrt(c) d(O, x), b = sqrt(c) d(x, y), e = sqrt(c) d(O, y) and theta_x the interior angle at x. Then
 *   cosh e = cosh a cosh b - sinh a sinh b cos(theta_x),
 * and the exterior angle is pi - theta_x, so cos(ext) = (cosh e - cosh a cosh b) / (sinh a sinh b). On the
 * hyperboloid cosh a = -c <O, x>_L = sqrt(c) x_t, sinh a = sqrt(c)|x|, cosh e = sqrt(c) y_t, cosh b = -l,
 * sinh b = sqrt(l^2 - 1); substituting and cancelling sqrt(c) gives MERU's expression. (Checks: y further out on
 * the ray gives e = a + b, cos = 1; the right-angle construction in the tests gives the hyperbolic Pythagorean
 * theorem cosh e = cosh a cosh b, cos = 0.)
 *
 * Evaluated in an equivalent form with less cancellation: using c x_t^2 = 1 + c|x|^2, the numerator is
 * y_t + x_t l = c (x_t (x.y) - |x|^2 y_t), so cos(ext) = c (x_t (x.y) - |x|^2 y_t) / (|x| sqrt(l^2 - 1)), with
 * l^2 - 1 = z (z + 2), z = c s / 2 from the cancellation-free squared chord s (see lorentz.ts).
 * Clamps: l^2 - 1 >= SINH_SQ_MIN (y = x: 0/0, gives pi/2 as in MERU); acos input in [-1 + ANGLE_EPS,
 * 1 - ANGLE_EPS] (rounding). At x = 0 the direction "away from the origin" is undefined; the result is pi/2,
 * MERU's value there (its numerator is exactly 0).
 * Input: x, y in R^D (same D), c > 0. Output: [1.41e-6, pi - 1.41e-6] (pi/2 for x = 0 or y = x).
 */
export function exteriorAngle(x: Vec, y: Vec, c: number): number {
  assertCurvature(c);
  const p = pointPair(x, y, c, 'exteriorAngle');
  return exteriorAngleFromSums(c, p.xx, p.xt, p.xy, p.yt, p.s);
}

/**
 * True when y lies inside the entailment cone of x: exteriorAngle(x, y) <= halfAperture(x, K).
 * Note: with MERU's clamps x does not entail itself (angle pi/2 > aperture) and x = 0 entails nothing.
 * Input: x, y in R^D, c > 0, K >= 0 (default 0.1). Output: boolean.
 */
export function entails(x: Vec, y: Vec, c: number, K = DEFAULT_K): boolean {
  return exteriorAngle(x, y, c) <= halfAperture(x, c, K);
}

/**
 * The entailment loss term of MERU/HySAC for the pair (x generic, y specific):
 * max(0, exteriorAngle(x, y) - halfAperture(x, K)). 0 exactly when entails(x, y).
 * Input: x, y in R^D, c > 0, K >= 0 (default 0.1). Output: [0, pi).
 */
export function entailmentViolation(x: Vec, y: Vec, c: number, K = DEFAULT_K): number {
  const v = exteriorAngle(x, y, c) - halfAperture(x, c, K);
  return v > 0 ? v : 0;
}

/**
 * The sums entailedBy reads for one row x = data[base .. base + dim) and a point q, in this summation order:
 * out = [ |x - q|^2, (x - q).(x + q), |x|^2, x.q ]. Shared with the one-pass search (nearest-in-cone.ts), whose
 * exact fallback must reproduce entailedBy's arithmetic bit for bit.
 */
export function rowPointSums(data: ArrayLike<number>, base: number, dim: number, q: ArrayLike<number>, out: Float64Array): void {
  let s1 = 0;
  let s2 = 0;
  let xx = 0;
  let xy = 0;
  for (let j = 0; j < dim; j++) {
    const a = data[base + j];
    const b = q[j];
    const d = a - b;
    s1 += d * d;
    s2 += d * (a + b);
    xx += a * a;
    xy += a * b;
  }
  out[0] = s1;
  out[1] = s2;
  out[2] = xx;
  out[3] = xy;
}

/**
 * Which rows' cones contain `point`: out[i] = 1 iff entails(row_i, point, c, K) (same arithmetic, so equal to
 * the single version). One tight loop per row, no allocation per row; pass `times` = timeComponents(m, c) to
 * skip the per-row time component (the norms are still summed, they are needed for the aperture).
 * Input: point in R^D, m (rows x D), c > 0, K >= 0 (default 0.1), optional times (length rows).
 * Output: Uint8Array of length rows with 0/1 entries (a row or point containing NaN gives 0).
 */
export function entailedBy(point: Vec, m: Matrix, c: number, K = DEFAULT_K, times?: Float64Array): Uint8Array {
  assertCurvature(c);
  assertK(K);
  assertMatrix(m);
  const { data, rows, dim } = m;
  if (point.length !== dim) throw new RangeError(`entailedBy: point has dimension ${point.length}, matrix has ${dim}`);
  if (times !== undefined) assertTimes(times, rows, 'entailedBy');
  const p = Float64Array.from(point);
  const invC = 1 / c;
  const sc = Math.sqrt(c);
  const pt = Math.sqrt(invC + sqNorm(p));
  const out = new Uint8Array(rows);
  const sums = new Float64Array(4);
  for (let i = 0, base = 0; i < rows; i++, base += dim) {
    rowPointSums(data, base, dim, p, sums);
    const xx = sums[2];
    const xt = times !== undefined ? times[i] : Math.sqrt(invC + xx);
    const angle = exteriorAngleFromSums(c, xx, xt, sums[3], pt, chordSqFromSums(sums[0], sums[1], xt, pt));
    out[i] = angle <= halfApertureFromNorm(Math.sqrt(xx), sc, K) ? 1 : 0;
  }
  return out;
}
