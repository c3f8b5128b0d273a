import {
  ANGLE_EPS,
  DEFAULT_K,
  distance,
  distanceFromOrigin,
  entailedBy,
  entailmentViolation,
  entails,
  exteriorAngle,
  halfAperture,
  lorentzInner,
  matrixFromRows,
  matrixRow,
  norm,
  timeComponent,
  timeComponents,
} from '../../src/geometry';
import { mulberry32, randomVector } from '../helpers/prng';
import { construct, constructedAngles, CURVS, expectClose, randFrame } from './helpers';

/**
 * MERU's oxy_angle formula in float64, acos((y_t + x_t l) / (|x| sqrt(max(l^2 - 1, eps)))), without MERU's extra
 * "+ eps" in the denominator (a float32 division guard that shifts the result by ~1e-8 / |x| relative).
 */
function meruOxyAngle(x: number[], y: number[], c: number): number {
  const eps = 1e-8;
  const xt = timeComponent(x, c);
  const yt = timeComponent(y, c);
  const l = c * lorentzInner(x, y, c);
  const numer = yt + l * xt;
  const denom = Math.sqrt(Math.max(l * l - 1, eps));
  const u = numer / (norm(x) * denom);
  return Math.acos(Math.min(1 - eps, Math.max(-1 + eps, u)));
}

const CAP = Math.asin(1 - ANGLE_EPS); // pi/2 - ~1.414e-6

describe('halfAperture', () => {
  it('equals asin(2K / (sqrt(c)|x|)) at hand values', () => {
    expect(DEFAULT_K).toBe(0.1);
    // c = 1, |x| = 0.5, K = 0.1: asin(0.4)
    expectClose(halfAperture([0.3, 0.4], 1), Math.asin(0.4), 1e-15);
    // c = 4, |x| = 1, K = 0.2: asin(0.4 / 2) = asin(0.2)
    expectClose(halfAperture([0, 1, 0], 4, 0.2), Math.asin(0.2), 1e-15);
    // c = 2.3, |x| = 10, K = 0.1
    expectClose(halfAperture([6, 8], 2.3), Math.asin(0.2 / (Math.sqrt(2.3) * 10)), 1e-15);
  });

  it('decreases with |x| and is capped just below pi/2 near the origin', () => {
    let prev = Infinity;
    for (let r = 0.21; r < 100; r *= 1.3) {
      const a = halfAperture([r, 0], 1);
      expect(a).toBeLessThan(prev);
      prev = a;
    }
    // sqrt(c)|x| <= 2K: capped
    expect(halfAperture([0, 0], 1)).toBe(CAP);
    expect(halfAperture([0.2, 0], 1)).toBe(CAP);
    expect(halfAperture([1e-12], 1)).toBe(CAP);
    expect(CAP).toBeLessThan(Math.PI / 2);
    expectClose(CAP, Math.PI / 2 - Math.sqrt(2e-12), 1e-9);
    // large |x|: ~ 2K / (sqrt(c)|x|)
    expectClose(halfAperture([6e5, 8e5], 1), 2e-7, 1e-12);
  });

  it('rejects a bad K', () => {
    expect(() => halfAperture([1], 1, -0.1)).toThrow(RangeError);
    expect(() => halfAperture([1], 1, NaN)).toThrow(RangeError);
  });
});

