/**
 * Obfuscation-robust text normalisation for the word tokenizer. People who want an unsafe prompt through
 * a word-level filter disguise words with characters that look the same but are different code points.
 * This undoes the disguises that need no vocabulary; the vocabulary-guided ones (leetspeak, s p a c e d
 * letters, masked letters, stretched letters) are in word-tokens.ts.
 *
 * Pipeline of `normalizeText`, in order:
 *  1. NFKD: compatibility forms to plain ones (fullwidth ＮＡＫＥＤ, mathematical 𝐧𝐚𝐤𝐞𝐝, circled Ⓝ,
 *     ligature ﬁ, superscripts) and precomposed letters split into base + combining marks (so that step 5
 *     can drop the marks and step 3 sees the bare base of Cyrillic 'ё').
 *  2. Invisible characters removed (not replaced: they are used to split a word invisibly, "n\u200Baked"):
 *     every format character (general category Cf: zero-width space/joiners U+200B..U+200F, word joiner and
 *     invisible operators U+2060..U+2064, BOM U+FEFF, soft hyphen U+00AD, bidi controls, tag characters),
 *     variation selectors (U+FE00..U+FE0F, U+E0100..U+E01EF), combining grapheme joiner U+034F, Hangul
 *     fillers. Control characters (Cc) become a space.
 *  3. Homoglyphs to Latin, with a table (HOMOGLYPHS): Cyrillic and Greek letters that look Latin, a few
 *     Latin-extended/IPA look-alikes; letter-shaped emoji (🅽🅰🅺🅴🅳, regional indicators). Upper-case look-alikes map to upper-case Latin (Greek 'Ν' -> 'N',
 *     though its lower case 'ν' looks like 'v') and are lower-cased in step 4.
 *  4. Lower-case.
 *  5. Diacritics dropped: a combining mark (M) is removed when the letter it sits on is Latin, so
 *     "nákéd" -> "naked" while Cyrillic 'й' and Devanagari vowel signs keep theirs.
 *  6. NFC, so what remains (marks on non-Latin letters) is composed again.
 *
 * Deterministic, no vocabulary, and idempotent: normalizeText(normalizeText(x)) === normalizeText(x).
 * The homoglyph table is a hand-picked subset of Unicode's confusables.txt, not all of it.
 */

/** Look-alike -> Latin. Keys are single code points after NFKD (so no precomposed letters). */
const HOMOGLYPHS: Record<string, string> = {
  // Cyrillic, lower case
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ѵ: 'v',
  // Cyrillic, upper case
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X',
  І: 'I', Ј: 'J', Ѕ: 'S', Ԁ: 'D', Ԛ: 'Q', Ԝ: 'W', Һ: 'H', Ӏ: 'I', Ү: 'Y',
  // Greek, lower case
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
  ω: 'w', ϲ: 'c', ϳ: 'j',
  // Greek, upper case
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y',
  Χ: 'X', Ϲ: 'C',
  // Latin-extended and IPA look-alikes
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ɪ: 'i', ʏ: 'y', ʀ: 'r', ʙ: 'b', ɴ: 'n', ʜ: 'h', ʟ: 'l', ᴀ: 'a', ᴄ: 'c',
  ᴅ: 'd', ᴇ: 'e', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ᴢ: 'z', ꜱ: 's',
  // Armenian look-alikes
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', զ: 'q', ց: 'g',
};
/**
 * Letter-shaped symbols without a compatibility decomposition: negative circled 🅐 (U+1F150), negative
 * squared 🅰 (U+1F170) and regional indicators 🇦 (U+1F1E6), each A..Z in order.
 */
const SYMBOL_LETTER_RE = /[\u{1f150}-\u{1f169}\u{1f170}-\u{1f189}\u{1f1e6}-\u{1f1ff}]/gu;
function symbolLetter(ch: string): string {
  const cp = ch.codePointAt(0) as number;
  const base = cp >= 0x1f1e6 ? 0x1f1e6 : cp >= 0x1f170 ? 0x1f170 : 0x1f150;
  return String.fromCharCode(0x61 + cp - base);
}
const HOMOGLYPH_RE = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'gu');

/** Invisible characters: format (Cf), variation selectors, CGJ, Hangul fillers (which NFKD keeps). */
const INVISIBLE_RE = /[\p{Cf}\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu;
const CONTROL_RE = /\p{Cc}/gu;
/** A Latin letter and the combining marks on it: the marks go. */
const LATIN_WITH_MARKS_RE = /(\p{Script=Latin})\p{M}+/gu;
/** Text that is printable ASCII passes steps 1-3, 5 and 6 unchanged. */
const NON_ASCII_OR_CONTROL_RE = /[^\x20-\x7e]/;

export function normalizeText(text: string): string {
  if (!NON_ASCII_OR_CONTROL_RE.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(INVISIBLE_RE, '')
    .replace(CONTROL_RE, ' ')
    .replace(HOMOGLYPH_RE, (ch) => HOMOGLYPHS[ch])
    .replace(SYMBOL_LETTER_RE, symbolLetter)
    .toLowerCase()
    .replace(LATIN_WITH_MARKS_RE, '$1')
    .normalize('NFC');
}
