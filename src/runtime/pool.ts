/**
 * A pool of model worker threads (worker.ts). One job runs on a worker at a time; jobs wait in a FIFO
 * queue here, so the pool always knows which workers are idle (the batcher uses that to decide when to
 * flush). A worker that crashes, fails to start, or exceeds the job timeout is taken out of service and
 * replaced; the job it held is rejected with MODEL_UNAVAILABLE, never resolved, so nothing passes unchecked.
 *
 * Why a timed-out worker is not `terminate()`d: terminating a thread while onnxruntime-node is inside
 * `session.run` tears down the N-API environment under the native call, which then throws across the
 * boundary and aborts the whole process ("terminate called after throwing an instance of Napi::Error").
 * So a worker that overruns is asked to exit (`close`) and does so as soon as its native call returns; a
 * replacement serves meanwhile. Only idle or already-dead workers are ever terminated.
 */
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { modelUnavailable } from '../errors';
import type { RunRequest, Tower, WorkerInit, WorkerReply } from './worker-protocol';

export interface PoolOptions {
  size: number;
  init: WorkerInit;
  /** Per-job timeout; a job over it fails and its worker is replaced. */
  timeoutMs: number;
  /** Called after every completed job (for metrics). */
  onRun?: (tower: Tower, ms: number) => void;
}

/** One model run: texts for the text tower (the worker tokenises them), or n preprocessed images back to back. */
export type JobInput = { tower: 'text'; texts: string[] } | { tower: 'image'; data: Float32Array; n: number };

export interface JobResult {
  data: Float32Array;
  dims: number[];
  /** Text runs: per text, [index, count, start, end] of the window its row comes from, and that window's text (worker-protocol.ts). */
  windows?: Int32Array;
  windowTexts?: string[];
  /** Text runs with a subword model: per text, its coverage (words read / all words). */
  coverage?: Float64Array;
}

interface Job {
  id: number;
  input: JobInput;
  resolve: (r: JobResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  /** Set when taken out of service (timeout/crash/close), so the exit handler does not double-report. */
  retired: boolean;
  /** A job is running inside the worker's native code (set between dispatch and its reply). */
  running: boolean;
}

/**
 * Takes a worker down without ever pulling the thread out from under a native ONNX Runtime call: an idle
 * worker is terminated; a busy one is told to exit after its current run (worker.ts handles `close`).
 */
function stopWorker(slot: Slot): void {
  if (slot.running) {
    try {
      slot.worker.postMessage({ type: 'close' });
    } catch {
      /* already gone */
    }
  } else {
    void slot.worker.terminate().catch(() => undefined);
  }
}

/** Resolves the worker script: compiled JS in production, the TypeScript source through tsx in tests/dev. */
function workerEntry(): { file: string; execArgv: string[] } {
  if (__filename.endsWith('.ts')) {
    return { file: path.join(__dirname, 'worker.ts'), execArgv: ['--require', require.resolve('tsx/cjs')] };
  }
  return { file: path.join(__dirname, 'worker.js'), execArgv: [] };
}

export class WorkerPool extends EventEmitter {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Consecutive start failures, for respawn back-off. */
  private failures = 0;
  private lastInitError = '';

  constructor(private readonly options: PoolOptions) {
    super();
  }

  /** Starts every worker; resolves when all are ready, rejects if none can start. */
  async start(): Promise<void> {
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.options.size; i++) starts.push(this.spawn(i));
    const results = await Promise.allSettled(starts);
    if (!results.some((r) => r.status === 'fulfilled')) {
      throw modelUnavailable(`no model worker could start: ${this.lastInitError}`);
    }
  }

