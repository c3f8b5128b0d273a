/**
 * The seeded pseudo-random numbers of the test suites: one generator, mulberry32 (32-bit state), so that every
 * "random" input of a test is the same on every run, platform and Node version.
 *
 * The generator itself is models/fixture/prng.ts (`Prng`), the one the fixture model's weights come from; this
 * file only adapts it to the shapes the tests use (a `() => number` stream, Gaussians, vectors, typed arrays).
 * The same seed gives the same stream everywhere: mulberry32(s)() === new Prng(s).uniform().
 *
 * (test/bench, kept apart from the suites, still carries its own copy.)
 */
import { Prng } from '../../models/fixture/prng';

/** A stream of uniform floats in [0, 1). */
export type Rng = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed (mulberry32; seed is taken modulo 2^32). */
export function mulberry32(seed: number): Rng {
  const p = new Prng(seed);
  return () => p.uniform();
}

/** One standard normal sample (Box-Muller, cosine branch; two uniforms per sample). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // in (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A vector in R^D with a uniformly random direction (normalised Gaussian) and Euclidean norm `len`.
 * D >= 1; len may be 0 (the zero vector).
 */
export function randomVector(rng: Rng, D: number, len: number): number[] {
  const v = Array.from({ length: D }, () => gaussian(rng));
  const n = Math.hypot(...v);
  return v.map((a) => (a / n) * len);
}

/** n uniform floats in [-1, 1), rounded to float32, from `seed`. */
export function seededFloats(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng() * 2 - 1;
  return out;
}

/** n uniform bytes (0..255) from `seed`. */
export function seededBytes(n: number, seed: number): Uint8Array {
  const rng = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * 256);
  return out;
}
