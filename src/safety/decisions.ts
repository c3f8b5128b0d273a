/**
 * What the safety gates decide, and the per-request interfaces the GraphQL resolvers and the drop-in
 * endpoints use to reach them. Types only (plus the fail-closed verdict): the gates themselves are the
 * prompt-screen and image-postcheck plugins, wired in src/main.ts.
 */
import type { GatewayError } from '../errors';
import type { RedirectStrategyName } from './service';
import type { Calibration, ModalityName, Verdict } from './verdict';

/** What the gateway did with a prompt. PASS: safe (or outside the policy's categories), sent unchanged. */
export type PromptAction = 'PASS' | 'FLAG' | 'REDIRECT' | 'BLOCK';
/** What the gateway did with an image. */
export type ImageAction = 'PASS' | 'BLUR' | 'WITHHOLD';

export interface PromptDecision {
  /** The prompt as received. */
  text: string;
  /** What goes on to the resolver/backend; null when refused. */
  sent: string | null;
  action: PromptAction;
  /** Verdict on `text` under the policy's text threshold; null when the check could not run. */
  verdict: Verdict | null;
  vec: Float32Array | null;
  /** Category of the nearest unsafe concept anchor (null when unchecked). */
  category: string | null;
  /** True when the verdict is unsafe and `category` is one the policy counts. */
  counted: boolean;
  /** REDIRECT: how the text was rewritten, and the verdict on the rewritten text. */
  redirect: { strategy: RedirectStrategyName; edits: { from: string; to: string | null }[]; verdict: Verdict; vec: ArrayLike<number> } | null;
  /** Set when the prompt must not go on: UNSAFE_PROMPT, MODEL_UNAVAILABLE or REDIRECT_UNAVAILABLE. */
  error: GatewayError | null;
}

export interface ImageDecision {
  /** Position in the backend's answer. */
  index: number;
  action: ImageAction;
  /** The bytes that leave the gateway (blurred PNG for BLUR); null when withheld. */
  bytes: Buffer | null;
  /** MIME type of `bytes`; null when withheld. */
  mimeType: string | null;
  /** Verdict on the image as the backend returned it; null when it could not be checked. */
  verdict: Verdict | null;
  vec: Float32Array | null;
  category: string | null;
  counted: boolean;
  /** Why the image was blurred or withheld (or passed although unsafe); null for a safe image. */
  reason: string | null;
  /** Stable code for a withheld image: UNSAFE_IMAGE or IMAGE_UNCHECKED. */
  code: string | null;
}

/** One prompt argument screened for one field occurrence (argument path such as `input.prompt`). */
export interface ScreenedArgument {
  path: string;
  decision: PromptDecision;
}

/** The request's prompt screen (the prompt-screen plugin), as resolvers and drop-in endpoints see it. */
export interface PromptScreening {
  /**
   * Screens prompts, all in one model run. A failed check is a refused decision, not a rejection; it rejects
   * only (BAD_USER_INPUT) when the prompts would take the request over MAX_REQUEST_ITEMS.
   */
  screen(texts: string[], field: string): Promise<PromptDecision[]>;
  /**
   * Records what was screened for one field call: `args` is the arguments object its resolver receives
   * (prompts already replaced by what goes on; null when the field was refused), `responsePath` where the
   * field sits in the response (e.g. `generate` or `a.b.0.c`).
   */
  attach(args: object | null, screened: ScreenedArgument[], responsePath: string): void;
  /** The prompts screened for the field call whose (rewritten) arguments object is `args`. */
  screenedArguments(args: object): ScreenedArgument[] | undefined;
}

/** The request's image post-check (the image-postcheck plugin). Never rejects: an unchecked image is withheld. */
export interface ImageCheck {
  check(images: Buffer[], field: string): Promise<ImageDecision[]>;
}

/** One log/metrics record per decision (audit and metrics plugins). */
export interface SafetyDecisionEvent {
  kind: 'prompt' | 'image';
  requestId: string;
  /** The named policy the request ran under. */
  policy: string;
  /** API key name, or null when no keys are configured. */
  tenant: string | null;
  /** GraphQL field coordinate (Mutation.generate) or drop-in route (POST /sdapi/v1/txt2img). */
  field: string;
  /** safe | unsafe | unchecked */
  verdict: 'safe' | 'unsafe' | 'unchecked';
  score: number | null;
  distance: number | null;
  threshold: number | null;
  category: string | null;
  counted: boolean;
  action: PromptAction | ImageAction;
  /** The error code when the decision refuses (UNSAFE_PROMPT, MODEL_UNAVAILABLE, ...). */
  code: string | null;
  /** Time spent checking (model run, redirect, blur), milliseconds. */
  latencyMs: number;
  /** kind 'prompt': the prompt as received, and the text sent on when it differs. */
  prompt?: string;
  sentPrompt?: string;
  /**
   * kind 'image': why it was withheld, blurred or passed unsafe (null for a safe image), e.g. why it could not be
   * checked. kind 'prompt', when the bundle measures coverage: why an unsafe prompt is unsafe, 'distance' or
   * 'coverage' (too few of its words could be read).
   */
  reason?: string | null;
  /** kind 'prompt', when the bundle measures it: the share of the prompt's words the model read (0..1). */
  coverage?: number;
}

export type DecisionListener = (event: SafetyDecisionEvent) => void;

/**
 * The verdict for content that could not be checked: nothing was measured, so it counts as unsafe with
 * score 1 and its distance set to the threshold (GraphQL shows `checked: false`).
 */
export function uncheckedVerdict(modality: ModalityName, cal: Calibration): Verdict {
  return { modality, unsafe: true, score: 1, distance: cal.threshold, threshold: cal.threshold };
}

/**
 * The client-facing summary of one prompt decision (GraphQL `extensions.promptScreening`, drop-in `moderation`).
 * When the bundle measures coverage it also has `coverage` (0..1) and, for an unsafe verdict, `reason`:
 * "coverage" when too few of the prompt's words could be read, else "distance".
 */
export function promptSummary(d: PromptDecision): Record<string, unknown> {
  const v = d.verdict;
  return {
    action: d.action,
    checked: v !== null,
    unsafe: v?.unsafe ?? true,
    score: v?.score ?? 1,
    category: d.category,
    ...(v?.coverage !== undefined ? { coverage: v.coverage, ...(v.reason ? { reason: v.reason } : {}) } : {}),
    ...(d.action === 'REDIRECT' ? { sentPrompt: d.sent } : {}),
    ...(d.error ? { code: d.error.code } : {}),
  };
}
