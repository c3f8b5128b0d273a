/** The per-request GraphQL context: process-wide services plus this request's DataLoaders. */
import type { Loaders } from '../loaders';
import type { Services } from '../services';

export interface GatewayContext {
  services: Services;
  loaders: Loaders;
  requestId: string;
  /** Model inputs this request has asked for so far (checked against MAX_REQUEST_ITEMS). */
  usage: { modelInputs: number };
}
