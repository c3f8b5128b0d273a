/**
 * The model runtime facade: text and images in, points on the hyperboloid out.
 *
 * Text is tokenised here (cheap), images are preprocessed with sharp (off the event loop, in libuv's
 * pool), and both are batched across requests (batcher.ts) into model runs on worker threads (pool.ts).
 * When the bundle's graphs output tangent vectors, the runtime applies HySAC's alpha scale and the
 * exponential map at the origin, so every caller sees space components on the hyperboloid.
 */
import * as path from 'node:path';
import { expMap0Batch } from '../geometry';
import { Batcher } from './batcher';
import type { Bundle } from './bundle';
import { WorkerPool } from './pool';
import type { Tower } from './worker-protocol';

export interface RuntimeOptions {
  workers: number;
  intraOpThreads: number;
  executionProviders: string[];
  batchMaxSize: number;
  batchMaxWaitMs: number;
  inferenceTimeoutMs: number;
  /** Called after each model run: which tower, how many items, milliseconds in the worker. */
  onBatch?: (tower: Tower, items: number, ms: number) => void;
}

export class ModelRuntime {
  private readonly textBatcher: Batcher<Int32Array, Float32Array>;
  private readonly imageBatcher: Batcher<Float32Array, Float32Array>;
  private warmedUp = false;

  private constructor(
    readonly bundle: Bundle,
    readonly pool: WorkerPool,
    private readonly options: RuntimeOptions,
  ) {
    const common = { pool, maxBatch: options.batchMaxSize, maxWaitMs: options.batchMaxWaitMs };
    this.textBatcher = new Batcher({ ...common, run: (ids) => this.runText(ids) });
    this.imageBatcher = new Batcher({ ...common, run: (px) => this.runImages(px) });
  }

  /** Starts the worker pool on `bundle` and runs one warm-up inference per tower. */
  static async start(bundle: Bundle, options: RuntimeOptions): Promise<ModelRuntime> {
    const m = bundle.manifest;
    const pool = new WorkerPool({
      size: options.workers,
      timeoutMs: options.inferenceTimeoutMs,
      init: {
        models: { text: path.join(bundle.dir, m.text.model), image: path.join(bundle.dir, m.image.model) },
        intraOpThreads: options.intraOpThreads,
        executionProviders: options.executionProviders,
      },
    });
    await pool.start();
    const runtime = new ModelRuntime(bundle, pool, options);
    await runtime.warmUp();
    return runtime;
  }

  get dim(): number {
    return this.bundle.manifest.embeddingDim;
  }
  get curvature(): number {
    return this.bundle.manifest.curvature;
  }

  /** One inference per tower on every worker, so sessions are initialised before traffic arrives. */
  async warmUp(): Promise<void> {
    const size = this.bundle.manifest.image.preprocess.size;
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < this.options.workers; i++) {
      jobs.push(this.runText([this.bundle.tokenizer.encode('warm up')]));
      jobs.push(this.runImages([new Float32Array(3 * size * size)]));
    }
    await Promise.all(jobs);
    this.warmedUp = true;
  }

  /** True when the model is loaded, warmed up, and at least one worker is alive. */
  ready(): boolean {
    return this.warmedUp && this.pool.liveWorkers() > 0;
  }

  /** Token ids exactly as the text tower receives them. */
  tokenize(text: string): Int32Array {
    return this.bundle.tokenizer.encode(text);
  }

  /** Embeds texts (batched across requests); returns space components, one row per text. */
  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return this.textBatcher.submit(texts.map((t) => this.bundle.tokenizer.encode(t)));
  }

  /** Embeds preprocessed image tensors (see image/preprocess.ts); returns space components. */
  embedImageTensors(tensors: Float32Array[]): Promise<Float32Array[]> {
    return this.imageBatcher.submit(tensors);
  }

  private async runText(ids: Int32Array[]): Promise<Float32Array[]> {
    const t = this.bundle.manifest.text;
    const ctx = t.tokenizer.contextLength;
    const n = ids.length;
    let data: BigInt64Array | Int32Array;
    if (t.inputType === 'int64') {
      data = new BigInt64Array(n * ctx);
      for (let r = 0; r < n; r++) for (let j = 0; j < ctx; j++) data[r * ctx + j] = BigInt(ids[r][j]);
    } else {
      data = new Int32Array(n * ctx);
      for (let r = 0; r < n; r++) data.set(ids[r], r * ctx);
    }
    return this.run('text', t.input, t.output, t.inputType, data, [n, ctx], n);
  }

  private async runImages(px: Float32Array[]): Promise<Float32Array[]> {
    const im = this.bundle.manifest.image;
    const s = im.preprocess.size;
    const n = px.length;
    const per = 3 * s * s;
    const data = new Float32Array(n * per);
    px.forEach((p, i) => data.set(p, i * per));
    const dims = im.preprocess.layout === 'NCHW' ? [n, 3, s, s] : [n, s, s, 3];
    return this.run('image', im.input, im.output, 'float32', data, dims, n);
  }

  private async run(tower: Tower, inputName: string, outputName: string, dtype: 'float32' | 'int64' | 'int32', data: Float32Array | BigInt64Array | Int32Array, dims: number[], n: number): Promise<Float32Array[]> {
    const t0 = performance.now();
    const out = await this.pool.run({ tower, inputName, outputName, dtype, data, dims });
    const dim = this.dim;
    if (out.dims.length !== 2 || out.dims[0] !== n || out.dims[1] !== dim) {
      throw new Error(`the ${tower} model returned shape [${out.dims.join(', ')}], expected [${n}, ${dim}] (manifest embeddingDim)`);
    }
    const m = this.bundle.manifest;
    const lifted = m.outputs === 'tangent' ? expMap0Batch({ data: out.data, rows: n, dim }, m.curvature, m.alpha[tower]).data : out.data;
    this.options.onBatch?.(tower, n, performance.now() - t0);
    const rows: Float32Array[] = [];
    for (let i = 0; i < n; i++) rows.push(lifted.slice(i * dim, (i + 1) * dim));
    return rows;
  }

  async close(graceMs?: number): Promise<void> {
    await this.pool.close(graceMs);
  }
}
