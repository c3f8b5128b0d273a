/** The BLUR action on real images: same displayed size, PNG, the detail gone. */
import sharp from 'sharp';
import { blurImage } from '../../plugins/image-postcheck';
import { IMAGE_POSTCHECK_DEFAULTS, resolveImagePostcheckOptions } from '../../plugins/image-postcheck/options';
import { DEFAULT_IMAGE_LIMITS } from '../../src/runtime/image';
import { renderPng } from '../helpers/backends';
import { compare, pixels } from '../helpers/pipeline';

test('a striped PNG comes back the same size, as PNG, with its edges gone and its colour kept', async () => {
  const original = await renderPng('a blue boat', 200, 120);
  const blurred = await blurImage(original, IMAGE_POSTCHECK_DEFAULTS.blur, DEFAULT_IMAGE_LIMITS);
  const p = await pixels(blurred);
  expect([p.format, p.width, p.height]).toEqual(['png', 200, 120]);
  const c = await compare(original, blurred);
  expect(c.edgesB).toBeLessThan(c.edgesA / 10);
  const mean = (d: Buffer, ch: number) => d.filter((_, i) => i % 3 === ch).reduce((s, v) => s + v, 0) / (d.length / 3);
  expect(mean(p.data, 2)).toBeGreaterThan(mean(p.data, 0) + 60); // still blue
});

test('EXIF orientation is applied (displayed size kept) and transparency is flattened', async () => {
  const rotated = await sharp({ create: { width: 80, height: 40, channels: 4, background: { r: 200, g: 0, b: 0, alpha: 0.5 } } }).withMetadata({ orientation: 6 }).webp({ lossless: true }).toBuffer();
  const input = await sharp(rotated).metadata();
  expect([input.hasAlpha, input.orientation]).toEqual([true, 6]);
  const blurred = await blurImage(rotated, IMAGE_POSTCHECK_DEFAULTS.blur, DEFAULT_IMAGE_LIMITS);
  const meta = await sharp(blurred).metadata();
  expect([meta.width, meta.height, meta.hasAlpha]).toEqual([40, 80, false]);
});

test('bytes that are not an image are refused (the check withholds them)', async () => {
  await expect(blurImage(Buffer.from('not an image'), IMAGE_POSTCHECK_DEFAULTS.blur, DEFAULT_IMAGE_LIMITS)).rejects.toThrow();
});

test('options are validated once, naming the option and the range', () => {
  expect(() => resolveImagePostcheckOptions({ blur: { pixelate: 1, sigmaFraction: 0.04, minSigma: 6 } })).toThrow(/blur.pixelate is 1; allowed: an integer from 2 to 256/);
  expect(() => resolveImagePostcheckOptions({ timeoutMs: 0 })).toThrow(/timeoutMs is 0/);
});