describe('exteriorAngle', () => {
  it('right-angle hand configuration: c = 1, x = (sinh 1, 0), y = (cosh 1 sinh 1, sinh 1) gives pi/2', () => {
    // y = cosh(1) X + sinh(1) (0, 0, 1): the geodesic from x leaving at a right angle to O->x, length 1.
    const x = [Math.sinh(1), 0];
    const y = [Math.cosh(1) * Math.sinh(1), Math.sinh(1)];
    expectClose(exteriorAngle(x, y, 1), Math.PI / 2, 0, 1e-12);
    expectClose(distance(x, y, 1), 1, 1e-14);
    // hyperbolic Pythagoras: cosh d(O, y) = cosh(1) cosh(1)
    expectClose(Math.cosh(distanceFromOrigin(y, 1)), Math.cosh(1) ** 2, 1e-14);
  });

  it('reproduces the constructed angle phi for several c, lengths, dimensions and directions', () => {
    for (const { c, phi, x, y } of constructedAngles(mulberry32(21))) expectClose(exteriorAngle(x, y, c), phi, 0, 1e-9);
  });

  it('is ~0 further out on the same ray and ~pi towards or beyond the origin', () => {
    for (const c of CURVS) {
      const u = [1 / 3, 2 / 3, 2 / 3];
      const x = u.map((a) => 0.7 * a);
      expect(exteriorAngle(x, u.map((a) => 5 * a), c)).toBeLessThan(2e-6);
      expect(exteriorAngle(x, u.map((a) => 0.3 * a), c)).toBeGreaterThan(Math.PI - 2e-6);
      expect(exteriorAngle(x, [0, 0, 0], c)).toBeGreaterThan(Math.PI - 2e-6);
      expect(exteriorAngle(x, u.map((a) => -2 * a), c)).toBeGreaterThan(Math.PI - 2e-6);
    }
  });

  it('agrees with MERU oxy_angle on random pairs', () => {
    const rng = mulberry32(22);
    for (const c of CURVS) {
      for (const D of [1, 2, 5, 64]) {
        for (let k = 0; k < 20; k++) {
          const x = randomVector(rng, D, 0.1 + 3 * rng());
          const y = randomVector(rng, D, 0.1 + 3 * rng());
          const ours = exteriorAngle(x, y, c);
          if (ours < 1e-3 || ours > Math.PI - 1e-3) continue; // MERU's clamps differ there
          expectClose(ours, meruOxyAngle(x, y, c), 0, 1e-7);
        }
      }
    }
  });

  it('satisfies the hyperbolic law of cosines on random triangles O-x-y', () => {
    const rng = mulberry32(23);
    for (const c of CURVS) {
      const sc = Math.sqrt(c);
      for (let k = 0; k < 50; k++) {
        const D = 1 + Math.floor(rng() * 10);
        const x = randomVector(rng, D, 0.1 + 2 * rng());
        const y = randomVector(rng, D, 0.1 + 2 * rng());
        const a = sc * distanceFromOrigin(x, c);
        const b = sc * distance(x, y, c);
        const e = sc * distanceFromOrigin(y, c);
        if (b < 1e-3) continue;
        // exterior = pi - interior; cos(exterior) = (cosh e - cosh a cosh b) / (sinh a sinh b)
        const cosExt = (Math.cosh(e) - Math.cosh(a) * Math.cosh(b)) / (Math.sinh(a) * Math.sinh(b));
        expectClose(Math.cos(exteriorAngle(x, y, c)), cosExt, 0, 1e-9);
      }
    }
  });

  it('y = x and x = 0 give pi/2 (MERU values)', () => {
    expect(exteriorAngle([0.4, -1], [0.4, -1], 1)).toBe(Math.PI / 2);
    expect(exteriorAngle([0, 0], [0.4, -1], 1)).toBe(Math.PI / 2);
  });

  it('near the origin tends to the Euclidean angle between x and y', () => {
    const x = [1e-12, 0];
    expectClose(exteriorAngle(x, [0, 1], 1), Math.PI / 2, 0, 1e-9);
    expect(exteriorAngle(x, [1, 0], 1)).toBeLessThan(2e-6);
    expect(exteriorAngle(x, [-1, 0], 1)).toBeGreaterThan(Math.PI - 2e-6);
    expectClose(exteriorAngle(x, [1, 1], 1), Math.PI / 4, 0, 1e-9);
  });

  it('stays finite at |x| = 1e6', () => {
    for (const c of CURVS) {
      const x = [6e5, 8e5];
      for (const y of [[1.2e6, 1.6e6], [-8e5, 6e5], [3, 4], [6e5, 8e5 + 1]]) {
        const a = exteriorAngle(x, y, c);
        expect(Number.isFinite(a)).toBe(true);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(Math.PI);
        expect(Number.isFinite(exteriorAngle(y, x, c))).toBe(true);
      }
      // the point between origin and x is behind x
      expect(exteriorAngle(x, [3, 4], c)).toBeGreaterThan(Math.PI - 1e-3);
      // a perpendicular point at the same radius is (nearly) at a right angle? No: far out, geodesics to it bend
      // towards the origin, so the angle is obtuse but < pi.
      const perp = exteriorAngle(x, [-8e5, 6e5], c);
      expect(perp).toBeGreaterThan(Math.PI / 2);
      expect(perp).toBeLessThan(Math.PI);
    }
  });
});

