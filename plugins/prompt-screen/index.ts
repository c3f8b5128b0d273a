/**
 * prompt-screen: every argument the schema types as `Prompt` is classified before the operation executes,
 * and handled per the request's policy (BLOCK / REDIRECT / FLAG; safe prompts pass).
 *
 * How it hooks into Apollo Server:
 *   - transformResolvers (once, at start-up): adds the Prompt scalar and wraps the resolver of every field,
 *     in any schema the gateway serves, whose arguments can carry a Prompt (wrap.ts). The wrapper is what
 *     enforces: a refused prompt fails its field and the resolver is never called; a redirected one reaches
 *     the resolver as the safe text.
 *   - didResolveOperation (per request): collects every Prompt value of the operation (literals, variables,
 *     nested input objects, lists, fragments; walk.ts) and screens them in one batch, one model run, before
 *     execution starts. The wrappers then find their decisions in the request's cache.
 *   - willSendResponse: lists what was screened under `extensions.<extensionsKey>`, so a FLAGGED prompt is
 *     marked in the response of any field, not only `generate`.
 * The drop-in endpoints use the same per-request screen (`forRequest`), so one policy governs both.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { GatewayError } from '../../src/errors';
import { promptSummary } from '../../src/safety/decisions';
import type { SafetyService } from '../../src/safety/service';
import type { GatewayContext } from '../../src/server/context';
import type { Emit, GatewayPlugin, RequestScope } from '../types';
import { resolvePromptScreenOptions, type PromptScreenOptions } from './options';
import { RequestPromptScreening, type ScreenUsage } from './request';
import { promptScalar, PROMPT_SCALAR } from './scalar';
import { PromptScreener } from './screener';
import { collectOperationPrompts } from './walk';
import { wrapPromptFields } from './wrap';

export interface PromptScreenPlugin extends GatewayPlugin {
  /** A fresh per-request screen (GraphQL context and drop-in endpoints); `usage` is the request's budget (src/server/usage.ts). */
  forRequest(scope: RequestScope, usage?: ScreenUsage): RequestPromptScreening;
}

export function promptScreen(deps: { safety: SafetyService; emit: Emit }, options: Partial<PromptScreenOptions> = {}): PromptScreenPlugin {
  const o = resolvePromptScreenOptions(options);
  const screener = new PromptScreener(deps.safety, deps.emit);
  const scalar = promptScalar(o.maxLength);

  // The hooks keep no per-request state of their own (it lives in the context's RequestPromptScreening), so
  // every request shares one listener object instead of allocating one.
  const listener: GraphQLRequestListener<GatewayContext> = {
    async didResolveOperation(rc) {
      const prompts = rc.contextValue.prompts;
      if (!(prompts instanceof RequestPromptScreening) || !rc.operation) return;
      const found = collectOperationPrompts(rc.schema, rc.document, rc.operation, rc.request.variables);
      if (found.length === 0) return;
      try {
        await prompts.screenFrom(found);
      } catch (e) {
        // Over the model-input budget: the whole request is refused before anything runs.
        if (e instanceof GatewayError) (e.extensions as Record<string, unknown>).http = { status: 400 };
        throw e;
      }
    },
    async willSendResponse(rc) {
      const prompts = rc.contextValue?.prompts;
      if (o.extensionsKey === null || !(prompts instanceof RequestPromptScreening) || prompts.fields.length === 0) return;
      if (rc.response.body.kind !== 'single') return;
      const result = rc.response.body.singleResult;
      result.extensions = {
        ...(result.extensions ?? {}),
        [o.extensionsKey]: prompts.fields.map(({ responsePath, argument, decision }) => ({ path: responsePath, argument, ...promptSummary(decision) })),
      };
    },
  };
  const apollo: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return listener;
    },
  };

  return {
    name: 'prompt-screen',
    apollo,
    forRequest: (scope, usage) => new RequestPromptScreening(screener, scope, usage ? { usage, max: o.maxRequestItems } : null),
    transformResolvers: (schema, resolvers) => ({ ...wrapPromptFields(schema, resolvers), [PROMPT_SCALAR]: scalar }),
  };
}

export { PROMPT_SCALAR } from './scalar';
export type { PromptScreenOptions } from './options';
