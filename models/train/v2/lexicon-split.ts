/**
 * The held-out fifth of the lexicon terms: terms in fold 0 are never put in training prompts (hysac-mini v2),
 * so that `npm run eval` can measure how the model judges unsafe words it was never taught, in carrier
 * prompts. The fold depends only on the term's folded form, so training and evaluation agree without sharing
 * state. (Held-out terms may still be in vocab.txt: having a GloVe vector is not being labelled unsafe.)
 */
import { createHash } from 'node:crypto';

export const LEXICON_FOLDS = 5;
export const HELD_OUT_FOLD = 0;

/** Lower case, accents removed, runs of non-letters/digits as one space, trimmed. */
export function foldTerm(term: string): string {
  return term
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** 0 .. LEXICON_FOLDS - 1, from the SHA-256 of the folded term. */
export function lexiconFold(term: string): number {
  return createHash('sha256').update(foldTerm(term)).digest()[0] % LEXICON_FOLDS;
}

export function isHeldOutTerm(term: string): boolean {
  return lexiconFold(term) === HELD_OUT_FOLD;
}
