/**
 * Messages between the main thread (pool.ts) and a model worker (worker.ts). Buffers are transferred, not
 * copied.
 *
 * The worker does everything around a model run that does not need the main thread: it tokenises texts,
 * widens token ids to int64 when the graph wants them, runs the session and applies the exponential map to
 * tangent outputs. The main event loop only batches, posts and splits rows: under load it is the serial
 * part of the gateway (HTTP, GraphQL), so work moved off it is throughput gained (test/bench/FINDINGS.md).
 */
import type { TokenizerSpec } from './manifest-types';

export type Tower = 'text' | 'image';

/** One tower as a worker runs it. */
export interface TowerInit {
  /** Absolute path of the ONNX file. */
  model: string;
  /** Graph input and output names. */
  input: string;
  output: string;
  /** Tangent outputs: the worker returns expMap0(alpha * v) on the hyperboloid of curvature -c. Null: the graph's output is returned as it is. */
  lift: { curvature: number; alpha: number } | null;
}

export interface WorkerInit {
  text: TowerInit & {
    /** Element type of the token-id input. */
    inputType: 'int64' | 'int32';
    /** The bundle's tokenizer, loaded by every worker from `bundleDir`. */
    tokenizer: TokenizerSpec;
    bundleDir: string;
    /** Cut each batch's ids to its longest row (manifest text.trimPadding). */
    trimPadding: boolean;
    /** The graph's subword-id input (manifest text.tokenizer.subwords.input), fed the batch's subword rows; null without a subword model. */
    subwordInput: string | null;
  };
  image: TowerInit & {
    /** Dimensions of one preprocessed image ([3, s, s] for NCHW, [s, s, 3] for NHWC). */
    itemDims: number[];
  };
  intraOpThreads: number;
  executionProviders: string[];
}

export interface TextRunRequest {
  type: 'run';
  id: number;
  tower: 'text';
  /** The texts to embed (the worker tokenises them). */
  texts: string[];
}

export interface ImageRunRequest {
  type: 'run';
  id: number;
  tower: 'image';
  /** n preprocessed images back to back, float32 (transferred). */
  buffer: ArrayBuffer;
  n: number;
}

export type RunRequest = TextRunRequest | ImageRunRequest;

export type WorkerRequest = RunRequest | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  /**
   * buffer: float32 [dims[0], dims[1]], lifted onto the hyperboloid when the tower's `lift` is set; one row per
   * text or image. Text runs also say, per text, which window its row comes from (its most unsafe):
   * `windows` holds [index, count, start, end] per text (start/end in its content tokens) and `windowTexts`
   * that window's readable tokens; with a subword model, `coverage` holds each text's coverage (words read / all
   * words, tokenizers/types.ts EncodedWindows.coverage).
   */
  | { type: 'result'; id: number; buffer: ArrayBuffer; dims: number[]; ms: number; windows?: Int32Array; windowTexts?: string[]; coverage?: Float64Array }
  | { type: 'error'; id: number; message: string };
