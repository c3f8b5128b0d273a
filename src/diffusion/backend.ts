/**
 * The diffusion backend interface: one adapter per API (a1111.ts, comfyui.ts, openai.ts), chosen by
 * configuration (index.ts). An adapter turns a GenerateRequest into the peer's HTTP calls and returns the
 * image bytes as the peer sent them: it does not judge them (image-postcheck does, and bytes that are not an
 * image are withheld there). Failures are GatewayErrors with BACKEND_UNAVAILABLE (cannot connect, 5xx),
 * BACKEND_TIMEOUT (slower than the timeout) or BACKEND_BAD_RESPONSE (not the shape the API promises),
 * as BackendErrors whose messages never quote the backend (what it said is `detail`, for the log).
 */
import { ErrorCode, GatewayError } from '../errors';

export const BACKEND_KINDS = ['a1111', 'comfyui', 'openai'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** A ComfyUI workflow in API format: node id -> { class_type, inputs }. */
export type ComfyWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }>;

export interface DiffusionSettings {
  backend: BackendKind;
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:7860. */
  url: string;
  /** Whole generation (every HTTP call, ComfyUI polling included) must finish within this. */
  timeoutMs: number;
  /** Sent as `Authorization: Bearer ...` to the backend when set (DIFFUSION_API_KEY). */
  apiKey: string | null;
  comfyui: {
    workflow: ComfyWorkflow;
    /** Where the workflow came from (the shipped default or a file). */
    workflowFile: string;
    /** Node whose `inputs.text` receives the prompt. */
    promptNode: string;
    /** Node whose `inputs.text` receives the negative prompt; null when the workflow has none. */
    negativePromptNode: string | null;
    /** Wait between GET /history polls. */
    pollIntervalMs: number;
  };
  openai: {
    /** Sent as `model` when set. */
    model: string | null;
    /** Sent as `quality` when set, in place of any client's (OPENAI_QUALITIES). */
    quality: string | null;
    /** Sent as `moderation` when set ('auto' or 'low'); a client's never is. */
    moderation: string | null;
  };
}

/** What the gateway asks a backend for. Sizes and counts are validated before (request.ts). */
export interface GenerateRequest {
  prompt: string;
  negativePrompt: string | null;
  width: number;
  height: number;
  steps: number;
  /** -1: random. */
  seed: number;
  count: number;
  /**
   * The peer-API settings of a request that came in through the drop-in endpoint of the same API as the
   * backend, already validated there (sampler, cfg scale, ...; a whole ComfyUI workflow with its texts
   * screened). Adapters still take from it only the fields on their allow-list (a1111-fields.ts,
   * openai.ts, the workflow for ComfyUI): nothing unjudged is forwarded even if a caller passes more.
   * Null for GraphQL requests.
   */
  native: { api: BackendKind; body: Record<string, unknown> } | null;
}

export interface BackendImage {
  bytes: Buffer;
}

export interface DiffusionBackend {
  readonly kind: BackendKind;
  readonly url: string;
  generate(req: GenerateRequest): Promise<BackendImage[]>;
}

export const BackendCode = {
  UNAVAILABLE: ErrorCode.BACKEND_UNAVAILABLE,
  TIMEOUT: ErrorCode.BACKEND_TIMEOUT,
  BAD_RESPONSE: ErrorCode.BACKEND_BAD_RESPONSE,
} as const;

/**
 * A backend failure. `message` is written for clients and never holds what the backend said (its error
 * body can carry file paths, tracebacks, the prompt echoed back): that goes in `detail`, which only the log
 * receives (report.ts hands it to the audit plugin with the request id).
 */
export class BackendError extends GatewayError {
  /** The backend's HTTP status, when it answered. */
  readonly status: number | null;
  /** What the backend said (a bounded, printable excerpt), for the log only; null when it said nothing. */
  readonly detail: string | null;
  constructor(code: string, message: string, internal: BackendInternals & { cause?: unknown } = {}) {
    super(code, message, { cause: internal.cause });
    this.name = 'BackendError';
    this.status = internal.status ?? null;
    this.detail = internal.detail ?? null;
  }
}

/** What a backend error keeps out of its message: the HTTP status and the backend's own words. */
export interface BackendInternals {
  status?: number | null;
  detail?: string | null;
}

export function backendUnavailable(kind: string, message: string, cause?: unknown, internal: BackendInternals = {}): BackendError {
  return new BackendError(BackendCode.UNAVAILABLE, `diffusion backend (${kind}) is unavailable: ${message}`, { ...internal, cause });
}

export function backendTimeout(kind: string, ms: number, cause?: unknown): BackendError {
  return new BackendError(BackendCode.TIMEOUT, `diffusion backend (${kind}) did not finish within ${ms} ms; allowed: DIFFUSION_TIMEOUT_MS=${ms}`, { cause });
}

export function backendBadResponse(kind: string, message: string, cause?: unknown, internal: BackendInternals = {}): BackendError {
  return new BackendError(BackendCode.BAD_RESPONSE, `diffusion backend (${kind}) answered something its API does not allow: ${message}`, { ...internal, cause });
}

/** The error for a gateway with no backend configured. */
export function noBackend(): GatewayError {
  return new GatewayError(BackendCode.UNAVAILABLE, 'no diffusion backend is configured; allowed: set DIFFUSION_BACKEND (a1111, comfyui, openai) and DIFFUSION_URL, or diffusion.backend and diffusion.url in the POLICY_FILE');
}
