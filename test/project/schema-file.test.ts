/** schema.graphql (the served schema as one SDL file, for clients) is what `npm run schema` prints from schema/ now. */
import * as fs from 'node:fs';
import { buildSchema } from 'graphql';
import { SCHEMA_FILE, servedSchemaSDL } from '../../clients/print-schema';
import { resolvers } from '../../src/resolvers';

test('schema.graphql is up to date with schema/ (run `npm run schema`)', () => {
  expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(servedSchemaSDL());
});

test('schema.graphql declares every root field the server resolves', () => {
  const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));
  for (const root of ['Query', 'Mutation'] as const) {
    const fields = Object.keys(schema.getType(root) ? (schema.getType(root) as import('graphql').GraphQLObjectType).getFields() : {});
    expect(fields.sort()).toEqual(Object.keys((resolvers as Record<string, object>)[root]).sort());
  }
});
