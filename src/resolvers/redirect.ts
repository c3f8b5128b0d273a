/** redirect: HySAC redirection of unsafe text or images to safe text. */
import { GatewayError } from '../errors';
import type { QueryResolvers } from '../generated/graphql';
import { embedThrough } from '../loaders';
import { embedContent } from './content';

export const redirectQuery: Pick<QueryResolvers, 'redirect'> = {
  redirect: async (_p, { input }, ctx) => {
    const e = await embedContent(input, ctx);
    const { safety, config } = ctx.services;
    // EDIT's variants are embedded through the request's loader: they take this client's turn in the batcher.
    const out = await safety.redirect(e.vec, e.modality, e.text, input.strategy ?? config.redirectStrategy, embedThrough(ctx.loaders.text), ctx.tenant.policy.minCoverage);
    if (out.output === null && out.before.unsafe) {
      throw new GatewayError('REDIRECT_UNAVAILABLE', 'the input is unsafe and no safe-prompt pool is configured to redirect it to; allowed: configure REDIRECT_POOL or use a bundle that ships a pool');
    }
    return {
      input: e.text,
      output: out.output,
      redirected: out.redirected,
      strategy: out.strategy,
      edits: out.edits ?? [],
      before: { verdict: out.before, vec: e.vec },
      after: { verdict: out.after, vec: out.outputVec },
    };
  },
};
