import { randomVector, type Rng } from '../helpers/prng';

/**
 * Shared setup of the geometry suites (lorentz, entailment, traverse): tolerance checks and the curvatures and
 * dimensions every property is swept over. Seeded random inputs come from ../helpers/prng.
 */

/** Curvatures c (the space has curvature -c) that every property is checked at. */
export const CURVS = [0.5, 1, 2.3];
/** Dimensions D (space components) that every property is checked at: from 1 up to past a SIMD-sized 64. */
export const DIMS = [1, 2, 3, 8, 17, 64];

/** Throws unless |actual - expected| <= abs + rel * |expected|, with a message naming both and the error. */
export function expectClose(actual: number, expected: number, rel = 1e-12, abs = 1e-12): void {
  const err = Math.abs(actual - expected);
  if (!(err <= abs + rel * Math.abs(expected))) {
    throw new Error(`expected ${actual} to be within ${abs} + ${rel}*|e| of ${expected} (error ${err})`);
  }
}

/** Same length, and every component within abs + rel * max|expected| (a tolerance relative to the vector's scale). */
export function expectVecClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rel = 1e-12, abs = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1e-300, ...Array.from(expected, Math.abs));
  for (let j = 0; j < expected.length; j++) expectClose(actual[j], expected[j], 0, abs + rel * scale);
}

/** Two random orthonormal vectors in R^D (D >= 2), by Gram-Schmidt. */
export function randFrame(rng: Rng, D: number): [number[], number[]] {
  const e1 = randomVector(rng, D, 1);
  const g = randomVector(rng, D, 1);
  const p = g.reduce((s, a, j) => s + a * e1[j], 0);
  const e2u = g.map((a, j) => a - p * e1[j]);
  const n = Math.hypot(...e2u);
  return [e1, e2u.map((a) => a / n)];
}

/**
 * Hand construction of a configuration with a known exterior angle. On the hyperboloid of curvature -c take
 * x at scaled distance A = sqrt(c) d(O, x) along e1: X = (cosh A, sinh A e1)/sqrt(c). At X the unit tangent
 * pointing away from the origin is u_r = (sinh A, cosh A e1) and u_p = (0, e2) is a unit tangent orthogonal to
 * it. The geodesic from X with unit initial direction w = cos(phi) u_r + sin(phi) u_p reaches, after scaled
 * length B, Y = cosh(B) X + sinh(B) w / sqrt(c). The exterior angle at x is phi by construction.
 */
export function construct(c: number, A: number, B: number, phi: number, e1: number[], e2: number[]): { x: number[]; y: number[] } {
  const sc = Math.sqrt(c);
  const x = e1.map((a) => (Math.sinh(A) / sc) * a);
  const k1 = (Math.cosh(B) * Math.sinh(A) + Math.sinh(B) * Math.cos(phi) * Math.cosh(A)) / sc;
  const k2 = (Math.sinh(B) * Math.sin(phi)) / sc;
  const y = e1.map((a, j) => k1 * a + k2 * e2[j]);
  return { x, y };
}

/**
 * Seeded constructed configurations with a known exterior angle: for every c in CURVS and D in {2, 3, 16, 64},
 * ten pairs (x, y) = construct(c, A, B, phi, e1, e2) with A, B in [0.05, 3.05), phi in [0.01, pi - 0.01) and a
 * random orthonormal frame (e1, e2). The suites that check formulas against the construction share it.
 */
export function* constructedAngles(rng: Rng): Generator<{ c: number; B: number; phi: number; x: number[]; y: number[] }> {
  for (const c of CURVS) {
    for (const D of [2, 3, 16, 64]) {
      for (let k = 0; k < 10; k++) {
        const [e1, e2] = randFrame(rng, D);
        const A = 0.05 + 3 * rng();
        const B = 0.05 + 3 * rng();
        const phi = 0.01 + (Math.PI - 0.02) * rng();
        yield { c, B, phi, ...construct(c, A, B, phi, e1, e2) };
      }
    }
  }
}
