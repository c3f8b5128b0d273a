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
 *     distance wins; when no cone contains q', the nearest usable entry overall. Ties: the lowest index.
 *     Both come out of one pass over the pool (geometry/nearest-in-cone.ts: distance ranked by the Lorentz
 *     inner product, the cone compared in cosine space against per-row constants prepared with the pool, most
 *     rows settled by a bound from a few principal-axis products), with the same answers as the three passes
 *     it replaced (entailedBy, then nearest by distancesTo twice; test/safety/retrieve-reference.ts).
 *     100,000 x 64 (hysac-mini): ~4 ms instead of ~80 ms (test/bench/retrieve-fused.ts).
 * A query already safe is returned unchanged (redirected: false).
 */
import { nearestInCone, traverseToDistance } from '../geometry';
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
  if (pool.points.curvature !== c) throw new Error(`retrieveSafe: pool built for curvature ${pool.points.curvature}, manifest has ${c}`);
  const traversed = traverseToDistance(query, safeBound(manifest, modality), c);
  const found = nearestInCone(traversed, pool.points.coneIndex(manifest.coneK), pool.usable);
  const entailed = found.inCone >= 0;
  const index = entailed ? found.inCone : found.nearest;
  return { index, text: pool.texts[index], entailed, traversed };
}
