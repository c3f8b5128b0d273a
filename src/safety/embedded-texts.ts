/**
 * Embeds a list of texts once and caches the matrix on disk, keyed by the bundle's fingerprint and the
 * texts themselves: a restart with the same bundle and list costs a file read instead of a model pass.
 * Used for the safe-prompt pool and the EDIT strategy's safe-word vocabulary.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Matrix } from '../geometry';

export interface EmbedCacheOptions {
  /** Cache file prefix, e.g. 'pool' or 'words'. */
  kind: string;
  bundleFingerprint: string;
  dim: number;
  cacheDir: string;
  embed: (texts: string[]) => Promise<Float32Array[]>;
  /** Texts per embedding call. */
  chunk?: number;
}

export async function embedWithCache(texts: string[], o: EmbedCacheOptions): Promise<{ matrix: Matrix; source: 'cache' | 'model' }> {
  const key = createHash('sha256').update(o.bundleFingerprint).update('\0').update(texts.join('\n')).digest('hex').slice(0, 32);
  const cacheFile = path.join(o.cacheDir, `${o.kind}-${key}.f32`);
  try {
    const buf = fs.readFileSync(cacheFile);
    if (buf.byteLength === texts.length * o.dim * 4) {
      const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4).slice();
      return { matrix: { data, rows: texts.length, dim: o.dim }, source: 'cache' };
    }
  } catch {
    /* no cache yet */
  }
  const data = new Float32Array(texts.length * o.dim);
  const chunk = o.chunk ?? 256;
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < texts.length; i += chunk) {
    const start = i;
    jobs.push(o.embed(texts.slice(start, start + chunk)).then((rows) => rows.forEach((r, j) => data.set(r, (start + j) * o.dim))));
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
  return { matrix: { data, rows: texts.length, dim: o.dim }, source: 'model' };
}
