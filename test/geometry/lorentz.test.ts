import {
  EXPMAP0_MAX_ARG,
  SERIES_CUTOFF,
  createMatrix,
  distance,
  distanceFromOrigin,
  distancesFromOrigin,
  distancesTo,
  expMap0,
  expMap0Batch,
  expMapAt,
  logMap0,
  logMapAt,
  lorentzInner,
  matrixFromRows,
  matrixRow,
  norm,
  timeComponent,
  timeComponents,
  toAmbient,
  type Matrix,
} from '../../src/geometry';
import { mulberry32, randomVector, type Rng } from '../helpers/prng';
import { CURVS, DIMS, expectClose, expectVecClose } from './helpers';

/** MERU's distance formula, verbatim in float64: acosh(max(1, -c <x,y>_L)) / sqrt(c). */
function meruDistance(x: number[], y: number[], c: number): number {
  return Math.acosh(Math.max(1, -c * lorentzInner(x, y, c))) / Math.sqrt(c);
}

describe('timeComponent and lorentzInner', () => {
  it('satisfies the hyperboloid constraint x_t^2 - |x|^2 = 1/c', () => {
    const rng = mulberry32(1);
    for (const c of [...CURVS, 0.01, 10]) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 3 * rng());
        const xt = timeComponent(x, c);
        expectClose(xt * xt - norm(x) ** 2, 1 / c, 1e-12, 1e-12);
      }
    }
  });

  it('matches hand values', () => {
    expect(timeComponent([3, 4], 1)).toBe(Math.sqrt(26));
    expect(timeComponent([0, 0, 0], 0.25)).toBe(2);
    expect(timeComponent(new Float32Array([0.5]), 4)).toBe(Math.sqrt(0.5));
    // c = 1, x = (1, 0), y = (0, 1): 0 - sqrt(2) sqrt(2) = -2
    expectClose(lorentzInner([1, 0], [0, 1], 1), -2, 1e-15);
    // c = 2, x = y = (1): 1 - (1/2 + 1) = -1/2 = -1/c
    expectClose(lorentzInner([1], [1], 2), -0.5, 1e-15);
  });

  it('<x, x>_L = -1/c and <x, y>_L <= -1/c', () => {
    const rng = mulberry32(2);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 2 * rng());
        const y = randomVector(rng, D, 2 * rng());
        expectClose(lorentzInner(x, x, c), -1 / c, 1e-12, 1e-12);
        expect(lorentzInner(x, y, c)).toBeLessThanOrEqual(-1 / c + 1e-12);
      }
    }
  });

  it('rejects a bad curvature and mismatched dimensions', () => {
    expect(() => timeComponent([1], 0)).toThrow(RangeError);
    expect(() => timeComponent([1], -1)).toThrow(RangeError);
    expect(() => timeComponent([1], NaN)).toThrow(RangeError);
    expect(() => timeComponent([1], Infinity)).toThrow(RangeError);
    expect(() => distance([1, 2], [1], 1)).toThrow(RangeError);
    expect(() => lorentzInner([1, 2], [1], 1)).toThrow(RangeError);
  });
});

