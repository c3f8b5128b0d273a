/**
 * Pillow-compatible resampling of 8-bit interleaved RGB, with the crop folded in: computes only the output
 * pixels inside the crop window. A line-for-line port of Pillow's src/libImaging/Resample.c (unchanged from
 * Pillow 7 to 11 for these paths): separable convolution, horizontal pass first into an 8-bit intermediate,
 * then vertical; filter support scaled by the reduction factor (antialiasing); coefficients normalised to sum 1
 * over the in-bounds taps and rounded to 22-bit fixed point; results rounded and clipped to 0..255. NEAREST is
 * Pillow's affine nearest-neighbour sampling at ((x + 0.5) * scale).
 *
 * So `Resize(size, BICUBIC)` + `CenterCrop(size)` here gives the same bytes as torchvision/Pillow on the same
 * decoded pixels (see test/fixtures/clip-preprocess). No sharp import.
 */

export type ResampleKernel = 'cubic' | 'linear' | 'lanczos3' | 'nearest';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS; // 2^22
const HALF = 1 << (PRECISION_BITS - 1);
const CLIP_MAX = ONE * 256; // (1 << PRECISION_BITS << 8)

interface Filter {
  support: number;
  fn: (x: number) => number;
}

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function bilinear(x: number): number {
  if (x < 0) x = -x;
  if (x < 1) return 1 - x;
  return 0;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  x *= Math.PI;
  return Math.sin(x) / x;
}

function lanczos(x: number): number {
  // truncated sinc, a = 3
  if (-3 <= x && x < 3) return sinc(x) * sinc(x / 3);
  return 0;
}

const FILTERS: Record<Exclude<ResampleKernel, 'nearest'>, Filter> = {
  cubic: { support: 2, fn: bicubic },
  linear: { support: 1, fn: bilinear },
  lanczos3: { support: 3, fn: lanczos },
};

/** C's (int) cast: truncation toward zero. */
function cInt(x: number): number {
  return x < 0 ? Math.ceil(x) : Math.floor(x);
}

interface Coeffs {
  /** Taps per output pixel (padded). */
  ksize: number;
  /** Per output pixel: first input index and number of taps. */
  min: Int32Array;
  count: Int32Array;
  /** ksize fixed-point weights per output pixel. */
  k: Int32Array;
}

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc for outputs [first, first + n) of a resize from
 * inSize to outSize.
 */
function precompute(inSize: number, outSize: number, first: number, n: number, filter: Filter): Coeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const min = new Int32Array(n);
  const count = new Int32Array(n);
  const k = new Int32Array(n * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let i = 0; i < n; i++) {
    const xx = first + i;
    const center = (xx + 0.5) * scale;
    let xmin = cInt(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = cInt(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = filter.fn((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[i * ksize + x] = v < 0 ? cInt(-0.5 + v * ONE) : cInt(0.5 + v * ONE);
    }
    min[i] = xmin;
    count[i] = xmax;
  }
  return { ksize, min, count, k };
}

function clip8(v: number): number {
  if (v >= CLIP_MAX) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE); // v >> PRECISION_BITS for positive v
}

export interface ResampleRequest {
  /**
   * Interleaved 8-bit RGB of the source window (`window`, default the whole image):
   * window.width * window.height * 3 bytes.
   */
  data: Uint8Array;
  /** Size of the whole source image. */
  width: number;
  height: number;
  /** The part of the source image `data` holds; see sourceWindow(). */
  window?: Window;
  /** Size of the resized image (before the crop). */
  outWidth: number;
  outHeight: number;
  /** Crop window in resized coordinates. */
  left: number;
  top: number;
  cropWidth: number;
  cropHeight: number;
  kernel: ResampleKernel;
}

export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Source indices [first, end) that outputs [first, first + n) of an inSize -> outSize resize read. */
function sourceSpan(inSize: number, outSize: number, first: number, n: number, kernel: ResampleKernel): [number, number] {
  if (inSize === outSize) return [first, first + n];
  if (kernel === 'nearest') {
    const idx = nearestIndex(inSize, outSize, first, n);
    let lo = inSize;
    let hi = 0;
    for (const i of idx) {
      lo = Math.min(lo, i);
      hi = Math.max(hi, i + 1);
    }
    return [lo, hi];
  }
  const c = precompute(inSize, outSize, first, n, FILTERS[kernel]);
  let lo = inSize;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, c.min[i]);
    hi = Math.max(hi, c.min[i] + c.count[i]);
  }
  return [lo, hi];
}

/**
 * The smallest part of the source image that resampleCrop reads for this request, so a caller can decode or
 * extract only that (a centre crop of an enlarged strip needs a small part of it).
 */
