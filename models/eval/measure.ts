/**
 * Runs one model bundle over every evaluation input through the gateway's own code path (openServices:
 * bundle check, tokenizer, ONNX towers in worker threads, SafetyService.verdict and redirect), and returns
 * raw per-item results. Every bundle measured in a run goes through this same function; nothing here
 * formats or judges.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveConfig } from '../../src/config';
import { openServices } from '../../src/main';
import { decodeImageInput, preprocessImage } from '../../src/runtime/image';
import type { Manifest } from '../../src/runtime/manifest-types';
import type { Services } from '../../src/services';
import type { PairSet, SafeImage } from './datasets';

/** Texts sent per embedTexts call (as many calls in flight as model workers). */
export const CHUNK = 256;

export interface TextInput {
  id: string;
  texts: string[];
}

export interface Scored {
  distance: number[];
  unsafe: boolean[];
}

export interface ImageResult {
  distance: number | null;
  unsafe: boolean | null;
  error: string | null;
}

export interface EditResult {
  set: PairSet;
  outputs: (string | null)[];
  errors: (string | null)[];
  redirected: boolean[];
  /** Redirected by the fallback (the outcome's strategy is not EDIT). */
  fellBack: boolean[];
  outputSafe: boolean[];
  /** Whether the model flagged the input (an edit was needed). */
  inputUnsafe: boolean[];
}

export interface RetrieveResult {
  set: PairSet;
  /** Indices (into set.unsafe) of the inputs the model flags: the ones RETRIEVE has to move. */
  flagged: number[];
  /** Per flagged input: whether the retrieved prompt's entailment cone contains the traversed query. */
  entailed: boolean[];
  errors: (string | null)[];
}