describe('entails / entailmentViolation', () => {
  it('a point further out along the ray is entailed; the opposite side is not', () => {
    for (const c of CURVS) {
      const x = [0.3, 0.4];
      expect(entails(x, [3, 4], c)).toBe(true);
      expect(entailmentViolation(x, [3, 4], c)).toBe(0);
      expect(entails(x, [-3, -4], c)).toBe(false);
      expect(entails(x, [0.15, 0.2], c)).toBe(false); // between O and x
      expectClose(entailmentViolation(x, [-3, -4], c), exteriorAngle(x, [-3, -4], c) - halfAperture(x, c), 1e-15);
    }
  });

  it('decides correctly just inside and just outside the cone boundary', () => {
    const rng = mulberry32(24);
    for (const c of CURVS) {
      for (const K of [0.05, 0.1, 0.3]) {
        const [e1, e2] = randFrame(rng, 8);
        const A = 1.5; // sqrt(c)|x| = sinh(1.5) = 2.13 > 2K, so the aperture is not capped
        const xProbe = e1.map((a) => (Math.sinh(A) / Math.sqrt(c)) * a);
        const aper = halfAperture(xProbe, c, K);
        expectClose(aper, Math.asin((2 * K) / Math.sinh(A)), 1e-14);
        const inside = construct(c, A, 0.8, aper - 0.01, e1, e2);
        const outside = construct(c, A, 0.8, aper + 0.01, e1, e2);
        expect(entails(inside.x, inside.y, c, K)).toBe(true);
        expect(entailmentViolation(inside.x, inside.y, c, K)).toBe(0);
        expect(entails(outside.x, outside.y, c, K)).toBe(false);
        expectClose(entailmentViolation(outside.x, outside.y, c, K), 0.01, 0, 1e-9);
      }
    }
  });

  it('a larger K widens the cone', () => {
    const { x, y } = construct(1, 1.5, 1, 0.2, [1, 0], [0, 1]);
    // aperture(K = 0.1) = asin(0.2 / sinh 1.5) = 0.094 < 0.2; aperture(K = 0.3) = asin(0.6 / sinh 1.5) = 0.285
    expect(entails(x, y, 1, 0.1)).toBe(false);
    expect(entails(x, y, 1, 0.3)).toBe(true);
  });

  it('MERU edge cases: x does not entail itself, the origin entails nothing', () => {
    expect(entails([0.5, 0.5], [0.5, 0.5], 1)).toBe(false);
    expect(entails([0, 0], [1, 1], 1)).toBe(false);
  });
});

describe('entailedBy', () => {
  it('equals entails(row, point) for every row, with and without precomputed times', () => {
    const rng = mulberry32(25);
    for (const c of CURVS) {
      for (const K of [0.1, 0.4]) {
        const D = 6;
        const point = randomVector(rng, D, 2.5);
        const rows: number[][] = [];
        // rows on the point's ray (should contain it), random rows, the zero row, the point itself
        for (let k = 0; k < 10; k++) {
          const f = 0.1 + 0.8 * rng();
          rows.push(point.map((a) => a * f));
        }
        for (let k = 0; k < 40; k++) rows.push(randomVector(rng, D, 3 * rng()));
        rows.push(new Array(D).fill(0));
        rows.push(point.slice());
        const m = matrixFromRows(rows);
        const p32 = Float32Array.from(point);
        const got = entailedBy(p32, m, c, K);
        const gotT = entailedBy(p32, m, c, K, timeComponents(m, c));
        let count = 0;
        for (let i = 0; i < m.rows; i++) {
          const want = entails(matrixRow(m, i), p32, c, K) ? 1 : 0;
          expect(got[i]).toBe(want);
          expect(gotT[i]).toBe(want);
          count += want;
        }
        // the ten rows on the ray between the origin and the point all contain it
        for (let i = 0; i < 10; i++) expect(got[i]).toBe(1);
        expect(got[m.rows - 2]).toBe(0); // zero row
        expect(got[m.rows - 1]).toBe(0); // the point itself
        expect(count).toBeGreaterThanOrEqual(10);
        expect(count).toBeLessThan(m.rows);
      }
    }
  });

  it('validates shapes', () => {
    const m = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(() => entailedBy([1, 2, 3], m, 1)).toThrow(RangeError);
    expect(() => entailedBy([1, 2], m, 1, 0.1, new Float64Array(3))).toThrow(RangeError);
    expect(() => entailedBy([1, 2], m, 0)).toThrow(RangeError);
  });
});
