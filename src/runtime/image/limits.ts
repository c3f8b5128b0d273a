/**
 * Limits and the allowed-format list for client images. No sharp here: these constants are shared with the
 * config loader and the API description.
 */

/** Limits applied to one client image. */
export interface ImageLimits {
  /** Largest decoded (binary) image size in bytes. The base64 text may be about 4/3 of this. */
  maxBytes: number;
  /** Largest width * height (of the first frame/page), checked from the header before any pixel is decoded. */
  maxPixels: number;
  /** Largest width or height in pixels, if set. */
  maxSide?: number;
}

/** 10 MiB of image bytes. */
export const DEFAULT_MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** 40 megapixels (e.g. 8000 x 5000). */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;

export const DEFAULT_IMAGE_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxBytes: DEFAULT_MAX_IMAGE_BYTES,
  maxPixels: DEFAULT_MAX_IMAGE_PIXELS,
});

/**
 * Longest side / shortest side beyond which an image is refused. Far past any real photograph; it keeps the
 * shortest-side resize of a 1-pixel-high strip from producing an intermediate image millions of pixels long.
 */
export const MAX_ASPECT_RATIO = 1000;

/**
 * Image formats the gateway decodes. Everything else (SVG, PDF, HEIC/HEVC, BMP, JPEG 2000, JPEG XL, camera raw
 * other than TIFF-based, ...) is refused with BAD_USER_INPUT. 'gif' and 'webp' use their first frame only;
 * 'avif' means an HEIF container holding AV1; 'tiff' uses its first page.
 */
export const ALLOWED_FORMATS: readonly string[] = Object.freeze(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff']);

export type AllowedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';

/** How each allowed format is written in messages. */
export const FORMAT_NAMES: Readonly<Record<AllowedFormat, string>> = Object.freeze({
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
  avif: 'AVIF',
  tiff: 'TIFF',
});

/** "JPEG, PNG, WebP, GIF, AVIF, TIFF" for error messages. */
export const ALLOWED_FORMATS_TEXT = ALLOWED_FORMATS.map((f) => FORMAT_NAMES[f as AllowedFormat]).join(', ');

/** Formats a byte count for messages: "10 MiB", "512 KiB", "37 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(2)} KiB`;
  return `${n} bytes`;
}

/** Formats a pixel count for messages: "40 megapixels", "2500 megapixels". */
export function formatPixels(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(2)} megapixels`;
  return `${n} pixels`;
}

/** Throws a plain Error (a configuration bug, not a client error) when limits are not positive integers. */
export function checkImageLimits(limits: ImageLimits): void {
  const ok = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (!ok(limits.maxBytes)) throw new Error(`image limits: maxBytes must be a positive integer, got ${limits.maxBytes}`);
  if (!ok(limits.maxPixels)) throw new Error(`image limits: maxPixels must be a positive integer, got ${limits.maxPixels}`);
  if (limits.maxSide !== undefined && !ok(limits.maxSide)) {
    throw new Error(`image limits: maxSide must be a positive integer when set, got ${limits.maxSide}`);
  }
}
