/**
 * The demo's policy file: the strict default (REDIRECT unsafe prompts, BLUR unsafe images) and a blocking
 * policy side by side, one API key each, so one running gateway shows both answers to an unsafe prompt.
 * The keys are printed for anyone to use: they only tell the two demo policies apart.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEMO_KEYS = { redirect: 'demo-redirect-key', block: 'demo-blocking-key' } as const;

export const DEMO_POLICY = `# Written by \`hysac-gateway demo\`: two API keys, two policies.
prompts: { unsafe: REDIRECT }
images: { unsafe: BLUR }
policies:
  block: { prompts: { unsafe: BLOCK }, images: { unsafe: WITHHOLD } }
apiKeys:
  - { name: demo-redirect, key: ${DEMO_KEYS.redirect}, policy: default }
  - { name: demo-block, key: ${DEMO_KEYS.block}, policy: block }
`;

/** Writes the policy to a new temporary folder; `remove` deletes it. */
export function writeDemoPolicy(): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-demo-'));
  const file = path.join(dir, 'demo-policy.yaml');
  fs.writeFileSync(file, DEMO_POLICY);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
