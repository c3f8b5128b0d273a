/**
 * A/B comparison of two gateway builds or two configurations under the same text (or image) load, run
 * alternately (A B A B ...) so that a noisy machine (other processes, thermal drift) hits both alike. Reports
 * the median of each figure over the rounds and every round's numbers.
 *
 *   npx tsx test/bench/ab.ts --a /path/to/repoA --b /path/to/repoB [--a-env K=V ...] [--b-env K=V ...]
 *                            [--bundle DIR|standin] [--rounds 5] [--seconds 8] [--connections 64] [--load text|image]
 *
 * Each repo must have been built (`dist/src/cli.js`). The same repo twice with different --a-env/--b-env
 * compares settings (e.g. --a-env BATCH_MAX_WAIT_MS=5 --b-env BATCH_MAX_WAIT_MS=1).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CLASSIFY_IMAGE, CLASSIFY_TEXT, cpuTimes, drive, median, metricsSnapshot, meanBatch, probe, startBuild } from './lib';
import { SHARED_EVAL, textLoad } from './prompts';
import { buildStandinBundle } from './standin-bundle';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      a: { type: 'string' },
      b: { type: 'string' },
      'a-env': { type: 'string', multiple: true },
      'b-env': { type: 'string', multiple: true },
      bundle: { type: 'string' },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '8' },
      connections: { type: 'string', default: '64' },
      load: { type: 'string', default: 'text' },
      'no-probe': { type: 'boolean', default: false },
    },
  });
  const env = (list?: string[]): Record<string, string> => Object.fromEntries((list ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const repoA = path.resolve(values.a ?? '.');
  const repoB = path.resolve(values.b ?? values.a ?? '.');
  const bundle = values.bundle === 'standin' ? await buildStandinBundle() : values.bundle ? path.resolve(values.bundle) : undefined;
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  let bodies: string[];
  if (values.load === 'image') {
    const dir = path.join(SHARED_EVAL, 'safe_images');
    bodies = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).sort().map((f) => JSON.stringify({ query: CLASSIFY_IMAGE, variables: { b: fs.readFileSync(path.join(dir, f)).toString('base64') } }));
  } else {
    bodies = textLoad().map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } }));
  }
  const sides = [
    { name: 'A', repo: repoA, env: env(values['a-env']) },
    { name: 'B', repo: repoB, env: env(values['b-env']) },
  ];
  const results: Record<string, { rps: number[]; p50: number[]; p99: number[]; healthzP99: number[]; batch: number[]; mainUsPerReq: number[]; cpuUsPerReq: number[] }> = {
    A: { rps: [], p50: [], p99: [], healthzP99: [], batch: [], mainUsPerReq: [], cpuUsPerReq: [] },
    B: { rps: [], p50: [], p99: [], healthzP99: [], batch: [], mainUsPerReq: [], cpuUsPerReq: [] },
  };
  console.log(`A: ${repoA} ${JSON.stringify(sides[0].env)}\nB: ${repoB} ${JSON.stringify(sides[1].env)}\n${values.load} load, ${connections} connections, ${seconds} s x ${values.rounds} rounds; load average ${os.loadavg()[0].toFixed(2)}`);
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const server = await startBuild(side.repo, bundle, side.env);
      await drive(server.url, bodies, { connections, duration: 2 });
      const before = await metricsSnapshot(server.url);
      const cpu0 = cpuTimes(server.proc.pid!);
      const [r, p] = await Promise.all([drive(server.url, bodies, { connections, duration: seconds }), !values['no-probe'] ? probe(server.url, Math.max(1, seconds - 2), 20) : Promise.resolve(null)]);
      const cpu1 = cpuTimes(server.proc.pid!);
      const after = await metricsSnapshot(server.url);
      await server.stop();
      const res = results[side.name];
      res.rps.push(r.rps);
      res.p50.push(r.p50);
      res.p99.push(r.p99);
      res.healthzP99.push(p ? p.healthz.p99 : NaN);
      res.batch.push(meanBatch(before, after, values.load === 'image' ? 'IMAGE' : 'TEXT'));
      const served = r.ok + r.gqlErrors;
      res.mainUsPerReq.push(cpu0 && cpu1 ? ((cpu1.mainMs - cpu0.mainMs) * 1000) / served : NaN);
      res.cpuUsPerReq.push(cpu0 && cpu1 ? ((cpu1.totalMs - cpu0.totalMs) * 1000) / served : NaN);
      console.log(`  round ${round + 1} ${side.name}: ${r.rps.toFixed(0)} ok/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, healthz p99 ${p?.healthz.p99 ?? '-'} ms, batch ${res.batch[res.batch.length - 1].toFixed(1)}, CPU/req main ${res.mainUsPerReq[res.mainUsPerReq.length - 1].toFixed(0)} us, all ${res.cpuUsPerReq[res.cpuUsPerReq.length - 1].toFixed(0)} us${r.gqlErrors + r.non2xx + r.errors ? `, FAILED ${r.gqlErrors + r.non2xx + r.errors}` : ''}`);
    }
  }
  const a = results.A;
  const b = results.B;
  const line = (k: keyof typeof a, unit: string): string => `  ${k.padEnd(12)} A ${median(a[k]).toFixed(1)} ${unit}  B ${median(b[k]).toFixed(1)} ${unit}  B/A ${(median(b[k]) / median(a[k])).toFixed(3)}`;
  console.log(`medians (load average now ${os.loadavg()[0].toFixed(2)}):`);
  console.log(line('rps', 'ok/s'));
  console.log(line('p50', 'ms'));
  console.log(line('p99', 'ms'));
  console.log(line('healthzP99', 'ms'));
  console.log(line('batch', 'items'));
  console.log(line('mainUsPerReq', 'us'));
  console.log(line('cpuUsPerReq', 'us'));
  console.log(JSON.stringify({ a: { repo: repoA, env: sides[0].env }, b: { repo: repoB, env: sides[1].env }, results }));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
