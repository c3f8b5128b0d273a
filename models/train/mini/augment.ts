/**
 * Augmentations of the training batches (no TensorFlow.js here, so that they can be unit-tested without the
 * training dependencies): word dropout and word substitution on safe/unsafe pairs, and random neutral word bags.
 * Rows are token-id rows as the word tokenizer writes them (ids, then 0 = <pad>).
 */
import { Prng } from '../../fixture/prng';

/** Positions of `unsafe` whose token the safe twin lacks (multiset difference): the unsafe concept's words. */
export function conceptPositions(safe: Int32Array, unsafe: Int32Array): Uint8Array {
  const left = new Map<number, number>();
  for (const id of safe) if (id !== 0) left.set(id, (left.get(id) ?? 0) + 1);
  const out = new Uint8Array(unsafe.length);
  unsafe.forEach((id, t) => {
    if (id === 0) return;
    const n = left.get(id) ?? 0;
    if (n > 0) left.set(id, n - 1);
    else out[t] = 1;
  });
  return out;
}

/**
 * Word dropout on a pair: each distinct context id is dropped with probability p from both prompts at once (so
 * the twins stay aligned); the unsafe concept's positions (`concept`) are never dropped. At least one token of
 * each prompt survives.
 */
export function dropPairWords(safe: Int32Array, unsafe: Int32Array, concept: Uint8Array, p: number, prng: Prng): [Int32Array, Int32Array] {
  if (p <= 0) return [safe, unsafe];
  const ids = new Set<number>();
  for (const id of safe) if (id !== 0) ids.add(id);
  const dropped = new Set<number>();
  for (const id of [...ids].sort((x, y) => x - y)) if (prng.uniform() < p) dropped.add(id);
  const keep = (row: Int32Array, protect?: Uint8Array): Int32Array => {
    const out = new Int32Array(row.length);
    let n = 0;
    for (let t = 0; t < row.length && row[t] !== 0; t++) if ((protect && protect[t]) || !dropped.has(row[t])) out[n++] = row[t];
    if (n === 0) out[0] = row[0];
    return out;
  };
  return [keep(safe), keep(unsafe, concept)];
}

/**
 * Word substitution on a pair (after dropout): each distinct context id is replaced, with probability p, by a
 * random neutral id (the same one in both twins); the unsafe concept's positions (`concept`, positions of
 * `unsafe`) keep their words.
 */
export function substitutePairWords(
  safe: Int32Array,
  unsafe: Int32Array,
  concept: Uint8Array,
  p: number,
  neutral: Int32Array,
  prng: Prng,
): [Int32Array, Int32Array] {
  if (p <= 0 || neutral.length === 0) return [safe, unsafe];
  const ids = new Set<number>();
  for (const id of safe) if (id !== 0) ids.add(id);
  const swap = new Map<number, number>();
  for (const id of [...ids].sort((x, y) => x - y)) if (prng.uniform() < p) swap.set(id, neutral[prng.int(neutral.length)]);
  if (swap.size === 0) return [safe, unsafe];
  const apply = (row: Int32Array, protect?: Uint8Array): Int32Array => row.map((id, t) => ((protect && protect[t]) || !swap.has(id) ? id : swap.get(id)!));
  return [apply(safe), apply(unsafe, concept)];
}

/** A random bag of 2-12 neutral ids (a safe text made of ordinary words), padded to `length`. */
export function neutralBag(neutral: Int32Array, length: number, prng: Prng): Int32Array {
  const out = new Int32Array(length);
  const n = Math.min(length, 2 + prng.int(11));
  for (let t = 0; t < n; t++) out[t] = neutral[prng.int(neutral.length)];
  return out;
}
