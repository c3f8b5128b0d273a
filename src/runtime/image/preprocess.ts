/**
 * Image bytes -> model input tensor, with sharp (libvips). One of the few modules allowed to import sharp.
 *
 * Order of checks, cheapest first, nothing decoded until the end:
 *  1. magic bytes (sniff.ts): only JPEG, PNG, WebP, GIF, AVIF, TIFF signatures get to libvips at all, so SVG,
 *     PDF, HEIC, ... are never parsed by librsvg/poppler/libheif (sharp alone would render an SVG);
 *  2. sharp metadata (header only): format must match the magic bytes (HEIF must be AV1-coded);
 *  3. width * height of the first frame/page against `maxPixels` (and `maxSide`, MAX_ASPECT_RATIO) - a
 *     50,000 x 50,000 PNG is refused here in about a millisecond; sharp's `limitInputPixels` repeats the check
 *     inside the decode as a second line;
 *  4. one sharp pipeline: first frame/page only, EXIF auto-orient, alpha flattened onto `spec.background`,
 *     ICC/CMYK/greyscale/16-bit -> 8-bit sRGB RGB, `failOn: 'error'` (truncated or corrupt data is refused,
 *     not half-decoded), raw output (no re-encode);
 *  5. resize + centre crop: reductions in libvips inside the same pipeline (default 'fast'), enlargements (and
 *     everything with `resampler: 'exact'`) in resample.ts, a port of Pillow's resampler that reads only the
 *     source window the crop needs;
 *  6. scale/mean/std normalisation through a 256-entry table per channel into NCHW or NHWC.
 *
 * The geometry follows torchvision exactly as CLIP uses it (Resize(size) + CenterCrop(size)): shortest side ->
 * `size`, other side -> int(size * long / short) (truncation, as torchvision's
 * `_compute_resized_output_size`), no resize when the size is already right, then crop offsets
 * int(round((h - size) / 2.0)) with Python's round-half-to-even. Measured against Pillow 9.4 on CLIP's
 * transform: 'exact' is bit-identical; 'fast' differs by ~0.0033 mean (a quarter of an 8-bit level) for
 * moderate reductions, 0.011 for a 10x reduction. See test/fixtures/clip-preprocess/README.md.
 */
import sharp, { type KernelEnum, type Metadata, type OutputInfo } from 'sharp';
import { badInput } from '../../errors';
import type { ImagePreprocessSpec } from '../manifest-types';
import {
  ALLOWED_FORMATS_TEXT,
  checkImageLimits,
  FORMAT_NAMES,
  formatBytes,
  formatPixels,
  MAX_ASPECT_RATIO,
  type AllowedFormat,
  type ImageLimits,
} from './limits';
import { resampleCrop, sourceWindow } from './resample';
import { sniffFormat } from './sniff';

/** Largest `size` a preprocess spec may ask for. */
const MAX_SPEC_SIZE = 4096;

/**
 * Throws a plain Error describing the first problem with a preprocess spec (a bundle bug, not a client error).
 * The manifest validator should call this so a bad spec is caught at start-up.
 */
export function validatePreprocessSpec(spec: ImagePreprocessSpec): void {
  const fail = (m: string): never => {
    throw new Error(`image preprocess spec: ${m}`);
  };
  if (!Number.isInteger(spec.size) || spec.size < 1 || spec.size > MAX_SPEC_SIZE)
    fail(`size must be an integer from 1 to ${MAX_SPEC_SIZE}, got ${spec.size}`);
  if (spec.resize !== 'shortest-side' && spec.resize !== 'stretch') fail(`resize must be 'shortest-side' or 'stretch', got ${spec.resize}`);
  if (spec.crop !== 'center' && spec.crop !== 'none') fail(`crop must be 'center' or 'none', got ${spec.crop}`);
  if (spec.resize === 'shortest-side' && spec.crop === 'none')
    fail(`resize 'shortest-side' needs crop 'center' (the tensor is size x size); use resize 'stretch' for no crop`);
  if (!(spec.kernel in KERNELS)) fail(`kernel must be one of ${Object.keys(KERNELS).join(', ')}, got ${spec.kernel}`);
  if (!(typeof spec.scale === 'number' && Number.isFinite(spec.scale) && spec.scale > 0)) fail(`scale must be a positive number, got ${spec.scale}`);
  for (const [name, v, positive] of [
    ['mean', spec.mean, false],
    ['std', spec.std, true],
  ] as const) {
    if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0)))
      fail(`${name} must be three finite numbers${positive ? ' > 0' : ''}, got ${JSON.stringify(v)}`);
  }
  if (
    !Array.isArray(spec.background) ||
    spec.background.length !== 3 ||
    !spec.background.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)
  )
    fail(`background must be three integers 0..255, got ${JSON.stringify(spec.background)}`);
  if (spec.layout !== 'NCHW' && spec.layout !== 'NHWC') fail(`layout must be 'NCHW' or 'NHWC', got ${spec.layout}`);
}

