/**
 * The BLUR action: a heavy blur that keeps the image's displayed size, so a user sees that something was
 * there and what colours it had, not what it was. One of the few modules allowed to import sharp (with
 * src/runtime/image/). The input has already been decoded once by the check, under the same limits.
 */
import sharp from 'sharp';
import type { ImageLimits } from '../../src/runtime/image';
import type { ImagePostcheckOptions } from './options';

/** Returns a PNG of the same (EXIF-oriented) width and height, pixelated then Gaussian-blurred. */
export async function blurImage(bytes: Buffer, o: ImagePostcheckOptions['blur'], limits: ImageLimits): Promise<Buffer> {
  const input = { limitInputPixels: limits.maxPixels, failOn: 'error' as const, animated: false };
  const { data, info } = await sharp(bytes, input).rotate().flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const short = Math.min(width, height);
  const scale = Math.min(1, o.pixelate / short);
  const small = await sharp(data, { raw: { width, height, channels: info.channels } })
    .resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { kernel: 'cubic', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const sigma = Math.max(o.minSigma, o.sigmaFraction * short);
  return sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } })
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .blur(sigma)
    .png()
    .toBuffer();
}
