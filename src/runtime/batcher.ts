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
 *
 * The defaults (BATCH_MAX_SIZE 64, BATCH_MAX_WAIT_MS 5, config.ts), from measurements on 2 cores
 * (test/bench/FINDINGS.md): a text run costs a fixed ~40 us plus the per-item work (hysac-mini-shaped tower:
 * ~61 us an item alone, ~25 us an item in batches of 32, no better past 64), so almost all of the gain is in by
 * 32-64 items, while 64 items keep one text run near 1.6 ms, short enough not to hold a worker from the next
 * batch. Under 64 concurrent clients batches come out at ~20-30 items by themselves (the "flush when a worker
 * is idle" rule), and BATCH_MAX_SIZE 16 vs 64 or BATCH_MAX_WAIT_MS 1 vs 5 made no difference beyond the
 * machine's noise; switching batching off (BATCH_MAX_SIZE=1) cost ~1.9x throughput. The wait only matters when
 * every worker is busy (a heavy model): then 5 ms lets the backlog leave as one batch instead of many small
 * queued ones, and adds at most 5 ms to an item that would have queued anyway. Images are capped lower
 * (IMAGE_BATCH_MAX_SIZE, see model-runtime.ts): a convolutional tower gets dearer per image in big batches.
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
