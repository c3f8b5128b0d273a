/**
 * classify, embed and redirect without a server: one JSON object per input on stdout, in argument order
 * (inputs.ts). An input that fails (an unreadable or unaccepted image, a model error) prints
 * `{"input", "error": {"code", "message"}}` in its place; the others still print, and the command then
 * exits 1. Stops early, exit 0, when stdout is closed (io.ts).
 */
import * as fs from 'node:fs';
import type { Config } from '../config';
import { badInput, GatewayError } from '../errors';
import { distanceFromOrigin, timeComponent } from '../geometry';
import { openServices } from '../main';
import { decodeImageInput, preprocessImage } from '../runtime/image';
import type { RedirectStrategyName } from '../safety/service';
import type { Verdict } from '../safety/verdict';
import type { Services } from '../services';
import type { Input } from './inputs';
import { printJson, stdoutClosed, warn } from './io';

export type BatchCommand = 'classify' | 'embed' | 'redirect';

/**
 * Inputs submitted to the runtime at once. The runtime's batcher merges them into model runs; a bounded
 * chunk keeps memory flat for a long file and lets a closed stdout stop the work after at most one chunk.
 */
const CHUNK = 256;

async function embed(services: Services, input: Input): Promise<Float32Array> {
  const { runtime } = services;
  if (input.kind === 'text') return (await runtime.embedTexts([input.text]))[0];
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(input.file);
  } catch (e) {
    throw badInput(`cannot read --image ${input.file}: ${(e as Error).message}; allowed: a readable image file (PNG, JPEG, WebP, GIF, AVIF or TIFF)`, undefined, e);
  }
  const decoded = decodeImageInput(bytes.toString('base64'), services.imageLimits);
  const px = await preprocessImage(decoded, runtime.bundle.manifest.image.preprocess, services.imageLimits);
  return (await runtime.embedImageTensors([px]))[0];
}

/**
 * As GraphQL's Classification.coverage and .reason: how much of a text the model could read (bundles with a
 * subword model measure it) and why an unsafe verdict is unsafe ('distance', or 'coverage' when too little was read).
 */
function coverageOf(v: Verdict): { coverage?: number; reason?: string } {
  return { ...(v.coverage !== undefined ? { coverage: Math.round(v.coverage * 1000) / 1000 } : {}), ...(v.reason !== undefined ? { reason: v.reason } : {}) };
}

/** The JSON line for one embedded input. */
async function describe(command: BatchCommand, services: Services, input: Input, vec: Float32Array, strategy: RedirectStrategyName): Promise<Record<string, unknown>> {
  const { runtime, safety } = services;
  const c = runtime.curvature;
  const modality = input.kind === 'text' ? 'TEXT' : 'IMAGE';
  const name = input.kind === 'text' ? input.text : input.file;
  // As GraphQL's Classification.category: the nearest unsafe anchor's label, null when safe.
  const categoryOf = (v: Verdict, point: ArrayLike<number>) => safety.categoryOf(point, v);
  const v = safety.verdict(vec, modality);
  if (command === 'embed') return { input: name, modality, space: Array.from(vec), time: timeComponent(vec, c), distance: distanceFromOrigin(vec, c), curvature: c };
  if (command === 'classify') {
    // A text read as several windows names the one that decided (as GraphQL's Classification.window).
    const w = input.kind === 'text' ? runtime.textWindow(vec) : null;
    const window = w && w.count > 1 ? { index: w.index, count: w.count, text: w.text } : undefined;
    return { input: name, modality, unsafe: v.unsafe, score: v.score, distance: v.distance, threshold: v.threshold, category: categoryOf(v, vec), ...coverageOf(v), ...(window ? { window } : {}), nearest: safety.nearest(vec, services.config.nearestCount) };
  }
  const r = await safety.redirect(vec, modality, input.kind === 'text' ? input.text : null, strategy);
  const brief = (x: Verdict, point: ArrayLike<number>) => ({ unsafe: x.unsafe, score: x.score, distance: x.distance, category: categoryOf(x, point), ...coverageOf(x) });
  return { input: name, output: r.output, redirected: r.redirected, strategy: r.strategy, edits: r.edits ?? [], before: brief(r.before, vec), after: brief(r.after, r.outputVec) };
}

function errorLine(input: Input, e: unknown): Record<string, unknown> {
  const code = e instanceof GatewayError ? e.code : 'ERROR';
  return { input: input.kind === 'text' ? input.text : input.file, error: { code, message: (e as Error).message } };
}

export async function runBatch(command: BatchCommand, config: Readonly<Config>, inputs: Input[], strategy: RedirectStrategyName): Promise<void> {
  const services = await openServices(config, {});
  let failed = 0;
  try {
    for (let start = 0; start < inputs.length && !stdoutClosed(); start += CHUNK) {
      const chunk = inputs.slice(start, start + CHUNK);
      // Start every input of the chunk (the batcher merges them), then print in order. Each promise is
      // settled into a result first, so a failure never goes unhandled while an earlier input is awaited.
      const results = chunk.map((input) =>
        embed(services, input)
          .then((vec) => describe(command, services, input, vec, strategy))
          .catch((e: unknown) => {
            failed++;
            return errorLine(input, e);
          }),
      );
      for (const line of results) {
        const value = await line;
        if (stdoutClosed()) break;
        printJson(value);
      }
    }
  } finally {
    await services.runtime.close(0);
  }
  if (stdoutClosed()) {
    process.exitCode = 0;
    return;
  }
  if (failed) {
    warn(`${failed} of ${inputs.length} inputs failed (see their "error" lines)`);
    process.exitCode = 1;
  }
}
