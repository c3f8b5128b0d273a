/**
 * RETRIEVE's pool search (src/safety/redirect.ts retrieveSafe, one pass through geometry/nearest-in-cone.ts)
 * against the three-pass implementation it replaced (retrieve-reference.ts): the same entry and the same in-cone
 * flag for every query, on pools built by loadSafePool from seeded embeddings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distanceFromOrigin } from '../../src/geometry';
import type { Manifest } from '../../src/runtime/manifest-types';
import { loadSafePool, type SafePool } from '../../src/safety/pool';
import { retrieveSafe, safeBound } from '../../src/safety/redirect';
import { mulberry32, randomVector, type Rng } from '../helpers/prng';
import { retrieveSafeReference } from './retrieve-reference';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retrieve-test-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function manifest(c: number, coneK: number): Manifest {
  return { curvature: c, coneK, bounds: { safeText: { p95: 2.2 }, safeImage: { p95: 1.6 } }, threshold: { text: 2.6, image: 2.0 } } as unknown as Manifest;
}

/** A pool of `vectors` through loadSafePool (texts "p<i>", a fake model that returns the vectors). */
async function pool(name: string, vectors: number[][], m: Manifest): Promise<SafePool> {
  const file = path.join(dir, `${name}.txt`);
  fs.writeFileSync(file, vectors.map((_, i) => `p${i}`).join('\n') + '\n');
  const dim = vectors[0].length;
  return loadSafePool({
    file,
    bundleFingerprint: name,
    dim,
    curvature: m.curvature,
    textThreshold: m.threshold.text,
    cacheDir: path.join(dir, 'cache'),
    embed: async (texts) => texts.map((t) => Float32Array.from(vectors[Number(t.slice(1))])),
    distanceFromOrigin: (v) => distanceFromOrigin(v, m.curvature),
  });
}

/**
 * hysac-like geometry: entries clustered around a few directions of a low-rank subspace, mostly inside the safe
 * region (some beyond the text threshold: not usable), a few at and near the origin (aperture capped), and
 * duplicates (ties).
 */
function entries(rng: Rng, n: number, D: number, c: number, centres: number[][]): number[][] {
  const sc = Math.sqrt(c);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const centre = centres[Math.floor(rng() * centres.length)];
    const noise = randomVector(rng, D, 0.5);
    const v = centre.map((a, j) => a + (j < 12 ? noise[j] : 0.1 * noise[j]));
    const dist = rng() < 0.05 ? 2.6 + rng() : 0.3 + 2.2 * rng();
    const n0 = Math.hypot(...v);
    out.push(v.map((a) => ((a / n0) * Math.sinh(sc * dist)) / sc));
  }
  const e = randomVector(rng, D, 1);
  out.push(new Array(D).fill(0), e.map((a) => a * 1e-9), e.map((a) => (a * 0.1) / sc));
  for (let k = 0; k < 20; k++) out.push(out[Math.floor(rng() * n)].slice()); // duplicates, later indices
  return out;
}

describe('retrieveSafe (one pass) = the three-pass reference', () => {
  for (const [c, coneK, D] of [
    [0.254339, 0.1, 64],
    [2.3, 0.15, 16],
  ]) {
    it(`same entry and in-cone flag on 4,000 entries x 300 queries (c = ${c}, K = ${coneK}, D = ${D})`, async () => {
      const rng = mulberry32(90 + D);
      const m = manifest(c, coneK);
      const centres = Array.from({ length: 8 }, () => {
        const v = randomVector(rng, 12, 1);
        return Array.from({ length: D }, (_, j) => (j < 12 ? v[j] : 0));
      });
      const vectors = entries(rng, 4000, D, c, centres);
      const p = await pool(`pool-${D}`, vectors, m);
      expect(p.usableCount).toBeLessThan(p.texts.length); // some entries are unusable
      const sc = Math.sqrt(c);
      const queries: number[][] = [];
      for (let k = 0; k < 290; k++) {
        // unsafe-looking: far out; along a centre (inside cones after the traversal) or anywhere (the fallback)
        const dir = k % 2 === 0 ? centres[k % centres.length].map((a, j) => a + randomVector(rng, D, 0.3)[j]) : randomVector(rng, D, 1);
        const n0 = Math.hypot(...dir);
        queries.push(dir.map((a) => ((a / n0) * Math.sinh(sc * (2.7 + rng()))) / sc));
      }
      queries.push(new Array(D).fill(0)); // the origin: traversal leaves it there
      for (let k = 0; k < 9; k++) queries.push(vectors[k * 400].map((a) => a * 5)); // on an entry's ray
      let entailed = 0;
      for (const q of queries) {
        const got = retrieveSafe(q, 'TEXT', p, m)!;
        const want = retrieveSafeReference(q, 'TEXT', p, m)!;
        expect({ index: got.index, entailed: got.entailed, text: got.text }).toEqual({ index: want.index, entailed: want.entailed, text: want.text });
        expect(got.traversed).toEqual(want.traversed);
        expect(p.usable[got.index]).toBe(1);
        if (got.entailed) entailed++;
      }
      // both branches (in a cone, and the nearest-entry fallback) were exercised
      expect(entailed).toBeGreaterThan(30);
      expect(entailed).toBeLessThan(queries.length - 30);
      expect(safeBound(m, 'TEXT')).toBe(2.2);
    });
  }

  it('IMAGE modality (another traversal target) and the same pool built from the cache', async () => {
    const rng = mulberry32(95);
    const m = manifest(1, 0.1);
    const D = 16;
    const centres = Array.from({ length: 4 }, () => randomVector(rng, D, 1));
    const vectors = entries(rng, 1000, D, 1, centres);
    const first = await pool('pool-image', vectors, m);
    const again = await pool('pool-image', vectors, m);
    expect(again.source).toBe('cache');
    for (let k = 0; k < 50; k++) {
      const q = randomVector(rng, D, 3);
      for (const p of [first, again]) {
        const got = retrieveSafe(q, 'IMAGE', p, m)!;
        const want = retrieveSafeReference(q, 'IMAGE', p, m)!;
        expect([got.index, got.entailed]).toEqual([want.index, want.entailed]);
      }
    }
  });

  it('no usable entry: null; a pool built for another curvature: an error', async () => {
    const m = manifest(1, 0.1);
    const far = await pool('pool-far', [[10, 0], [0, 10]], m);
    expect(far.usableCount).toBe(0);
    expect(retrieveSafe([5, 5], 'TEXT', far, m)).toBeNull();
    const ok = await pool('pool-ok', [[0.1, 0], [0, 0.2]], m);
    expect(() => retrieveSafe([5, 5], 'TEXT', ok, manifest(0.5, 0.1))).toThrow(/curvature/);
  });
});
