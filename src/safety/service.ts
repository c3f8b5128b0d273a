/**
 * The safety policy over embeddings: verdicts, explanations (nearest concept anchors) and redirection.
 * Works on points already on the hyperboloid; the runtime produced them. Shared by the GraphQL resolvers,
 * the CLI and the evaluation so all answer identically.
 */
import { distanceFromOrigin } from '../geometry';
import type { Substitutions } from '../runtime/bundle';
import type { Manifest } from '../runtime/manifest-types';
import type { AnchorIndex, Neighbour } from './anchors';
import { editPrompt, type SafeWords } from './edit';
import type { SafePool } from './pool';
import { retrieveSafe, safeBound } from './redirect';
import { calibrationFor, DEFAULT_MIN_COVERAGE, judge, type Calibration, type ModalityName, type Verdict } from './verdict';

export type RedirectStrategyName = 'RETRIEVE' | 'EDIT';
export const REDIRECT_STRATEGIES: readonly RedirectStrategyName[] = ['EDIT', 'RETRIEVE'];

export interface RedirectOutcome {
  /** The strategy that produced `output` (EDIT falls back to RETRIEVE when edits cannot make the text safe, and for images). */
  strategy: RedirectStrategyName;
  redirected: boolean;
  /** The safe text; the input text when nothing changed; null when no safe text could be found. */
  output: string | null;
  /** Embedding of `output` (the input's when unchanged). */
  outputVec: ArrayLike<number>;
  /** Verdict on the input. */
  before: Verdict;
  /** Verdict on `outputVec` (a text verdict when redirected; the input's verdict when unchanged). */
  after: Verdict;
  /** EDIT: the words changed (to = null when dropped). */
  edits?: { from: string; to: string | null }[];
  /** RETRIEVE: whether the chosen entry's entailment cone contains the traversed query. */
  entailed?: boolean;
}

export interface SafetyDeps {
  manifest: Manifest;
  anchors: AnchorIndex;
  pool: SafePool | null;
  words: SafeWords | null;
  /** EDIT's learnt replacements (the bundle's substitution table); absent or null: none. */
  substitutions?: Substitutions | null;
  /** Embeds texts (the runtime's batched text tower). */
  embed: (texts: string[]) => Promise<Float32Array[]>;
  /**
   * The coverage of the text an embedded row came from (the runtime's textCoverage: measured in the model
   * worker); null when not measured. Default: never measured.
   */
  coverage?: (vec: ArrayLike<number>) => number | null;
  /** The minimum coverage for callers that pass none (CLI, internal callers). Default DEFAULT_MIN_COVERAGE. */
  minCoverage?: number;
}

/** How a verdict is made: the calibration (default: the bundle's) and the minimum coverage (default: the service's). */
export interface JudgeOptions {
  calibration?: Calibration;
  minCoverage?: number;
}

export class SafetyService {
  readonly calibration: Record<ModalityName, Calibration>;
  readonly manifest: Manifest;
  readonly anchors: AnchorIndex;
  readonly pool: SafePool | null;
  readonly words: SafeWords | null;
  readonly substitutions: Substitutions | null;
  private readonly embed: SafetyDeps['embed'];
  private readonly coverageOf: (vec: ArrayLike<number>) => number | null;
  private readonly minCoverage: number;

  constructor(deps: SafetyDeps) {
    this.manifest = deps.manifest;
    this.anchors = deps.anchors;
    this.pool = deps.pool;
    this.words = deps.words;
    this.substitutions = deps.substitutions ?? null;
    this.embed = deps.embed;
    this.coverageOf = deps.coverage ?? (() => null);
    this.minCoverage = deps.minCoverage ?? DEFAULT_MIN_COVERAGE;
    this.calibration = { TEXT: calibrationFor(this.manifest, 'TEXT'), IMAGE: calibrationFor(this.manifest, 'IMAGE') };
  }

  distance(vec: ArrayLike<number>): number {
    return distanceFromOrigin(vec, this.manifest.curvature);
  }

