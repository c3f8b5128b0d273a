/**
 * OpenAI CLIP's text clean-up and pre-tokenisation (`clip/simple_tokenizer.py`):
 *
 *   text = whitespace_clean(basic_clean(text)).lower()
 *   basic_clean(t)      = html.unescape(html.unescape(ftfy.fix_text(t))).strip()
 *   whitespace_clean(t) = re.sub(r'\s+', ' ', t).strip()
 *   words = regex.findall(PAT, text)   (the `regex` package, re.IGNORECASE)
 *
 * Python's `\s` is not JavaScript's: the `regex` package's set has U+0085 and lacks U+FEFF, and
 * `str.strip()` also strips U+001C..U+001F. The classes below spell out Python's sets.
 *
 * `\p{L}` and `\p{N}` are V8's tables. A current `regex` package (Unicode 17) knows a few hundred
 * recently assigned letters V8 does not yet (e.g. U+058B, U+209D..U+209F, CJK extension J), so text with
 * those can split differently; with an older `regex` the reference differs the other way.
 */
import { fixText } from './ftfy-subset';
import { htmlUnescape } from './html-unescape';

/** The `regex` package's `\s` for str patterns (checked over every code point). */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN_RE = new RegExp(`[${PY_SPACE}]+`, 'g');
/** `str.strip()` with no argument strips `str.isspace()` characters: `\s` plus U+001C..U+001F. */
const PY_STRIP_RE = new RegExp(`^[${PY_SPACE}\\x1c-\\x1f]+|[${PY_SPACE}\\x1c-\\x1f]+$`, 'g');

/**
 * OpenAI's pattern, compiled with re.IGNORECASE. The text is lower-cased first, so case-insensitivity
 * changes only two things, both spelled out here instead of using JavaScript's `i` flag (which would also
 * put U+0345 into `\p{L}`, unlike Python's `regex`):
 * - `'s` also matches `'ſ` (U+017F folds to 's');
 * - U+0345 (combining ypogegrammeni, whose case fold is the letter ι) matches no alternative, so it is
 *   dropped: it is neither `\p{L}` nor in `[^\s\p{L}\p{N}]` under IGNORECASE.
 */
export const CLIP_PRETOKEN_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'[s\u017f]|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^${PY_SPACE}\\p{L}\\p{N}\u0345]+`,
  'gu',
);

/**
 * Text that is printable ASCII (plus tab, LF, CR) and has no '&' is left unchanged by ftfy and
 * html.unescape, so the common case skips them. (NFC is the identity on ASCII; ftfy's CR -> LF does not
 * matter because both become one space.)
 */
const NEEDS_FULL_CLEAN_RE = /[^\t\n\r\x20-\x7e]|&/;
const ASCII_SPACE_RUN_RE = /[\t\n\r ]+/g;

function pyStrip(text: string): string {
  return text.replace(PY_STRIP_RE, '');
}

/** `whitespace_clean(basic_clean(text)).lower()`, as OpenAI CLIP does before BPE. */
export function clipCleanText(text: string): string {
  if (!NEEDS_FULL_CLEAN_RE.test(text)) {
    return text.replace(ASCII_SPACE_RUN_RE, ' ').trim().toLowerCase();
  }
  const basic = pyStrip(htmlUnescape(htmlUnescape(fixText(text))));
  return pyStrip(basic.replace(PY_SPACE_RUN_RE, ' ')).toLowerCase();
}
