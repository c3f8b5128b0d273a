/**
 * The model runtime facade: text and images in, points on the hyperboloid out.
 *
 * Texts and images (preprocessed with sharp, off the event loop, in libuv's pool) are batched across
 * requests (batcher.ts) into model runs on worker threads (pool.ts). The workers tokenise the texts and,
 * when the bundle's graphs output tangent vectors, apply HySAC's alpha scale and the exponential map at
 * the origin, so every caller sees space components on the hyperboloid. Both used to run here, on the
 * main event loop; moving them to the workers took that per-item work off the gateway's serial part
 * (test/bench/FINDINGS.md). `tokenize` still encodes on this thread, for the CLI and tests.
 */
import * as path from 'node:path';
import { Batcher } from './batcher';
import type { Bundle } from './bundle';
import { WorkerPool, type JobInput } from './pool';
import type { Tower } from './worker-protocol';

export interface RuntimeOptions {
  workers: number;
  intraOpThreads: number;
  executionProviders: string[];
  batchMaxSize: number;
  /**
   * Most images in one model run (IMAGE_BATCH_MAX_SIZE; default BATCH_MAX_SIZE, so a 64-image document is one
   * run). Trade-off measured in test/bench/FINDINGS.md: nsfwjs's MobileNetV2 in ONNX Runtime (1 thread)
   * costs about 6.5 ms CPU an image in batches of 1 to 4, 7.5 ms at 8 and 8.3 ms at 16, and small batches
   * spread a burst over every worker; a deployment that mostly sees image bursts may set 4.
   */
  imageBatchMaxSize?: number;
  /**
   * Most characters of text in one model run (BATCH_MAX_TEXT_CHARS; default: no limit). A worker runs one batch
   * at a time and its tokenising and token windows grow with the characters, so this bounds how long one
   * batch holds a worker from the next client's turn (batcher.ts). A longer text runs alone.
   */
  batchMaxTextChars?: number;
  batchMaxWaitMs: number;
  inferenceTimeoutMs: number;
  /** Called after each model run: which tower, how many items, milliseconds in the worker. */
  onBatch?: (tower: Tower, items: number, ms: number) => void;
}


/** Which window of a text its embedding comes from (GraphQL Classification.window). */
export interface TextWindowInfo {
  index: number;
  count: number;
  start: number;
  end: number;
  text: string;
}

/** What the worker reported about how it read a text: its deciding window and its coverage (null: not measured). */
interface TextReading extends TextWindowInfo {
  coverage: number | null;
}

export class ModelRuntime {
  private readonly textBatcher: Batcher<string, Float32Array>;
  private readonly imageBatcher: Batcher<Float32Array, Float32Array>;
  private warmedUp = false;
  /** Window and coverage of each text's row, keyed by the row itself (rows are unique views; entries go with them). */
  private readonly readingOf = new WeakMap<Float32Array, TextReading>();

  private constructor(
    readonly bundle: Bundle,
    readonly pool: WorkerPool,
    private readonly options: RuntimeOptions,
  ) {
    const common = { pool, maxBatch: options.batchMaxSize, maxWaitMs: options.batchMaxWaitMs };
    this.textBatcher = new Batcher({ ...common, maxBatchCost: options.batchMaxTextChars, cost: (text) => text.length, run: (texts) => this.runText(texts) });
    this.imageBatcher = new Batcher({ ...common, maxBatch: options.imageBatchMaxSize ?? options.batchMaxSize, run: (px) => this.runImages(px) });
  }

