/** embed / embedMany and the Embedding type's computed fields. */
import { distanceFromOrigin, timeComponent } from '../geometry';
import type { EmbeddingResolvers, QueryResolvers } from '../generated/graphql';
import { checkListLength, embedContent } from './content';

export const embedQuery: Pick<QueryResolvers, 'embed' | 'embedMany'> = {
  embed: async (_p, { input }, ctx) => {
    const e = await embedContent(input, ctx);
    return { modality: e.modality, vec: e.vec };
  },
  embedMany: async (_p, { inputs }, ctx) => {
    checkListLength(inputs.length, ctx.services.config.maxListItems, 'inputs');
    const all = await Promise.all(inputs.map((input, i) => embedContent(input, ctx, `inputs[${i}]`)));
    return all.map((e) => ({ modality: e.modality, vec: e.vec }));
  },
};

export const Embedding: EmbeddingResolvers = {
  modality: (e) => e.modality,
  space: (e) => Array.from(e.vec),
  time: (e, _a, ctx) => timeComponent(e.vec, ctx.services.runtime.curvature),
  distance: (e, _a, ctx) => distanceFromOrigin(e.vec, ctx.services.runtime.curvature),
  curvature: (_e, _a, ctx) => ctx.services.runtime.curvature,
};
