/**
 * generate: the text-to-image pipeline over GraphQL. By the time this resolver runs the prompt-screen
 * plugin has screened `input.prompt` (a refused prompt never gets here, a redirected one arrives as the safe
 * text); this resolver calls the backend with what the screen let through, and hands every image to the
 * image post-check before returning it.
 */
import { GatewayError } from '../errors';
import { noBackend } from '../diffusion/backend';
import { checkGenerateParams } from '../diffusion/request';
import { uncheckedVerdict, type ImageDecision } from '../safety/decisions';
import { policyCalibration } from '../safety/policy';
import type { GeneratedImageResolvers, MutationResolvers } from '../generated/graphql';
import type { GatewayContext } from '../server/context';
import type { GeneratedImageModel, GenerationModel } from './mappers';

const OUTCOME = { PASS: 'GENERATED', FLAG: 'FLAGGED', REDIRECT: 'REDIRECTED', BLOCK: 'BLOCKED' } as const;
const IMAGE_ACTION = { PASS: 'PASSED', BLUR: 'BLURRED', WITHHOLD: 'WITHHELD' } as const;

export function imageModel(d: ImageDecision, ctx: GatewayContext): GeneratedImageModel {
  if (d.verdict) return { decision: d, check: { verdict: d.verdict, vec: d.vec } };
  const cal = policyCalibration(ctx.services.safety.manifest, ctx.tenant.policy, 'IMAGE');
  return { decision: d, check: { verdict: uncheckedVerdict('IMAGE', cal), vec: null } };
}

export const generateMutation: Pick<MutationResolvers, 'generate'> = {
  generate: async (_p, args, ctx, info): Promise<GenerationModel> => {
    const screened = ctx.prompts.screenedArguments(args)?.find((s) => s.path === 'input.prompt')?.decision;
    if (!screened || screened.sent === null || screened.verdict === null) {
      throw new GatewayError('INTERNAL_SERVER_ERROR', 'generate: input.prompt was not screened; refusing, since nothing reaches a backend unscreened');
    }
    const { input } = args;
    const params = checkGenerateParams({ ...input, prompt: screened.sent }, ctx.services.config.maxTextLength, {
      negativePrompt: 'input.negativePrompt',
      width: 'input.width',
      height: 'input.height',
      steps: 'input.steps',
      seed: 'input.seed',
      count: 'input.count',
    });
    if (!ctx.diffusion) throw noBackend();
    // Every image is a model input for the post-check: it counts against the request's budget.
    ctx.usage.addItems(params.count, 'prompts and generated images count too');
    const images = await ctx.diffusion.generate({ ...params, native: null });
    const decisions = await ctx.images.check(
      images.map((i) => i.bytes),
      `${info.parentType.name}.${info.fieldName}`,
    );
    const promptCheck = { verdict: screened.verdict, vec: screened.vec };
    return {
      outcome: OUTCOME[screened.action],
      originalPrompt: screened.text,
      sentPrompt: screened.sent,
      promptCheck,
      sentCheck: screened.redirect ? { verdict: screened.redirect.verdict, vec: screened.redirect.vec } : promptCheck,
      backend: ctx.diffusion.kind,
      images: decisions.map((d) => imageModel(d, ctx)),
    };
  },
};

export const GeneratedImage: GeneratedImageResolvers = {
  dataUrl: (m) => (m.decision.bytes ? `data:${m.decision.mimeType};base64,${m.decision.bytes.toString('base64')}` : null),
  check: (m) => m.check,
  action: (m) => IMAGE_ACTION[m.decision.action],
  reason: (m) => m.decision.reason,
};