describe('distance', () => {
  it('c = 1, x = (sinh 1, 0) is exactly 1 from the origin', () => {
    expectClose(distance([Math.sinh(1), 0], [0, 0], 1), 1, 1e-15);
    expectClose(distanceFromOrigin([Math.sinh(1), 0], 1), 1, 1e-15);
  });

  it('c = 4, x = (0, sinh(2)/2) is 1 from the origin', () => {
    // d = asinh(sqrt(c)|x|)/sqrt(c) = asinh(sinh 2)/2 = 1
    expectClose(distanceFromOrigin([0, Math.sinh(2) / 2], 4), 1, 1e-15);
    expectClose(distance([0, Math.sinh(2) / 2], [0, 0], 4), 1, 1e-15);
  });

  it('points on opposite rays at distances a and b are a + b apart; on the same ray |a - b|', () => {
    const rng = mulberry32(3);
    for (const c of CURVS) {
      for (const D of [1, 3, 64]) {
        const u = randomVector(rng, D, 1);
        const a = 3 * rng();
        const b = 3 * rng();
        const sc = Math.sqrt(c);
        const x = u.map((v) => (Math.sinh(sc * a) / sc) * v);
        const y = u.map((v) => (-Math.sinh(sc * b) / sc) * v);
        const y2 = u.map((v) => (Math.sinh(sc * b) / sc) * v);
        expectClose(distance(x, y, c), a + b, 1e-12);
        expectClose(distance(x, y2, c), Math.abs(a - b), 1e-9, 1e-12);
      }
    }
  });

  it('agrees with MERU acosh formula on random pairs', () => {
    const rng = mulberry32(4);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 2 * rng());
        const y = randomVector(rng, D, 2 * rng());
        const d = distance(x, y, c);
        // MERU's form loses ~half the digits when -c<x,y>_L is near 1, so compare at 1e-7 absolute
        expectClose(d, meruDistance(x, y, c), 1e-9, 1e-7);
      }
    }
  });

  it('is exactly 0 on the diagonal (MERU form is not) and exactly symmetric', () => {
    const rng = mulberry32(5);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 5 * rng());
        const y = randomVector(rng, D, 5 * rng());
        expect(distance(x, x, c)).toBe(0);
        expect(distance(x, y, c)).toBe(distance(y, x, c));
      }
    }
  });

  it('is accurate for nearby points (d ~ 1e-9)', () => {
    // Along one ray: exact answer is asinh(sqrt(c) r2)/sqrt(c) - asinh(sqrt(c) r1)/sqrt(c)
    const c = 1;
    const x = [Math.sinh(1), 0];
    const y = [Math.sinh(1 + 1e-9), 0];
    expectClose(distance(x, y, c), 1e-9, 1e-6);
  });

  it('satisfies the triangle inequality on random triples', () => {
    const rng = mulberry32(6);
    for (const c of CURVS) {
      for (const D of DIMS) {
        for (let k = 0; k < 20; k++) {
          const x = randomVector(rng, D, 3 * rng());
          const y = randomVector(rng, D, 3 * rng());
          const z = randomVector(rng, D, 3 * rng());
          expect(distance(x, z, c)).toBeLessThanOrEqual(distance(x, y, c) + distance(y, z, c) + 1e-12);
        }
      }
    }
  });

  it('distance(x, 0) = distanceFromOrigin(x) = |logMap0(x)|', () => {
    const rng = mulberry32(7);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 10 * rng());
        const d0 = distanceFromOrigin(x, c);
        expectClose(distance(x, new Array(D).fill(0), c), d0, 1e-12);
        expectClose(norm(logMap0(x, c)), d0, 1e-12);
      }
    }
  });
});

describe('expMap0 / logMap0', () => {
  it('matches hand values', () => {
    // c = 1, v = (1, 0): (sinh 1, 0)
    expectVecClose(expMap0([1, 0], 1), [Math.sinh(1), 0], 1e-15);
    // c = 4, v = (0, 0.5): r = 1, factor sinh(1)/1
    expectVecClose(expMap0([0, 0.5], 4), [0, Math.sinh(1) * 0.5], 1e-15);
    // logMap0 (c = 1, x = (sinh 2, 0)) = (2, 0)
    expectVecClose(logMap0([Math.sinh(2), 0], 1), [2, 0], 1e-15);
    // c = 2.3, x = (3, 4): |x| = 5, factor asinh(sqrt(2.3)*5)/(sqrt(2.3)*5)
    const f = Math.asinh(Math.sqrt(2.3) * 5) / (Math.sqrt(2.3) * 5);
    expectVecClose(logMap0([3, 4], 2.3), [3 * f, 4 * f], 1e-15);
  });

  it('log(exp(v)) = v, exp(log(x)) = x, d(0, exp(v)) = |v| (c in {0.5, 1, 2.3}, D in 1..64)', () => {
    const rng = mulberry32(8);
    for (const c of CURVS) {
      for (const D of DIMS) {
        for (let k = 0; k < 10; k++) {
          const v = randomVector(rng, D, 4 * rng());
          const x = expMap0(v, c);
          expectVecClose(logMap0(x, c), v, 1e-12);
          expectClose(distanceFromOrigin(x, c), norm(v), 1e-12, 1e-15);
          expectClose(distance(x, new Float64Array(D), c), norm(v), 1e-12, 1e-15);
          const y = randomVector(rng, D, 50 * rng());
          expectVecClose(expMap0(logMap0(y, c), c), y, 1e-12);
        }
      }
    }
  });

  it('maps 0 to 0 and is smooth across the series cutoff', () => {
    expect(Array.from(expMap0([0, 0, 0], 1))).toEqual([0, 0, 0]);
    expect(Array.from(logMap0([0, 0, 0], 1))).toEqual([0, 0, 0]);
    for (const r of [SERIES_CUTOFF * 0.999, SERIES_CUTOFF * 1.001, 1e-12]) {
      // sinh(r)/r = 1 + r^2/6 + r^4/120, asinh(r)/r = 1 - r^2/6 + 3 r^4/40
      expectClose(expMap0([r], 1)[0], r * (1 + (r * r) / 6 + r ** 4 / 120), 2e-16);
      expectClose(logMap0([r], 1)[0], r * (1 - (r * r) / 6 + (3 * r ** 4) / 40), 2e-16);
    }
  });

  it('clamps the sinh argument at asinh(2^15) exactly as MERU/HySAC do', () => {
    // asinh(2^15) = ln(2^15 + sqrt(2^30 + 1)) = 16 ln 2 + 1/(4 * 2^30) + O(2^-60)
    expectClose(EXPMAP0_MAX_ARG, 16 * Math.LN2 + 2 ** -32, 1e-15);
    for (const c of CURVS) {
      const v = [30, 40]; // sqrt(c)|v| = 50 sqrt(c) > 11.09
      const x = expMap0(v, c);
      expectClose(norm(x), 2 ** 15 / Math.sqrt(c), 1e-12);
      expectClose(x[0] / x[1], 0.75, 1e-14); // direction kept
      // just below the clamp, no saturation
      const r = 11;
      const below = expMap0([r / Math.sqrt(c)], c);
      expectClose(below[0], Math.sinh(r) / Math.sqrt(c), 1e-14);
    }
  });
});

