/**
 * Per-request DataLoaders: every embed/classify/redirect field and every item of the *Many fields goes
 * through these, so one GraphQL document with 64 aliases or a 64-item list becomes one model run per
 * modality (and the cross-request batcher may merge it with other requests' items).
 * Text is keyed by the string itself, images by the sha256 of their bytes.
 */
import DataLoader from 'dataloader';
import { createHash } from 'node:crypto';
import type { Services } from '../services';
import { preprocessImage } from '../runtime/image';

export interface ImageKey {
  hash: string;
  bytes: Buffer;
}

export interface Loaders {
  text: DataLoader<string, Float32Array>;
  image: DataLoader<ImageKey, Float32Array, string>;
}

export function imageKey(bytes: Buffer): ImageKey {
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export function createLoaders(services: Services): Loaders {
  const { runtime, imageLimits } = services;
  const spec = runtime.bundle.manifest.image.preprocess;
  return {
    text: new DataLoader<string, Float32Array>((texts) => runtime.embedTexts([...texts]), {
      maxBatchSize: services.config.maxListItems,
    }),
    image: new DataLoader<ImageKey, Float32Array, string>(
      async (keys) => {
        // Decode every image; one bad image fails only its own item.
        const decoded = await Promise.allSettled(keys.map((k) => preprocessImage(k.bytes, spec, imageLimits)));
        const ok: Float32Array[] = [];
        for (const d of decoded) if (d.status === 'fulfilled') ok.push(d.value);
        const vecs = ok.length ? await runtime.embedImageTensors(ok) : [];
        let j = 0;
        return decoded.map((d) => (d.status === 'fulfilled' ? vecs[j++] : (d.reason as Error)));
      },
      { cacheKeyFn: (k) => k.hash, maxBatchSize: services.config.maxListItems },
    ),
  };
}
