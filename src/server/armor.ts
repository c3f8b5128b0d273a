/**
 * Query-shape limits (GraphQL Armor), configured for this schema so one document cannot ask for a
 * thousand model runs or make the validator do unbounded work. The legitimate extremes of this schema:
 * a document of 64 classify aliases (one batched model run), selection depth 4 (redirect > after >
 * nearest > text), the standard introspection query (depth 13). Model inputs per request are capped
 * separately (MAX_REQUEST_ITEMS, counted in the resolvers), since a list argument is one alias.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';

export interface ArmorLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Hide "did you mean ...?" suggestions (production). */
  blockSuggestions: boolean;
}

/** Validation rules only: every limit here runs during validation and yields GRAPHQL_VALIDATION_FAILED (400). */
export function createArmor(limits: ArmorLimits): ReturnType<ApolloArmor['protect']> {
  const armor = new ApolloArmor({
    maxDepth: { enabled: true, n: limits.maxDepth, ignoreIntrospection: false },
    // Armor skips __typename by default; a thousand aliases of anything is not a legitimate request here.
    maxAliases: { enabled: true, n: limits.maxAliases, allowList: [] },
    // Token limit: graphql's own parser enforces it (Apollo `parseOptions.maxTokens`, see apollo.ts);
    // Armor's parse-time plugin turns ordinary syntax errors into HTTP 500s under Apollo Server 5.
    maxTokens: { enabled: false },
    maxDirectives: { enabled: true, n: limits.maxDirectives },
    // Object/scalar cost is not what is expensive here (model inputs are); keep a generous structural bound.
    costLimit: { enabled: true, maxCost: 50_000 },
    blockFieldSuggestion: { enabled: limits.blockSuggestions },
  });
  return armor.protect();
}
