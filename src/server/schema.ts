/** Reads the GraphQL schema from schema/*.graphql (the single source codegen also reads). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../config';

export function readTypeDefs(dir = path.join(PROJECT_ROOT, 'schema')): string {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}
