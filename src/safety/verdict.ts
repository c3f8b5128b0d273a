/**
 * The decision: unsafe when the geodesic distance from the origin reaches the modality's threshold
 * (HySAC puts safe content near the origin and unsafe content further out), or, for a text, when too few of
 * its words could be read at all.
 *
 * Coverage (measured by the tokenizer in the model worker, tokenizers/types.ts): words read from the
 * vocabulary or by subwords / all words of the text. A word the model cannot read contributes nothing to the
 * embedding, so a text of unreadable words lands near the origin, where safe content lies: judged by distance
 * alone it would be safe *because* it was not understood. So a text whose coverage is below the policy's
 * minCoverage is unsafe whatever its distance (reason 'coverage'), with score 1 like an unchecked input
 * (nothing the model measured vouches for it). Coverage is measured only by tokenizers with a subword model;
 * without it (images, older bundles) the verdict is the distance's alone.
 *
 * score = sigmoid((d - t) / s), with t the threshold and s = (mean unsafe distance - mean safe distance) / 8
 * from the bundle's calibration bounds (floored at 1 % of t). So score is in (0, 1), strictly increasing in
 * d, exactly 0.5 at the threshold (score >= 0.5 <=> unsafe), and about 0.98 at the unsafe mean when the
 * threshold sits midway between the two means.
 */
import type { Manifest } from '../runtime/manifest-types';

export type ModalityName = 'TEXT' | 'IMAGE';

/** Why a verdict is unsafe: its distance reached the threshold, or too few of its words could be read. */
export type UnsafeReason = 'distance' | 'coverage';

/** The minimum coverage when a policy does not set one (policy.ts `minCoverage`). */
export const DEFAULT_MIN_COVERAGE = 0.5;

export interface Verdict {
  modality: ModalityName;
  unsafe: boolean;
  score: number;
  distance: number;
  threshold: number;
  /** Set when unsafe: 'distance' when distance >= threshold (it wins when both hold), else 'coverage'. */
  reason?: UnsafeReason;
  /** Texts whose tokenizer measures it: the share of the text's words the model read (0..1), and the minimum applied. */
  coverage?: number;
  minCoverage?: number;
}

/** A text's measured coverage and the minimum it must reach. */
export interface CoverageCheck {
  coverage: number;
  minCoverage: number;
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

/**
 * Unsafe unless the distance is below the threshold and, when coverage is measured, the coverage reaches its
 * minimum: a NaN distance (a broken model output) or a NaN coverage is unsafe, never safe.
 */
export function judge(distance: number, modality: ModalityName, cal: Calibration, coverage?: CoverageCheck): Verdict {
  const far = !(distance < cal.threshold);
  const unread = coverage !== undefined && !(coverage.coverage >= coverage.minCoverage);
  const v: Verdict = { modality, unsafe: far || unread, score: far || !unread ? scoreOf(distance, cal) : 1, distance, threshold: cal.threshold };
  if (v.unsafe) v.reason = far ? 'distance' : 'coverage';
  if (coverage !== undefined) {
    v.coverage = coverage.coverage;
    v.minCoverage = coverage.minCoverage;
  }
  return v;
}

/** Why a verdict is unsafe, in words (error messages, drop-in `moderation`). */
export function describeUnsafe(v: Verdict, category: string | null): string {
  if (v.reason === 'coverage') {
    const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
    return `only ${pct(v.coverage ?? 0)} of its words could be read by the model, below the minimum coverage of ${pct(v.minCoverage ?? 0)}; unread words are never taken as safe`;
  }
  return `${category ?? 'unsafe'}, score ${v.score.toFixed(3)}, distance ${v.distance.toFixed(3)} >= threshold ${v.threshold.toFixed(3)}`;
}
