import { auroc, binaryAuroc, binaryScores, fprAtTpr, rocCurve, tprAtFpr } from '../../models/eval/roc';

/** P(p > n) + ½ P(p = n) by counting every pair: the definition, for comparison. */
function pairwiseAuroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/** Deterministic pseudo-random integers in [0, m): many ties on purpose. */
function lcg(seed: number, count: number, m: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(x % m);
  }
  return out;
}

describe('rocCurve', () => {
  it('starts at (0,0) with threshold +Infinity and walks the distinct scores downward to (1,1)', () => {
    // scikit-learn's roc_curve example: y = [0, 0, 1, 1], scores = [0.1, 0.4, 0.35, 0.8].
    expect(rocCurve([0.35, 0.8], [0.1, 0.4])).toEqual([
      { threshold: Infinity, tpr: 0, fpr: 0 },
      { threshold: 0.8, tpr: 0.5, fpr: 0 },
      { threshold: 0.4, tpr: 0.5, fpr: 0.5 },
      { threshold: 0.35, tpr: 1, fpr: 0.5 },
      { threshold: 0.1, tpr: 1, fpr: 1 },
    ]);
  });

  it('moves diagonally where a positive and a negative share a score', () => {
    expect(rocCurve([2, 1], [1, 0])).toEqual([
      { threshold: Infinity, tpr: 0, fpr: 0 },
      { threshold: 2, tpr: 0.5, fpr: 0 },
      { threshold: 1, tpr: 1, fpr: 0.5 },
      { threshold: 0, tpr: 1, fpr: 1 },
    ]);
  });

  it('is empty when either side is empty, and refuses NaN naming the item', () => {
    expect(rocCurve([], [1])).toEqual([]);
    expect(rocCurve([1], [])).toEqual([]);
    expect(() => rocCurve([1, NaN], [0])).toThrow('pos[1] is NaN');
    expect(() => rocCurve([1], [NaN])).toThrow('neg[0] is NaN');
  });
});

describe('auroc', () => {
  it('is 1 for perfect separation, 0 for perfect inversion, 0.75 for the scikit-learn example', () => {
    expect(auroc([3, 4], [1, 2])).toBe(1);
    expect(auroc([1, 2], [3, 4])).toBe(0);
    expect(auroc([0.35, 0.8], [0.1, 0.4])).toBeCloseTo(0.75, 12);
  });

  it('counts ties half', () => {
    expect(auroc([1], [1])).toBe(0.5);
    expect(auroc([5, 5, 5], [5, 5])).toBe(0.5); // one score for everything: no separation
    expect(auroc([1, 1], [1, 0])).toBeCloseTo(0.75, 12); // 2 wins + 2 ties of 4 pairs
  });

  it('equals the pairwise definition on sets with many ties', () => {
    const pos = lcg(7, 300, 20).map((x) => x + 3);
    const neg = lcg(11, 500, 20);
    expect(auroc(pos, neg)).toBeCloseTo(pairwiseAuroc(pos, neg), 10);
  });

  it('accepts +Infinity scores and is null when a side is empty', () => {
    expect(auroc([Infinity, 2], [1, Infinity])).toBeCloseTo(pairwiseAuroc([Infinity, 2], [1, Infinity]), 12);
    expect(auroc([], [1, 2])).toBeNull();
    expect(auroc([1], [])).toBeNull();
  });
});

describe('operating points', () => {
  it('TPR at FPR takes the lowest threshold whose FPR is within the bound', () => {
    expect(tprAtFpr([0.35, 0.8], [0.1, 0.4], 0)).toEqual({ threshold: 0.8, tpr: 0.5, fpr: 0 });
    expect(tprAtFpr([0.35, 0.8], [0.1, 0.4], 0.5)).toEqual({ threshold: 0.35, tpr: 1, fpr: 0.5 });
    // Nothing separates: only t = +Infinity keeps FPR at 0, so TPR is 0.
    expect(tprAtFpr([1, 1], [1, 1], 0.01)).toEqual({ threshold: Infinity, tpr: 0, fpr: 0 });
  });

  it('1 % FPR on 200 negatives allows exactly 2 negatives flagged', () => {
    const neg = Array.from({ length: 200 }, (_, i) => i); // 0 .. 199
    const pos = [198.5, 197.5, 150, 10];
    // The lowest threshold flagging at most 2 negatives (198, 199) is 197.5: it flags 198.5 and 197.5 as well.
    const pt = tprAtFpr(pos, neg, 0.01)!;
    expect(pt.fpr).toBeCloseTo(0.01, 12);
    expect(pt.tpr).toBe(0.5); // 198.5 and 197.5
    expect(pt.threshold).toBe(197.5);
  });

  it('FPR at TPR takes the highest threshold whose TPR reaches the bound', () => {
    expect(fprAtTpr([0.35, 0.8], [0.1, 0.4], 0.5)).toEqual({ threshold: 0.8, tpr: 0.5, fpr: 0 });
    expect(fprAtTpr([0.35, 0.8], [0.1, 0.4], 0.95)).toEqual({ threshold: 0.35, tpr: 1, fpr: 0.5 });
    // 95 % of 20 positives is 19: the threshold at the 19th highest positive.
    const pos = Array.from({ length: 20 }, (_, i) => i + 10); // 10 .. 29
    const neg = [0, 5, 10.5, 11];
    expect(fprAtTpr(pos, neg, 0.95)).toEqual({ threshold: 11, tpr: 0.95, fpr: 0.25 }); // only the negative 11 is >= 11
  });

  it('are null when a side is empty', () => {
    expect(tprAtFpr([], [1], 0.01)).toBeNull();
    expect(fprAtTpr([1], [], 0.95)).toBeNull();
  });
});

describe('binary scorers', () => {
  it('have one operating point, and binaryAuroc equals auroc of the 0/1 scores', () => {
    const posFlags = [true, true, false, true, false]; // TPR 0.6
    const negFlags = [false, false, true, false, false, false, false, false, false, false]; // FPR 0.1
    const pos = binaryScores(posFlags);
    const neg = binaryScores(negFlags);
    expect(binaryAuroc(0.6, 0.1)).toBeCloseTo(0.75, 12);
    expect(auroc(pos, neg)).toBeCloseTo(0.75, 12);
    expect(rocCurve(pos, neg).map((p) => [p.tpr, p.fpr])).toEqual([
      [0, 0],
      [0.6, 0.1],
      [1, 1],
    ]);
  });

  it('a filter that flags nothing scores 0.5', () => {
    expect(binaryAuroc(0, 0)).toBe(0.5);
    expect(auroc(binaryScores([false, false]), binaryScores([false]))).toBe(0.5);
  });
});
