/**
 * Cross-request batching. DataLoader batches within one GraphQL request; under real traffic most requests
 * carry one prompt, so items from concurrent requests are coalesced here into one model run.
 *
 * Scheduling (why it looks like this): a model run costs a fixed overhead plus a per-item cost, and a
 * worker can run only one batch at a time. So:
 *  - when a worker is idle, waiting only adds latency: flush on the next turn of the event loop
 *    (`setImmediate`), which still gathers everything that arrived in the same tick (e.g. all the
 *    DataLoader batches of concurrently parsed requests);
 *  - when every worker is busy, an item cannot start before a worker frees anyway: hold items until the
 *    pool reports `idle`, so they leave as one big batch instead of many small queued ones, but never
 *    longer than `maxWaitMs` (then the batch is queued in the pool as it is);
 *  - a batch never exceeds `maxBatch` items; a larger backlog is split into several batches.
 * When a whole batch fails, every caller in it is rejected with the same error, so none hangs.
 */
import type { WorkerPool } from './pool';

export interface BatcherOptions<I, O> {
  pool: WorkerPool;
  maxBatch: number;
  maxWaitMs: number;
  /** Runs one batch; must return exactly one output per input, in order. */
  run: (items: I[]) => Promise<O[]>;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class Batcher<I, O> {
  private pending: Pending<I, O>[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BatcherOptions<I, O>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be an integer >= 1, got ${options.maxBatch}`);
    if (!(options.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be >= 0, got ${options.maxWaitMs}`);
    options.pool.on('idle', () => {
      if (this.pending.length) this.flushSoon();
    });
  }

  /** Submits items; resolves with their outputs in order. */
  submit(items: I[]): Promise<O[]> {
    const outputs = items.map((item) => new Promise<O>((resolve, reject) => this.pending.push({ item, resolve, reject })));
    this.schedule();
    return Promise.all(outputs);
  }

  /** Items waiting for a batch. */
  get waiting(): number {
    return this.pending.length;
  }

  private schedule(): void {
    if (this.pending.length >= this.options.maxBatch || this.options.pool.idleWorkers() > 0) {
      this.flushSoon();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.options.maxWaitMs);
    }
  }

  private flushSoon(): void {
    if (this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      this.flush();
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.options
        .run(batch.map((p) => p.item))
        .then((outs) => {
          if (outs.length !== batch.length) throw new Error(`batch returned ${outs.length} outputs for ${batch.length} inputs`);
          batch.forEach((p, i) => p.resolve(outs[i]));
        })
        .catch((e) => batch.forEach((p) => p.reject(e)));
      // Leave the rest for idle workers if the pool is saturated: they will be flushed on `idle`.
      if (this.options.pool.idleWorkers() === 0 && this.pending.length < this.options.maxBatch) break;
    }
    if (this.pending.length) this.schedule();
  }
}
