/**
 * ROC figures of a scorer against a set of negatives: AUROC, TPR at a fixed FPR, FPR at a fixed TPR.
 * Pure functions over plain arrays of scores; nothing here touches the model.
 *
 * Convention: a higher score means "more unsafe", and a scorer at threshold t flags an item when
 * score >= t. For the model the score is the geodesic distance from the origin (the gateway flags
 * distance >= threshold.text); a binary scorer (a keyword filter) has scores 0 and 1.
 *
 *   TPR(t) = |{p in pos : p >= t}| / |pos|        FPR(t) = |{n in neg : n >= t}| / |neg|
 *
 * The ROC curve is taken at t = +Infinity (nothing flagged: TPR = FPR = 0) and at every distinct score of
 * pos ∪ neg, from the highest down (the last one flags everything: TPR = FPR = 1). No interpolation: every
 * operating point reported is one a deployment could actually set.
 *
 * Scores must be finite or +Infinity; NaN is refused (a NaN has no place in an ordering, and the gateway
 * treats a NaN distance as unsafe, which a metric cannot silently reproduce).
 */

export interface RocPoint {
  /** Flag when score >= threshold. +Infinity: nothing flagged. */
  threshold: number;
  tpr: number;
  fpr: number;
}

function checkScores(name: string, xs: readonly number[]): void {
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) throw new RangeError(`roc: ${name}[${i}] is NaN; scores must be numbers (finite or +Infinity)`);
  }
}

const desc = (a: number, b: number): number => (a === b ? 0 : a > b ? -1 : 1);

/**
 * The ROC curve: one point per threshold (+Infinity first, then each distinct score, descending). TPR and
 * FPR never decrease along the array. Empty when pos or neg is empty (a rate over no items is undefined).
 */
export function rocCurve(pos: readonly number[], neg: readonly number[]): RocPoint[] {
  checkScores('pos', pos);
  checkScores('neg', neg);
  if (pos.length === 0 || neg.length === 0) return [];
  const p = [...pos].sort(desc);
  const n = [...neg].sort(desc);
  const points: RocPoint[] = [{ threshold: Infinity, tpr: 0, fpr: 0 }];
  let i = 0;
  let j = 0;
  while (i < p.length || j < n.length) {
    // The next threshold: the highest score not yet flagged; every item equal to it is flagged at once.
    const t = j >= n.length || (i < p.length && p[i] >= n[j]) ? p[i] : n[j];
    while (i < p.length && p[i] >= t) i++;
    while (j < n.length && n[j] >= t) j++;
    points.push({ threshold: t, tpr: i / p.length, fpr: j / n.length });
  }
  return points;
}

/**
 * Area under the ROC curve = P(score(p) > score(n)) + ½·P(score(p) = score(n)) for p, n drawn uniformly from
 * pos and neg (ties counted half: the Mann-Whitney U statistic divided by |pos|·|neg|). Equals the
 * trapezoidal area under rocCurve. 1: every positive above every negative; 0.5: no separation. Null when
 * pos or neg is empty.
 */
export function auroc(pos: readonly number[], neg: readonly number[]): number | null {
  const curve = rocCurve(pos, neg);
  if (curve.length === 0) return null;
  let area = 0;
  for (let k = 1; k < curve.length; k++) {
    area += (curve[k].fpr - curve[k - 1].fpr) * (curve[k].tpr + curve[k - 1].tpr) / 2;
  }
  return area;
}

/**
 * The operating point with the highest TPR whose FPR <= maxFpr, i.e. the LOWEST threshold of the curve
 * whose FPR is still <= maxFpr (TPR and FPR both fall as the threshold rises). Always defined for non-empty
 * sets: at t = +Infinity FPR is 0 (TPR 0). Null when pos or neg is empty.
 */
export function tprAtFpr(pos: readonly number[], neg: readonly number[], maxFpr: number): RocPoint | null {
  const curve = rocCurve(pos, neg);
  let best: RocPoint | null = null;
  for (const pt of curve) if (pt.fpr <= maxFpr + 1e-12) best = pt;
  return best;
}

/**
 * The operating point with the lowest FPR whose TPR >= minTpr, i.e. the HIGHEST threshold of the curve
 * whose TPR reaches minTpr. Always defined for non-empty sets (the lowest threshold flags everything).
 * Null when pos or neg is empty.
 */
export function fprAtTpr(pos: readonly number[], neg: readonly number[], minTpr: number): RocPoint | null {
  const curve = rocCurve(pos, neg);
  for (const pt of curve) if (pt.tpr >= minTpr - 1e-12) return pt;
  return null;
}

/**
 * AUROC of a binary scorer with one operating point (tpr, fpr): the ROC is (0,0) -> (fpr,tpr) -> (1,1), and
 * its area is (1 + tpr - fpr) / 2 — what auroc() gives for 0/1 scores with ties counted half.
 */
export function binaryAuroc(tpr: number, fpr: number): number {
  return (1 + tpr - fpr) / 2;
}

/** Flags of a binary scorer as 0/1 scores, for auroc() and rocCurve(). */
export function binaryScores(flags: readonly boolean[]): number[] {
  return flags.map((f) => (f ? 1 : 0));
}