const KERNELS: Record<ImagePreprocessSpec['kernel'], keyof KernelEnum> = {
  cubic: 'cubic', // libvips VIPS_KERNEL_CUBIC: Catmull-Rom (Keys a = -0.5), as PIL's BICUBIC
  linear: 'linear',
  lanczos3: 'lanczos3',
  nearest: 'nearest',
};

/** Python's round(): half to even. torchvision's CenterCrop uses int(round(x)). */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

export interface ResizePlan {
  /** Size after the resize (equal to the input when no resize is needed). */
  resizeWidth: number;
  resizeHeight: number;
  resize: boolean;
  /** Crop of the resized image (always size x size). */
  left: number;
  top: number;
}

/** The geometry torchvision's Resize(size) + CenterCrop(size) (or a stretch) applies to a width x height image. */
export function planResize(width: number, height: number, spec: Pick<ImagePreprocessSpec, 'size' | 'resize'>): ResizePlan {
  const size = spec.size;
  let rw: number;
  let rh: number;
  if (spec.resize === 'stretch') {
    rw = size;
    rh = size;
  } else if (width <= height) {
    // torchvision: new_short, new_long = size, int(size * long / short)
    rw = size;
    rh = Math.floor((size * height) / width);
  } else {
    rh = size;
    rw = Math.floor((size * width) / height);
  }
  return {
    resizeWidth: rw,
    resizeHeight: rh,
    resize: rw !== width || rh !== height,
    left: pyRound((rw - size) / 2),
    top: pyRound((rh - size) / 2),
  };
}

/** One line of a sharp/libvips error, trimmed for a client message. */
function sharpMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const line = msg.split('\n').map((s) => s.trim()).filter(Boolean).join('; ');
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function undecodable(format: AllowedFormat, err: unknown) {
  return badInput(
    `image could not be decoded (${FORMAT_NAMES[format]}): ${sharpMessage(err)}; the file may be truncated or corrupt; allowed: a complete image file (${ALLOWED_FORMATS_TEXT})`,
    { format },
    err,
  );
}

// Per-spec normalisation table: lut[c * 256 + v] = (v / scale - mean[c]) / std[c], rounded once to float32.
const lutCache = new WeakMap<ImagePreprocessSpec, Float32Array>();
function normalisationTable(spec: ImagePreprocessSpec): Float32Array {
  let lut = lutCache.get(spec);
  if (!lut) {
    lut = new Float32Array(3 * 256);
    for (let c = 0; c < 3; c++) {
      for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / spec.scale - spec.mean[c]) / spec.std[c];
    }
    lutCache.set(spec, lut);
  }
  return lut;
}

/** Normalises 8-bit interleaved RGB (size * size * 3 bytes) into a new tensor in `spec.layout`. */
export function normalisePixels(rgb: Uint8Array, spec: ImagePreprocessSpec): Float32Array {
  const n = spec.size * spec.size;
  if (rgb.length !== n * 3) throw new Error(`normalisePixels: expected ${n * 3} bytes, got ${rgb.length}`);
  const lut = normalisationTable(spec);
  const out = new Float32Array(n * 3);
  if (spec.layout === 'NHWC') {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      out[j] = lut[rgb[j]];
      out[j + 1] = lut[256 + rgb[j + 1]];
      out[j + 2] = lut[512 + rgb[j + 2]];
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      out[i] = lut[rgb[j]];
      out[n + i] = lut[256 + rgb[j + 1]];
      out[2 * n + i] = lut[512 + rgb[j + 2]];
    }
  }
  return out;
}

