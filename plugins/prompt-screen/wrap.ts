/**
 * The schema transform: every field with an argument that can carry a Prompt gets its resolver wrapped.
 * The wrapper screens the field's prompts (answered from the request's cache when the Apollo hook has
 * already screened the whole operation), refuses the field with the first refused prompt's error, and
 * otherwise calls the original resolver with each prompt replaced by what goes on (the redirected text under
 * REDIRECT). The resolver can ask `ctx.prompts.screenedArguments(args)` what happened. Fields without a
 * resolver get the default one, wrapped. A context without a prompt screen refuses the field: a Prompt
 * never reaches a resolver unscreened.
 */
import { defaultFieldResolver, isObjectType, responsePathAsArray, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { GatewayError } from '../../src/errors';
import type { PromptScreening } from '../../src/safety/decisions';
import type { ResolverMap } from '../types';
import { carriesPrompt, mapPrompts } from './walk';

type Resolver = GraphQLFieldResolver<unknown, { prompts?: PromptScreening }, Record<string, unknown>>;

function screened(original: Resolver, coordinate: string): Resolver {
  return async (parent, args, ctx, info: GraphQLResolveInfo) => {
    const prompts = ctx?.prompts;
    if (!prompts) throw new GatewayError('INTERNAL_SERVER_ERROR', `${coordinate} takes a Prompt but this request has no prompt screen; nothing passes unscreened`);
    const argDefs = info.parentType.getFields()[info.fieldName].args.filter((a) => args[a.name] !== undefined && carriesPrompt(a.type));
    const found: { text: string; path: string }[] = [];
    for (const a of argDefs) {
      mapPrompts(args[a.name], a.type, a.name, (text, path) => {
        found.push({ text, path });
        return text;
      });
    }
    if (found.length === 0) return original(parent, args, ctx, info);
    const decisions = await prompts.screen(
      found.map((f) => f.text),
      coordinate,
    );
    const responsePath = responsePathAsArray(info.path).join('.');
    const record = found.map((f, i) => ({ path: f.path, decision: decisions[i] }));
    const refused = decisions.find((d) => d.error !== null);
    if (refused) {
      prompts.attach(null, record, responsePath);
      throw refused.error;
    }
    let k = 0;
    const next: Record<string, unknown> = { ...args };
    for (const a of argDefs) next[a.name] = mapPrompts(args[a.name], a.type, a.name, () => decisions[k++].sent!);
    prompts.attach(next, record, responsePath);
    return original(parent, next, ctx, info);
  };
}

/** Returns a copy of `resolvers` with every Prompt-taking field of `schema` wrapped. */
export function wrapPromptFields(schema: GraphQLSchema, resolvers: ResolverMap): ResolverMap {
  const out: ResolverMap = { ...resolvers };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((a) => carriesPrompt(a.type))) continue;
      const typeResolvers = { ...((out[type.name] as Record<string, unknown> | undefined) ?? {}) };
      const current = typeResolvers[field.name];
      const coordinate = `${type.name}.${field.name}`;
      if (current && typeof current === 'object' && typeof (current as { resolve?: unknown }).resolve === 'function') {
        typeResolvers[field.name] = { ...current, resolve: screened((current as { resolve: Resolver }).resolve, coordinate) };
      } else {
        typeResolvers[field.name] = screened((current as Resolver | undefined) ?? (defaultFieldResolver as Resolver), coordinate);
      }
      out[type.name] = typeResolvers;
    }
  }
  return out;
}
