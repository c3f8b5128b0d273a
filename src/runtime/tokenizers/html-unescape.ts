/**
 * A port of Python's `html.unescape` (CPython 3.11 `Lib/html/__init__.py`), which OpenAI CLIP's
 * `basic_clean` applies twice after ftfy. Reproduced rule for rule, because the token ids must match:
 *
 * - `&#NNN;` / `&#xHH;` (the `;` optional): the HTML5 "invalid character reference" table maps 0x00 and
 *   0x80..0x9F (Windows-1252 bytes) to characters; surrogates and values above 0x10FFFF give U+FFFD; the
 *   non-characters and most controls give ''.
 * - `&name;` / `&name`: the HTML5 table; failing that, the longest prefix that is a legacy name without
 *   `;` (`&ampx` -> `&x`), as the HTML5 spec says; failing that, the text is left as it is.
 *
 * Not reproduced: Python raises ValueError for a decimal reference of more than 4,300 digits (its
 * int-parsing limit); here such a value is simply too large and gives U+FFFD.
 */
import { HTML5_ENTITIES } from './html5-entities';

let entityMap: Map<string, string> | undefined;

/** The HTML5 table as a Map (a plain object would answer `&constructor` from its prototype). Built on first use. */
export function html5Entities(): Map<string, string> {
  entityMap ??= new Map(Object.entries(HTML5_ENTITIES));
  return entityMap;
}

/** Python's `html._invalid_charrefs`: what a numeric reference to these code points decodes to. */
const INVALID_CHARREFS = new Map<number, string>([
  [0x00, '\ufffd'], [0x0d, '\r'], [0x80, '\u20ac'], [0x81, '\x81'], [0x82, '\u201a'], [0x83, '\u0192'],
  [0x84, '\u201e'], [0x85, '\u2026'], [0x86, '\u2020'], [0x87, '\u2021'], [0x88, '\u02c6'], [0x89, '\u2030'],
  [0x8a, '\u0160'], [0x8b, '\u2039'], [0x8c, '\u0152'], [0x8d, '\x8d'], [0x8e, '\u017d'], [0x8f, '\x8f'],
  [0x90, '\x90'], [0x91, '\u2018'], [0x92, '\u2019'], [0x93, '\u201c'], [0x94, '\u201d'], [0x95, '\u2022'],
  [0x96, '\u2013'], [0x97, '\u2014'], [0x98, '\u02dc'], [0x99, '\u2122'], [0x9a, '\u0161'], [0x9b, '\u203a'],
  [0x9c, '\u0153'], [0x9d, '\x9d'], [0x9e, '\u017e'], [0x9f, '\u0178'],
]);

/** Python's `html._invalid_codepoints`: numeric references to these decode to ''. */
function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x01 && n <= 0x08) ||
    n === 0x0b ||
    (n >= 0x0e && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe // U+xFFFE and U+xFFFF of every plane (n <= 0x10FFFF is checked first)
  );
}

/** Python's `html._charref`; the `u` flag makes `{1,32}` count code points as Python does. */
const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function decodeNumeric(digits: string, radix: 10 | 16): string {
  // Leading zeros are allowed; more than 8 significant digits is past 0x10FFFF in either radix.
  const significant = digits.replace(/^0+/, '');
  const num = significant.length > 8 ? Infinity : significant === '' ? 0 : parseInt(significant, radix);
  const invalid = INVALID_CHARREFS.get(num);
  if (invalid !== undefined) return invalid;
  if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
  if (isInvalidCodepoint(num)) return '';
  return String.fromCodePoint(num);
}

function replaceCharref(_match: string, s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const body = s.slice(hex ? 2 : 1).replace(/;$/, '');
    return decodeNumeric(body, hex ? 16 : 10);
  }
  const table = html5Entities();
  const direct = table.get(s);
  if (direct !== undefined) return direct;
  // Longest prefix (at least 2 characters, shorter than s) that is a name. Names are ASCII, so counting
  // UTF-16 units instead of code points finds the same prefix.
  for (let x = s.length - 1; x > 1; x--) {
    const hit = table.get(s.slice(0, x));
    if (hit !== undefined) return hit + s.slice(x);
  }
  return '&' + s;
}

/** Python's `html.unescape(s)`. */
export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(CHARREF_RE, replaceCharref);
}
