/**
 * The command line's rough edges (issue #13), each as a user meets it: the compiled CLI in a child
 * process, with real pipes, a real busy port and real files.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { FIXTURE_BUNDLE } from './helpers/gateway';

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'dist/src/cli.js');
const CATEGORIES = ['sexual', 'violence', 'hate', 'harassment', 'self-harm', 'shocking', 'illegal-activity'];
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

const env = () => ({ ...process.env, CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-cache-')), MODEL_WORKERS: '1' });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cli-edges-'));

function run(args: string[], opts: { input?: string } = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: env(), timeout: 60000, input: opts.input ?? '' });
}

const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l));

beforeAll(() => {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first (npm test does)`);
});

test('classify --file big.txt | head -1 prints one line and ends quietly with exit 0 (no EPIPE stack)', () => {
  const dir = tmp();
  const big = path.join(dir, 'big.txt');
  // ~300 KB of results: far more than a pipe holds, so the CLI is still writing when head exits.
  fs.writeFileSync(big, Array.from({ length: 1500 }, (_, i) => `a cat number ${i} asleep on a sofa`).join('\n'));
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${cli}" classify --bundle "${FIXTURE_BUNDLE}" --file "${big}" | head -1; echo "cli-status=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', env: env(), timeout: 60000 });
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]).input).toBe('a cat number 0 asleep on a sofa');
  expect(r.stderr).toContain('cli-status=0');
  expect(r.stderr).not.toMatch(/EPIPE|Error/);
  expect(r.stderr).not.toMatch(STACK_LINE);
});

test('a busy port: one line naming the port and the PORT variable, no stack trace, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'serve', '--bundle', FIXTURE_BUNDLE], { env: { ...env(), PORT: String(port) } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`port ${port}\\b.*already in use.*PORT environment variable`))]);
    expect(r.stderr).not.toMatch(STACK_LINE);
  } finally {
    blocker.close();
  }
});

test('texts come from stdin when piped with no arguments, and from --file - in argument order', () => {
  const piped = run(['classify', '--bundle', FIXTURE_BUNDLE], { input: 'a cat on a sofa\n\na naked woman covered in blood\n' });
  expect(piped.status).toBe(0);
  expect(jsonLines(piped.stdout).map((l) => [l.input, l.unsafe])).toEqual([
    ['a cat on a sofa', false],
    ['a naked woman covered in blood', true],
  ]);
  const mixed = run(['tokenize', '--bundle', FIXTURE_BUNDLE, 'a cat', '--file', '-', 'a dog'], { input: 'a bird\n' });
  expect(mixed.status).toBe(0);
  const vocab = fs.readFileSync(path.join(FIXTURE_BUNDLE, 'vocab.txt'), 'utf8').split('\n');
  expect(jsonLines(mixed.stdout).map((ids: number[]) => ids[1])).toEqual(['cat', 'bird', 'dog'].map((w) => vocab.indexOf(w)));
  const none = run(['classify', '--bundle', FIXTURE_BUNDLE], { input: '\n \n' });
  expect(none.status).toBe(2);
  expect(none.stderr).toMatch(/classify needs texts \(arguments, --file FILE, or lines on stdin\)/);
});

test('outputs follow argument order; an image that fails prints its error line, the rest still print, and the exit status is 1', async () => {
  const dir = tmp();
  const blue = path.join(dir, 'blue.png');
  await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 40, g: 70, b: 205 } } }).png().toFile(blue);
  const r = run(['classify', '--bundle', FIXTURE_BUNDLE, 'a cat on a sofa', '--image', '/etc/passwd', '--image', blue, 'a naked woman covered in blood']);
  expect(r.status).toBe(1);
  const lines = jsonLines(r.stdout);
  expect(lines.map((l) => l.input)).toEqual(['a cat on a sofa', '/etc/passwd', blue, 'a naked woman covered in blood']);
  expect(lines.map((l) => l.modality ?? 'error')).toEqual(['TEXT', 'error', 'IMAGE', 'TEXT']);
  expect(lines[1].error).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/not an image|format/) });
  expect(r.stderr).toContain('1 of 4 inputs failed');
  const missing = run(['embed', '--bundle', FIXTURE_BUNDLE, '--image', path.join(dir, 'nope.png')]);
  expect(missing.status).toBe(1);
  expect(jsonLines(missing.stdout)[0].error.message).toMatch(/cannot read --image .*nope\.png/);
});

test('classify and redirect print the category, as GraphQL does: the unsafe kind, null when safe', () => {
  const c = jsonLines(run(['classify', '--bundle', FIXTURE_BUNDLE, 'a cat on a sofa', 'a naked woman covered in blood']).stdout);
  expect(c[0].category).toBeNull();
  expect(CATEGORIES).toContain(c[1].category);
  const r = jsonLines(run(['redirect', '--bundle', FIXTURE_BUNDLE, 'a bloody corpse in a city street']).stdout)[0];
  expect(CATEGORIES).toContain(r.before.category);
  expect(r.after).toEqual(expect.objectContaining({ unsafe: false, category: null }));
});

test('--help loads none of the heavy modules (ONNX Runtime, sharp, Apollo, graphql, pino)', () => {
  const heavy = /node_modules\/(onnxruntime-node|sharp|@apollo|graphql|pino)\//;
  for (const args of [['--help'], ['classify', '--help'], ['demo', '--help'], ['demo-backend', '--help']]) {
    const probe = `require(${JSON.stringify(cli)}).main(${JSON.stringify(args)}).then(() => process.stderr.write(JSON.stringify(Object.keys(require.cache))))`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: env(), timeout: 30000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: hysac-gateway/);
    const loaded: string[] = JSON.parse(r.stderr);
    expect(loaded.filter((f) => heavy.test(f))).toEqual([]);
  }
});

test('an option a command does not take is refused by name', () => {
  const r = run(['classify', '--bundle', FIXTURE_BUNDLE, '--port', '4000', 'a cat']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/classify does not take --port; allowed: --bundle, --file, --image/);
});
