/**
 * Every photograph in ../shared/eval/safe_images (images.csv) decodes to a finite tensor of the right length.
 * The set includes a CMYK JPEG without profile, a lossless JPEG (SOF3), WebP, an RGBA PNG, greyscale PNG/JPEG,
 * and JPEGs with ICC profiles and EXIF orientation tags.
 */
import { readTable } from '../../../models/eval/csv';
import * as fs from 'fs';
import * as path from 'path';
import { inspectImage, preprocessImage } from '../../../src/runtime/image';
import { CLIP_SPEC, LIMITS, SAFE_IMAGES } from './helpers';

const CSV = path.join(SAFE_IMAGES, 'images.csv');
const present = fs.existsSync(CSV);

if (!present) {
  describe('safe_images', () => {
    it.skip(`skipped: ${CSV} is absent (the shared evaluation data is not checked out next to the repository)`, () => {});
  });
  // eslint-disable-next-line no-console
  console.warn(`safe-images.test.ts: skipped, ${CSV} not found`);
} else {
  const rows = readTable(CSV).rows;
  describe('safe_images', () => {
    it('lists the photographs', () => {
      expect(rows.length).toBeGreaterThanOrEqual(20);
      const modes = new Set(rows.map((r) => r.mode));
      for (const m of ['RGB', 'RGBA', 'L', 'CMYK']) expect(modes).toContain(m);
    });

    it.each(rows.map((r) => [r.file, r] as const))('%s decodes to a finite CLIP tensor', async (file, row) => {
      const bytes = fs.readFileSync(path.join(SAFE_IMAGES, file));
      expect(bytes.length).toBe(Number(row.bytes));
      const info = await inspectImage(bytes, LIMITS);
      expect(info.format).toBe(row.format.toLowerCase());
      expect([info.width, info.height]).toEqual([Number(row.width), Number(row.height)]);
      for (const layout of ['NCHW', 'NHWC'] as const) {
        const t = await preprocessImage(bytes, { ...CLIP_SPEC, layout }, LIMITS);
        expect(t.length).toBe(3 * 224 * 224);
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of t) {
          if (!Number.isFinite(v)) throw new Error(`${file}: non-finite value ${v}`);
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        // (0 - mean) / std .. (1 - mean) / std over the three channels; a real photo is not flat.
        expect(lo).toBeGreaterThanOrEqual(-1.8);
        expect(hi).toBeLessThanOrEqual(2.15);
        expect(hi - lo).toBeGreaterThan(0.5);
      }
    });
  });
}
