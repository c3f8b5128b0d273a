/**
 * The safe-prompt pool that `redirect` retrieves from: a text file of safe prompts (one a line), embedded
 * at start-up (cached on disk, see embedded-texts.ts).
 *
 * Entries the bundle itself judges unsafe (distance >= text threshold) are kept out of retrieval, so a
 * redirect can never return text the gateway would refuse.
 */
import * as fs from 'node:fs';
import { embedWithCache } from './embedded-texts';
import { PointSet } from './index-matrix';

export interface SafePool {
  texts: string[];
  points: PointSet;
  /** Per-entry distance from the origin. */
  distances: Float64Array;
  /** Entries usable as redirect targets (judged safe by the bundle). */
  usable: Uint8Array;
  usableCount: number;
  /** 'cache' when loaded from disk, 'model' when embedded now. */
  source: 'cache' | 'model';
  file: string;
}

export interface PoolLoadOptions {
  file: string;
  bundleFingerprint: string;
  dim: number;
  curvature: number;
  textThreshold: number;
  cacheDir: string;
  embed: (texts: string[]) => Promise<Float32Array[]>;
  distanceFromOrigin: (v: ArrayLike<number>) => number;
}

export function readPoolFile(file: string): string[] {
  const seen = new Set<string>();
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const t = line.trim();
    if (t && !t.startsWith('#')) seen.add(t);
  }
  return [...seen];
}

export async function loadSafePool(o: PoolLoadOptions): Promise<SafePool> {
  const texts = readPoolFile(o.file);
  const { matrix, source } = await embedWithCache(texts, { kind: 'pool', bundleFingerprint: o.bundleFingerprint, dim: o.dim, cacheDir: o.cacheDir, embed: o.embed });
  const points = new PointSet(matrix, o.curvature);
  points.search(); // RETRIEVE's per-row search data, once, now rather than in the first redirect
  const distances = new Float64Array(texts.length);
  const usable = new Uint8Array(texts.length);
  let usableCount = 0;
  for (let i = 0; i < texts.length; i++) {
    distances[i] = o.distanceFromOrigin(points.row(i));
    if (distances[i] < o.textThreshold) {
      usable[i] = 1;
      usableCount++;
    }
  }
  return { texts, points, distances, usable, usableCount, source, file: o.file };
}
