/**
 * Redirection, HySAC's way: instead of forgetting an unsafe concept, move the unsafe query's embedding
 * along the geodesic toward the origin until it reaches the safe region, then retrieve the safe prompt
 * that best explains the traversed point.
 *
 * RETRIEVE:
 *  1. target distance r* = min(p95 of the safe group's distances for the query's modality,
 *     0.95 x the text threshold): the edge of the region where safe content lives, kept strictly inside
 *     the text decision boundary.
 *  2. q' = traverseToDistance(q, r*): the point on the ray from the origin through q at distance r*
 *     (geometry/traverse.ts; exact along the geodesic, batched).
 *  3. Candidates: usable pool entries p whose entailment cone contains q' (exteriorAngle(p, q') <=
 *     halfAperture(p)): the generic concepts that q' specialises. Among them the nearest to q' by geodesic
 *     distance wins; when no cone contains q', the nearest usable entry overall.
 * A query already safe is returned unchanged (redirected: false).
 */
import { entailedBy, traverseToDistance } from '../geometry';
import type { Manifest } from '../runtime/manifest-types';
import type { ModalityName } from './verdict';
import type { SafePool } from './pool';

export interface RetrieveResult {
  index: number;
  text: string;
  /** True when the winner's cone contains the traversed point; false for the nearest-by-distance fallback. */
  entailed: boolean;
  traversed: Float64Array;
}

export function safeBound(manifest: Manifest, modality: ModalityName): number {
  const p95 = modality === 'TEXT' ? manifest.bounds.safeText.p95 : manifest.bounds.safeImage.p95;
  return Math.min(p95, 0.95 * manifest.threshold.text);
}

export function retrieveSafe(query: ArrayLike<number>, modality: ModalityName, pool: SafePool, manifest: Manifest): RetrieveResult | null {
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
