/**
 * The container image, proven by running it: no container engine runs here, so the project's Dockerfile is
 * executed by a small interpreter (test/deploy/docker/) in clean folders: the build context filtered by
 * .dockerignore, the build stage's `npm ci` (the npm registry, through the host's npm cache as BuildKit's
 * cache mount), the TypeScript build, the runtime stage's copies. Then the gateway is started from the runtime
 * stage's folder with the image's CMD, ENV and USER, queried over real HTTP, health-checked with the image's
 * HEALTHCHECK, and stopped with SIGTERM as `docker stop` does.
 *
 * Slow by nature (a full `npm ci` and `tsc` build on the machine's cores): a few minutes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { asImageUser, buildDockerfile, containerEnv, imageCommand, inStage, numericUser, runHealthcheck, type BuildResult, type BuiltStage } from './docker/dockerfile-build';

const ROOT = path.resolve(__dirname, '../..');
const BUILD_TIMEOUT_MS = 25 * 60_000;

let work: string;
let build: BuildResult;
let runtime: BuiltStage;
let app: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-image-'));
  fs.chmodSync(work, 0o755);
  build = buildDockerfile({ contextDir: ROOT, workDir: work });
  runtime = build.target;
  app = inStage(runtime.root, runtime.config.workdir);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('docker build . (default target)', () => {
  test('builds the CPU runtime stage from the build stage only (the CUDA stages are not built by default)', () => {
    expect(runtime.stage.name).toBe('runtime');
    expect(build.stages.map((s) => s.stage.name)).toEqual(['build', 'runtime']);
    expect(runtime.config.env.EXECUTION_PROVIDERS).toBeUndefined(); // the gateway's default: cpu
  });

  test('the build context has the sources and the bundle, and no tests, training data, local builds or secrets', () => {
    expect(build.context).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src/main.ts', 'schema/content.graphql', 'plugins/policies/strict.yaml', 'models/hysac-mini/manifest.json']));
    const leaked = build.context.filter((f) => /^(test|dist|node_modules|\.git|\.cache|deploy|models\/(train|eval|export|fixture)|models\/hysac-mini\/data)\//.test(f) || f.includes('/node_modules/'));
    expect(leaked).toEqual([]);
  });

  test('the runtime image holds production dependencies only: no TypeScript, jest, codegen or tsx', () => {
    const modules = path.join(app, 'node_modules');
    for (const dep of ['@apollo/server', 'graphql', 'onnxruntime-node', 'sharp', 'pino', 'yaml']) expect(fs.existsSync(path.join(modules, dep, 'package.json'))).toBe(true);
    for (const dev of ['typescript', 'jest', 'ts-jest', 'tsx', '@graphql-codegen/cli', 'autocannon', '@types/node', 'esbuild']) expect({ dev, present: fs.existsSync(path.join(modules, dev)) }).toEqual({ dev, present: false });
    // onnxruntime-node's native library for this platform only (the package ships all five, about 290 MB).
    const ortBin = path.join(modules, 'onnxruntime-node/bin/napi-v6');
    const platforms = fs.readdirSync(ortBin).flatMap((os) => fs.readdirSync(path.join(ortBin, os)).map((arch) => `${os}/${arch}`));
    expect(platforms).toEqual([`${process.platform}/${process.arch}`]);
  });

  test('the runtime image has the compiled gateway and the bundle, and no sources, tests or training folders', () => {
    expect(fs.existsSync(path.join(app, 'dist/src/cli.js'))).toBe(true);
    for (const absent of ['src', 'test', 'models/train', 'models/eval', 'models/hysac-mini/data', 'models/hysac-mini/image-nsfw.onnx', 'tsconfig.json']) {
      expect({ absent, present: fs.existsSync(path.join(app, absent)) }).toEqual({ absent, present: false });
    }
    const bundle = path.join(app, 'models/hysac-mini');
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    const named = new Set<string>([manifest.text.model, manifest.image.model, manifest.text.tokenizer.vocab, manifest.anchors, manifest.pool, ...Object.keys(manifest.provenance.files)]);
    for (const f of named) expect({ f, present: fs.existsSync(path.join(bundle, f)) }).toEqual({ f, present: true });
    for (const [f, sha] of Object.entries(manifest.provenance.files as Record<string, string>)) {
      expect(createHash('sha256').update(fs.readFileSync(path.join(bundle, f))).digest('hex')).toBe(sha);
    }
    expect(fs.readdirSync(bundle).sort()).toEqual(['manifest.json', ...named].sort());
  });

  test('runs as a numeric non-root user, exposes the port it listens on, and starts with exec-form CMD', () => {
    const user = numericUser(runtime.config.user ?? '0');
    expect(user).not.toBeNull();
    expect(user!.uid).not.toBe(0);
    expect(runtime.config.exposed).toEqual([runtime.config.env.PORT]);
    expect(runtime.config.env.HOST).toBe('0.0.0.0');
    // Exec form: node is PID 1 and receives `docker stop`'s SIGTERM itself (a shell would swallow it).
    expect(runtime.config.cmd && 'exec' in runtime.config.cmd).toBe(true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('docker run (the runtime stage, its CMD, ENV and USER)', () => {
  let child: ChildProcess;
  let port: number;
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    port = await freePort();
    const [file, args] = imageCommand(runtime.config);
    child = spawn(file, args, { cwd: app, env: containerEnv(runtime, { PORT: String(port) }), stdio: ['ignore', 'ignore', 'pipe'], ...asImageUser(runtime) });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    // Wait for /readyz like an orchestrator's readiness probe; give up (and show the log) if the process ends.
    let alive = true;
    void exited.then(() => (alive = false));
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      if (!alive) throw new Error(`the gateway exited before it was ready:\n${stderr.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`the gateway was not ready after 5 minutes:\n${stderr.slice(-4000)}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 6 * 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  test('answers a real GraphQL classify query on the port it was given', async () => {
    const query = '{ safe: classify(input: { text: "a watercolor painting of a fox in the snow" }) { unsafe category } unsafe: classify(input: { text: "a man stabbing another man in a dark alley, blood everywhere" }) { unsafe category } model { name fixture } }';
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { safe: { unsafe: false, category: null }, unsafe: { unsafe: true, category: 'violence' }, model: { name: 'hysac-mini', fixture: false } },
    });
  });

  test('runs as the image user, in production mode, with the pool and EDIT words read from the cache built into the image', () => {
    const lines = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    const ready = lines.find((l) => l.msg === 'model ready');
    expect(ready?.pool?.from).toBe('cache');
    if (process.getuid?.() === 0) expect(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${numericUser(runtime.config.user!)!.uid}\\s`, 'm'));
  });

  test("production mode: introspection is off", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { types { name } } }' }) });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test("the image's HEALTHCHECK passes against the ready gateway", () => {
    const r = runHealthcheck(runtime, { PORT: String(port) }, 30_000);
    expect({ status: r.status, out: r.stdout + r.stderr }).toEqual({ status: 0, out: '' });
  });

  test("SIGTERM (docker stop): the gateway drains and exits 0, after which the HEALTHCHECK fails", async () => {
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('"msg":"stopped"');
    expect(runHealthcheck(runtime, { PORT: String(port) }, 30_000).status).toBe(1);
  });
});
