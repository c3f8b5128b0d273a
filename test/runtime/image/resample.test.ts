import { resampleCrop, sourceWindow, type ResampleKernel } from '../../../src/runtime/image/resample';
import { seededBytes } from '../../helpers/prng';

function cut(data: Uint8Array, width: number, w: { left: number; top: number; width: number; height: number }): Uint8Array {
  const out = new Uint8Array(w.width * w.height * 3);
  for (let y = 0; y < w.height; y++) {
    const src = ((w.top + y) * width + w.left) * 3;
    out.set(data.subarray(src, src + w.width * 3), y * w.width * 3);
  }
  return out;
}

describe('resampleCrop', () => {
  const kernels: ResampleKernel[] = ['cubic', 'linear', 'lanczos3', 'nearest'];
  const cases = [
    // width, height, outWidth, outHeight, crop
    [97, 61, 40, 25, 20], // reduce
    [23, 17, 60, 44, 30], // enlarge
    [50, 13, 30, 40, 25], // mixed
    [30, 300, 30, 120, 24], // one axis only
    [4, 3, 9000, 4000, 16], // large enlargement (window is tiny)
  ] as const;

  it.each(kernels)('%s: reading only sourceWindow() gives the same bytes as reading the whole image', (kernel) => {
    for (const [w, h, ow, oh, c] of cases) {
      const data = seededBytes(w * h * 3, w * 131 + h);
      const base = { width: w, height: h, outWidth: ow, outHeight: oh, left: (ow - c) >> 1, top: (oh - c) >> 1, cropWidth: c, cropHeight: c, kernel };
      const whole = resampleCrop({ ...base, data });
      const win = sourceWindow(base);
      expect(win.width).toBeLessThanOrEqual(w);
      const part = resampleCrop({ ...base, data: cut(data, w, win), window: win });
      expect(Buffer.from(part).equals(Buffer.from(whole))).toBe(true);
      expect(whole.length).toBe(c * c * 3);
    }
  });

  it('a crop of the full-size output equals the same part of an uncropped resize', () => {
    const data = seededBytes(61 * 37 * 3, 7);
    const full = resampleCrop({ data, width: 61, height: 37, outWidth: 33, outHeight: 29, left: 0, top: 0, cropWidth: 33, cropHeight: 29, kernel: 'cubic' });
    const part = resampleCrop({ data, width: 61, height: 37, outWidth: 33, outHeight: 29, left: 5, top: 7, cropWidth: 11, cropHeight: 13, kernel: 'cubic' });
    for (let y = 0; y < 13; y++)
      for (let x = 0; x < 11; x++)
        for (let ch = 0; ch < 3; ch++) expect(part[(y * 11 + x) * 3 + ch]).toBe(full[((y + 7) * 33 + x + 5) * 3 + ch]);
  });

  it('constant images stay constant (weights sum to one, no ringing)', () => {
    for (const kernel of ['cubic', 'linear', 'lanczos3', 'nearest'] as const) {
      const data = new Uint8Array(20 * 10 * 3).fill(77);
      const out = resampleCrop({ data, width: 20, height: 10, outWidth: 7, outHeight: 31, left: 0, top: 0, cropWidth: 7, cropHeight: 31, kernel });
      expect(out.every((v) => v === 77)).toBe(true);
    }
  });

  it('refuses a window that does not cover the pixels it needs', () => {
    const base = { width: 40, height: 40, outWidth: 20, outHeight: 20, left: 0, top: 0, cropWidth: 20, cropHeight: 20, kernel: 'cubic' as const };
    expect(() => resampleCrop({ ...base, data: new Uint8Array(10 * 10 * 3), window: { left: 0, top: 0, width: 10, height: 10 } })).toThrow(
      /does not cover/,
    );
  });
});
