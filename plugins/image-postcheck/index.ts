/**
 * image-postcheck: every image the gateway returns, from GraphQL `generate` and from the drop-in
 * endpoints, is classified by the image tower first and passed, blurred or withheld per the request's
 * policy; an image that cannot be checked is withheld (checker.ts). Resolvers and drop-in endpoints reach it
 * through `forRequest(scope)` (the context's `images`), so there is no path that returns backend bytes
 * around it.
 */
import type { ImageLimits } from '../../src/runtime/image';
import type { ImageCheck } from '../../src/safety/decisions';
import type { SafetyService } from '../../src/safety/service';
import type { Emit, GatewayPlugin, RequestScope } from '../types';
import { ImagePostchecker } from './checker';
import { resolveImagePostcheckOptions, type ImagePostcheckOptions } from './options';

export interface ImagePostcheckPlugin extends GatewayPlugin {
  forRequest(scope: RequestScope): ImageCheck;
}

export function imagePostcheck(deps: { safety: SafetyService; imageLimits: ImageLimits; emit: Emit }, options: Partial<ImagePostcheckOptions> = {}): ImagePostcheckPlugin {
  const checker = new ImagePostchecker(deps.safety, deps.imageLimits, deps.emit, resolveImagePostcheckOptions(options));
  return {
    name: 'image-postcheck',
    forRequest: (scope) => ({ check: (images, field) => checker.check(images, field, scope) }),
  };
}

export { IMAGE_CODES } from './checker';
export { blurImage } from './blur';
export type { ImagePostcheckOptions } from './options';
