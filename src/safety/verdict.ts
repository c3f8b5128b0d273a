/**
 * The decision: unsafe when the geodesic distance from the origin reaches the modality's threshold
 * (HySAC puts safe content near the origin and unsafe content further out).
 *
 * score = sigmoid((d - t) / s), with t the threshold and s = (mean unsafe distance - mean safe distance) / 8
 * from the bundle's calibration bounds (floored at 1 % of t). So score is in (0, 1), strictly increasing in
 * d, exactly 0.5 at the threshold (score >= 0.5 <=> unsafe), and about 0.98 at the unsafe mean when the
 * threshold sits midway between the two means.
 */
import type { Manifest } from '../runtime/manifest-types';

export type ModalityName = 'TEXT' | 'IMAGE';

export interface Verdict {
  modality: ModalityName;
  unsafe: boolean;
  score: number;
  distance: number;
  threshold: number;
}

export interface Calibration {
  threshold: number;
  /** Logistic scale s of the score. */
  scale: number;
}

export function calibrationFor(manifest: Manifest, modality: ModalityName, thresholdOverride?: number): Calibration {
  const key = modality === 'TEXT' ? 'text' : 'image';
  const threshold = thresholdOverride ?? manifest.threshold[key];
  const b = manifest.bounds;
  const gap = modality === 'TEXT' ? b.unsafeText.mean - b.safeText.mean : b.unsafeImage.mean - b.safeImage.mean;
  return { threshold, scale: Math.max(gap / 8, 0.01 * threshold) };
}

export function scoreOf(distance: number, cal: Calibration): number {
  if (Number.isNaN(distance)) return 1;
  return 1 / (1 + Math.exp(-(distance - cal.threshold) / cal.scale));
}

/** Unsafe unless the distance is below the threshold: a NaN distance (a broken model output) is unsafe, never safe. */
export function judge(distance: number, modality: ModalityName, cal: Calibration): Verdict {
  return { modality, unsafe: !(distance < cal.threshold), score: scoreOf(distance, cal), distance, threshold: cal.threshold };
}
