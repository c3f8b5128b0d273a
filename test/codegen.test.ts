/** The generated resolver types must match schema/: `npm run codegen` leaves the tree unchanged. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..');

test('src/generated/graphql.ts is up to date with schema/ (run `npm run codegen`)', () => {
  // Same configuration as codegen.yml, written to a temporary file instead of src/generated/.
  const config = parse(fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-'));
  const out = path.join(tmp, 'graphql.ts');
  const [target] = Object.keys(config.generates);
  config.generates = { [out]: config.generates[target] };
  fs.writeFileSync(path.join(tmp, 'codegen.json'), JSON.stringify(config));
  const bin = path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js');
  const run = spawnSync(process.execPath, [bin, '--config', path.join(tmp, 'codegen.json')], { cwd: root, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(fs.readFileSync(path.join(root, target), 'utf8')).toBe(fs.readFileSync(out, 'utf8'));
});
