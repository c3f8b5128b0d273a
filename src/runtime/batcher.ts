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
 *    longer than `maxWaitMs`: then one batch is queued in the pool, ready for the next free worker;
 *  - a batch never exceeds `maxBatch` items, nor `maxBatchCost` (when set; one item over it runs alone);
 *    a larger backlog is split into several batches.
 *
 * Fairness (why the backlog stays here): every item carries its client's key (the API key's name, else the
 * client address; server/usage.ts), and a batch is formed round-robin across the clients that have items
 * waiting, one item from each in turn, continuing where the previous batch stopped. So a client with 5,000
 * queued texts and a client with one share every batch: the one text leaves in the next batch, not after
 * the backlog. That only works while the backlog waits here, in per-client queues, rather than in the pool's
 * FIFO queue: so at most one batch is queued in the pool ahead of a free worker (the `maxWaitMs` case, or a
 * backlog that already fills a batch; one from each batcher, text and image, when both have work), the rest
 * waits for `idle`. And since a worker runs one batch at a
 * time, a batch must not be long: `maxBatchCost` bounds its work (texts: characters, which tokenising and
 * the number of token windows are linear in), so the next client's turn is never more than one short batch
 * per worker away. Items of one client keep their order.
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
 * BATCH_MAX_TEXT_CHARS (8,192) leaves ordinary traffic alone (64 prompts of up to 128 characters still make one
 * batch; more characters only split it into batches of a few dozen, where the per-item cost is already near
 * its floor), and holds a batch of the longest, most hostile texts (four of 2,000 characters) to about 10 ms of
 * tokenising for spaced letters and at most ~60 ms for the dearest de-obfuscation (word-tokens.ts states the
 * per-character bound), plus one model row per 48 tokens. Measured (test/faults/fair-queueing.test.ts, hysac-mini,
 * one worker, 2 cores): while one client's 8 requests of 50 such texts ran for ~5 s, another client's one-word
 * classify was answered in 140-190 ms; with the single FIFO queue before, it waited for all of them.
 */
import type { WorkerPool } from './pool';

export interface BatcherOptions<I, O> {
  pool: WorkerPool;
  maxBatch: number;
  maxWaitMs: number;
  /** Most total `cost` in one batch; an item costing more runs alone. Default: no limit. */
  maxBatchCost?: number;
  /** An item's cost (texts: characters). Default: 1 an item. */
  cost?: (item: I) => number;
  /** Runs one batch; must return exactly one output per input, in order. */
  run: (items: I[]) => Promise<O[]>;
}

interface Pending<I, O> {
  item: I;
  cost: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

/** The key of items submitted without one (the CLI, start-up work, internal callers). */
export const INTERNAL_CLIENT = 'internal';

export class Batcher<I, O> {
  /** Waiting items per client; a client is here only while it has items waiting. */
  private readonly queues = new Map<string, Pending<I, O>[]>();
  /** Clients with waiting items, in turn order: the next batch starts with ring[0], new clients join at the end. */
  private ring: string[] = [];
  private count = 0;
  private totalCost = 0;
  /** When the items now waiting started waiting with every worker busy (null: nothing waits). */
  private holdingSince: number | null = null;
  /** Batches handed to the pool and not finished yet (running or queued there). */
  private inFlight = 0;
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxBatchCost: number;
  private readonly cost: (item: I) => number;

  constructor(private readonly options: BatcherOptions<I, O>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be an integer >= 1, got ${options.maxBatch}`);
    if (!(options.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be >= 0, got ${options.maxWaitMs}`);
    if (options.maxBatchCost !== undefined && !(options.maxBatchCost > 0)) throw new RangeError(`maxBatchCost must be > 0, got ${options.maxBatchCost}`);
    this.maxBatchCost = options.maxBatchCost ?? Infinity;
    this.cost = options.cost ?? (() => 1);
    options.pool.on('idle', () => {
      if (this.count) this.flushSoon();
    });
  }