describe('ambient exp/log at a general point', () => {
  it('expMapAt(x, logMapAt(x, y)) = y, |log|_L = d(x, y), log is tangent at x', () => {
    const rng = mulberry32(9);
    for (const c of CURVS) {
      for (const D of DIMS) {
        const x = randomVector(rng, D, 3 * rng());
        const y = randomVector(rng, D, 3 * rng());
        const v = logMapAt(x, y, c);
        const X = toAmbient(x, c);
        let vv = -v[0] * v[0];
        let xv = -X[0] * v[0];
        for (let j = 1; j <= D; j++) {
          vv += v[j] * v[j];
          xv += X[j] * v[j];
        }
        expectClose(Math.sqrt(vv), distance(x, y, c), 1e-10, 1e-12);
        expectClose(xv, 0, 0, 1e-10);
        expectVecClose(expMapAt(x, v, c), y, 1e-10);
      }
    }
  });

  it('at the origin reduces to expMap0 / logMap0', () => {
    const rng = mulberry32(10);
    for (const c of CURVS) {
      const D = 5;
      const zero = new Array(D).fill(0);
      const y = randomVector(rng, D, 2);
      const v = logMapAt(zero, y, c);
      expectClose(v[0], 0, 0, 1e-14);
      expectVecClose(v.subarray(1), logMap0(y, c), 1e-12);
      const w = randomVector(rng, D, 1.5);
      expectVecClose(expMapAt(zero, [0, ...w], c), expMap0(w, c), 1e-12);
    }
  });

  it('logMapAt(x, x) is the zero vector', () => {
    const v = logMapAt([0.3, -2], [0.3, -2], 1.7);
    expect(v.length).toBe(3);
    for (const a of v) expect(Math.abs(a)).toBe(0);
  });
});

