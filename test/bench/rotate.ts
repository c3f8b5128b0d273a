/**
 * ab.ts for more than two sides: N builds or settings under the same text load, rotated round by round (the
 * order reversed every other round), medians of ok/s and CPU per request (main thread, all threads). Made for
 * the issue's test 2 on two builds at once, so that both ratios (batching on / off) come from the same
 * stretch of a noisy machine:
 *
 *   npx tsx test/bench/rotate.ts [--bundle DIR] [--rounds 4] [--seconds 8] [--connections 64] SIDE...
 *     SIDE = DIR[:K=V,K=V...]   a build (dist/src/cli.js, e.g. from variant.sh) and its environment
 *   npx tsx test/bench/rotate.ts /tmp/gw-head:BATCH_MAX_SIZE=1 /tmp/gw-head /tmp/gw-new:BATCH_MAX_SIZE=1 /tmp/gw-new
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CLASSIFY_TEXT, cpuTimes, drive, median, startBuild } from './lib';
import { textLoad } from './prompts';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { bundle: { type: 'string' }, rounds: { type: 'string', default: '4' }, seconds: { type: 'string', default: '8' }, connections: { type: 'string', default: '64' } },
    allowPositionals: true,
  });
  if (positionals.length === 0) throw new Error('name at least one side: DIR[:K=V,K=V...]');
  const sides = positionals.map((spec) => {
    const i = spec.indexOf(':');
    const dir = path.resolve(i < 0 ? spec : spec.slice(0, i));
    const env = Object.fromEntries((i < 0 ? [] : spec.slice(i + 1).split(',')).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    return { name: spec, dir, env, rps: [] as number[], main: [] as number[], all: [] as number[] };
  });
  const bundle = values.bundle ? path.resolve(values.bundle) : undefined;
  const connections = Number(values.connections);
  const bodies = textLoad().map((t) => JSON.stringify({ query: CLASSIFY_TEXT, variables: { t } }));
  console.log(`${sides.length} sides, text load, ${connections} connections, ${values.seconds} s x ${values.rounds} rounds; load average ${os.loadavg()[0].toFixed(2)}`);
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const server = await startBuild(side.dir, bundle, side.env);
      await drive(server.url, bodies, { connections, duration: 2 });
      const c0 = cpuTimes(server.proc.pid!);
      const r = await drive(server.url, bodies, { connections, duration: Number(values.seconds) });
      const c1 = cpuTimes(server.proc.pid!);
      await server.stop();
      const served = r.ok + r.gqlErrors;
      side.rps.push(r.rps);
      side.main.push(c0 && c1 ? ((c1.mainMs - c0.mainMs) * 1000) / served : NaN);
      side.all.push(c0 && c1 ? ((c1.totalMs - c0.totalMs) * 1000) / served : NaN);
      console.log(`  round ${round + 1} ${side.name}: ${r.rps.toFixed(0)} ok/s, p50 ${r.p50.toFixed(1)} ms, CPU/req main ${side.main.at(-1)!.toFixed(0)} us, all ${side.all.at(-1)!.toFixed(0)} us${r.gqlErrors + r.non2xx + r.errors ? `, FAILED ${r.gqlErrors + r.non2xx + r.errors}` : ''}`);
    }
  }
  console.log(`medians (load average now ${os.loadavg()[0].toFixed(2)}):`);
  for (const s of sides) console.log(`  ${s.name}: ${median(s.rps).toFixed(0)} ok/s, CPU/req main ${median(s.main).toFixed(1)} us, all ${median(s.all).toFixed(1)} us`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
