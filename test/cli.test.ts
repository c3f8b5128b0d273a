/** The command line, run as a user runs it (the compiled CLI in a child process). */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURE_BUNDLE } from './helpers/gateway';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist/src/cli.js');
const MERGES = path.resolve(root, '../shared/eval/clip_tokenizer/bpe_simple_vocab_16e6.txt.gz');

function run(args: string[], env: Record<string, string> = {}) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cache-'));
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, CACHE_DIR: cacheDir, MODEL_WORKERS: '1', ...env }, timeout: 60000 });
}

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
});

test('--help lists the commands; each command has its own help', () => {
  const top = run(['--help']);
  expect(top.status).toBe(0);
  for (const c of ['serve', 'classify', 'embed', 'redirect', 'tokenize', 'demo', 'demo-backend']) expect(top.stdout).toContain(c);
  const serve = run(['serve', '--help']);
  expect(serve.stdout).toContain('--bundle DIR');
  expect(serve.stdout).toContain('MODEL_WORKERS');
  expect(run(['classify', '--help']).stdout).toContain('--file FILE');
});

test('classify screens a prompt file: one JSON object per line, in order', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-')), 'prompts.txt');
  fs.writeFileSync(file, 'a cat on a sofa\n\na naked woman covered in blood\na boxing match in a gym\n');
  const r = run(['classify', '--bundle', FIXTURE_BUNDLE, '--file', file]);
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => l.input)).toEqual(['a cat on a sofa', 'a naked woman covered in blood', 'a boxing match in a gym']);
  expect(lines.map((l) => l.unsafe)).toEqual([false, true, false]);
  expect(lines[1].nearest.length).toBe(3);
});

test('embed and redirect take text arguments', () => {
  const e = run(['embed', '--bundle', FIXTURE_BUNDLE, 'a red apple']);
  const emb = JSON.parse(e.stdout);
  expect(emb.space).toHaveLength(16);
  expect(emb.time ** 2 - emb.space.reduce((s: number, x: number) => s + x * x, 0)).toBeCloseTo(1 / emb.curvature, 5);
  const r = run(['redirect', '--bundle', FIXTURE_BUNDLE, 'a bloody corpse in a city street']);
  const red = JSON.parse(r.stdout);
  expect(red.redirected).toBe(true);
  expect(red.after.unsafe).toBe(false);
});

test('tokenize prints the ids the text tower receives', () => {
  const r = run(['tokenize', '--bundle', FIXTURE_BUNDLE, 'a cat', 'n@ked']);
  const [a, b] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  expect(a).toHaveLength(32);
  expect(a[0]).toBeGreaterThan(1);
  expect(a[2]).toBe(0);
  const vocab = fs.readFileSync(path.join(FIXTURE_BUNDLE, 'vocab.txt'), 'utf8').split('\n');
  expect(b[0]).toBe(vocab.indexOf('naked'));
});

(fs.existsSync(MERGES) ? test : test.skip)(`tokenize --merges runs OpenAI CLIP's BPE (needs ${MERGES})`, () => {
  const r = run(['tokenize', '--merges', MERGES, 'a photo of a cat']);
  const ids = JSON.parse(r.stdout);
  expect(ids.slice(0, 7)).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  expect(ids).toHaveLength(77);
});

test('bad usage fails with a message that says what is allowed', () => {
  const r = run(['frobnicate']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/unknown command "frobnicate"; allowed: serve, classify/);
  const b = run(['classify', '--bundle', '/nonexistent', 'a cat']);
  expect(b.status).not.toBe(0);
  expect(b.stderr).toMatch(/no model bundle at \/nonexistent/);
});

test('serve: readyz turns 200, SIGTERM drains and exits 0', async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cache-'));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--bundle', FIXTURE_BUNDLE], { env: { ...process.env, CACHE_DIR: cacheDir, MODEL_WORKERS: '1' } });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no listening line in time: ${log}`)), 30000);
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /"url":"(http:[^"]+)\/graphql"/.exec(log);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
  });
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exit).toBe(0);
  expect(log).toContain('shutting down');
});
