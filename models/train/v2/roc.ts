/**
 * Held-out figures for model choice during training (the full field metrics are in models/eval).
 *
 *   AUROC = P(score of a random positive > score of a random negative) + 1/2 P(equal)
 *
 * computed from ranks (Mann-Whitney U): sort all scores, give tied scores their mean rank, then
 * AUROC = (sum of positive ranks - P (P + 1) / 2) / (P N).
 */
export { thresholdAtFpr } from '../mini/metrics';

export function aurocOf(positives: ArrayLike<number>, negatives: ArrayLike<number>): number {
  const all = [...Array.from(positives, (s) => ({ s, p: 1 })), ...Array.from(negatives, (s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j].s === all[i].s) j++;
    const mean = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let k = i; k < j; k++) if (all[k].p) rankSum += mean;
    i = j;
  }
  const P = positives.length;
  const N = negatives.length;
  return (rankSum - (P * (P + 1)) / 2) / (P * N);
}
