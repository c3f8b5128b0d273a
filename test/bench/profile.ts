/**
 * Profiles the gateway under load: `node --cpu-prof` on `dist/src/cli.js serve` (every thread writes its own
 * .cpuprofile), autocannon drives it for a while, then each profile is summarised: self time by package and
 * the top functions.
 *
 *   npm run build && npx tsx test/bench/profile.ts [--repo DIR] [--bundle DIR|standin] [--load text|image] [--seconds S]
 *                                                 [--connections N] [--top N] [--env K=V ...] [--keep DIR]
 *   npx tsx test/bench/profile.ts --summarise FILE.cpuprofile...     (summarise existing profiles)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CLASSIFY_IMAGE, CLASSIFY_TEXT, CLI, drive, startServer } from './lib';
import { SHARED_EVAL, textLoad } from './prompts';
import { buildStandinBundle } from './standin-bundle';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function group(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0] + (url.includes('internal') ? ' (internal)' : '');
  const src = /\/(src|dist\/src|plugins|dist\/plugins)\/(.*)$/.exec(url);
  if (src) return src[2].split('/').slice(0, -1).join('/') || src[2];
  return url;
}

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idleIds = p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id);
  const idle = idleIds.reduce((a, id) => a + (self.get(id) ?? 0), 0);
  const busy = total - idle;
  const fns = new Map<string, number>();
  const groups = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byNode.get(id)!;
    if (n.callFrame.functionName === '(idle)') continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const g = group(url, functionName);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled, busy ${((busy / total) * 100).toFixed(0)} % (${(busy / 1e6).toFixed(2)} s)`];
  lines.push('  self time by package / folder:');
  for (const [g, us] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`    ${pct(us)}  ${g}`);
  lines.push(`  top ${top} functions (self):`);
  for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`    ${pct(us)}  ${k}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      repo: { type: 'string' },
      bundle: { type: 'string' },
      load: { type: 'string', default: 'text' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '64' },
      top: { type: 'string', default: '25' },
      env: { type: 'string', multiple: true },
      keep: { type: 'string' },
      summarise: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const top = Number(values.top);
  if (values.summarise) {
    for (const f of positionals) console.log(summarise(f, top) + '\n');
    return;
  }
  const dir = values.keep ? path.resolve(values.keep) : fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-prof-'));
  fs.mkdirSync(dir, { recursive: true });
  const bundle = values.bundle === 'standin' ? await buildStandinBundle() : values.bundle ? path.resolve(values.bundle) : undefined;
  const env = Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-prof-cache-'));
  const repo = values.repo ? path.resolve(values.repo) : null;
  const server = await startServer({
    command: ['--cpu-prof', `--cpu-prof-dir=${dir}`, repo ? path.join(repo, 'dist', 'src', 'cli.js') : CLI, 'serve', '--port', '$PORT', ...(bundle ? ['--bundle', bundle] : [])],
    env: { CACHE_DIR: cacheDir, LOG_LEVEL: 'warn', ...env },
    ...(repo ? { cwd: repo } : {}),
  });
  let bodies: string[];
  if (values.load === 'image') {
    const imgDir = path.join(SHARED_EVAL, 'safe_images');
    bodies = fs.readdirSync(imgDir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).map((f) => JSON.stringify({ query: CLASSIFY_IMAGE, variables: { b: fs.readFileSync(path.join(imgDir, f)).toString('base64') } }));
  } else {
    bodies = textLoad().map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } }));
  }
  const r = await drive(server.url, bodies, { connections: Number(values.connections), duration: Number(values.seconds) });
  console.log(`load: ${r.rps.toFixed(0)} ok/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, failed ${r.gqlErrors + r.non2xx + r.errors}`);
  await server.stop();
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  for (const f of files) console.log('\n' + summarise(f, top));
  console.log(`\nprofiles: ${dir}`);
  fs.rmSync(cacheDir, { recursive: true, force: true });
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
