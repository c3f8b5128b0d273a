/**
 * Error codes the gateway promises to clients (`extensions.code`), and the one error class that carries them.
 *
 * Every refusal names what was wrong and what is allowed. Causes are kept (`{ cause }`) for logs, never sent
 * to clients in production.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  /** Input breaks the contract: missing/both text and image, empty or oversized text, bad or oversized image. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** Inference could not run (worker crashed, session failed, timed out). Nothing was judged safe. */
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  /** The model bundle on disk is invalid (start-up only). */
  BUNDLE_INVALID: 'BUNDLE_INVALID',
  /** Configuration is invalid (start-up only). */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** The input is unsafe and no safe-prompt pool can redirect it. */
  REDIRECT_UNAVAILABLE: 'REDIRECT_UNAVAILABLE',
  /** A prompt the policy blocks (or one REDIRECT could not make safe). The backend never saw it. */
  UNSAFE_PROMPT: 'UNSAFE_PROMPT',
  /** API keys are configured and the request has no valid `Authorization: Bearer <key>` (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The diffusion backend cannot be reached, answers 5xx, or none is configured. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** The diffusion backend did not finish within DIFFUSION_TIMEOUT_MS. */
  BACKEND_TIMEOUT: 'BACKEND_TIMEOUT',
  /** The diffusion backend answered something its API does not allow (not JSON, wrong shape, 4xx). */
  BACKEND_BAD_RESPONSE: 'BACKEND_BAD_RESPONSE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable code. Thrown anywhere below the resolvers; Apollo sends `code` as `extensions.code`. */
export class GatewayError extends GraphQLError {
  readonly code: string;
  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, {
      originalError: options.cause instanceof Error ? options.cause : undefined,
      extensions: {
        code,
        ...(options.details ?? {}),
      },
    });
    this.name = 'GatewayError';
    this.code = code;
    if (options.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Shorthand for a contract violation by the client. */
export function badInput(message: string, details?: Record<string, unknown>, cause?: unknown): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT, message, { details, cause });
}

/** Shorthand for an inference failure. Safety checks that get this fail closed. */
export function modelUnavailable(message: string, cause?: unknown): GatewayError {
  return new GatewayError(ErrorCode.MODEL_UNAVAILABLE, message, { cause });
}
