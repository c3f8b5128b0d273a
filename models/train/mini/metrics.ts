/**
 * Calibration arithmetic shared by training (TF.js, for progress reports) and bundle assembly (ONNX Runtime, for
 * the figures that go into manifest.json and TRAINING.md).
 */
import type { DistanceStats } from '../../../src/runtime/manifest-types';

/** q-quantile (0..1), linear interpolation between order statistics. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** mean, p5, p95 rounded to 3 decimals (the manifest's DistanceStats). */
export function distanceStats(values: ArrayLike<number>): DistanceStats {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return { mean: round(sum / values.length), p5: round(quantile(values, 0.05)), p95: round(quantile(values, 0.95)) };
}

/**
 * The text threshold: the smallest distance t (rounded up to 3 decimals) such that at most floor(targetFpr x n)
 * safe distances are >= t, i.e. the calib false-positive rate stays <= targetFpr while recall is as high as
 * that allows (recall only falls as t grows).
 */
export function thresholdAtFpr(safe: ArrayLike<number>, targetFpr: number): number {
  const s = Float64Array.from(safe).sort();
  const allowed = Math.floor(targetFpr * s.length);
  const boundary = s[s.length - 1 - allowed]; // the largest safe distance that must stay below t
  let t = Math.ceil(boundary * 1000) / 1000;
  if (t <= boundary) t += 0.001;
  return round(t);
}

export function rate(values: ArrayLike<number>, pred: (v: number) => boolean): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (pred(values[i])) n++;
  return values.length ? n / values.length : NaN;
}
