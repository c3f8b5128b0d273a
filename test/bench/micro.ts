/**
 * The micro-benchmarks behind FINDINGS.md, one per subcommand, so each figure there can be re-measured:
 *
 *   npx tsx test/bench/micro.ts base64     the base64 alphabet check: regex vs table loop, on the 32 photos
 *   npx tsx test/bench/micro.ts int64      int32 ids -> BigInt64Array: BigInt per element vs Int32Array view
 *   npx tsx test/bench/micro.ts spin       ORT intra-op pool (2 threads) with and without spinning, runs 10 ms apart
 *   npx tsx test/bench/micro.ts imgbatch   MobileNetV2 CPU time an image by batch size (needs the stand-in)
 *   npx tsx test/bench/micro.ts baked      stand-in text tower with the first or both per-token layers baked
 *   npx tsx test/bench/micro.ts matmul     pool dot products: ORT MatMul vs a JS loop (100,000 x 64)
 *
 * Every figure is CPU or wall time on this machine; run them when it is quiet, and more than once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphBuilder } from '../../src/onnx/graph';
import { createSession, runSession } from '../../src/runtime/ort';
import { WordTokenizer } from '../../src/runtime/tokenizers';
import { SHARED_EVAL, generatePrompts } from './prompts';
import { buildStandinBundle, textGraph, vocabulary } from './standin-bundle';

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

async function base64(): Promise<void> {
  const dir = path.join(SHARED_EVAL, 'safe_images');
  const strs = fs.readdirSync(dir).filter((f) => /\.(png|jpe?g|webp)$/i.test(f)).map((f) => fs.readFileSync(path.join(dir, f)).toString('base64'));
  const total = strs.reduce((a, s) => a + s.length, 0);
  const table = new Int8Array(128).fill(-1);
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (table[c.charCodeAt(0)] = i));
  const loop = (s: string): boolean => {
    let end = s.length;
    if (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
    if (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
    for (let i = 0; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || table[c] < 0) return false;
    }
    return true;
  };
  const re = /^[A-Za-z0-9+/]*={0,2}$/;
  const variants: [string, (s: string) => boolean][] = [['regex', (s) => re.test(s)], ['table loop', loop], ['decode only (reference)', (s) => Buffer.from(s, 'base64').length > 0]];
  for (let pass = 0; pass < 2; pass++) {
    for (const [name, f] of variants) {
      strs.forEach(f);
      const t = performance.now();
      for (let k = 0; k < 3; k++) for (const s of strs) f(s);
      const ms = (performance.now() - t) / 3;
      console.log(`${name}: ${(total / ms / 1000).toFixed(0)} MB/s (${(ms / strs.length).toFixed(2)} ms a photo, ${strs.length} photos)`);
    }
  }
}

function int64(): void {
  const ids = new Int32Array(32 * 64).map((_, i) => (i * 7919) % 36000);
  const perElement = (x: Int32Array): BigInt64Array => {
    const out = new BigInt64Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = BigInt(x[i]);
    return out;
  };
  const view = (x: Int32Array): BigInt64Array => {
    const out = new BigInt64Array(x.length);
    const w = new Int32Array(out.buffer);
    for (let i = 0, j = 0; i < x.length; i++, j += 2) {
      w[j] = x[i];
      w[j + 1] = x[i] >> 31;
    }
    return out;
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const [name, f] of [['BigInt per element', perElement], ['Int32Array view', view]] as const) {
      for (let k = 0; k < 3000; k++) f(ids);
      const t = performance.now();
      for (let k = 0; k < 20000; k++) f(ids);
      console.log(`${name}: ${(((performance.now() - t) / 20000) * 1000).toFixed(1)} us for 32 x 64 ids`);
    }
  }
}

async function spin(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const model = path.join(await buildStandinBundle(), 'image.onnx');
  for (const allow of ['0', '1', '0', '1']) {
    const s = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', extra: { session: { intra_op: { allow_spinning: allow } } } } as never);
    const x = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]);
    await s.run({ pixel_values: x });
    const c = process.cpuUsage();
    let runMs = 0;
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await s.run({ pixel_values: x });
      runMs += performance.now() - t;
      await new Promise((r) => setTimeout(r, 10));
    }
    console.log(`allow_spinning=${allow}: 40 runs 10 ms apart, ${runMs.toFixed(0)} ms in runs, ${cpuMs(c).toFixed(0)} ms CPU`);
    await s.release();
  }
}

async function imgbatch(): Promise<void> {
  const sess = await createSession(path.join(await buildStandinBundle(), 'image.onnx'), { intraOpThreads: 1 });
  const res: Record<number, number[]> = {};
  for (let pass = 0; pass < 3; pass++) {
    for (const n of [1, 2, 4, 8, 16]) {
      const x = new Float32Array(n * 3 * 224 * 224).map((_, i) => (i % 255) / 255);
      await runSession(sess, { pixel_values: { data: x, dims: [n, 3, 224, 224] } }, ['embedding']);
      const c = process.cpuUsage();
      let k = 0;
      const t = performance.now();
      while (performance.now() - t < 2000) {
        await runSession(sess, { pixel_values: { data: x, dims: [n, 3, 224, 224] } }, ['embedding']);
        k++;
      }
      (res[n] ??= []).push(cpuMs(c) / (k * n));
    }
  }
  for (const [n, v] of Object.entries(res)) console.log(`batch ${n}: ${v.map((x) => x.toFixed(2)).join(' ')} ms CPU an image`);
}

async function baked(): Promise<void> {
  const { vocab, unsafe } = vocabulary();
  const plain = textGraph(vocab, unsafe, false);
  const both = textGraph(vocab, unsafe, true);
  console.log(`text.onnx ${(plain.length / 1e6).toFixed(1)} MB with the first layer baked, ${(both.length / 1e6).toFixed(1)} MB with both`);
  const tok = new WordTokenizer(vocab, { contextLength: 64 });
  const prompts = generatePrompts(256);
  const sessions = { 'first layer baked': await createSession(plain, { intraOpThreads: 1 }), 'both layers baked': await createSession(both, { intraOpThreads: 1 }) };
  for (const n of [1, 32]) {
    const x = BigInt64Array.from(tok.encodeBatch(prompts.slice(0, n)), (v) => BigInt(v));
    const outs: Float32Array[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const [name, s] of Object.entries(sessions)) {
        await runSession(s, { input_ids: { data: x, dims: [n, 64] } });
        const c = process.cpuUsage();
        let k = 0;
        const t = performance.now();
        while (performance.now() - t < 1500) {
          outs.push((await runSession(s, { input_ids: { data: x, dims: [n, 64] } })).embedding.data);
          if (outs.length > 2) outs.shift();
          k++;
        }
        console.log(`batch ${n}, ${name}: ${((cpuMs(c) * 1000) / (k * n)).toFixed(1)} us CPU an item`);
      }
    }
    let d = 0;
    for (let i = 0; i < outs[0].length; i++) d = Math.max(d, Math.abs(outs[0][i] - outs[1][i]));
    console.log(`  max |difference| of the outputs: ${d.toExponential(2)}`);
  }
}

async function matmul(): Promise<void> {
  const N = 100_000;
  const D = 64;
  const P = new Float32Array(N * D).map(() => Math.random() - 0.5);
  const b = new GraphBuilder('pool_dot');
  b.input('q', 'float32', [D, 1]);
  b.node('MatMul', [b.initializer('pool', P, [N, D]), 'q'], ['dots']);
  b.output('dots', 'float32', [N, 1]);
  const s = await createSession(b.toModelBytes(), { intraOpThreads: 1 });
  const q = new Float32Array(D).map(() => Math.random());
  for (let i = 0; i < 5; i++) await runSession(s, { q: { data: q, dims: [D, 1] } });
  let t = performance.now();
  for (let i = 0; i < 50; i++) await runSession(s, { q: { data: q, dims: [D, 1] } });
  console.log(`ORT MatMul [${N} x ${D}] x [${D}]: ${((performance.now() - t) / 50).toFixed(2)} ms`);
  const q64 = Float64Array.from(q);
  let sink = 0;
  t = performance.now();
  for (let k = 0; k < 20; k++) {
    const out = new Float64Array(N);
    for (let i = 0, base = 0; i < N; i++, base += D) {
      let acc = 0;
      for (let j = 0; j < D; j++) acc += P[base + j] * q64[j];
      out[i] = acc;
    }
    sink += out[k];
  }
  console.log(`JS loop: ${((performance.now() - t) / 20).toFixed(2)} ms${sink === 1e99 ? '' : ''}`);
}

const COMMANDS: Record<string, () => unknown> = { base64, int64, spin, imgbatch, baked, matmul };

const cmd = process.argv[2] ?? '';
if (!COMMANDS[cmd]) {
  console.error(`usage: npx tsx test/bench/micro.ts ${Object.keys(COMMANDS).join('|')}`);
  process.exit(2);
}
Promise.resolve(COMMANDS[cmd]()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
