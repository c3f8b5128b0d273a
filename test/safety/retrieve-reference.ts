/**
 * The reference for RETRIEVE's pool search: `retrieveSafe` as it was before the one-pass kernel
 * (src/geometry/nearest-in-cone.ts), kept here verbatim so that the test (retrieve.test.ts) and the benchmark
 * (test/bench/retrieve-fused.ts) can check that the kernel picks the same rows and time it against this.
 * Three passes over the pool: entailedBy (acos/asin a row), then the nearest in-cone usable entry by
 * distancesTo (asinh a row) with a filter closure, then, when no cone contains the point, the nearest usable
 * entry the same way. Ties: the lowest index (the first strict minimum).
 */
import { entailedBy, traverseToDistance } from '../../src/geometry';
import type { Manifest } from '../../src/runtime/manifest-types';
import type { SafePool } from '../../src/safety/pool';
import { safeBound, type RetrieveResult } from '../../src/safety/redirect';
import type { ModalityName } from '../../src/safety/verdict';

export function retrieveSafeReference(query: ArrayLike<number>, modality: ModalityName, pool: SafePool, manifest: Manifest): RetrieveResult | null {
  if (pool.usableCount === 0) return null;
  const c = manifest.curvature;
  const traversed = traverseToDistance(query, safeBound(manifest, modality), c);
  const inCone = entailedBy(traversed, pool.points.matrix, c, manifest.coneK);
  let best = pool.points.nearest(traversed, 1, (i) => pool.usable[i] === 1 && inCone[i] === 1)[0];
  let entailed = true;
  if (!best) {
    best = pool.points.nearest(traversed, 1, (i) => pool.usable[i] === 1)[0];
    entailed = false;
  }
  return { index: best.index, text: pool.texts[best.index], entailed, traversed };
}
