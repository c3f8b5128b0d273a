/** Messages between the main thread (pool.ts) and a model worker (worker.ts). Buffers are transferred, not copied. */

export type Tower = 'text' | 'image';

export interface WorkerInit {
  /** Absolute paths of the ONNX files, by tower. */
  models: Record<Tower, string>;
  intraOpThreads: number;
  executionProviders: string[];
}

export interface RunRequest {
  type: 'run';
  id: number;
  tower: Tower;
  inputName: string;
  outputName: string;
  dtype: 'float32' | 'int64' | 'int32';
  buffer: ArrayBuffer;
  dims: number[];
}

export type WorkerRequest = RunRequest | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; buffer: ArrayBuffer; dims: number[]; ms: number }
  | { type: 'error'; id: number; message: string };
