/**
 * Where a gateway's CPU goes, by thread, under the benchmark's text (or image) load: per-request CPU of the
 * main thread (event loop), the model workers, libuv's pool and V8's helpers (Linux /proc).
 *
 *   npx tsx test/bench/threads.ts [--repo DIR] [--bundle DIR|standin] [--seconds 8] [--load text|image] [--env K=V ...]
 *   npx tsx test/bench/threads.ts --bare      the same text load on lib.ts's bare node:http server (canned reply)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BARE_GRAPHQL_SERVER, CLASSIFY_IMAGE, CLASSIFY_TEXT, cpuTimes, drive, REPO, startServer } from './lib';
import { SHARED_EVAL, textLoad } from './prompts';
import { buildStandinBundle } from './standin-bundle';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repo: { type: 'string' }, bundle: { type: 'string' }, seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' }, load: { type: 'string', default: 'text' }, env: { type: 'string', multiple: true }, bare: { type: 'boolean', default: false } } });
  const repo = path.resolve(values.repo ?? REPO);
  const bundle = values.bundle === 'standin' ? await buildStandinBundle() : values.bundle ? path.resolve(values.bundle) : undefined;
  const env = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  let bodies: string[];
  if (values.load === 'image') {
    const dir = path.join(SHARED_EVAL, 'safe_images');
    bodies = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().map((f) => JSON.stringify({ query: CLASSIFY_IMAGE, variables: { b: fs.readFileSync(path.join(dir, f)).toString('base64') } }));
  } else bodies = textLoad().map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } }));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-threads-'));
  const server = values.bare
    ? await startServer({ command: ['-e', BARE_GRAPHQL_SERVER], readyPath: '/' })
    : await startServer({ command: [path.join(repo, 'dist', 'src', 'cli.js'), 'serve', '--port', '$PORT', ...(bundle ? ['--bundle', bundle] : [])], env: { CACHE_DIR: cacheDir, LOG_LEVEL: 'warn', ...env }, cwd: repo });
  await drive(server.url, bodies, { connections: Number(values.connections), duration: 2 });
  const c0 = cpuTimes(server.proc.pid!)!;
  const self0 = process.cpuUsage();
  const r = await drive(server.url, bodies, { connections: Number(values.connections), duration: Number(values.seconds) });
  const self1 = process.cpuUsage(self0);
  const c1 = cpuTimes(server.proc.pid!)!;
  await server.stop();
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const n = r.ok + r.gqlErrors;
  console.log(`${n} requests, ${r.rps.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms; CPU microseconds per request:`);
  const rows = Object.keys(c1.tids).map((k) => [k, ((c1.tids[k] - (c0.tids[k] ?? 0)) * 1000) / n] as const).sort((a, b) => b[1] - a[1]);
  for (const [k, us] of rows) if (us > 0.5) console.log(`  ${(k === String(server.proc.pid) ? 'main thread' : `thread ${k}`).padEnd(18)} ${us.toFixed(1)}`);
  console.log(`  gateway total      ${(((c1.totalMs - c0.totalMs) * 1000) / n).toFixed(1)}`);
  console.log(`  load generator     ${((self1.user + self1.system) / n).toFixed(1)}   (autocannon, this process)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