  private spawn(index: number): Promise<void> {
    const { file, execArgv } = workerEntry();
    const worker = new Worker(file, { workerData: this.options.init, execArgv });
    const slot: Slot = { index, worker, ready: false, job: null, timer: null, retired: false, running: false };
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          this.failures = 0;
          resolve();
          this.emit('idle');
          this.pump();
        } else if (msg.type === 'init-error') {
          this.lastInitError = msg.message;
          reject(new Error(msg.message));
          this.retire(slot, `model worker failed to load the model: ${msg.message}`);
        } else {
          this.finish(slot, msg);
        }
      });
      worker.on('error', (err) => {
        // Typed unknown by newer @types/node (models/train's): a worker's 'error' is an Error in practice.
        const message = err instanceof Error ? err.message : String(err);
        this.lastInitError = message;
        reject(err);
        this.retire(slot, `model worker crashed: ${message}`);
      });
      worker.on('exit', (code) => {
        reject(new Error(`worker exited with code ${code}`));
        this.retire(slot, `model worker exited unexpectedly (code ${code})`);
      });
    });
  }

  /** Takes a slot out of service: fails its job, and (unless closing) starts a replacement. */
  private retire(slot: Slot, reason: string): void {
    if (this.slots[slot.index] !== slot || slot.retired) return;
    slot.retired = true;
    slot.ready = false;
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = null;
    if (job) job.reject(modelUnavailable(`inference failed: ${reason}; the worker is being replaced, retry the request`));
    stopWorker(slot);
    if (this.closed) return;
    this.emit('worker-replaced', reason);
    this.failures++;
    const delay = Math.min(5000, 50 * 2 ** Math.min(this.failures, 7));
    setTimeout(() => {
      if (this.closed) return;
      this.spawn(slot.index).catch(() => undefined);
    }, delay).unref();
    // With no live worker, queued jobs would wait for a replacement that may never come: fail them now.
    if (this.liveWorkers() === 0) this.failQueued(`no model worker is running (${reason})`);
  }

  private failQueued(reason: string): void {
    for (const job of this.queue.splice(0)) job.reject(modelUnavailable(`inference failed: ${reason}`));
  }

  private finish(slot: Slot, msg: Extract<WorkerReply, { type: 'result' | 'error' }>): void {
    slot.running = false;
    const job = slot.job;
    if (!job || job.id !== msg.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    if (msg.type === 'result') {
      this.options.onRun?.(job.input.tower, msg.ms);
      job.resolve({ data: new Float32Array(msg.buffer), dims: msg.dims, windows: msg.windows, windowTexts: msg.windowTexts, coverage: msg.coverage });
    } else {
      job.reject(modelUnavailable(`inference failed: ${msg.message}`));
    }
    this.emit('idle');
    this.pump();
  }

  /** Queues a model run. Rejects with MODEL_UNAVAILABLE on failure, timeout, or when no worker is alive. */
  run(input: JobInput): Promise<JobResult> {
    if (this.closed) return Promise.reject(modelUnavailable('inference failed: the model runtime is shutting down'));
    if (this.liveWorkers() === 0 && this.slots.length > 0 && this.startingWorkers() === 0) {
      return Promise.reject(modelUnavailable('inference failed: no model worker is running'));
    }
    return new Promise<JobResult>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot || !slot.ready || slot.job || slot.retired) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      const { input } = job;
      let req: RunRequest;
      const transfer: ArrayBuffer[] = [];
      if (input.tower === 'text') {
        req = { type: 'run', id: job.id, tower: 'text', texts: input.texts };
      } else {
        // Copy into an owned buffer only when the view does not cover its whole buffer; then transfer.
        const data = input.data.byteOffset === 0 && input.data.byteLength === input.data.buffer.byteLength ? input.data : input.data.slice();
        req = { type: 'run', id: job.id, tower: 'image', buffer: data.buffer as ArrayBuffer, n: input.n };
        transfer.push(req.buffer);
      }
      slot.timer = setTimeout(() => this.retire(slot, `a ${input.tower} batch exceeded the ${this.options.timeoutMs} ms inference timeout`), this.options.timeoutMs);
      slot.running = true;
      slot.worker.postMessage(req, transfer);
    }
  }

  /** Workers ready and not busy. */
  idleWorkers(): number {
    let n = 0; // a loop, not filter(): the batcher asks on every submit
    for (const s of this.slots) if (s && s.ready && !s.job && !s.retired) n++;
    return n;
  }
  liveWorkers(): number {
    return this.slots.filter((s) => s && s.ready && !s.retired).length;
  }
  private startingWorkers(): number {
    return this.slots.filter((s) => s && !s.ready && !s.retired).length;
  }
  queuedJobs(): number {
    return this.queue.length;
  }

  /** Test and fault-injection hook: terminates worker `index` as if it had crashed. */
  crashWorker(index = 0): void {
    const slot = this.slots[index];
    if (slot && !slot.running) void slot.worker.terminate();
  }

  /** Stops accepting work, waits for running jobs (up to `graceMs`), then terminates every worker. */
  async close(graceMs = 10000): Promise<void> {
    const deadline = Date.now() + graceMs;
    while ((this.slots.some((s) => s && s.job) || this.queue.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.closed = true;
    this.failQueued('the model runtime is shutting down');
    await Promise.all(
      this.slots.map(async (s) => {
        if (!s) return;
        s.retired = true;
        if (s.timer) clearTimeout(s.timer);
        s.job?.reject(modelUnavailable('inference failed: the model runtime is shutting down'));
        s.job = null;
        const exited = new Promise<void>((resolve) => s.worker.once('exit', () => resolve()));
        stopWorker(s);
        // A worker still inside a native run exits when it returns; don't hold shutdown for it.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      }),
    );
  }
}
