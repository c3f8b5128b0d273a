import {
  createMatrix,
  distance,
  distanceFromOrigin,
  dot,
  expMap0,
  expMapAt,
  geodesicPoint,
  logMapAt,
  matrixFromRows,
  matrixRow,
  norm,
  traverseBatch,
  traverseToDistance,
  traverseToward,
} from '../../src/geometry';
import { mulberry32, randomVector } from '../helpers/prng';
import { CURVS, DIMS, expectClose, expectVecClose } from './helpers';

/** Cosine of the Euclidean angle between two vectors. */
function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot(a, b) / (norm(a) * norm(b));
}

describe('traverseToDistance', () => {
  it('matches a hand value: c = 1, x = (3, 4), d = 1 gives sinh(1) (0.6, 0.8)', () => {
    expectVecClose(traverseToDistance([3, 4], 1, 1), [0.6 * Math.sinh(1), 0.8 * Math.sinh(1)], 1e-15);
    // c = 4, x = (0, -2), d = 0.5: sinh(1)/2 (0, -1)
    expectVecClose(traverseToDistance([0, -2], 0.5, 4), [0, -Math.sinh(1) / 2], 1e-15);
  });

  it('lands exactly at geodesic distance d, in the same direction, equal to expMap0(d x/|x|)', () => {
    const rng = mulberry32(31);
    for (const c of CURVS) {
      for (const D of DIMS) {
        for (let k = 0; k < 5; k++) {
          const x = randomVector(rng, D, 0.01 + 5 * rng());
          const d = 4 * rng();
          const p = traverseToDistance(x, d, c);
          expectClose(distanceFromOrigin(p, c), d, 1e-12, 1e-15);
          expectClose(distance(p, new Float64Array(D), c), d, 1e-12, 1e-12);
          if (d > 0) expectClose(cosine(p, x), 1, 1e-14);
          const n = norm(x);
          expectVecClose(p, expMap0(x.map((a) => (d * a) / n), c), 1e-12);
        }
      }
    }
  });

  it('differs from the HySAC reference (Euclidean rescaling), which lands at asinh(sqrt(c) d)/sqrt(c)', () => {
    const x = [3, 4];
    for (const c of CURVS) {
      const d = 2;
      const hysac = x.map((a) => (d * a) / 5); // upper_bound * x/|x|
      expectClose(distanceFromOrigin(hysac, c), Math.asinh(Math.sqrt(c) * d) / Math.sqrt(c), 1e-14);
      expect(Math.abs(distanceFromOrigin(hysac, c) - d)).toBeGreaterThan(0.3);
      expectClose(distanceFromOrigin(traverseToDistance(x, d, c), c), d, 1e-14);
    }
    // c = 1, d = 2: the reference lands at asinh(2) = 1.4436...
    expectClose(distanceFromOrigin([1.2, 1.6], 1), 1.4436354751788103, 1e-14);
  });

  it('x = 0 (no direction) gives the origin; d = 0 gives the origin; tiny vectors keep their direction', () => {
    expect(Array.from(traverseToDistance([0, 0, 0], 1.5, 1))).toEqual([0, 0, 0]);
    expect(Array.from(traverseToDistance([1, 2], 0, 1)).map(Math.abs)).toEqual([0, 0]);
    // |x| = 1e-300: x_j^2 underflows, the scaled norm does not
    const p = traverseToDistance([3e-301, 4e-301], 1, 1);
    expectVecClose(p, [0.6 * Math.sinh(1), 0.8 * Math.sinh(1)], 1e-15);
    const q = traverseToDistance([6e-13, 8e-13], 1, 2.3);
    expectClose(distanceFromOrigin(q, 2.3), 1, 1e-14);
    expectClose(q[0] / q[1], 0.75, 1e-14);
  });

  it('handles large |x| = 1e6 and rejects bad distances', () => {
    const p = traverseToDistance([6e5, 8e5], 3, 1);
    expectVecClose(p, [0.6 * Math.sinh(3), 0.8 * Math.sinh(3)], 1e-14);
    const far = traverseToDistance([1, 0], 30, 1);
    expectClose(far[0], Math.sinh(30), 1e-14);
    expect(() => traverseToDistance([1, 0], -1, 1)).toThrow(RangeError);
    expect(() => traverseToDistance([1, 0], NaN, 1)).toThrow(RangeError);
    expect(() => traverseToDistance([1, 0], Infinity, 1)).toThrow(RangeError);
    expect(() => traverseToDistance([1, 0], 800, 1)).toThrow(RangeError); // sinh overflows
    expect(() => traverseToDistance([1, 0], 1, 0)).toThrow(RangeError);
  });
});

