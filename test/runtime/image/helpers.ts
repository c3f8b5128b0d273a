import * as fs from 'fs';
import * as path from 'path';
import { GatewayError } from '../../../src/errors';
import type { ImagePreprocessSpec } from '../../../src/runtime/manifest-types';

export const REPO = path.resolve(__dirname, '../../..');
export const IMAGE_FIXTURES = path.join(REPO, 'test/fixtures/images');
export const CLIP_FIXTURES = path.join(REPO, 'test/fixtures/clip-preprocess');
/** The shared evaluation photos, next to the repository (absent in some checkouts). */
export const SAFE_IMAGES = path.resolve(REPO, '../shared/eval/safe_images');

/**
 * OpenAI CLIP's _transform(224): the same as CLIPImageProcessor for ViT-L/14, and what the HySAC exporter writes
 * into a bundle's manifest (so also the image preprocess of test/hysac-layout's bundle).
 */
export const CLIP_SPEC: ImagePreprocessSpec = {
  size: 224,
  resize: 'shortest-side',
  crop: 'center',
  kernel: 'cubic',
  scale: 255,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
  layout: 'NCHW',
  background: [255, 255, 255],
};

/** A small spec with identity normalisation, so tensor values are the 8-bit levels. */
export function levelsSpec(size: number, extra: Partial<ImagePreprocessSpec> = {}): ImagePreprocessSpec {
  return {
    size,
    resize: 'stretch',
    crop: 'none',
    kernel: 'cubic',
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    layout: 'NCHW',
    background: [0, 0, 0],
    ...extra,
  };
}

export const LIMITS = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(IMAGE_FIXTURES, name));
}

/** Awaits `p` (or calls it) and returns the BAD_USER_INPUT GatewayError it throws; fails otherwise. */
export async function badInputOf(p: Promise<unknown> | (() => unknown)): Promise<GatewayError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  if (!(err instanceof GatewayError)) {
    throw new Error(`expected a GatewayError, got ${err === undefined ? 'no error' : String((err as Error)?.stack ?? err)}`);
  }
  expect(err.code).toBe('BAD_USER_INPUT');
  expect(err.extensions.code).toBe('BAD_USER_INPUT');
  return err;
}

/** Mean of channel c of an NCHW tensor of side `size`. */
export function channelMean(t: Float32Array, size: number, c: number): number {
  const n = size * size;
  let s = 0;
  for (let i = 0; i < n; i++) s += t[c * n + i];
  return s / n;
}

/** Max absolute deviation of channel c from `v`. */
export function channelMaxDev(t: Float32Array, size: number, c: number, v: number): number {
  const n = size * size;
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(t[c * n + i] - v));
  return m;
}

/** Pixel (r, g, b) at (x, y) of an NCHW tensor with identity normalisation. */
export function pixelAt(t: Float32Array, size: number, x: number, y: number): [number, number, number] {
  const n = size * size;
  const i = y * size + x;
  return [t[i], t[n + i], t[2 * n + i]];
}
