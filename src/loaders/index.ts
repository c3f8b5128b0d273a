/**
 * Per-request DataLoaders: every embed/classify/redirect field and every item of the *Many fields goes
 * through these, so one GraphQL document with 64 aliases or a 64-item list becomes one model run per
 * modality (and the cross-request batcher may merge it with other requests' items).
 * Text is keyed by the string itself, images by the sha256 of their bytes.
 *
 * The loaders also carry the request's place in the batcher (`client`, whose round-robin turn its items
 * take) and its budget (`usage`, server/usage.ts): once the request has gone over it, every batch is
 * refused with that error, so nothing of an over-budget request is embedded; images count their declared
 * pixels (header only) before any of them is decoded.
 */
import DataLoader from 'dataloader';
import { createHash } from 'node:crypto';
import type { Services } from '../services';
import { inspectImage, preprocessImage } from '../runtime/image';
import type { RequestUsage } from '../server/usage';

export interface ImageKey {
  hash: string;
  bytes: Buffer;
}

export interface Loaders {
  text: DataLoader<string, Float32Array>;
  image: DataLoader<ImageKey, Float32Array, string>;
}

/**
 * Embeds texts through a request's text loader (its client's turn in the batcher, its cache), rejecting when
 * any of them fails: for internal model work done on a request's behalf, such as EDIT's variants.
 */
export function embedThrough(loader: DataLoader<string, Float32Array>): (texts: string[]) => Promise<Float32Array[]> {
  return async (texts) => {
    const out = await loader.loadMany(texts);
    for (const v of out) if (v instanceof Error) throw v;
    return out as Float32Array[];
  };
}

export function imageKey(bytes: Buffer): ImageKey {
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export interface LoaderScope {
  /** The batcher's client key (server/usage.ts clientKey); default: the internal callers' shared turn. */
  client?: string;
  /** The request's budget; without it (internal callers, tests) nothing is counted here. */
  usage?: RequestUsage;
}

export function createLoaders(services: Services, scope: LoaderScope = {}): Loaders {
  const { runtime, imageLimits } = services;
  const { client, usage } = scope;
  const spec = runtime.bundle.manifest.image.preprocess;
  return {
    text: new DataLoader<string, Float32Array>(
      async (texts) => {
        if (usage?.exceeded) throw usage.exceeded;
        return runtime.embedTexts([...texts], client);
      },
      { maxBatchSize: services.config.maxListItems },
    ),
    image: new DataLoader<ImageKey, Float32Array, string>(
      async (keys) => {
        if (usage?.exceeded) throw usage.exceeded;
        // Headers first (no pixel decoded): a bad image fails only its own item, and the declared pixels of
        // every image count against the request's budget before any of them is decoded.
        const inspected = await Promise.allSettled(keys.map((k) => inspectImage(k.bytes, imageLimits)));
        if (usage) {
          for (const r of inspected) if (r.status === 'fulfilled') usage.addPixels(r.value.width * r.value.height, `an image of ${r.value.width} x ${r.value.height}`);
        }
        const decoded = await Promise.allSettled(
          keys.map((k, i) => (inspected[i].status === 'rejected' ? Promise.reject(inspected[i].reason) : preprocessImage(k.bytes, spec, imageLimits))),
        );
        const ok: Float32Array[] = [];
        for (const d of decoded) if (d.status === 'fulfilled') ok.push(d.value);
        const vecs = ok.length ? await runtime.embedImageTensors(ok, client) : [];
        let j = 0;
        return decoded.map((d) => (d.status === 'fulfilled' ? vecs[j++] : (d.reason as Error)));
      },
      { cacheKeyFn: (k) => k.hash, maxBatchSize: services.config.maxListItems },
    ),
  };
}
