/**
 * Format detection from magic bytes, before sharp/libvips sees the data. Only the six allowed signatures pass;
 * everything else is refused here, so libvips never parses SVG (librsvg), PDF, HEIC, JPEG 2000, FITS, ... from
 * client input. No sharp import: this is pure byte inspection.
 */
import type { AllowedFormat } from './limits';

export type SniffResult =
  | { ok: true; format: AllowedFormat }
  /** `detected` is a human-readable name for the message ("SVG", "PDF", "unknown"). */
  | { ok: false; detected: string };

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < Math.min(end, bytes.length); i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);

/** ISO-BMFF `ftyp` box: major + compatible brands. */
function ftypBrands(bytes: Uint8Array): string[] | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const end = Math.min(bytes.length, boxSize >= 16 && boxSize <= 4096 ? boxSize : 16);
  const brands = [ascii(bytes, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(bytes, i, i + 4));
  return brands;
}

/** Names some common formats we refuse, for a helpful message. */
function nameRefused(bytes: Uint8Array): string {
  const head = ascii(bytes, 0, 16);
  if (head.startsWith('%PDF')) return 'PDF';
  if (head.startsWith('%!PS')) return 'PostScript';
  if (head.startsWith('BM')) return 'BMP';
  if (head.startsWith('8BPS')) return 'Photoshop PSD';
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) || startsWith(bytes, [0x00, 0x00, 0x02, 0x00])) return 'ICO/CUR';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51]))
    return 'JPEG 2000';
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return 'JPEG XL';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip-compressed data (e.g. SVGZ)';
  if (head.startsWith('PK\x03\x04')) return 'ZIP archive';
  if (head.startsWith('SIMPLE  =')) return 'FITS';
  if (head.startsWith('#?RADIANCE') || head.startsWith('#?RGBE')) return 'Radiance HDR';
  if (/^P[1-7]\s/.test(head)) return 'Netpbm (PPM/PGM/PBM)';
  if (head.startsWith('RIFF')) return `RIFF (${ascii(bytes, 8, 12).replace(/[^\x20-\x7e]/g, '?')}, not WebP)`;
  const brands = ftypBrands(bytes);
  if (brands) {
    if (brands.some((b) => HEIC_BRANDS.has(b))) return 'HEIC (HEVC-coded HEIF)';
    if (brands.includes('mif1') || brands.includes('msf1')) return 'HEIF (not AV1-coded)';
    return `ISO media (brand "${brands[0].replace(/[^\x20-\x7e]/g, '?')}", not AVIF)`;
  }
  // Text: SVG/XML/HTML, possibly after a UTF-8 BOM and whitespace. Look a little further for <svg.
  let text = ascii(bytes, 0, 1024);
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const trimmed = text.trimStart().toLowerCase();
  if (trimmed.startsWith('<')) {
    if (trimmed.includes('<svg')) return 'SVG';
    if (trimmed.startsWith('<?xml')) return 'XML (possibly SVG)';
    if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'HTML';
    return 'XML/HTML-like text';
  }
  if (bytes.length > 0 && /^[\x09\x0a\x0d\x20-\x7e]+$/.test(ascii(bytes, 0, 256))) return 'text';
  return 'unknown';
}

/** Detects the format from the first bytes. Only the allowed formats come back ok. */
export function sniffFormat(bytes: Uint8Array): SniffResult {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { ok: true, format: 'jpeg' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, format: 'png' };
  const head = ascii(bytes, 0, 12);
  if (head.startsWith('GIF87a') || head.startsWith('GIF89a')) return { ok: true, format: 'gif' };
  if (head.startsWith('RIFF') && head.slice(8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  // TIFF little/big endian, classic (42) and BigTIFF (43).
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return { ok: true, format: 'tiff' };
  }
  const brands = ftypBrands(bytes);
  if (brands && brands.some((b) => AVIF_BRANDS.has(b))) return { ok: true, format: 'avif' };
  return { ok: false, detected: nameRefused(bytes) };
}
