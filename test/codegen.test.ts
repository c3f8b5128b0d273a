/** The generated resolver types must match schema/: `npm run codegen` leaves the tree unchanged. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from '@graphql-codegen/cli';

const root = path.resolve(__dirname, '..');

test('src/generated/graphql.ts is up to date with schema/ (run `npm run codegen`)', async () => {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const outputs = await generate({ configFilePath: path.join(root, 'codegen.yml') } as never, false);
    const out = (outputs as { filename: string; content: string }[]).find((o) => o.filename.endsWith('graphql.ts'))!;
    const committed = fs.readFileSync(path.join(root, 'src/generated/graphql.ts'), 'utf8');
    expect(committed).toBe(out.content);
  } finally {
    process.chdir(cwd);
  }
});