  /** Starts the worker pool on `bundle` and runs one warm-up inference per tower. */
  static async start(bundle: Bundle, options: RuntimeOptions): Promise<ModelRuntime> {
    const m = bundle.manifest;
    const lift = (tower: Tower) => (m.outputs === 'tangent' ? { curvature: m.curvature, alpha: m.alpha[tower] } : null);
    const s = m.image.preprocess.size;
    const pool = new WorkerPool({
      size: options.workers,
      timeoutMs: options.inferenceTimeoutMs,
      init: {
        text: {
          model: path.join(bundle.dir, m.text.model),
          input: m.text.input,
          output: m.text.output,
          lift: lift('text'),
          inputType: m.text.inputType,
          tokenizer: m.text.tokenizer,
          bundleDir: bundle.dir,
          trimPadding: m.text.trimPadding ?? false,
          subwordInput: m.text.tokenizer.type === 'word' ? (m.text.tokenizer.subwords?.input ?? null) : null,
        },
        image: {
          model: path.join(bundle.dir, m.image.model),
          input: m.image.input,
          output: m.image.output,
          lift: lift('image'),
          itemDims: m.image.preprocess.layout === 'NCHW' ? [3, s, s] : [s, s, 3],
        },
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
      jobs.push(this.runText(['warm up']));
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

  /**
   * Embeds texts (batched across requests); returns space components, one row per text. `client` (the API
   * key's name or the client address; server/usage.ts) is whose turn the texts take in the batcher's
   * round-robin; without it they share one turn with every other internal caller.
   */
  embedTexts(texts: string[], client?: string): Promise<Float32Array[]> {
    return this.textBatcher.submit(texts, client);
  }

  /** Embeds preprocessed image tensors (see image/preprocess.ts); returns space components. `client`: see embedTexts. */
  embedImageTensors(tensors: Float32Array[], client?: string): Promise<Float32Array[]> {
    return this.imageBatcher.submit(tensors, client);
  }

  private runText(texts: string[]): Promise<Float32Array[]> {
    return this.run({ tower: 'text', texts }, texts.length);
  }

  private runImages(px: Float32Array[]): Promise<Float32Array[]> {
    const s = this.bundle.manifest.image.preprocess.size;
    const n = px.length;
    const per = 3 * s * s;
    const data = new Float32Array(n * per);
    px.forEach((p, i) => data.set(p, i * per));
    return this.run({ tower: 'image', data, n }, n);
  }

  private async run(input: JobInput, n: number): Promise<Float32Array[]> {
    const t0 = performance.now();
    const out = await this.pool.run(input);
    const dim = this.dim;
    if (out.dims.length !== 2 || out.dims[0] !== n || out.dims[1] !== dim) {
      throw new Error(`the ${input.tower} model returned shape [${out.dims.join(', ')}], expected [${n}, ${dim}] (manifest embeddingDim)`);
    }
    this.options.onBatch?.(input.tower, n, performance.now() - t0);
    // Rows are views of the batch's buffer (the worker made it for us): no copy per row.
    const rows: Float32Array[] = new Array(n);
    for (let i = 0; i < n; i++) rows[i] = out.data.subarray(i * dim, (i + 1) * dim);
    const w = out.windows;
    const cov = out.coverage;
    if (w && out.windowTexts) {
      for (let i = 0; i < n; i++) {
        this.readingOf.set(rows[i], { index: w[4 * i], count: w[4 * i + 1], start: w[4 * i + 2], end: w[4 * i + 3], text: out.windowTexts[i], coverage: cov ? cov[i] : null });
      }
    }
    return rows;
  }

  /**
   * For a row `embedTexts` returned: which window of its text it is (tokenizers/windows.ts; the row is the most
   * unsafe window's), its span in the text's content tokens and its readable tokens. Worked out in the worker,
   * which tokenised the text anyway: asking costs the main thread nothing. Null for any other row.
   */
  textWindow(row: Float32Array): TextWindowInfo | null {
    return this.readingOf.get(row) ?? null;
  }

  /**
   * For a row `embedTexts` returned: its text's coverage, the share of its words the model read (from the
   * vocabulary or by subwords; 1 for a text with no words), measured in the worker like the window. Null for
   * any other row, and for a bundle whose tokenizer does not measure it (no subword model).
   */
  textCoverage(row: ArrayLike<number>): number | null {
    return row instanceof Float32Array ? (this.readingOf.get(row)?.coverage ?? null) : null;
  }

  async close(graceMs?: number): Promise<void> {
    await this.pool.close(graceMs);
  }
}
