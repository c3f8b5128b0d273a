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
