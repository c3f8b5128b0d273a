/**
 * The test backends' images: real PNGs made with sharp, coloured by the prompt so a test can choose what the
 * fixture model will see. The fixture's image tower flags strongly red images and passes grey, blue and
 * green ones (models/fixture/image-graph.ts), so:
 *   a prompt with "red" (or crimson, scarlet)  -> a red image the fixture judges unsafe
 *   "blue" / "green"                           -> a blue / green image (safe)
 *   anything else                              -> a grey image whose shade comes from the prompt (safe)
 * Every image has thin darker stripes, so blurring it visibly changes its pixels.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';

export type Rgb = [number, number, number];

export function colourFor(prompt: string): Rgb {
  const p = prompt.toLowerCase();
  if (/\b(red|crimson|scarlet)\b/.test(p)) return [225, 20, 20];
  if (/\bblue\b/.test(p)) return [40, 70, 205];
  if (/\bgreen\b/.test(p)) return [40, 165, 60];
  const shade = 90 + (createHash('sha256').update(prompt).digest()[0] % 80);
  return [shade, shade, shade];
}

/** A width x height PNG of the prompt's colour with 2-pixel stripes every 16 pixels at 60 % brightness. */
export async function renderPng(prompt: string, width: number, height: number): Promise<Buffer> {
  const [r, g, b] = colourFor(prompt);
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dark = x % 16 < 2 || y % 16 < 2 ? 0.6 : 1;
      const i = (y * width + x) * 3;
      px[i] = Math.round(r * dark);
      px[i + 1] = Math.round(g * dark);
      px[i + 2] = Math.round(b * dark);
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Bytes that no image decoder accepts. */
export const NOT_AN_IMAGE = Buffer.from('this is not an image, only text pretending to be one\n');
