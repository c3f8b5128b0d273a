/**
 * The raw baseline's worker thread: one ONNX Runtime session (through src/runtime/ort.ts, as the gateway's
 * workers use it) running pre-tokenised batches back to back, as fast as it can. No HTTP, no GraphQL, no
 * tokenising, no batching decisions: the physical limit the gateway's text throughput is compared with.
 * The batches come tokenised from the parent (raw-batches.ts); with a subword model each carries its own
 * subword rows, fed to the graph's second input (`subwordInput`) with every run of that batch.
 *
 * Protocol (parentPort):
 *   in  { type: 'init', model, inputName, subwordInput (string | null), outputName, dtype, threads }
 *   out { type: 'ready' }
 *   in  { type: 'measure', batches (RawBatch[]), ms }
 *                                        -> warms up on those batches, replies { type: 'warm' }
 *   in  { type: 'go' }                   -> runs for ms, replies { type: 'done', items, seconds, cpuSeconds }
 *                                           (cpuSeconds: this thread's CPU time, intra-op pool threads not included)
 *   in  { type: 'exit' }
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createSession, runSession, type Feed, type OrtSession } from '../../src/runtime/ort';
import { rawFeeds, type RawBatch } from './raw-batches';

interface Init {
  type: 'init';
  model: string;
  inputName: string;
  /** The graph's subword input (manifest text.tokenizer.subwords.input), or null for a one-input text graph. */
  subwordInput: string | null;
  outputName: string;
  dtype: 'int64' | 'int32';
  threads: number;
}

let session: OrtSession;
let init: Init;
let feeds: Record<string, Feed>[] = [];
let batchSize = 1;
let ms = 1000;

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
  await runSession(session, feeds[i % feeds.length], [init.outputName]);
}

parentPort!.on('message', async (msg: { type: string; [k: string]: unknown }) => {
  if (msg.type === 'init') {
    init = msg as unknown as Init;
    session = await createSession(init.model, { intraOpThreads: init.threads });
    for (const name of [init.inputName, init.subwordInput]) {
      if (name !== null && !session.inputNames.includes(name)) throw new Error(`${init.model} has no input "${name}"; its inputs: ${session.inputNames.join(', ')}`);
    }
    parentPort!.postMessage({ type: 'ready' });
  } else if (msg.type === 'measure') {
    const batches = msg.batches as RawBatch[];
    batchSize = batches[0].rows;
    ms = msg.ms as number;
    feeds = batches.map((b) => rawFeeds(b, init));
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