describe('traverseBatch', () => {
  it('equals traverseToDistance row by row (scalar and per-row distances), zero rows stay zero', () => {
    const rng = mulberry32(32);
    for (const c of CURVS) {
      const D = 16;
      const rows = [...Array.from({ length: 9 }, () => randomVector(rng, D, 0.05 + 4 * rng())), new Array(D).fill(0)];
      const m = matrixFromRows(rows);
      const dists = Float64Array.from(rows, () => 3 * rng());
      const a = traverseBatch(m, 1.25, c);
      const b = traverseBatch(m, dists, c);
      expect(a.data).toBeInstanceOf(Float32Array);
      for (let i = 0; i < m.rows; i++) {
        const row = matrixRow(m, i);
        expectVecClose(matrixRow(a, i), traverseToDistance(row, 1.25, c), 1.2e-7);
        expectVecClose(matrixRow(b, i), traverseToDistance(row, dists[i], c), 1.2e-7);
        if (i < 9) {
          expectClose(distanceFromOrigin(matrixRow(a, i), c), 1.25, 1e-6);
          expectClose(distanceFromOrigin(matrixRow(b, i), c), dists[i], 1e-6, 1e-7);
        }
      }
      expect(Array.from(matrixRow(a, 9))).toEqual(new Array(D).fill(0));
    }
  });

  it('validates arguments', () => {
    const m = createMatrix(2, 3);
    expect(() => traverseBatch(m, new Float64Array(3), 1)).toThrow(RangeError);
    expect(() => traverseBatch(m, -1, 1)).toThrow(RangeError);
    expect(() => traverseBatch(m, Float64Array.from([1, NaN]), 1)).toThrow(RangeError);
  });
});

describe('traverseToward', () => {
  it('moves a fraction t of the way to the origin along the ray', () => {
    const rng = mulberry32(33);
    for (const c of CURVS) {
      const x = randomVector(rng, 7, 3);
      const d0 = distanceFromOrigin(x, c);
      expectVecClose(traverseToward(x, 0, c), x, 1e-14);
      expect(Array.from(traverseToward(x, 1, c)).map(Math.abs)).toEqual(new Array(7).fill(0));
      for (const t of [0.25, 0.5, 0.9]) {
        const p = traverseToward(x, t, c);
        expectClose(distanceFromOrigin(p, c), (1 - t) * d0, 1e-12);
        expectClose(distance(x, p, c), t * d0, 1e-10);
        expectVecClose(p, geodesicPoint(x, new Array(7).fill(0), t, c), 1e-12);
      }
    }
    expect(() => traverseToward([1], 1.5, 1)).toThrow(RangeError);
    expect(() => traverseToward([1], -0.1, 1)).toThrow(RangeError);
  });
});

