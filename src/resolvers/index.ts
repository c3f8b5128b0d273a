/** All resolvers, typed by codegen (src/generated/graphql.ts). */
import type { Resolvers } from '../generated/graphql';
import { Classification, classifyQuery } from './classify';
import { Embedding, embedQuery } from './embed';
import { GeneratedImage, generateMutation } from './generate';
import { modelQuery } from './model';
import { redirectQuery } from './redirect';

export const resolvers: Resolvers = {
  Query: { ...embedQuery, ...classifyQuery, ...redirectQuery, ...modelQuery },
  Mutation: { ...generateMutation },
  Embedding,
  Classification,
  GeneratedImage,
};
