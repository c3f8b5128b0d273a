/** The per-request GraphQL context: process-wide services plus this request's DataLoaders, policy and gates. */
import type { DiffusionBackend } from '../diffusion/backend';
import type { Loaders } from '../loaders';
import type { ImageCheck, PromptScreening } from '../safety/decisions';
import type { Tenant } from '../safety/policy-file';
import type { Services } from '../services';
import type { RequestUsage } from './usage';

export interface GatewayContext {
  services: Services;
  loaders: Loaders;
  requestId: string;
  /** What this request has asked the model for so far, against its budget (usage.ts: MAX_REQUEST_ITEMS, MAX_REQUEST_TEXT_CHARS, MAX_REQUEST_PIXELS). */
  usage: RequestUsage;
  /** Whose turn its model work takes in the cross-request batcher (usage.ts clientKey: API key name, else address). */
  client: string;
  /** Who is asking (the API key's name) and the policy the request runs under. */
  tenant: Tenant;
  /** The request's prompt screen (prompt-screen plugin). */
  prompts: PromptScreening;
  /** The request's image post-check (image-postcheck plugin): every image returned goes through it. */
  images: ImageCheck;
  /** The configured diffusion backend; null when none is configured. */
  diffusion: DiffusionBackend | null;
}
