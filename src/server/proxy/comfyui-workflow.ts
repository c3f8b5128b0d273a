/**
 * Reading a client's ComfyUI workflow (API format) for the drop-in /prompt endpoint: its shape, the texts to
 * screen (comfyui-dataflow.ts: the strings that reach text encoders, evaluated through string nodes, plus
 * every other string that is not a setting), writing the judged texts back, and what a non-ComfyUI backend
 * should be asked for.
 */
import { badInput } from '../../errors';
import { jsonType } from '../../json-type';
import type { ComfyWorkflow } from '../../diffusion/backend';
import { encoderRoutes, workflowTexts, type TextItem } from './comfyui-dataflow';
import { ENCODERS } from './comfyui-nodes';

export { NOT_TEXT } from './comfyui-nodes';
export type { TextItem } from './comfyui-dataflow';

/** Checks the API-format shape; throws BAD_USER_INPUT naming the node. */
export function checkWorkflow(prompt: unknown): ComfyWorkflow {
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt) || Object.keys(prompt).length === 0) {
    const what = prompt === undefined ? 'is missing' : `must be a workflow (a JSON object of nodes), got ${jsonType(prompt)}`;
    throw badInput(`prompt ${what}; allowed: an API-format workflow { "<node id>": { "class_type": ..., "inputs": { ... } } }`);
  }
  for (const [id, node] of Object.entries(prompt)) {
    const n = node as { class_type?: unknown; inputs?: unknown };
    if (typeof n?.class_type !== 'string' || typeof n.inputs !== 'object' || n.inputs === null || Array.isArray(n.inputs)) {
      throw badInput(`prompt node ${JSON.stringify(id)} has no class_type and inputs; allowed: an API-format workflow (Save (API Format) in ComfyUI)`);
    }
  }
  return prompt as ComfyWorkflow;
}

/**
 * The texts to screen, the main prompt first (the first encoder text that reaches a positive input: a
 * non-ComfyUI backend is asked for it), then the others in workflow order; and the linked texts that
 * evaluate to blank. Throws WorkflowRefusal (BAD_USER_INPUT naming the node) for text it cannot evaluate.
 */
export function textsToScreen(wf: ComfyWorkflow, maxChars: number): { ordered: TextItem[]; blank: TextItem[] } {
  const { screen, blank } = workflowTexts(wf, maxChars);
  const main = Math.max(0, screen.findIndex((t) => t.positive));
  return { ordered: screen.length === 0 ? [] : [screen[main], ...screen.filter((_, i) => i !== main)], blank };
}

/**
 * A copy of the workflow in which each screened input holds the text sent for it (`sent[i]` for
 * `items[i]`), and each blank linked text its evaluated value. A link is replaced by the text: the
 * encoder then receives exactly what was judged, even when a REDIRECT rewrote text assembled from several
 * string nodes (which are left in place, unused).
 */
export function writeTexts(wf: ComfyWorkflow, items: TextItem[], sent: string[], blank: TextItem[] = []): ComfyWorkflow {
  const out = structuredClone(wf);
  blank.forEach((t) => (out[t.node].inputs[t.input] = t.text));
  items.forEach((t, i) => (out[t.node].inputs[t.input] = sent[i]));
  return out;
}

/**
 * Size, steps, seed and batch size as a non-ComfyUI backend needs them (first node that has them), and the
 * negative prompt: the first text of the first encoder whose conditioning reaches only negative inputs,
 * when it is typed in (call this on the workflow with the judged texts written in).
 */
export function workflowParams(wf: ComfyWorkflow): { width?: number; height?: number; count?: number; steps?: number; seed?: number; negativePrompt: string | null } {
  const out: ReturnType<typeof workflowParams> = { negativePrompt: null };
  for (const node of Object.values(wf)) {
    const i = node.inputs;
    if (out.width === undefined && typeof i.width === 'number' && typeof i.height === 'number' && typeof i.batch_size === 'number') {
      out.width = i.width;
      out.height = i.height;
      out.count = i.batch_size;
    }
    if (out.steps === undefined && typeof i.steps === 'number') {
      out.steps = i.steps;
      const seed = typeof i.seed === 'number' ? i.seed : i.noise_seed;
      // ComfyUI seeds go up to 2^64; other backends take 31 bits: out of that range means "random".
      out.seed = typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 2147483647 ? seed : -1;
    }
  }
  for (const [id, route] of encoderRoutes(wf)) {
    const text = wf[id].inputs[ENCODERS[wf[id].class_type][0]];
    if (route.negative && !route.positive && typeof text === 'string') {
      out.negativePrompt = text;
      break;
    }
  }
  return out;
}

/** The id of the node the images are reported under: the first SaveImage, else the first node. */
export function outputNode(wf: ComfyWorkflow): string {
  return Object.entries(wf).find(([, n]) => n.class_type === 'SaveImage')?.[0] ?? Object.keys(wf)[0];
}