describe('geodesicPoint', () => {
  it('hand value: c = 1, x = (sinh 1, 0), y = (-sinh 1, 0): the midpoint is 0, t = 1/4 is (sinh(1/2), 0)', () => {
    const x = [Math.sinh(1), 0];
    const y = [-Math.sinh(1), 0];
    expectVecClose(geodesicPoint(x, y, 0.5, 1), [0, 0], 0, 1e-15);
    expectVecClose(geodesicPoint(x, y, 0.25, 1), [Math.sinh(0.5), 0], 1e-15);
    expectVecClose(geodesicPoint(x, y, 0.75, 1), [-Math.sinh(0.5), 0], 1e-15);
  });

  it('returns the endpoints exactly at t = 0 and t = 1', () => {
    const x = [0.3, -1.7, 2.2];
    const y = [-4, 0.5, 0.01];
    expect(Array.from(geodesicPoint(x, y, 0, 0.7))).toEqual(x);
    expect(Array.from(geodesicPoint(x, y, 1, 0.7))).toEqual(y);
  });

  it('d(x, p_t) = t d(x, y), d(p_t, y) = (1 - t) d(x, y), and equals exp_x(t log_x y)', () => {
    const rng = mulberry32(34);
    for (const c of CURVS) {
      for (const D of DIMS) {
        for (let k = 0; k < 5; k++) {
          const x = randomVector(rng, D, 4 * rng());
          const y = randomVector(rng, D, 4 * rng());
          const dxy = distance(x, y, c);
          const v = logMapAt(x, y, c);
          for (const t of [0.1, 0.5, 0.77]) {
            const p = geodesicPoint(x, y, t, c);
            expectClose(distance(x, p, c), t * dxy, 1e-10, 1e-12);
            expectClose(distance(p, y, c), (1 - t) * dxy, 1e-10, 1e-12);
            expectVecClose(p, expMapAt(x, v.map((a) => t * a), c), 1e-10);
          }
          // extrapolation beyond y stays on the geodesic
          const p2 = geodesicPoint(x, y, 2, c);
          expectClose(distance(x, p2, c), 2 * dxy, 1e-10, 1e-12);
          expectClose(distance(y, p2, c), dxy, 1e-10, 1e-12);
        }
      }
    }
  });

  it('for y = 0 agrees with traverseToDistance(x, (1 - t) d(x, 0))', () => {
    const rng = mulberry32(35);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 0.1 + 5 * rng());
        const zero = new Array(D).fill(0);
        const d0 = distanceFromOrigin(x, c);
        for (const t of [0, 0.3, 0.5, 0.99]) {
          expectVecClose(geodesicPoint(x, zero, t, c), traverseToDistance(x, (1 - t) * d0, c), 1e-12);
        }
      }
    }
  });

  it('is symmetric (p_t(x, y) = p_{1-t}(y, x)); x = y gives x; nearby points are stable', () => {
    const x = [0.4, 1.1, -0.2];
    const y = [2, -3, 0.5];
    expectVecClose(geodesicPoint(x, y, 0.3, 1.4), geodesicPoint(y, x, 0.7, 1.4), 1e-12);
    expectVecClose(geodesicPoint(x, x, 0.3, 1.4), x, 1e-15);
    const yNear = [0.4 + 1e-10, 1.1, -0.2];
    const p = geodesicPoint(x, yNear, 0.5, 1.4);
    expectVecClose(p, [0.4 + 0.5e-10, 1.1, -0.2], 0, 1e-15);
  });

  it('stays finite far from the origin (|x| = 1e6) and for tiny |x| = 1e-12', () => {
    for (const c of CURVS) {
      const x = [6e5, 8e5];
      const mid = geodesicPoint(x, [-6e5, -8e5], 0.5, c);
      expectVecClose(mid, [0, 0], 0, 1e-9);
      const p = geodesicPoint(x, [-8e5, 6e5], 0.5, c);
      for (const a of p) expect(Number.isFinite(a)).toBe(true);
      // Midpoint M of two points at scaled distance a on perpendicular rays: by symmetry M lies on the bisecting
      // ray and O-M-x has a right angle at M and pi/4 at O, so cos(pi/4) = tanh(sqrt(c) OM) / tanh(a), i.e.
      // sqrt(c) OM = atanh(tanh(a)/sqrt(2)) ~ 0.8814 for large a: the geodesic dips close to the origin.
      const a = Math.sqrt(c) * distanceFromOrigin(x, c);
      expectClose(Math.sqrt(c) * distanceFromOrigin(p, c), Math.atanh(Math.tanh(a) / Math.SQRT2), 1e-6);
      expectClose(cosine(p, [-2e5, 1.4e6]), 1, 1e-9); // bisector direction (x + y)
      const tiny = geodesicPoint([6e-13, 8e-13], [-6e-13, -8e-13], 0.25, c);
      expectVecClose(tiny, [3e-13, 4e-13], 1e-9);
    }
    expect(() => geodesicPoint([1], [2], NaN, 1)).toThrow(RangeError);
    expect(() => geodesicPoint([1], [2, 3], 0.5, 1)).toThrow(RangeError);
  });
});
