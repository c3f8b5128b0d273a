/** classify / classifyMany and the Classification type (nearest anchors computed only when asked for). */
import type { ClassificationResolvers, QueryResolvers } from '../generated/graphql';
import type { GatewayContext } from '../server/context';
import { checkListLength, embedContent, type ContentLike } from './content';
import type { ClassificationModel } from './mappers';

export async function classifyContent(input: ContentLike, ctx: GatewayContext, field = 'input'): Promise<ClassificationModel> {
  const e = await embedContent(input, ctx, field);
  // The bundle's threshold (classify reports the model's verdict), the request policy's minimum coverage.
  return { verdict: ctx.services.safety.verdict(e.vec, e.modality, { minCoverage: ctx.tenant.policy.minCoverage }), vec: e.vec, text: e.text };
}

export const classifyQuery: Pick<QueryResolvers, 'classify' | 'classifyMany'> = {
  classify: (_p, { input }, ctx) => classifyContent(input, ctx),
  classifyMany: async (_p, { inputs }, ctx) => {
    checkListLength(inputs.length, ctx.services.config.maxListItems, 'inputs');
    return Promise.all(inputs.map((input, i) => classifyContent(input, ctx, `inputs[${i}]`)));
  },
};

export const Classification: ClassificationResolvers = {
  modality: (c) => c.verdict.modality,
  checked: (c) => c.vec !== null,
  unsafe: (c) => c.verdict.unsafe,
  score: (c) => c.verdict.score,
  distance: (c) => c.verdict.distance,
  threshold: (c) => c.verdict.threshold,
  category: (c, _a, ctx) => (c.vec === null ? null : ctx.services.safety.categoryOf(c.vec, c.verdict)),
  coverage: (c) => c.verdict.coverage ?? null,
  reason: (c) => (c.vec === null ? 'UNCHECKED' : c.verdict.reason === 'coverage' ? 'LOW_COVERAGE' : c.verdict.unsafe ? 'DISTANCE' : null),
  nearest: (c, _a, ctx) => (c.vec === null ? [] : ctx.services.safety.nearest(c.vec, ctx.services.config.nearestCount)),
  // The worker that embedded the text reported its deciding window: nothing is tokenised again here (a hostile
  // text would otherwise cost the event loop milliseconds per field).
  window: (c, _a, ctx) => (c.vec instanceof Float32Array && c.text ? ctx.services.runtime.textWindow(c.vec) : null),
};
