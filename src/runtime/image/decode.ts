/**
 * Client image text -> bytes. Accepts standard base64 (RFC 4648 section 4 alphabet, padded, no whitespace) or a
 * `data:image/...;base64,` URL. The data-URL MIME type is only checked to be an image type; the real format is
 * detected from the bytes later (sniff.ts, preprocess.ts).
 */
import { badInput } from '../../errors';
import { ALLOWED_FORMATS_TEXT, checkImageLimits, formatBytes, type ImageLimits } from './limits';

/** Longest `data:...;base64,` header we look at. Real ones are well under 100 characters. */
const MAX_DATA_URL_HEADER = 256;

const BASE64_RULES =
  'standard base64 (characters A-Z a-z 0-9 + /, padded with = to a multiple of 4 characters, no whitespace or line breaks) ' +
  'or a data URL such as data:image/png;base64,...';

/** Decoded byte count of a padded base64 string of length `len` ending in `pad` '=' characters. */
function decodedLength(len: number, pad: number): number {
  return (len / 4) * 3 - pad;
}

// Value of each base64 character, -1 for characters outside the alphabet.
const B64_VALUE = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  B64_VALUE[c.charCodeAt(0)] = i;
});

/** True when `s` is alphabet characters followed by at most two '=' (what /^[A-Za-z0-9+/]*={0,2}$/ accepts). */
function isBase64Alphabet(s: string): boolean {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || B64_VALUE[c] < 0) return false;
  }
  return true;
}