export function sourceWindow(req: Omit<ResampleRequest, 'data' | 'window'>): Window {
  const [x0, x1] = sourceSpan(req.width, req.outWidth, req.left, req.cropWidth, req.kernel);
  const [y0, y1] = sourceSpan(req.height, req.outHeight, req.top, req.cropHeight, req.kernel);
  return { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Resizes the source to outWidth x outHeight as Pillow's Image.resize does and returns only the crop window
 * (cropWidth x cropHeight x 3 bytes). Only the source pixels inside `window` are read.
 */
export function resampleCrop(req: ResampleRequest): Uint8Array {
  const { data, width, height, outWidth, outHeight, left, top, cropWidth, cropHeight, kernel } = req;
  const win = req.window ?? { left: 0, top: 0, width, height };
  if (data.length !== win.width * win.height * 3) {
    throw new Error(`resampleCrop: expected ${win.width * win.height * 3} bytes, got ${data.length}`);
  }
  if (left < 0 || top < 0 || left + cropWidth > outWidth || top + cropHeight > outHeight) {
    throw new Error(`resampleCrop: crop ${cropWidth}x${cropHeight}+${left}+${top} outside ${outWidth}x${outHeight}`);
  }
  const need = sourceWindow(req);
  if (
    need.left < win.left ||
    need.top < win.top ||
    need.left + need.width > win.left + win.width ||
    need.top + need.height > win.top + win.height
  ) {
    throw new Error(`resampleCrop: window ${JSON.stringify(win)} does not cover the pixels read ${JSON.stringify(need)}`);
  }
  if (kernel === 'nearest') return nearest(req, win);

  const filter = FILTERS[kernel];
  const needH = outWidth !== width;
  const needV = outHeight !== height;
  const ww = win.width;

  // Vertical coefficients first: they say which input rows the horizontal pass must produce.
  let rowFirst = top;
  let rowLast = top + cropHeight; // exclusive, in input rows
  let vert: Coeffs | null = null;
  if (needV) {
    vert = precompute(height, outHeight, top, cropHeight, filter);
    rowFirst = height;
    rowLast = 0;
    for (let i = 0; i < cropHeight; i++) {
      rowFirst = Math.min(rowFirst, vert.min[i]);
      rowLast = Math.max(rowLast, vert.min[i] + vert.count[i]);
    }
  }
  const rows = rowLast - rowFirst;

  // Horizontal pass: rows [rowFirst, rowLast) x output columns [left, left + cropWidth) -> 8-bit temp.
  const temp = new Uint8Array(rows * cropWidth * 3);
  if (needH) {
    const { ksize, min, count, k } = precompute(width, outWidth, left, cropWidth, filter);
    for (let r = 0; r < rows; r++) {
      const inRow = (rowFirst + r - win.top) * ww * 3 - win.left * 3;
      const outRow = r * cropWidth * 3;
      for (let xx = 0; xx < cropWidth; xx++) {
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        const kb = xx * ksize;
        let p = inRow + min[xx] * 3;
        const n = count[xx];
        for (let x = 0; x < n; x++, p += 3) {
          const w = k[kb + x];
          s0 += data[p] * w;
          s1 += data[p + 1] * w;
          s2 += data[p + 2] * w;
        }
        const o = outRow + xx * 3;
        temp[o] = clip8(s0);
        temp[o + 1] = clip8(s1);
        temp[o + 2] = clip8(s2);
      }
    }
  } else {
    // No horizontal resize: copy the needed columns of the needed rows.
    for (let r = 0; r < rows; r++) {
      const src = ((rowFirst + r - win.top) * ww + (left - win.left)) * 3;
      temp.set(data.subarray(src, src + cropWidth * 3), r * cropWidth * 3);
    }
  }

  if (!vert) {
    // No vertical resize: temp holds rows [top, top + cropHeight) already.
    return temp;
  }

  // Vertical pass over temp (whose row 0 is input row rowFirst).
  const out = new Uint8Array(cropWidth * cropHeight * 3);
  const { ksize, min, count, k } = vert;
  const stride = cropWidth * 3;
  for (let yy = 0; yy < cropHeight; yy++) {
    const kb = yy * ksize;
    const y0 = min[yy] - rowFirst;
    const n = count[yy];
    const outRow = yy * stride;
    for (let xx = 0; xx < cropWidth; xx++) {
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      let p = y0 * stride + xx * 3;
      for (let y = 0; y < n; y++, p += stride) {
        const w = k[kb + y];
        s0 += temp[p] * w;
        s1 += temp[p + 1] * w;
        s2 += temp[p + 2] * w;
      }
      const o = outRow + xx * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return out;
}

/**
 * Pillow's NEAREST source indices (ImagingScaleAffine): the coordinate starts at 0.5 * scale and is advanced by
 * adding `scale` once per pixel (accumulated in floating point, as Pillow does), then truncated.
 */
function nearestIndex(inSize: number, outSize: number, first: number, n: number): Int32Array {
  const a = inSize / outSize;
  const idx = new Int32Array(n);
  let v = a * 0.5;
  for (let i = 0; i < first + n; i++, v += a) if (i >= first) idx[i - first] = Math.min(inSize - 1, Math.max(0, Math.floor(v)));
  return idx;
}

/** Pillow's NEAREST resize, then the crop. */
function nearest(req: ResampleRequest, win: Window): Uint8Array {
  const { data, width, height, outWidth, outHeight, left, top, cropWidth, cropHeight } = req;
  const cols = nearestIndex(width, outWidth, left, cropWidth);
  const rowsIdx = nearestIndex(height, outHeight, top, cropHeight);
  const out = new Uint8Array(cropWidth * cropHeight * 3);
  for (let y = 0; y < cropHeight; y++) {
    const row = (rowsIdx[y] - win.top) * win.width * 3;
    for (let x = 0; x < cropWidth; x++) {
      const p = row + (cols[x] - win.left) * 3;
      const o = (y * cropWidth + x) * 3;
      out[o] = data[p];
      out[o + 1] = data[p + 1];
      out[o + 2] = data[p + 2];
    }
  }
  return out;
}
