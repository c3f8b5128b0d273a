/**
 * The served GraphQL schema as one SDL file, for clients and tools that want a single schema.graphql.
 * It is printed from the server's own source: readTypeDefs() (schema/*.graphql, the typeDefs Apollo is
 * given in src/main.ts) built and printed by graphql-js, so descriptions, directives and order are the
 * server's. `npm run schema` writes <repo>/schema.graphql; test/project/schema-file.test.ts fails when the
 * committed file differs from what this prints.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildASTSchema, parse, printSchema } from 'graphql';
import { PROJECT_ROOT } from '../src/config';
import { readTypeDefs } from '../src/server/schema';

export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'schema.graphql');

const HEADER = '# Generated from schema/*.graphql by `npm run schema` (clients/print-schema.ts). Do not edit by hand.\n\n';

/** The SDL of the schema the server serves, with the generated-file header. */
export function servedSchemaSDL(): string {
  return `${HEADER}${printSchema(buildASTSchema(parse(readTypeDefs())))}\n`;
}

if (require.main === module) {
  fs.writeFileSync(SCHEMA_FILE, servedSchemaSDL());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}\n`);
}