export interface BundleRun {
  label: string;
  dir: string;
  manifest: Manifest;
  manifestSha: string;
  openMs: number;
  scores: Map<string, Scored>;
  images: ImageResult[];
  /** Null with a reason when the build has no redirect. */
  edit: EditResult[] | null;
  retrieve: RetrieveResult[] | null;
  redirectNote: string | null;
  timing: { textMs: number; textN: number; imageMs: number; redirectMs: number; redirectN: number };
  engine: { workers: number; threads: number; batchMaxSize: number; executionProviders: string[] };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function scoreTexts(services: Services, texts: string[]): Promise<Scored> {
  const chunks: string[][] = [];
  for (let i = 0; i < texts.length; i += CHUNK) chunks.push(texts.slice(i, i + CHUNK));
  const results = await mapLimit(chunks, Math.max(1, services.config.workers), async (chunk) => {
    const vecs = await services.runtime.embedTexts(chunk);
    return vecs.map((v) => services.safety.verdict(v, 'TEXT'));
  });
  const verdicts = results.flat();
  return { distance: verdicts.map((v) => v.distance), unsafe: verdicts.map((v) => v.unsafe) };
}

type RedirectTextFn = (text: string, strategy: 'RETRIEVE' | 'EDIT') => Promise<{ output: string | null; redirected: boolean; strategy?: string; entailed?: boolean }>;

function redirectTextOf(services: Services): RedirectTextFn | null {
  const safety = services.safety as unknown as { redirectText?: unknown };
  return typeof safety.redirectText === 'function' ? (safety.redirectText as RedirectTextFn).bind(services.safety) : null;
}

export interface MeasureInput {
  label: string;
  dir: string;
  texts: TextInput[];
  images: SafeImage[];
  /** Pair files for redirect; their unsafe side must also be among `texts` under the id `<pair id>:unsafe`. */
  pairs: PairSet[];
  /** At most this many unsafe-side prompts per pair file go through redirect (all when null). */
  redirectLimit: number | null;
  log: (msg: string) => void;
}

export async function measureBundle(input: MeasureInput): Promise<BundleRun> {
  const tOpen = performance.now();
  const services = await openServices(resolveConfig(process.env, { modelDir: input.dir }));
  const openMs = performance.now() - tOpen;
  const manifest = services.runtime.bundle.manifest;
  input.log(`${input.label}: bundle ${manifest.name} at ${input.dir} open (${Math.round(openMs)} ms, ${services.config.workers} workers)`);
  try {
    const timing = { textMs: 0, textN: 0, imageMs: 0, redirectMs: 0, redirectN: 0 };
    const scores = new Map<string, Scored>();
    for (const t of input.texts) {
      const t0 = performance.now();
      scores.set(t.id, await scoreTexts(services, t.texts));
      timing.textMs += performance.now() - t0;
      timing.textN += t.texts.length;
    }
    input.log(`${input.label}: ${timing.textN} texts embedded`);

    // Safe images: the gateway's own path (base64 -> decodeImageInput -> preprocessImage -> image tower).
    const tImg = performance.now();
    const spec = manifest.image.preprocess;
    const prepared = await mapLimit(input.images, 4, async (im) => {
      try {
        const b64 = fs.readFileSync(im.path).toString('base64');
        const bytes = decodeImageInput(b64, services.imageLimits);
        return { tensor: await preprocessImage(bytes, spec, services.imageLimits), error: null as string | null };
      } catch (e) {
        return { tensor: null, error: message(e) };
      }
    });
    const okIdx = prepared.map((p, i) => (p.tensor ? i : -1)).filter((i) => i >= 0);
    const imgVecs = okIdx.length ? await services.runtime.embedImageTensors(okIdx.map((i) => prepared[i].tensor!)) : [];
    const images: ImageResult[] = prepared.map((p) => ({ distance: null, unsafe: null, error: p.error }));
    okIdx.forEach((i, j) => {
      const v = services.safety.verdict(imgVecs[j], 'IMAGE');
      images[i] = { distance: v.distance, unsafe: v.unsafe, error: null };
    });
    timing.imageMs = performance.now() - tImg;

    // Redirect: EDIT on the unsafe side of each pair file; RETRIEVE on the flagged ones (in-cone share).
    const redirectText = redirectTextOf(services);
    let redirectNote: string | null = null;
    let edit: EditResult[] | null = null;
    let retrieve: RetrieveResult[] | null = null;
    const tRed = performance.now();
    if (!redirectText) redirectNote = 'redirect: not available in this build';
    else {
      edit = [];
      retrieve = [];
      for (const p of input.pairs) {
        const unsafe = input.redirectLimit === null ? p.unsafe : p.unsafe.slice(0, input.redirectLimit);
        const inputUnsafe = scores.get(`${p.id}:unsafe`)!.unsafe.slice(0, unsafe.length);
        const res = await mapLimit(unsafe, 8, async (t) => {
          try {
            const r = await redirectText(t, 'EDIT');
            return { output: r.output, redirected: r.redirected, fellBack: r.redirected && r.strategy !== undefined && r.strategy !== 'EDIT', error: null as string | null };
          } catch (e) {
            return { output: null, redirected: false, fellBack: false, error: message(e) };
          }
        });
        const outputs = res.map((r) => r.output);
        const outIdx = outputs.map((o, i) => (o !== null ? i : -1)).filter((i) => i >= 0);
        const outVecs = outIdx.length ? await services.runtime.embedTexts(outIdx.map((i) => outputs[i]!)) : [];
        const outputSafe = outputs.map(() => false);
        outIdx.forEach((i, j) => (outputSafe[i] = !services.safety.verdict(outVecs[j], 'TEXT').unsafe));
        edit.push({ set: p, outputs, errors: res.map((r) => r.error), redirected: res.map((r) => r.redirected), fellBack: res.map((r) => r.fellBack), outputSafe, inputUnsafe });

        const flagged = inputUnsafe.map((u, i) => (u ? i : -1)).filter((i) => i >= 0);
        const ret = await mapLimit(flagged, 8, async (i) => {
          try {
            const r = await redirectText(unsafe[i], 'RETRIEVE');
            return { entailed: r.redirected && r.entailed === true, error: null as string | null };
          } catch (e) {
            return { entailed: false, error: message(e) };
          }
        });
        retrieve.push({ set: p, flagged, entailed: ret.map((r) => r.entailed), errors: ret.map((r) => r.error) });
        timing.redirectN += unsafe.length + flagged.length;
      }
      const allErrors = edit.flatMap((r) => r.errors);
      if (allErrors.length && allErrors.every((e) => e !== null)) redirectNote = `redirect EDIT: every call failed: ${allErrors[0]}`;
    }
    timing.redirectMs = performance.now() - tRed;
    input.log(`${input.label}: images and redirect done`);

    return {
      label: input.label,
      dir: input.dir,
      manifest,
      manifestSha: crypto.createHash('sha256').update(fs.readFileSync(path.join(input.dir, 'manifest.json'))).digest('hex'),
      openMs,
      scores,
      images,
      edit,
      retrieve,
      redirectNote,
      timing,
      engine: {
        workers: services.config.workers,
        threads: services.config.intraOpThreads,
        batchMaxSize: services.config.batchMaxSize,
        executionProviders: [...services.config.executionProviders],
      },
    };
  } finally {
    await services.runtime.close();
  }
}
