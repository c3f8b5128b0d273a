/**
 * A model worker thread: owns one ONNX Runtime session per tower and runs batches sent by pool.ts.
 * onnxruntime-node computes on the calling thread, so this is where inference must happen. The worker also
 * does the per-item work around a run (tokenising, int64 ids, the exponential map), so that the main event
 * loop, the gateway's serial part under load, only batches, posts and splits rows (worker-protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { expMap0Batch } from '../geometry';
import { createSession, runSession, type Feed, type OrtSession, type FeedValue } from './ort';
import { loadTokenizer, trimPaddingColumns } from './tokenizers';
import { mostUnsafeWindows } from './most-unsafe-window';
import type { EncodedWindows, Tokenizer } from './tokenizers/types';
import type { RunRequest, Tower, TowerInit, WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol';

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(msg, transfer);
}

/**
 * int32 ids -> int64. A BigInt per element is fine here: V8 stores small BigInts into a BigInt64Array quickly
 * (12-16 us for a 32 x 64 batch, under 0.5 us a prompt; writing both 32-bit halves through an Int32Array view
 * measured slower, 19-20 us), and it runs in the worker, off the event loop.
 */
export function widenToInt64(ids: Int32Array): BigInt64Array {
  const out = new BigInt64Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = BigInt(ids[i]);
  return out;
}

/** The run's output as a float32 buffer this thread owns (transferable), lifted when the tower says so. */
function finishOutput(data: Float32Array, dims: number[], tower: TowerInit): Float32Array {
  if (tower.lift && dims.length === 2) {
    return expMap0Batch({ data, rows: dims[0], dim: dims[1] }, tower.lift.curvature, tower.lift.alpha).data;
  }
  return new Float32Array(data); // a copy: the session's output may not own a whole transferable buffer
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const sessions = {} as Record<Tower, OrtSession>;
  let tokenizer: Tokenizer;
  try {
    const tok = loadTokenizer(init.text.tokenizer, init.text.bundleDir);
    for (const tower of ['text', 'image'] as Tower[]) {
      sessions[tower] = await createSession(init[tower].model, {
        intraOpThreads: init.intraOpThreads,
        executionProviders: init.executionProviders,
      });
    }
    tokenizer = await tok;
    const sub = init.text.subwordInput;
    if (sub !== null && !sessions.text.inputNames.includes(sub)) {
      throw new Error(`the text graph ${init.text.model} has no input "${sub}" (manifest text.tokenizer.subwords.input); its inputs: ${sessions.text.inputNames.join(', ')}`);
    }
  } catch (e) {
    reply({ type: 'init-error', message: (e as Error).message });
    return;
  }
  const ctx = tokenizer.contextLength;

  const asInput = (ids: Int32Array): FeedValue => (init.text.inputType === 'int64' ? widenToInt64(ids) : ids);

  /**
   * A run's feeds; for texts also how many window rows each text has (windows.ts). With a subword model the
   * batch's subword rows go to their own input, one set for all the batch's window rows (tokenizers/subwords.ts).
   */
  const feed = (msg: RunRequest): { feeds: Record<string, Feed>; encoded: EncodedWindows | null } => {
    if (msg.tower === 'text') {
      const encoded = tokenizer.encodeWindows(msg.texts);
      let { ids } = encoded;
      let width = ctx;
      if (init.text.trimPadding) ({ ids, width } = trimPaddingColumns(ids, encoded.rows, ctx));
      const feeds: Record<string, Feed> = { [init.text.input]: { data: asInput(ids), dims: [encoded.rows, width] } };
      const sub = encoded.subwords;
      if (init.text.subwordInput !== null) {
        if (!sub) throw new Error(`the text graph takes subword ids (${init.text.subwordInput}) but the tokenizer gave none`);
        feeds[init.text.subwordInput] = { data: asInput(sub.ids), dims: [sub.rows, sub.slots] };
      }
      return { feeds, encoded };
    }
    return { feeds: { [init.image.input]: { data: new Float32Array(msg.buffer), dims: [msg.n, ...init.image.itemDims] } }, encoded: null };
  };

  /** Per text, the window its row comes from: [index, count, start, end] and its readable text (and its coverage, when measured). */
  const describeWindows = (encoded: EncodedWindows, chosen: Int32Array | null): { windows: Int32Array; windowTexts: string[]; coverage?: Float64Array } => {
    const n = encoded.counts.length;
    const windows = new Int32Array(4 * n);
    const windowTexts: string[] = new Array(n);
    for (let t = 0; t < n; t++) {
      const index = chosen ? chosen[2 * t] : 0;
      const w = encoded.window(t, index);
      windows.set([index, encoded.counts[t], w.start, w.end], 4 * t);
      windowTexts[t] = w.text;
    }
    return { windows, windowTexts, ...(encoded.coverage ? { coverage: encoded.coverage } : {}) };
  };

  // Exit only between runs: releasing a session or ending the thread during a native run aborts the process.
  let running = false;
  let closing = false;
  const exit = async (): Promise<void> => {
    await Promise.all(Object.values(sessions).map((s) => s.release().catch(() => undefined)));
    process.exit(0);
  };
  parentPort!.on('message', async (msg: WorkerRequest) => {
    if (msg.type === 'close') {
      closing = true;
      if (!running) await exit();
      return;
    }
    if (closing) return;
    running = true;
    const t0 = performance.now();
    try {
      const tower = init[msg.tower];
      const { encoded, feeds } = feed(msg);
      const out = await runSession(sessions[msg.tower], feeds, [tower.output]);
      const result = out[tower.output];
      let data = finishOutput(result.data, result.dims, tower);
      let dims = result.dims;
      let described: ReturnType<typeof describeWindows> | undefined;
      if (encoded !== null && dims.length === 2) {
        let chosen: Int32Array | null = null;
        if (dims[0] !== encoded.counts.length) {
          ({ data, windows: chosen } = mostUnsafeWindows(data, dims[1], encoded.counts));
          dims = [encoded.counts.length, dims[1]];
        }
        described = describeWindows(encoded, chosen);
      }
      const transfer = [data.buffer as ArrayBuffer];
      if (described?.coverage) transfer.push(described.coverage.buffer as ArrayBuffer);
      reply({ type: 'result', id: msg.id, buffer: data.buffer as ArrayBuffer, dims, ms: performance.now() - t0, ...described }, transfer);
    } catch (e) {
      reply({ type: 'error', id: msg.id, message: (e as Error).message });
    } finally {
      running = false;
      if (closing) await exit();
    }
  });
  reply({ type: 'ready' });
}

// Only as a worker thread (tests may import widenToInt64 directly).
if (parentPort) void main();
