/**
 * Format detection from magic bytes, before sharp/libvips sees the data. Only the six allowed signatures pass;
 * everything else is refused here, so libvips never parses SVG (librsvg), PDF, HEIC, JPEG 2000, FITS, ... from
 * client input. No sharp import: this is pure byte inspection.
 */
import type { AllowedFormat } from './limits';

export type SniffResult =
  | { ok: true; format: AllowedFormat }
  /**
   * `detected`: a short name for `extensions.format` ("SVG", "BMP", "text", "JSON", "unknown"). `notImage`:
   * set when the bytes are not an image file at all, saying what they look like ("looks like plain text");
   * absent for an image format that is refused (SVG, BMP, HEIC, ...).
   */
  | { ok: false; detected: string; notImage?: string };

type Refused = Omit<Extract<SniffResult, { ok: false }>, 'ok'>;

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

/** The allowed signatures, for recognising a file cut short inside its signature. */
const SIGNATURES: readonly [string, readonly number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['GIF', [0x47, 0x49, 0x46, 0x38]],
];

/** ISO-BMFF `ftyp` box: major + compatible brands. */
function ftypBrands(bytes: Uint8Array): string[] | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const end = Math.min(bytes.length, boxSize >= 16 && boxSize <= 4096 ? boxSize : 16);
  const brands = [ascii(bytes, 8, 12)];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(ascii(bytes, i, i + 4));
  return brands;
}

/**
 * Base64 text of an allowed image starts with these (the signatures encoded): a client that base64-encoded
 * its base64 (or a data URL) sends text that decodes to this.
 */
const BASE64_IMAGE_STARTS = ['iVBORw0KGgo', '/9j/', 'R0lGOD', 'UklGR', 'SUkq', 'TU0AK', 'AAAA'];

/**
 * True when the first 256 bytes are UTF-8 text without control characters other than tab and line breaks
 * (a multi-byte character cut by the 256-byte window still counts).
 */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  const window = bytes.subarray(0, 256);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(window);
  const bad = text.indexOf('\ufffd');
  if (bad >= 0 && (window.length < 256 || bad < text.length - 3)) return false;
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text);
}

/** What non-image text looks like, for the message. */
function describeText(text: string): Refused {
  const t = text.trimStart();
  if (/^data:/i.test(t)) return { detected: 'text', notImage: 'looks like a data: URL written as text, i.e. encoded twice; send the data URL itself' };
  if (BASE64_IMAGE_STARTS.some((p) => t.startsWith(p)) && /^[A-Za-z0-9+/=\s]+$/.test(t)) {
    return { detected: 'text', notImage: 'looks like base64 text, i.e. an image encoded twice; base64-encode the image file once' };
  }
  if (/^[[{]/.test(t)) return { detected: 'JSON', notImage: 'looks like JSON text' };
  return { detected: 'text', notImage: 'looks like plain text' };
}

/** Names what the bytes are when they are not an allowed image: a refused image format, or not an image. */
function nameRefused(bytes: Uint8Array): Refused {
  const head = ascii(bytes, 0, 16);
  // Not images at all.
  if (head.startsWith('%PDF')) return { detected: 'PDF', notImage: 'a PDF document' };
  if (head.startsWith('%!PS')) return { detected: 'PostScript', notImage: 'a PostScript document' };
  if (startsWith(bytes, [0x1f, 0x8b])) return { detected: 'gzip', notImage: 'gzip-compressed data (SVGZ is not accepted either)' };
  if (head.startsWith('PK\x03\x04')) return { detected: 'ZIP', notImage: 'a ZIP archive' };
  // Image formats that are refused.
  if (head.startsWith('BM')) return { detected: 'BMP' };
  if (head.startsWith('8BPS')) return { detected: 'Photoshop PSD' };
  if (startsWith(bytes, [0x00, 0x00, 0x01, 0x00]) || startsWith(bytes, [0x00, 0x00, 0x02, 0x00])) return { detected: 'ICO/CUR' };
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) return { detected: 'JPEG 2000' };
  if (startsWith(bytes, [0xff, 0x0a]) || startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20])) return { detected: 'JPEG XL' };
  if (head.startsWith('SIMPLE  =')) return { detected: 'FITS' };
  if (head.startsWith('#?RADIANCE') || head.startsWith('#?RGBE')) return { detected: 'Radiance HDR' };
  if (/^P[1-7]\s/.test(head)) return { detected: 'Netpbm (PPM/PGM/PBM)' };
  if (head.startsWith('RIFF')) {
    const kind = ascii(bytes, 8, 12).replace(/[^\x20-\x7e]/g, '?');
    return { detected: `RIFF (${kind})`, notImage: `a RIFF file of type "${kind}" (audio or video, not WebP)` };
  }
  const brands = ftypBrands(bytes);
  if (brands) {
    if (brands.some((b) => HEIC_BRANDS.has(b))) return { detected: 'HEIC (HEVC-coded HEIF)' };
    if (brands.includes('mif1') || brands.includes('msf1')) return { detected: 'HEIF (not AV1-coded)' };
    const brand = brands[0].replace(/[^\x20-\x7e]/g, '?');
    return { detected: `ISO media (${brand})`, notImage: `ISO media with brand "${brand}" (a video or audio file, not AVIF)` };
  }
  // Text: SVG/XML/HTML, possibly after a UTF-8 BOM and whitespace. Look a little further for <svg.
  let text = ascii(bytes, 0, 1024);
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const trimmed = text.trimStart().toLowerCase();
  if (trimmed.startsWith('<')) {
    if (trimmed.includes('<svg')) return { detected: 'SVG' };
    if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return { detected: 'HTML', notImage: 'looks like an HTML page' };
    if (trimmed.startsWith('<?xml')) return { detected: 'XML', notImage: 'looks like XML text (SVG is not accepted either)' };
    return { detected: 'XML/HTML', notImage: 'looks like markup text (XML or HTML)' };
  }
  // A file cut short inside an allowed signature ("GIF" alone would otherwise read as text).
  const cut = SIGNATURES.find(([, sig]) => bytes.length > 0 && bytes.length < sig.length && startsWith(Uint8Array.from(sig), [...bytes]));
  if (cut) return { detected: 'truncated', notImage: `only ${bytes.length} bytes, the start of a ${cut[0]} signature: the file was cut short` };
  if (looksLikeText(bytes)) return describeText(text);
  const hex = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return { detected: 'unknown', notImage: `its first bytes (${hex}) match no image format` };
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
  return { ok: false, ...nameRefused(bytes) };
}