/** Describes a character for an error message: `"@"` or `U+00E9`. */
function describeChar(s: string, i: number): string {
  const code = s.codePointAt(i) ?? 0;
  if (code === 0x0a) return 'a line break (\\n)';
  if (code === 0x0d) return 'a carriage return (\\r)';
  if (code === 0x20) return 'a space';
  if (code === 0x09) return 'a tab';
  if (code >= 0x21 && code < 0x7f) return `"${String.fromCharCode(code)}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Validates and decodes the base64 payload. `what` names it in messages ("image", "data URL payload").
 * `offset` is added to character positions so they point into the original input.
 */
function decodeBase64(b64: string, limits: ImageLimits, what: string, offset: number): Buffer {
  const len = b64.length;
  if (len === 0) throw badInput(`${what} is empty; send the image as ${BASE64_RULES}`);

  // Size first, before touching the characters: a 1 GB string is refused in O(1).
  // Any valid base64 text of this length decodes to at least floor(len / 4) * 3 - 2 bytes.
  if (Math.floor(len / 4) * 3 - 2 > limits.maxBytes) {
    throw badInput(
      `image is too large: about ${formatBytes(Math.floor((len * 3) / 4))} after base64 decoding; the limit is ${formatBytes(limits.maxBytes)}`,
      { maxBytes: limits.maxBytes },
    );
  }

  // Alphabet (find the culprit only on failure). A table loop, not /^[A-Za-z0-9+/]*={0,2}$/.test(): on a
  // 600 KB photo the regex took 5 ms of the event loop (118 MB/s), the loop takes 1.3 ms (test/bench/FINDINGS.md).
  if (!isBase64Alphabet(b64)) {
    let i = 0;
    while (i < len && b64.charCodeAt(i) < 128 && B64_VALUE[b64.charCodeAt(i)] >= 0) i++;
    if (i < len && b64[i] === '=') {
      throw badInput(
        `${what} is not valid base64: "=" padding at character ${i + offset} is not at the end; expected ${BASE64_RULES}`,
      );
    }
    const extra =
      i < len && (b64[i] === '-' || b64[i] === '_') ? ' (base64url is not accepted; use the standard alphabet with + and /)' : '';
    throw badInput(
      `${what} is not valid base64: ${describeChar(b64, i)} at character ${i + offset} is not allowed${extra}; expected ${BASE64_RULES}`,
    );
  }

  // Padding: the length must be a multiple of 4 and at most two '=' (already ensured by the regex).
  if (len % 4 !== 0) {
    throw badInput(
      `${what} is not valid base64: its length ${len} is not a multiple of 4 (missing or extra "=" padding); expected ${BASE64_RULES}`,
    );
  }
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  // Canonical encoding: the bits below the last data character that do not belong to a byte must be zero.
  if (pad > 0) {
    const last = B64_VALUE[b64.charCodeAt(len - pad - 1)];
    const mask = pad === 2 ? 0x0f : 0x03;
    if ((last & mask) !== 0) {
      throw badInput(`${what} is not valid base64: bad padding (non-zero bits before "="); expected ${BASE64_RULES}`);
    }
  }

  const size = decodedLength(len, pad);
  if (size === 0) throw badInput(`${what} decodes to no bytes; send the image as ${BASE64_RULES}`);
  if (size > limits.maxBytes) {
    throw badInput(`image is too large: ${formatBytes(size)}; the limit is ${formatBytes(limits.maxBytes)}`, {
      maxBytes: limits.maxBytes,
    });
  }
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length !== size) {
    // Cannot happen after the checks above; kept so a Node change cannot pass a silently shortened image.
    throw badInput(`${what} is not valid base64; expected ${BASE64_RULES}`);
  }
  return bytes;
}

/**
 * Parses raw base64 or a `data:` URL (`data:image/png;base64,...`) into image bytes.
 *
 * Strict: refuses characters outside the standard base64 alphabet (including whitespace and the base64url
 * characters - and _), missing or misplaced padding, empty data, data URLs whose MIME type is not image/*
 * (or is image/svg+xml), and data URLs that are not base64. `limits.maxBytes` is enforced on the decoded size,
 * computed from the text length before anything is decoded.
 *
 * @throws GatewayError BAD_USER_INPUT naming what was wrong and what is allowed.
 */
export function decodeImageInput(input: string, limits: ImageLimits): Buffer {
  checkImageLimits(limits);
  if (typeof input !== 'string') throw badInput(`image must be a string: ${BASE64_RULES}`);
  if (input.length === 0) throw badInput(`image is empty; send the image as ${BASE64_RULES}`);

  if (input.length >= 5 && input.slice(0, 5).toLowerCase() === 'data:') {
    // Look for the comma in the header only, so a huge comma-less string is not scanned.
    const comma = input.slice(0, MAX_DATA_URL_HEADER + 1).indexOf(',', 5);
    if (comma < 0) {
      throw badInput(
        `image data URL is malformed: no "," after the header within ${MAX_DATA_URL_HEADER} characters; expected data:image/<type>;base64,<data>`,
      );
    }
    const header = input.slice(5, comma);
    const parts = header.split(';').map((p) => p.trim());
    const mime = parts[0].toLowerCase();
    if (mime === '') {
      throw badInput(
        'image data URL has no MIME type (which means text/plain); expected data:image/<type>;base64,<data> with an image type',
      );
    }
    if (!/^image\/[a-z0-9.+-]+$/.test(mime)) {
      throw badInput(
        `image data URL has MIME type "${mime.slice(0, 64)}", which is not an image type; expected data:image/<type>;base64,<data>`,
      );
    }
    if (mime === 'image/svg+xml' || mime === 'image/svg') {
      throw badInput(`image data URL has MIME type "${mime}": SVG images are not accepted; allowed: ${ALLOWED_FORMATS_TEXT}`);
    }
    if (parts.length < 2 || parts[parts.length - 1].toLowerCase() !== 'base64') {
      throw badInput(
        'image data URL is not base64-encoded (";base64" must come right before the ","); percent-encoded data URLs are not accepted; expected data:image/<type>;base64,<data>',
      );
    }
    return decodeBase64(input.slice(comma + 1), limits, 'image data URL payload', comma + 1);
  }
  return decodeBase64(input, limits, 'image', 0);
}
