/**
 * The safe-prompt pool that `redirect` retrieves from: a text file of safe prompts (one a line), embedded
 * at start-up and cached on disk under a key made of the bundle's fingerprint and the file's sha256, so a
 * restart with the same bundle and file costs a file read instead of a model pass.
 *
 * Entries the bundle itself judges unsafe (distance >= text threshold) are kept out of retrieval, so a
 * redirect can never return text the gateway would refuse.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  /** Texts per embedding call at build time. */
  chunk?: number;
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
  const key = createHash('sha256').update(o.bundleFingerprint).update('\0').update(texts.join('\n')).digest('hex').slice(0, 32);
  const cacheFile = path.join(o.cacheDir, `pool-${key}.f32`);
  let data: Float32Array | null = null;
  let source: SafePool['source'] = 'cache';
  try {
    const buf = fs.readFileSync(cacheFile);
    if (buf.byteLength === texts.length * o.dim * 4) data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice();
  } catch {
    /* no cache yet */
  }
  if (!data) {
    source = 'model';
    data = new Float32Array(texts.length * o.dim);
    const chunk = o.chunk ?? 256;
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < texts.length; i += chunk) {
      const start = i;
      jobs.push(o.embed(texts.slice(start, start + chunk)).then((rows) => rows.forEach((r, j) => data!.set(r, (start + j) * o.dim))));
    }
    await Promise.all(jobs);
    try {
      fs.mkdirSync(o.cacheDir, { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      fs.renameSync(tmp, cacheFile);
    } catch {
      /* a read-only cache dir only costs start-up time */
    }
  }
  const points = new PointSet({ data, rows: texts.length, dim: o.dim }, o.curvature);
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