  /** Submits items for `client` (default INTERNAL_CLIENT); resolves with their outputs in order. */
  submit(items: I[], client: string = INTERNAL_CLIENT): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    let queue = this.queues.get(client);
    if (queue === undefined) {
      queue = [];
      this.queues.set(client, queue);
      this.ring.push(client);
    }
    const q = queue;
    const outputs = items.map(
      (item) =>
        new Promise<O>((resolve, reject) => {
          const cost = this.cost(item);
          q.push({ item, cost, resolve, reject });
          this.count++;
          this.totalCost += cost;
        }),
    );
    this.schedule();
    return Promise.all(outputs);
  }

  /** Items waiting for a batch. */
  get waiting(): number {
    return this.count;
  }

  /** Clients with items waiting. */
  get waitingClients(): number {
    return this.ring.length;
  }

  /** Arranges the next flush: now (a worker is idle), on a timer (maxWaitMs), or on the pool's next `idle`. */
  private schedule(): void {
    if (this.options.pool.idleWorkers() > 0) {
      this.flushSoon();
      return;
    }
    this.holdingSince ??= performance.now();
    // A batch of ours waits in the pool already: nothing can leave before the next `idle`, which flushes.
    if (!this.canQueue()) return;
    const left = this.options.maxWaitMs - (performance.now() - this.holdingSince);
    if (this.fullBatchWaiting() || left <= 0) {
      this.flushSoon();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, Math.ceil(left));
    }
  }

  /**
   * Whether a batch may be queued in the pool while every worker is busy: only when nothing is queued there
   * yet, or when this batcher has nothing in flight at all (the text and image batchers share the pool, and
   * neither may keep the other's batches out of its queue).
   */
  private canQueue(): boolean {
    return this.options.pool.queuedJobs() === 0 || this.inFlight === 0;
  }

  private fullBatchWaiting(): boolean {
    return this.count >= this.options.maxBatch || this.totalCost >= this.maxBatchCost;
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
    const pool = this.options.pool;
    while (this.count > 0) {
      if (pool.idleWorkers() === 0) {
        // Every worker busy: queue one batch in the pool (first in line for the next free worker) when the
        // backlog fills one or has waited maxWaitMs, and when canQueue; the rest waits here, where the next
        // batch is formed fairly, until `idle` (or the timer schedule() arms).
        const waited = this.holdingSince !== null && performance.now() - this.holdingSince >= this.options.maxWaitMs;
        if (!(waited || this.fullBatchWaiting()) || !this.canQueue()) break;
      }
      this.dispatch(this.takeBatch());
      this.holdingSince = null;
    }
    if (this.count > 0) this.schedule();
    else this.holdingSince = null;
  }

  /** The next batch, round-robin across clients from ring[0], within maxBatch and maxBatchCost. */
  private takeBatch(): Pending<I, O>[] {
    const { maxBatch } = this.options;
    const batch: Pending<I, O>[] = [];
    let cost = 0;
    const n = this.ring.length;
    const blocked = new Array<boolean>(n).fill(false);
    let lastServed = -1;
    for (let progress = true; progress && batch.length < maxBatch; ) {
      progress = false;
      for (let slot = 0; slot < n && batch.length < maxBatch; slot++) {
        if (blocked[slot]) continue;
        const queue = this.queues.get(this.ring[slot])!;
        const head = queue[0];
        if (head === undefined) continue;
        if (batch.length > 0 && cost + head.cost > this.maxBatchCost) {
          blocked[slot] = true; // its next item does not fit: the other clients may still add theirs
          continue;
        }
        queue.shift();
        batch.push(head);
        cost += head.cost;
        lastServed = slot;
        progress = true;
      }
    }
    this.count -= batch.length;
    this.totalCost -= cost;
    // Drop clients left with nothing; the next batch starts with the client after the last one served.
    const next = lastServed < 0 ? 0 : (lastServed + 1) % n;
    const ring: string[] = [];
    for (let k = 0; k < n; k++) {
      const slot = (next + k) % n;
      const client = this.ring[slot];
      if (this.queues.get(client)!.length > 0) ring.push(client);
      else this.queues.delete(client);
    }
    this.ring = ring;
    return batch;
  }

  private dispatch(batch: Pending<I, O>[]): void {
    this.inFlight++;
    let running: Promise<O[]>;
    try {
      // Called synchronously, so that the pool marks a worker busy before the flush loop asks again.
      running = this.options.run(batch.map((p) => p.item));
    } catch (e) {
      running = Promise.reject(e); // a run that throws before it starts still answers every caller
    }
    running
      .then((outs) => {
        if (outs.length !== batch.length) throw new Error(`batch returned ${outs.length} outputs for ${batch.length} inputs`);
        batch.forEach((p, i) => p.resolve(outs[i]));
      })
      .catch((e) => batch.forEach((p) => p.reject(e)))
      .finally(() => this.inFlight--);
  }
}
