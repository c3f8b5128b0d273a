/**
 * Finding Prompt values: in argument types (recursively through lists and input objects), in a coerced
 * argument value (to read or replace them), and in a whole operation (to screen them all at once before it
 * executes).
 */
import {
  getNamedType,
  getVariableValues,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { PROMPT_SCALAR } from './scalar';

/** Whether a value of `type` can contain a Prompt. Input objects may refer to themselves: `seen` stops that. */
export function carriesPrompt(type: GraphQLInputType, seen: Set<string> = new Set()): boolean {
  const named = getNamedType(type);
  if (isScalarType(named)) return named.name === PROMPT_SCALAR;
  if (isInputObjectType(named)) {
    if (seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((f) => carriesPrompt(f.type, seen));
  }
  return false;
}

/**
 * Visits every Prompt string inside a coerced value of `type`, depth-first in field order (so two passes
 * see the same sequence); returns a copy with each replaced by `fn`'s answer. `path` names the argument,
 * e.g. `input.prompt` or `prompts[2]`.
 */
export function mapPrompts(value: unknown, type: GraphQLInputType, path: string, fn: (text: string, path: string) => string): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return mapPrompts(value, type.ofType, path, fn);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((v, i) => mapPrompts(v, type.ofType, `${path}[${i}]`, fn)) : mapPrompts(value, type.ofType, path, fn);
  }
  if (isInputObjectType(type)) {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = { ...src };
    for (const [k, f] of Object.entries(type.getFields())) if (k in src) out[k] = mapPrompts(src[k], f.type, `${path}.${k}`, fn);
    return out;
  }
  if (isScalarType(type) && type.name === PROMPT_SCALAR && typeof value === 'string') return fn(value, path);
  return value;
}

export interface FoundPrompt {
  text: string;
  /** Schema coordinate of the field (Mutation.generate) or directive (@name). */
  field: string;
}

/** An argument of the document that can carry a Prompt: where it is, what type it has, which field or directive takes it. */
interface PromptSite {
  node: ArgumentNode;
  type: GraphQLInputType;
  name: string;
  field: string;
}

/**
 * The Prompt-carrying arguments of an operation (in the operation and in the document's fragments), in visit
 * order. They depend only on the schema and the document, and Apollo hands every request with the same query
 * string the same parsed DocumentNode (its document store), so the walk with TypeInfo runs once per query,
 * not once per request; only the variable values are read per request. Cached weakly: a document Apollo
 * evicts, or a schema replaced, takes its entries with it.
 */
const siteCache = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, WeakMap<OperationDefinitionNode, PromptSite[]>>>();

function promptSites(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): PromptSite[] {
  let byDoc = siteCache.get(schema);
  if (!byDoc) siteCache.set(schema, (byDoc = new WeakMap()));
  let byOp = byDoc.get(document);
  if (!byOp) byDoc.set(document, (byOp = new WeakMap()));
  const cached = byOp.get(operation);
  if (cached) return cached;
  const sites: PromptSite[] = [];
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Argument(node) {
      const arg = typeInfo.getArgument();
      if (!arg || !carriesPrompt(arg.type)) return;
      const directive = typeInfo.getDirective();
      const field = directive ? `@${directive.name}` : `${typeInfo.getParentType()?.name ?? '?'}.${typeInfo.getFieldDef()?.name ?? '?'}`;
      sites.push({ node, type: arg.type, name: arg.name, field });
    },
  });
  visit(operation, visitor);
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) visit(def, visitor);
  byOp.set(operation, sites);
  return sites;
}

/**
 * Every Prompt value the operation passes (literals and variables, nested or in lists), in the operation
 * and in the document's fragments. Returns [] when the variables do not coerce: execution reports that.
 */
export function collectOperationPrompts(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, rawVariables: Record<string, unknown> | undefined): FoundPrompt[] {
  const sites = promptSites(schema, document, operation);
  if (sites.length === 0) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return [];
  const variables = coerced.coerced;
  const found: FoundPrompt[] = [];
  for (const site of sites) {
    const value = valueFromAST(site.node.value, site.type, variables);
    if (value === undefined) continue;
    mapPrompts(value, site.type, site.name, (text) => {
      found.push({ text, field: site.field });
      return text;
    });
  }
  return found;
}
