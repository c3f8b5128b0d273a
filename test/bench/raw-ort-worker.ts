/**
 * The raw baseline's worker thread: one ONNX Runtime session (through src/runtime/ort.ts, as the gateway's
 * workers use it) running pre-tokenised batches back to back, as fast as it can. No HTTP, no GraphQL, no
 * tokenising, no batching decisions: the physical limit the gateway's text throughput is compared with.
 *
 * Protocol (parentPort):
 *   in  { type: 'init', model, inputName, outputName, dtype, ctx, ids (Int32Array, n x ctx), threads, trim }
 *   out { type: 'ready' }
 *   in  { type: 'measure', batch, ms }   -> warms up on that batch size, replies { type: 'warm' }
 *   in  { type: 'go' }                   -> runs for ms, replies { type: 'done', items, seconds, cpuSeconds }
 *                                           (cpuSeconds: this thread's CPU time, intra-op pool threads not included)
 *   in  { type: 'exit' }
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createSession, runSession, type FeedValue, type OrtSession } from '../../src/runtime/ort';
import { trimPaddingColumns } from '../../src/runtime/tokenizers';

interface Init {
  type: 'init';
  model: string;
  inputName: string;
  outputName: string;
  dtype: 'int64' | 'int32';
  ctx: number;
  ids: Int32Array;
  threads: number;
  /** Cut each batch to its longest row, as the gateway does for a bundle with text.trimPadding. */
  trim: boolean;
}

let session: OrtSession;
let init: Init;
let batches: { data: FeedValue; width: number }[] = [];
let batchSize = 1;
let ms = 1000;

function makeBatches(batch: number): { data: FeedValue; width: number }[] {
  const rows = init.ids.length / init.ctx;
  const out: { data: FeedValue; width: number }[] = [];
  // Enough distinct batches to cycle through the prompts (at most 64 of them).
  const count = Math.max(1, Math.min(64, Math.floor(rows / batch)));
  for (let b = 0; b < count; b++) {
    const start = ((b * batch) % rows) * init.ctx;
    const slice = new Int32Array(batch * init.ctx);
    for (let i = 0; i < batch * init.ctx; i++) slice[i] = init.ids[(start + i) % init.ids.length];
    const { ids, width } = init.trim ? trimPaddingColumns(slice, batch, init.ctx) : { ids: slice, width: init.ctx };
    out.push({ data: init.dtype === 'int64' ? BigInt64Array.from(ids, (v) => BigInt(v)) : ids, width });
  }
  return out;
}

/** CPU seconds this thread has used (Linux /proc/thread-self; NaN elsewhere). */
function threadCpuSeconds(): number {
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100) ticks
  } catch {
    return NaN;
  }
}

async function runOnce(i: number): Promise<void> {
  const b = batches[i % batches.length];
  await runSession(session, { [init.inputName]: { data: b.data, dims: [batchSize, b.width] } }, [init.outputName]);
}

parentPort!.on('message', async (msg: { type: string; [k: string]: unknown }) => {
  if (msg.type === 'init') {
    init = msg as unknown as Init;
    session = await createSession(init.model, { intraOpThreads: init.threads });
    parentPort!.postMessage({ type: 'ready' });
  } else if (msg.type === 'measure') {
    batchSize = msg.batch as number;
    ms = msg.ms as number;
    batches = makeBatches(batchSize);
    for (let i = 0; i < 3; i++) await runOnce(i);
    parentPort!.postMessage({ type: 'warm' });
  } else if (msg.type === 'go') {
    let items = 0;
    let i = 0;
    const cpu0 = threadCpuSeconds();
    const t0 = performance.now();
    const end = t0 + ms;
    while (performance.now() < end) {
      await runOnce(i++);
      items += batchSize;
    }
    parentPort!.postMessage({ type: 'done', items, seconds: (performance.now() - t0) / 1000, cpuSeconds: threadCpuSeconds() - cpu0 });
  } else if (msg.type === 'exit') {
    await session.release().catch(() => undefined);
    process.exit(0);
  }
});
