/** The README is a user's door: its commands and configuration table must match the code. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DOC } from '../src/config';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test('.ci/run runs exactly the README test command', () => {
  const block = /## Two commands\s+```sh\n([^\n]+)\n([^\n]+)\n```/.exec(readme);
  expect(block).not.toBeNull();
  const testCommand = block![2].split('#')[0].trim();
  const ci = fs.readFileSync(path.join(root, '.ci/run'), 'utf8');
  const lastLine = ci.trim().split('\n').pop()!.trim();
  expect(lastLine).toBe(testCommand);
});

test('the configuration table lists every variable the gateway reads, with its default', () => {
  const table = readme.split('<!-- config-table:start -->')[1].split('<!-- config-table:end -->')[0];
  for (const [name, def] of CONFIG_DOC) expect(table).toContain(`| \`${name}\` | ${def} |`);
});