  /**
   * The one place a verdict on an embedding is made (classify, redirect, the prompt screen, the drop-ins): the
   * distance against the threshold and, for a text whose coverage was measured, the coverage against the
   * minimum (verdict.ts).
   */
  verdict(vec: ArrayLike<number>, modality: ModalityName, o: JudgeOptions = {}): Verdict {
    const cal = o.calibration ?? this.calibration[modality];
    const coverage = modality === 'TEXT' ? this.coverageOf(vec) : null;
    return judge(this.distance(vec), modality, cal, coverage === null ? undefined : { coverage, minCoverage: o.minCoverage ?? this.minCoverage });
  }

  /**
   * The category of an unsafe verdict (unsafeCategory); null when the verdict is safe, or unsafe only because
   * too few of its words could be read (no concept decided it).
   */
  categoryOf(vec: ArrayLike<number>, verdict: Verdict): string | null {
    return verdict.unsafe && verdict.reason !== 'coverage' ? this.unsafeCategory(vec) : null;
  }

  nearest(vec: ArrayLike<number>, k: number): Neighbour[] {
    return this.anchors.nearest(vec, k);
  }

  /**
   * What kind of unsafe: the label of the nearest concept anchor among the unsafe ones (a safe anchor may be
   * closer — far from the origin, directions spread and the near-origin safe anchors are often nearest —
   * so the category is read among unsafe anchors only). Null when the bundle has no unsafe anchors.
   */
  unsafeCategory(vec: ArrayLike<number>): string | null {
    const anchors = this.anchors.anchors;
    const [best] = this.anchors.points.nearest(vec, 1, (i) => anchors[i].label !== 'safe');
    return best ? anchors[best.index].label : null;
  }

  /**
   * Redirects an input already embedded as `vec`. Safe input comes back unchanged. Unsafe text is edited
   * (EDIT) or replaced by a safe-pool prompt (RETRIEVE); unsafe images are always RETRIEVEd (cross-modal).
   * Returns output null when nothing safe could be produced: the caller must then not pass the input on.
   * `embed` embeds EDIT's variants (default: the service's own, shared by internal callers); a request passes
   * its loader's, so that work takes the requesting client's turn in the batcher. `minCoverage`: the request
   * policy's (default: the service's). A text unsafe only because too few of its words could be read goes
   * straight to RETRIEVE: EDIT moves a text toward the origin, which cannot make unread words readable.
   */
  async redirect(vec: Float32Array, modality: ModalityName, inputText: string | null, strategy: RedirectStrategyName, embed: SafetyDeps['embed'] = this.embed, minCoverage?: number): Promise<RedirectOutcome> {
    const judging = { minCoverage };
    const before = this.verdict(vec, modality, judging);
    if (!before.unsafe) {
      return { strategy, redirected: false, output: inputText, outputVec: vec, before, after: before };
    }
    if (strategy === 'EDIT' && modality === 'TEXT' && inputText !== null && before.reason !== 'coverage') {
      const edited = await editPrompt(inputText, vec, {
        embed,
        distance: (v) => this.distance(v),
        target: safeBound(this.manifest, 'TEXT'),
        words: this.words,
        substitutions: this.substitutions,
      });
      const after = this.verdict(edited.vec, 'TEXT', judging);
      if (edited.safe && !after.unsafe) {
        return { strategy: 'EDIT', redirected: true, output: edited.output, outputVec: edited.vec, edits: edited.edits, before, after };
      }
    }
    const found = this.pool ? retrieveSafe(vec, modality, this.pool, this.manifest) : null;
    if (!found) return { strategy: 'RETRIEVE', redirected: false, output: null, outputVec: vec, before, after: before };
    const outputVec = this.pool!.points.row(found.index);
    return { strategy: 'RETRIEVE', redirected: true, output: found.text, outputVec, entailed: found.entailed, before, after: this.verdict(outputVec, 'TEXT', judging) };
  }

  /** Embeds and redirects a text. */
  async redirectText(text: string, strategy: RedirectStrategyName): Promise<RedirectOutcome> {
    const [vec] = await this.embed([text]);
    return this.redirect(vec, 'TEXT', text, strategy);
  }
}
