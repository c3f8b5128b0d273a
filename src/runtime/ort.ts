/**
 * The one module that imports onnxruntime-node. Everything else talks to ONNX Runtime through here.
 *
 * Note: `InferenceSession.run` computes on the calling thread. The gateway only calls `runSession` inside
 * worker threads (see pool.ts / worker.ts); tests and build tools may call it directly.
 */
import * as ort from 'onnxruntime-node';

export type OrtSession = ort.InferenceSession;

export interface SessionOptions {
  /** Threads for one operator (intra-op). 0 lets ONNX Runtime choose. */
  intraOpThreads?: number;
  /** Execution providers in order of preference, e.g. ['cuda', 'cpu']. Default ['cpu']. */
  executionProviders?: string[];
}

export type FeedValue = Float32Array | BigInt64Array | Int32Array;
export interface Feed {
  data: FeedValue;
  dims: number[];
}

/** Opens a session from a file path or from model bytes. */
export async function createSession(model: string | Uint8Array, options: SessionOptions = {}): Promise<OrtSession> {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: (options.executionProviders ?? ['cpu']) as ort.InferenceSession.SessionOptions['executionProviders'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.intraOpThreads ?? 0,
    interOpNumThreads: 1,
    // No busy-waiting in the intra-op pool between runs (it only exists with more than one intra-op thread):
    // spinning threads take the cores the event loop and the other workers need. With 2 threads on 2 cores,
    // 40 image runs 10 ms apart cost 510-740 ms CPU spinning, 320 ms not, and ran faster (test/bench/FINDINGS.md).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

function tensorType(data: FeedValue): 'float32' | 'int64' | 'int32' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'int32';
}

/** Runs a session; returns each requested output's data (float32) and dims. */
export async function runSession(
  session: OrtSession,
  feeds: Record<string, Feed>,
  outputNames?: string[],
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(tensorType(f.data), f.data, f.dims);
  const results = await session.run(ortFeeds, outputNames ?? session.outputNames);
  const out: Record<string, { data: Float32Array; dims: number[] }> = {};
  for (const [name, t] of Object.entries(results)) {
    const d = t.data;
    // Every output the gateway reads is float; other numeric outputs are converted (int64 via Number).
    const data = d instanceof Float32Array ? d : d instanceof BigInt64Array ? Float32Array.from(d, (x) => Number(x)) : Float32Array.from(d as ArrayLike<number>);
    out[name] = { data, dims: [...t.dims] };
  }
  return out;
}

export function sessionInputNames(session: OrtSession): readonly string[] {
  return session.inputNames;
}
export function sessionOutputNames(session: OrtSession): readonly string[] {
  return session.outputNames;
}
export async function releaseSession(session: OrtSession): Promise<void> {
  await session.release();
}
