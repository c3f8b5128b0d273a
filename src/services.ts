/** Everything a request needs that lives for the whole process. Built once by main.ts. */
import type { Config } from './config';
import type { ModelRuntime } from './runtime/model-runtime';
import type { ImageLimits } from './runtime/image';
import type { SafetyService } from './safety/service';

export interface Services {
  config: Readonly<Config>;
  runtime: ModelRuntime;
  safety: SafetyService;
  imageLimits: ImageLimits;
}
