/**
 * Apollo Server wiring: schema + resolvers, CSRF prevention on, no external landing page (the HTTP drain is server/drain.ts),
 * and error formatting that keeps our stable codes and hides internals in production.
 */
import { ApolloServer, type ApolloServerPlugin, type GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError } from 'graphql';
import { resolvers } from '../resolvers';
import { createArmor, type ArmorLimits } from './armor';
import type { GatewayContext } from './context';
import { readTypeDefs } from './schema';

/** Codes whose messages are written for clients; anything else is masked in production. */
const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'MODEL_UNAVAILABLE',
  'REDIRECT_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'UNSAFE_PROMPT',
  'UNAUTHENTICATED',
  'BACKEND_UNAVAILABLE',
  'BACKEND_TIMEOUT',
  'BACKEND_BAD_RESPONSE',
]);

/**
 * The one thing Apollo's default cache-control plugin did here, without its per-field cost: with no cache
 * hints in the schema and a default max age of 0, every response that went through the request pipeline
 * got `cache-control: no-store` (a header a resolver set is replaced unless it cannot be parsed, as
 * Apollo does). The listener is shared: it keeps no per-request state.
 */
const CACHEABLE_HEADER = /^max-age=(\d+), (public|private)$/;
const noStoreListener: GraphQLRequestListener<GatewayContext> = {
  async willSendResponse({ response }) {
    const existing = response.http.headers.get('cache-control');
    if (existing === undefined || existing === 'no-store' || CACHEABLE_HEADER.test(existing)) response.http.headers.set('cache-control', 'no-store');
  },
};
const noStorePlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return noStoreListener;
  },
};

export function createApollo(opts: {
  production: boolean;
  introspection: boolean;
  limits: ArmorLimits;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** The schema to serve; default schema/*.graphql with src/resolvers (main.ts passes them after the plugins' transforms). */
  schema?: { typeDefs: string; resolvers: Record<string, unknown> };
}): ApolloServer<GatewayContext> {
  const armor = createArmor(opts.limits);
  return new ApolloServer<GatewayContext>({
    validationRules: armor.validationRules,
    parseOptions: { maxTokens: opts.limits.maxTokens },
    typeDefs: opts.schema?.typeDefs ?? readTypeDefs(),
    resolvers: (opts.schema?.resolvers ?? resolvers) as never,
    csrfPrevention: true,
    // The CLI owns SIGTERM/SIGINT (drain, close sessions, exit 0); Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    introspection: opts.introspection,
    includeStacktraceInErrorResponses: false,
    // Apollo's default cache-control plugin wraps every field resolver (willResolveField) to compute a cache
    // policy that, with no hints in the schema, always comes out "no-store": noStorePlugin sets that header
    // directly (test/bench/FINDINGS.md: CPU per request).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), noStorePlugin, ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]), ...(opts.plugins ?? [])],
    formatError: (formatted: GraphQLFormattedError): GraphQLFormattedError => {
      const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
      if (opts.production && !PUBLIC_CODES.has(code)) {
        return { message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return formatted;
    },
  });
}
