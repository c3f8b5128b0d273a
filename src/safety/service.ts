/**
 * The safety policy over embeddings: verdicts, explanations (nearest concept anchors) and redirection.
 * Works on points already on the hyperboloid; the runtime produced them. Shared by the GraphQL resolvers
 * and the CLI so both answer identically.
 */
import { distanceFromOrigin } from '../geometry';
import type { Manifest } from '../runtime/manifest-types';
import type { AnchorIndex, Neighbour } from './anchors';
import type { SafePool } from './pool';
import { retrieveSafe } from './redirect';
import { calibrationFor, judge, type Calibration, type ModalityName, type Verdict } from './verdict';

export type RedirectStrategyName = 'RETRIEVE';
export const REDIRECT_STRATEGIES: readonly RedirectStrategyName[] = ['RETRIEVE'];

export interface RedirectOutcome {
  strategy: RedirectStrategyName;
  redirected: boolean;
  /** The safe text; the input text when nothing changed; null when no safe text could be found. */
  output: string | null;
  /** Embedding of `output` (the input's when unchanged). */
  outputVec: ArrayLike<number>;
  /** For RETRIEVE: whether the chosen entry's entailment cone contains the traversed query. */
  entailed?: boolean;
}

export class SafetyService {
  readonly calibration: Record<ModalityName, Calibration>;

  constructor(
    readonly manifest: Manifest,
    readonly anchors: AnchorIndex,
    readonly pool: SafePool | null,
  ) {
    this.calibration = { TEXT: calibrationFor(manifest, 'TEXT'), IMAGE: calibrationFor(manifest, 'IMAGE') };
  }

  distance(vec: ArrayLike<number>): number {
    return distanceFromOrigin(vec, this.manifest.curvature);
  }

  verdict(vec: ArrayLike<number>, modality: ModalityName): Verdict {
    return judge(this.distance(vec), modality, this.calibration[modality]);
  }

  nearest(vec: ArrayLike<number>, k: number): Neighbour[] {
    return this.anchors.nearest(vec, k);
  }

  /**
   * Redirects an input already embedded as `vec`. Safe input comes back unchanged. Unsafe input is
   * traversed toward the origin and replaced by a safe-pool prompt (RETRIEVE). Returns output null when
   * the deployment has no usable pool: the caller must then not pass the input on.
   */
  redirect(vec: ArrayLike<number>, modality: ModalityName, inputText: string | null, strategy: RedirectStrategyName): RedirectOutcome {
    if (!this.verdict(vec, modality).unsafe) {
      return { strategy, redirected: false, output: inputText, outputVec: vec };
    }
    const found = this.pool ? retrieveSafe(vec, modality, this.pool, this.manifest) : null;
    if (!found) return { strategy, redirected: false, output: null, outputVec: vec };
    return { strategy, redirected: true, output: found.text, outputVec: this.pool!.points.row(found.index), entailed: found.entailed };
  }
}