describe('batch functions equal the single versions', () => {
  function randMatrix(rng: Rng, rows: number, dim: number, maxLen: number): Matrix {
    const m = createMatrix(rows, dim);
    for (let i = 0; i < rows; i++) {
      const v = randomVector(rng, dim, maxLen * rng());
      for (let j = 0; j < dim; j++) m.data[i * dim + j] = v[j];
    }
    return m;
  }

  it('expMap0Batch(m, c, scale) = expMap0(scale * row) rounded to float32', () => {
    const rng = mulberry32(11);
    for (const c of CURVS) {
      for (const D of [1, 7, 64]) {
        const m = randMatrix(rng, 20, D, 40);
        const m0 = Float32Array.from(m.data);
        for (const scale of [1, 0.05, -0.3]) {
          const out = expMap0Batch(m, c, scale);
          expect(out.rows).toBe(20);
          expect(out.dim).toBe(D);
          expect(out.data).toBeInstanceOf(Float32Array);
          for (let i = 0; i < m.rows; i++) {
            const want = expMap0(Array.from(matrixRow(m, i), (a) => a * scale), c);
            expectVecClose(matrixRow(out, i), want, 1.2e-7);
          }
        }
        expect(m.data).toEqual(m0); // input unchanged
      }
    }
  });

  it('expMap0Batch with scale 0 gives zeros; zero rows stay zero', () => {
    const m = matrixFromRows([
      [1, 2],
      [0, 0],
    ]);
    expect(Array.from(expMap0Batch(m, 1, 0).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(expMap0Batch(m, 1).data.subarray(2))).toEqual([0, 0]);
  });

  it('distancesFromOrigin, timeComponents and distancesTo equal the single versions exactly', () => {
    const rng = mulberry32(12);
    for (const c of CURVS) {
      for (const D of [1, 5, 64]) {
        const m = randMatrix(rng, 50, D, 6);
        // a duplicate of the query inside the pool
        const q = Float32Array.from(randomVector(rng, D, 2));
        m.data.set(q, 7 * D);
        const d0 = distancesFromOrigin(m, c);
        const ts = timeComponents(m, c);
        const dq = distancesTo(q, m, c);
        const dqt = distancesTo(q, m, c, ts);
        for (let i = 0; i < m.rows; i++) {
          const row = matrixRow(m, i);
          expect(d0[i]).toBe(distanceFromOrigin(row, c));
          expect(ts[i]).toBe(timeComponent(row, c));
          expect(dq[i]).toBe(distance(q, row, c));
          expect(dqt[i]).toBe(dq[i]);
        }
        expect(dq[7]).toBe(0);
      }
    }
  });

  it('distancesTo handles a 100,000-row pool', () => {
    const rng = mulberry32(13);
    const rows = 100_000;
    const D = 32;
    const m = createMatrix(rows, D);
    for (let k = 0; k < m.data.length; k++) m.data[k] = rng() - 0.5;
    const q = randomVector(rng, D, 1);
    const ts = timeComponents(m, 0.8);
    const out = distancesTo(q, m, 0.8, ts);
    expect(out.length).toBe(rows);
    for (const i of [0, 1, 4242, 99_999]) expect(out[i]).toBe(distance(q, matrixRow(m, i), 0.8));
    expect(out.every((d) => Number.isFinite(d) && d >= 0)).toBe(true);
  });

  it('validates shapes', () => {
    const m = createMatrix(3, 2);
    expect(() => distancesTo([1, 2, 3], m, 1)).toThrow(RangeError);
    expect(() => distancesTo([1, 2], m, 1, new Float64Array(2))).toThrow(RangeError);
    expect(() => distancesFromOrigin({ data: new Float32Array(5), rows: 3, dim: 2 }, 1)).toThrow(RangeError);
    expect(() => expMap0Batch(m, 1, NaN)).toThrow(RangeError);
    expect(() => matrixRow(m, 3)).toThrow(RangeError);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(RangeError);
  });
});

describe('numerical stability', () => {
  it('tiny |x| = 1e-12', () => {
    const x = [6e-13, 8e-13]; // |x| = 1e-12
    for (const c of CURVS) {
      const sc = Math.sqrt(c);
      expectClose(distanceFromOrigin(x, c), 1e-12, 1e-12);
      expectClose(distance(x, [0, 0], c), 1e-12, 1e-9);
      expectClose(timeComponent(x, c), 1 / sc, 1e-15);
      expectVecClose(expMap0(x, c), x, 1e-15);
      expectVecClose(logMap0(x, c), x, 1e-15);
      expectClose(distance(x, [-6e-13, -8e-13], c), 2e-12, 1e-9);
    }
  });

  it('large |x| = 1e6', () => {
    const x = [6e5, 8e5];
    const y = [1.2e6, 1.6e6];
    for (const c of CURVS) {
      const sc = Math.sqrt(c);
      expectClose(distanceFromOrigin(x, c), Math.asinh(sc * 1e6) / sc, 1e-14);
      // same ray: difference of asinh's (~ ln 2 / sqrt(c)). Space coordinates are ill-conditioned out here:
      // the relative error is ~ c|y|^2 * 1e-16 (~1e-3 at c = 2.3), so only a loose check is meaningful.
      expectClose(distance(x, y, c), (Math.asinh(sc * 2e6) - Math.asinh(sc * 1e6)) / sc, 5e-3);
      // opposite rays: sum
      expectClose(distance(x, [-6e5, -8e5], c), (2 * Math.asinh(sc * 1e6)) / sc, 1e-14);
      const l = logMap0(x, c);
      expectClose(norm(l), Math.asinh(sc * 1e6) / sc, 1e-14);
      // exp(log(x)) saturates at the MERU clamp (sqrt(c)|log| = asinh(sqrt(c) 1e6) > asinh(2^15)) but stays finite
      const back = expMap0(l, c);
      expectClose(norm(back), 2 ** 15 / sc, 1e-12);
      for (const a of [...l, ...back, distance(x, y, c), timeComponent(x, c)]) expect(Number.isFinite(a)).toBe(true);
    }
  });
});
