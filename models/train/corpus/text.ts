/** Small text helpers: articles, pronouns, phrase parsing, TSV safety. */
import type { Gender, Phrase } from './types';

const AN_EXCEPTIONS = /^(hour|honest|honou?r|heir|herb(?!al))/;
const A_EXCEPTIONS = /^(uni|use|usu|uter|euro|eu|one|once|ufo|u-|ukulele|utopi)/;

/** "a" or "an" for the word that follows. */
export function article(next: string): 'a' | 'an' {
  const w = next.trim().toLowerCase();
  if (AN_EXCEPTIONS.test(w)) return 'an';
  if (A_EXCEPTIONS.test(w)) return 'a';
  if (/^(fbi|mri|x-ray|x-rated|nsfw|18\+|8k)/.test(w)) return 'an';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}

const PRONOUNS: Record<Gender, { pos: string; obj: string; refl: string; subj: string }> = {
  f: { pos: 'her', obj: 'her', refl: 'herself', subj: 'she' },
  m: { pos: 'his', obj: 'him', refl: 'himself', subj: 'he' },
  n: { pos: 'their', obj: 'them', refl: 'themselves', subj: 'they' },
  p: { pos: 'their', obj: 'them', refl: 'themselves', subj: 'they' },
  i: { pos: 'its', obj: 'it', refl: 'itself', subj: 'it' },
};

/** Fills {pos} {obj} {refl} {subj} for the subject's gender. */
export function pronouns(text: string, gender: Gender): string {
  const p = PRONOUNS[gender];
  return text.replace(/\{(pos|obj|refl|subj)\}/g, (_, k: keyof typeof p) => p[k]);
}

/** All pronoun variants of a text (for the lexicon, which must match any rendered form). */
export function pronounVariants(text: string): string[] {
  if (!/\{(pos|obj|refl|subj)\}/.test(text)) return [text];
  return [...new Set((['f', 'm', 'n'] as Gender[]).map((g) => pronouns(text, g)))];
}

export function words(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Collapses whitespace and stray punctuation spacing. */
export function tidy(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/\s+,/g, ',')
    .replace(/,\s*,/g, ',')
    .replace(/^[\s,]+|[\s,]+$/g, '')
    .trim();
}

/**
 * Parses "text | short | tag". short defaults to the text when it has at most 3 words (pronoun placeholders
 * read as one word each); tag defaults to short. Throws on a default that would break the short style, so a
 * lexicon mistake shows at start-up, not as a silently malformed prompt.
 */
export function phrase(spec: string): Phrase {
  const [text, short, tag] = spec.split('|').map((s) => s.trim());
  if (!text) throw new Error(`phrase: empty text in ${JSON.stringify(spec)}`);
  const s = short || text.replace(/^(a|an|the) /, '');
  if (words(pronouns(s, 'n')).length > 3) throw new Error(`phrase: short form over 3 words in ${JSON.stringify(spec)}; give one after '|'`);
  return { text, short: s, tag: tag || pronouns(s, 'n') };
}

/** Throws if a field would break the TSV (tab, newline) or is empty. */
export function tsvField(s: string): string {
  if (!s || /[\t\r\n]/.test(s)) throw new Error(`tsvField: empty or contains tab/newline: ${JSON.stringify(s)}`);
  return s;
}
