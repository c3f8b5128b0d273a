/**
 * The image gate: every image the gateway is about to return is classified first and handled per the
 * request's policy.
 *
 *   1. Embed all of one answer's images through the request's image DataLoader (decode + preprocess each,
 *      one model run for all): an image that does not decode fails alone.
 *   2. Verdict under the policy's image threshold; category = the nearest unsafe concept anchor's.
 *   3. Not counted: PASS with the original bytes. Counted: PASS (marked), BLUR (blur.ts; if blurring fails
 *      the image is withheld) or WITHHOLD (no bytes, a reason).
 *   4. Could not be checked (bytes that are not an allowed image, a model error, the check timing out):
 *      WITHHOLD with code IMAGE_UNCHECKED. Nothing leaves unchecked, whatever the policy.
 */
import { imageKey } from '../../src/loaders';
import { sniffFormat, type ImageLimits } from '../../src/runtime/image';
import type { ImageDecision } from '../../src/safety/decisions';
import { counts, policyCalibration } from '../../src/safety/policy';
import type { SafetyService } from '../../src/safety/service';
import { judge } from '../../src/safety/verdict';
import type { Emit, RequestScope } from '../types';
import { decisionEvent } from '../shared/decision-event';
import { blurImage } from './blur';
import type { ImagePostcheckOptions } from './options';

export const IMAGE_CODES = { UNSAFE: 'UNSAFE_IMAGE', UNCHECKED: 'IMAGE_UNCHECKED' } as const;

class CheckTimeout extends Error {}

export class ImagePostchecker {
  constructor(
    private readonly safety: SafetyService,
    private readonly limits: ImageLimits,
    private readonly emit: Emit,
    private readonly options: ImagePostcheckOptions,
  ) {}

  /** Decides every image; never rejects. */
  async check(images: Buffer[], field: string, scope: RequestScope): Promise<ImageDecision[]> {
    const t0 = performance.now();
    let loaded: (Float32Array | Error)[];
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckTimeout(`the check took longer than ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      });
      loaded = await Promise.race([scope.loaders.image.loadMany(images.map((b) => imageKey(b))), timeout]);
    } catch (e) {
      loaded = images.map(() => e as Error);
    } finally {
      clearTimeout(timer);
    }
    return Promise.all(
      images.map(async (bytes, index) => {
        let d: ImageDecision;
        try {
          d = await this.decide(bytes, index, loaded[index], scope);
        } catch (e) {
          d = this.unchecked(index, e as Error);
        }
        this.report(d, field, scope, performance.now() - t0);
        return d;
      }),
    );
  }

  private unchecked(index: number, e: Error): ImageDecision {
    return {
      index,
      action: 'WITHHOLD',
      bytes: null,
      mimeType: null,
      verdict: null,
      vec: null,
      category: null,
      counted: false,
      reason: `withheld: the image could not be checked (${e.message.split('\n')[0]}); nothing leaves the gateway unchecked`,
      code: IMAGE_CODES.UNCHECKED,
    };
  }

  private async decide(bytes: Buffer, index: number, vec: Float32Array | Error, scope: RequestScope): Promise<ImageDecision> {
    if (vec instanceof Error) return this.unchecked(index, vec);
    const policy = scope.tenant.policy;
    const verdict = judge(this.safety.distance(vec), 'IMAGE', policyCalibration(this.safety.manifest, policy, 'IMAGE'));
    const category = verdict.unsafe ? this.safety.unsafeCategory(vec) : null;
    const counted = counts(policy, verdict, category);
    const sniff = sniffFormat(bytes);
    const mimeType = sniff.ok ? `image/${sniff.format}` : 'application/octet-stream';
    const base = { index, verdict, vec, category, counted };
    const why = `${category ?? 'unsafe'}, score ${verdict.score.toFixed(3)}`;
    if (!counted) {
      const reason = verdict.unsafe ? `unsafe (${why}) but policy "${policy.name}" does not count ${category}; passed` : null;
      return { ...base, action: 'PASS', bytes, mimeType, reason, code: null };
    }
    switch (policy.images.unsafe) {
      case 'PASS':
        return { ...base, action: 'PASS', bytes, mimeType, reason: `unsafe (${why}); passed because policy "${policy.name}" passes unsafe images`, code: null };
      case 'WITHHOLD':
        return { ...base, action: 'WITHHOLD', bytes: null, mimeType: null, reason: `withheld: the image is unsafe (${why}) and policy "${policy.name}" withholds unsafe images`, code: IMAGE_CODES.UNSAFE };
      case 'BLUR': {
        let blurred: Buffer;
        try {
          blurred = await blurImage(bytes, this.options.blur, this.limits);
        } catch (e) {
          return { ...base, action: 'WITHHOLD', bytes: null, mimeType: null, reason: `withheld: the image is unsafe (${why}) and could not be blurred (${(e as Error).message})`, code: IMAGE_CODES.UNSAFE };
        }
        return { ...base, action: 'BLUR', bytes: blurred, mimeType: 'image/png', reason: `blurred: the image is unsafe (${why}) and policy "${policy.name}" blurs unsafe images`, code: null };
      }
    }
  }

  private report(d: ImageDecision, field: string, scope: RequestScope, latencyMs: number): void {
    this.emit({ ...decisionEvent('image', d, d.code, field, scope, latencyMs), reason: d.reason });
  }
}
