/**
 * What a gateway plugin may provide. Each plugin is a folder with an `index.ts` factory and an `options.ts`
 * of documented defaults; src/main.ts builds them once at start-up and wires them:
 *   apollo              an Apollo Server plugin (request lifecycle hooks for GraphQL)
 *   transformResolvers  a schema transform applied once to the resolver map before Apollo builds the schema
 *   onDecision          receives every safety decision, from GraphQL and from the drop-in endpoints alike
 *   onBackendFailure    receives every diffusion backend failure with what the backend said (clients only
 *                       get the failure kind, the HTTP status and the request id; src/diffusion/report.ts)
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Loaders } from '../src/loaders';
import type { BackendFailureEvent } from '../src/diffusion/report';
import type { SafetyDecisionEvent } from '../src/safety/decisions';
import type { Tenant } from '../src/safety/policy-file';
import type { GatewayContext } from '../src/server/context';

/** A resolver map as Apollo takes it: type name -> field name -> resolver (or a scalar). */
export type ResolverMap = Record<string, unknown>;

export interface GatewayPlugin {
  readonly name: string;
  readonly apollo?: ApolloServerPlugin<GatewayContext>;
  transformResolvers?(schema: GraphQLSchema, resolvers: ResolverMap): ResolverMap;
  onDecision?(event: SafetyDecisionEvent): void;
  onBackendFailure?(event: BackendFailureEvent): void;
}

/** Who is asking, under which policy, with which per-request loaders: what a gate needs per request. */
export interface RequestScope {
  requestId: string;
  tenant: Tenant;
  loaders: Loaders;
}

/** Hands an event to every plugin's onDecision; a listener that throws does not stop the others. */
export type Emit = (event: SafetyDecisionEvent) => void;
