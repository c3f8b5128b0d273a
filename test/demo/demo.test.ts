/**
 * `hysac-gateway demo` (npm run demo) as a user runs it: the compiled CLI starts the demo backend and a
 * gateway in front of it, prints where they are, and the printed API keys show a safe prompt passing, an
 * unsafe one redirected (the backend draws the redirected text) and the same one blocked. Real HTTP on
 * loopback throughout, real ONNX sessions (the fixture bundle, for speed).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { readPngText } from '../../src/demo/png-text';
import { renderPromptPng } from '../../src/demo/render';
import { DEMO_KEYS } from '../../src/demo/policy';
import { FIXTURE_BUNDLE } from '../helpers/gateway';
import { fromDataUrl, SAFE, UNSAFE } from '../helpers/pipeline';

const cli = path.resolve(__dirname, '../../dist/src/cli.js');

let child: ChildProcessWithoutNullStreams;
let stdout = '';
let gatewayUrl = '';

/** Resolves once stdout matches `re` (the demo prints as things happen); fails after 60 s with what it printed. */
function waitForStdout(re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = re.exec(stdout);
      if (!m) return false;
      clearTimeout(t);
      child.stdout.off('data', check);
      resolve(m);
      return true;
    };
    const t = setTimeout(() => reject(new Error(`the demo did not print ${re} in time; it printed:\n${stdout}`)), 60_000);
    if (!check()) child.stdout.on('data', check);
  });
}

const SELECTION = 'outcome originalPrompt sentPrompt promptCheck { unsafe category } images { action dataUrl check { checked unsafe } }';

async function generate(key: string, prompt: string, size = { width: 256, height: 192 }) {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: `mutation($p: Prompt!, $w: Int, $h: Int) { generate(input: { prompt: $p, width: $w, height: $h }) { ${SELECTION} } }`, variables: { p: prompt, w: size.width, h: size.height } }),
  });
  return (await res.json()) as { data?: { generate: any }; errors?: { message: string; extensions: { code: string } }[] };
}

const receivedLines = () => [...stdout.matchAll(/^demo backend received: (".*") \(/gm)].map((m) => JSON.parse(m[1]) as string);

beforeAll(async () => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-cache-'));
  child = spawn(process.execPath, [cli, 'demo', '--port', '0', '--bundle', FIXTURE_BUNDLE], { env: { ...process.env, CACHE_DIR: cacheDir, MODEL_WORKERS: '1', RATE_LIMIT_PER_SECOND: '0' } });
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  gatewayUrl = (await waitForStdout(/gateway\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/))[1];
});

afterAll(async () => {
  const exit = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exit;
});

test('the demo prints where the gateway and backend are, and requests to try with both API keys', async () => {
  await waitForStdout(/Try:[\s\S]*sdapi\/v1\/txt2img/);
  expect(stdout).toMatch(/demo backend\s+http:\/\/127\.0\.0\.1:\d+/);
  expect(stdout).toContain(`authorization: Bearer ${DEMO_KEYS.redirect}`);
  expect(stdout).toContain(`authorization: Bearer ${DEMO_KEYS.block}`);
  expect(stdout).toContain('mutation { generate(input:');
});

test('a safe prompt passes: GENERATED, the image PASSED, a PNG of the requested size showing that prompt', async () => {
  const body = await generate(DEMO_KEYS.redirect, SAFE);
  expect(body.errors).toBeUndefined();
  const g = body.data!.generate;
  expect([g.outcome, g.sentPrompt, g.images.map((i: { action: string }) => i.action)]).toEqual(['GENERATED', SAFE, ['PASSED']]);
  const png = fromDataUrl(g.images[0].dataUrl);
  const meta = await sharp(png).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(['png', 256, 192]);
  expect(readPngText(png).parameters.split('\n')[0]).toBe(SAFE);
  await waitForStdout(new RegExp(`demo backend received: ${JSON.stringify(SAFE)} \\(256x192, 1 image\\)`));
});

test('an unsafe prompt is REDIRECTED: the backend received and drew the safe text, never the original', async () => {
  const body = await generate(DEMO_KEYS.redirect, UNSAFE);
  expect(body.errors).toBeUndefined();
  const g = body.data!.generate;
  expect(g.outcome).toBe('REDIRECTED');
  expect(g.promptCheck.unsafe).toBe(true);
  expect(g.sentPrompt).not.toBe(UNSAFE);
  expect(g.images[0]).toEqual(expect.objectContaining({ action: 'PASSED', check: { checked: true, unsafe: false } }));
  const png = fromDataUrl(g.images[0].dataUrl);
  expect(readPngText(png).parameters.split('\n')[0]).toBe(g.sentPrompt);
  // The pixels are the picture of the sent text.
  const drawn = await renderPromptPng(g.sentPrompt, 256, 192, '');
  expect((await sharp(png).raw().toBuffer()).equals(await sharp(drawn).raw().toBuffer())).toBe(true);
  await waitForStdout(new RegExp(`demo backend received: ${JSON.stringify(g.sentPrompt).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  expect(receivedLines()).not.toContain(UNSAFE);
});

test('the same prompt with the blocking key fails with UNSAFE_PROMPT and the backend is never called', async () => {
  const before = receivedLines().length;
  const body = await generate(DEMO_KEYS.block, UNSAFE);
  expect(body.data).toBeNull();
  expect(body.errors?.[0].extensions.code).toBe('UNSAFE_PROMPT');
  // A safe request afterwards is the next thing the backend receives: nothing came in between.
  await generate(DEMO_KEYS.block, SAFE);
  await waitForStdout(new RegExp(`(demo backend received: .*\\n){${before + 1}}`));
  expect(receivedLines().slice(before)).toEqual([SAFE]);
});