/** What the header says, after the format and size checks. */
export interface CheckedImage {
  format: AllowedFormat;
  /** Stored dimensions of the first frame/page. */
  width: number;
  height: number;
  /** Dimensions after EXIF orientation. */
  orientedWidth: number;
  orientedHeight: number;
}

const SHARP_INPUT = { failOn: 'error', pages: 1, page: 0 } as const;

/**
 * Magic bytes + header checks, no pixel decoding: allowed format, pixel count, side and aspect-ratio limits.
 * @throws GatewayError BAD_USER_INPUT
 */
export async function inspectImage(bytes: Buffer, limits: ImageLimits): Promise<CheckedImage> {
  checkImageLimits(limits);
  if (bytes.length === 0) throw badInput(`image is empty (0 bytes); allowed: ${ALLOWED_FORMATS_TEXT}`, { format: 'empty' });
  if (bytes.length > limits.maxBytes) {
    throw badInput(`image is too large: ${formatBytes(bytes.length)}; the limit is ${formatBytes(limits.maxBytes)}`, { maxBytes: limits.maxBytes });
  }
  const sniffed = sniffFormat(bytes);
  if (!sniffed.ok) {
    // Bytes that are no image file at all are told apart from an image format the gateway refuses.
    const what = sniffed.notImage ? `not an image (${sniffed.notImage})` : `image format ${sniffed.detected} is not accepted`;
    throw badInput(`${what}; allowed: ${ALLOWED_FORMATS_TEXT}`, { format: sniffed.detected });
  }
  const format = sniffed.format;

  let meta: Metadata;
  try {
    // Header only. limitInputPixels is off here so that we can name the dimensions in our own message below.
    meta = await sharp(bytes, { ...SHARP_INPUT, limitInputPixels: false }).metadata();
  } catch (err) {
    throw undecodable(format, err);
  }
  const decodedAs = meta.format === 'heif' ? (meta.compression === 'av1' ? 'avif' : `heif/${meta.compression ?? 'unknown'}`) : meta.format;
  if (decodedAs !== format) {
    throw badInput(
      `image format ${decodedAs} is not accepted (the file starts like ${FORMAT_NAMES[format]} but decodes as ${decodedAs}); allowed: ${ALLOWED_FORMATS_TEXT}`,
      { format: decodedAs },
    );
  }

  const width = meta.width;
  // With pages: 1, height is the first frame's; pageHeight is a fallback should a loader report the whole strip.
  const height = meta.pages && meta.pages > 1 && meta.pageHeight ? Math.min(meta.pageHeight, meta.height) : meta.height;
  if (!(width > 0 && height > 0)) throw badInput(`image has no pixels (${width} x ${height}); allowed: an image of at least 1 x 1 pixels (${ALLOWED_FORMATS_TEXT})`);
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    throw badInput(
      `image is too large: ${width} x ${height} = ${formatPixels(pixels)}; the limit is ${formatPixels(limits.maxPixels)}`,
      { width, height, maxPixels: limits.maxPixels },
    );
  }
  if (limits.maxSide !== undefined && Math.max(width, height) > limits.maxSide) {
    throw badInput(`image is too large: ${width} x ${height}; the longest side may be at most ${limits.maxSide} pixels`, {
      width,
      height,
      maxSide: limits.maxSide,
    });
  }
  if (Math.max(width, height) / Math.min(width, height) > MAX_ASPECT_RATIO) {
    throw badInput(`image aspect ratio is too extreme: ${width} x ${height}; at most ${MAX_ASPECT_RATIO}:1 is accepted`, { width, height });
  }
  const swap = meta.orientation !== undefined && meta.orientation >= 5 && meta.orientation <= 8;
  return {
    format,
    width,
    height,
    orientedWidth: meta.autoOrient?.width ?? (swap ? height : width),
    orientedHeight: meta.autoOrient?.height ?? (swap ? width : height),
  };
}

export interface PreprocessOptions {
  /**
   * 'fast' (default): reductions run in libvips (sharp resize, off the event loop; within about 0.25 of an
   * 8-bit level of Pillow on average for moderate reductions, about 0.75 for 10x reductions); enlargements use
   * the Pillow port in resample.ts, which is exact and cheap because the source is small (mixed up/down
   * 'stretch' resizes stay in libvips). 'exact': the Pillow port for every resize, so the tensor equals
   * torchvision/Pillow's on the same decoded pixels; it runs on the calling thread, about 13 ms per input
   * megapixel, and holds the decoded source window in memory (3 bytes per pixel).
   */
  resampler?: 'fast' | 'exact';
}

