/**
 * Lorentz-model operations in TensorFlow.js, differentiable, for training. They follow MERU's meru/lorentz.py
 * (also HySAC's hysac/lorentz.py) and compute the same quantities as the gateway's float64 versions in
 * src/geometry (lorentz.ts, entailment.ts); the float32 clamps below keep gradients finite.
 *
 * Convention (as in src/geometry): tensors hold space components x in R^D of points on the hyperboloid
 * <p, p>_L = -1/c; the time component is x_t = sqrt(1/c + |x|^2). `c` is a scalar tensor (c > 0).
 */
import { tf } from './tf';

type T = tf.Tensor;

/** Clamp margin for asin/acos inputs and the acosh argument in float32 (MERU uses 1e-8, which is 0 in float32). */
export const EPS = 1e-6;
/** MERU's/HySAC's clamp of the sinh argument in exp_map0 (asinh(2^15)), also the gateway's EXPMAP0_MAX_ARG. */
export const EXPMAP0_MAX_ARG = Math.asinh(2 ** 15);

function rowNorm(x: T): T {
  // sqrt(sum x^2) with a floor inside the root so that the gradient at x = 0 stays finite.
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), 1e-12));
}

/**
 * Exponential map at the origin (gateway: expMap0): x = sinh(sqrt(c)|u|) / (sqrt(c)|u|) * u.
 * The geodesic distance of x from the origin is |u|. u: [N, D] -> [N, D].
 */
export function expMap0(u: T, c: T): T {
  const r = tf.mul(tf.sqrt(c), rowNorm(u));
  return tf.mul(tf.div(tf.sinh(tf.clipByValue(r, 1e-6, EXPMAP0_MAX_ARG)), r), u);
}

/** Time components sqrt(1/c + |x|^2): [N, D] -> [N, 1]. */
export function timeComponent(x: T, c: T): T {
  return tf.sqrt(tf.add(tf.div(1, c), tf.sum(tf.square(x), -1, true)));
}

/**
 * Pairwise geodesic distances (MERU pairwise_dist; gateway: distance):
 *   d(x_i, y_j) = acosh(-c <x_i, y_j>_L) / sqrt(c),  <x, y>_L = x . y - x_t y_t,
 * the acosh argument clamped to >= 1 + EPS. x: [N, D], y: [M, D] -> [N, M].
 */
export function pairwiseDistance(x: T, y: T, c: T): T {
  const inner = tf.sub(tf.matMul(x, y, false, true), tf.matMul(timeComponent(x, c), timeComponent(y, c), false, true));
  const arg = tf.maximum(tf.mul(tf.neg(c), inner), 1 + EPS);
  return tf.div(tf.acosh(arg), tf.sqrt(c));
}

/**
 * Half-aperture of the entailment cone at x (MERU half_aperture; gateway: halfAperture):
 *   aper(x) = asin(clamp(2K / (sqrt(c)|x|), -1 + EPS, 1 - EPS)).  x: [N, D] -> [N].
 */
export function halfAperture(x: T, c: T, K: number): T {
  const u = tf.div(2 * K, tf.mul(tf.sqrt(c), tf.squeeze(rowNorm(x), [-1])));
  return tf.asin(tf.clipByValue(u, -1 + EPS, 1 - EPS));
}

/**
 * Exterior angle at x of the triangle O-x-y (MERU oxy_angle; gateway: exteriorAngle):
 *   l = c <x, y>_L,  ext(x, y) = acos( (y_t + l x_t) / (|x| sqrt(max(l^2 - 1, EPS))) ),
 * the acos input clamped to [-1 + EPS, 1 - EPS]. Row-wise: x, y: [N, D] -> [N].
 */
export function exteriorAngle(x: T, y: T, c: T): T {
  const xt = tf.squeeze(timeComponent(x, c), [-1]);
  const yt = tf.squeeze(timeComponent(y, c), [-1]);
  const l = tf.mul(c, tf.sub(tf.sum(tf.mul(x, y), -1), tf.mul(xt, yt)));
  const numer = tf.add(yt, tf.mul(l, xt));
  const denom = tf.mul(tf.squeeze(rowNorm(x), [-1]), tf.sqrt(tf.maximum(tf.sub(tf.square(l), 1), EPS)));
  return tf.acos(tf.clipByValue(tf.div(numer, denom), -1 + EPS, 1 - EPS));
}