/**
 * Decodes an image and produces the model input for ONE image: a Float32Array of 3 * size * size in
 * `spec.layout`. First frame/page only; EXIF orientation applied; CMYK, greyscale, 16-bit, palette and ICC
 * profiles converted to 8-bit sRGB; alpha composited onto `spec.background`.
 *
 * @throws GatewayError BAD_USER_INPUT for anything that is not an allowed, intact image within `limits`.
 */
export async function preprocessImage(
  bytes: Buffer,
  spec: ImagePreprocessSpec,
  limits: ImageLimits,
  options: PreprocessOptions = {},
): Promise<Float32Array> {
  const rgb = await preprocessToRgb(bytes, spec, limits, options);
  return normalisePixels(rgb, spec);
}

/** The pipeline without normalisation: 8-bit interleaved sRGB, size * size * 3 bytes. */
export async function preprocessToRgb(
  bytes: Buffer,
  spec: ImagePreprocessSpec,
  limits: ImageLimits,
  options: PreprocessOptions = {},
): Promise<Uint8Array> {
  validatePreprocessSpec(spec);
  const checked = await inspectImage(bytes, limits);
  const W = checked.orientedWidth;
  const H = checked.orientedHeight;
  const plan = planResize(W, H, spec);
  const size = spec.size;
  const needCrop = plan.resizeWidth !== size || plan.resizeHeight !== size;
  // 'fast': libvips for reductions (close to Pillow, off the event loop); the Pillow port for enlargements,
  // where libvips samples about half a source pixel away from Pillow (measured: mean 3 levels off on a 1.76x
  // enlargement) and the source is small. Mixed cases (one side up, one down: only 'stretch' specs) stay in
  // libvips, so a long strip is never convolved on the event loop.
  const enlarges = plan.resizeWidth >= W && plan.resizeHeight >= H;
  const inJs = plan.resize && (options.resampler === 'exact' || enlarges);

  const resampleRequest = {
    width: W,
    height: H,
    outWidth: plan.resizeWidth,
    outHeight: plan.resizeHeight,
    left: plan.left,
    top: plan.top,
    cropWidth: size,
    cropHeight: size,
    kernel: spec.kernel,
  };
  // The JS resampler reads only this part of the (oriented) image; libvips crops to it before handing pixels over.
  const window = inJs ? sourceWindow(resampleRequest) : null;

  let pipeline = sharp(bytes, {
    ...SHARP_INPUT,
    limitInputPixels: limits.maxPixels,
    autoOrient: true,
    sequentialRead: true,
  })
    // sharp composites alpha before resizing whatever the call order; a no-op without alpha.
    .flatten({ background: { r: spec.background[0], g: spec.background[1], b: spec.background[2] } });
  if (window) {
    if (window.width !== W || window.height !== H) pipeline = pipeline.extract(window);
  } else {
    if (plan.resize) {
      pipeline = pipeline.resize(plan.resizeWidth, plan.resizeHeight, {
        fit: 'fill',
        kernel: KERNELS[spec.kernel],
        // JPEG/WebP shrink-on-load decodes at 1/2, 1/4, 1/8 scale (a box prefilter): measured 3x further from
        // Pillow on a 10x reduction, so off.
        fastShrinkOnLoad: false,
      });
    }
    if (needCrop) {
      // Called after resize(), so sharp extracts from the resized image (post-resize extraction).
      pipeline = pipeline.extract({ left: plan.left, top: plan.top, width: size, height: size });
    }
  }
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.removeAlpha().toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw undecodable(checked.format, err);
  }
  const { info } = out;
  const expectW = window ? window.width : size;
  const expectH = window ? window.height : size;
  if (info.width !== expectW || info.height !== expectH || info.channels !== 3 || out.data.length !== expectW * expectH * 3) {
    // A pipeline bug, not the client's fault; still refuse rather than feed the model garbage.
    throw new Error(
      `image pipeline produced ${info.width} x ${info.height} x ${info.channels} (${out.data.length} bytes), expected ${expectW} x ${expectH} x 3`,
    );
  }
  const data: Uint8Array = window ? resampleCrop({ ...resampleRequest, data: out.data, window }) : out.data;
  return data;
}
