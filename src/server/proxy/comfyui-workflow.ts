/**
 * Reading a client's ComfyUI workflow (API format) for the drop-in /prompt endpoint: which strings must be
 * screened, and what a non-ComfyUI backend should be asked for.
 *
 * Screened: every string input of every node, except
 *   - inputs whose name is a well-known setting that is not text (NOT_TEXT: checkpoint, sampler, file
 *     names, ...), and
 *   - the text of a text-encode node used only as negative conditioning (every link to it arrives at an
 *     input named `negative`): a negative prompt names what must NOT be drawn.
 * Anything else (custom nodes, string primitives linked into a text encoder) is screened: fail closed.
 */
import { badInput } from '../../errors';
import type { ComfyWorkflow } from '../../diffusion/backend';

/** Inputs that hold settings, not prose. */
export const NOT_TEXT = new Set([
  'ckpt_name', 'vae_name', 'lora_name', 'clip_name', 'clip_name1', 'clip_name2', 'unet_name', 'control_net_name', 'upscale_model_name',
  'style_model_name', 'clip_vision_name', 'gligen_name', 'hypernetwork_name', 'sampler_name', 'scheduler', 'filename_prefix', 'image',
  'upscale_method', 'crop', 'weight_dtype', 'type', 'add_noise', 'return_with_leftover_noise', 'config_name', 'format', 'method', 'mode',
]);

export interface PromptSlot {
  node: string;
  input: string;
  text: string;
  /** True for the text of a text encoder that feeds a `positive` input (the main prompt). */
  positive: boolean;
}

const isLink = (v: unknown): v is [string, number] => Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number';

/** Checks the API-format shape; throws BAD_USER_INPUT naming the node. */
export function checkWorkflow(prompt: unknown): ComfyWorkflow {
  if (typeof prompt !== 'object' || prompt === null || Array.isArray(prompt) || Object.keys(prompt).length === 0) {
    throw badInput('prompt is not a workflow; allowed: an API-format workflow { "<node id>": { "class_type": ..., "inputs": { ... } } }');
  }
  for (const [id, node] of Object.entries(prompt)) {
    const n = node as { class_type?: unknown; inputs?: unknown };
    if (typeof n?.class_type !== 'string' || typeof n.inputs !== 'object' || n.inputs === null || Array.isArray(n.inputs)) {
      throw badInput(`prompt node ${JSON.stringify(id)} has no class_type and inputs; allowed: an API-format workflow (Save (API Format) in ComfyUI)`);
    }
  }
  return prompt as ComfyWorkflow;
}

/** The strings to screen, in a stable order (node ids as listed, inputs as listed). */
export function promptSlots(wf: ComfyWorkflow): PromptSlot[] {
  const usedAs = new Map<string, Set<string>>();
  for (const node of Object.values(wf)) {
    for (const [input, v] of Object.entries(node.inputs)) {
      if (!isLink(v)) continue;
      const from = String(v[0]);
      if (!usedAs.has(from)) usedAs.set(from, new Set());
      usedAs.get(from)!.add(input);
    }
  }
  const slots: PromptSlot[] = [];
  for (const [id, node] of Object.entries(wf)) {
    const uses = usedAs.get(id);
    const negativeOnly = uses !== undefined && uses.size === 1 && uses.has('negative');
    const positive = uses?.has('positive') ?? false;
    for (const [input, v] of Object.entries(node.inputs)) {
      if (typeof v !== 'string' || v.trim() === '' || NOT_TEXT.has(input)) continue;
      if (negativeOnly && /^text/.test(input)) continue;
      slots.push({ node: id, input, text: v, positive: positive && /^text/.test(input) });
    }
  }
  return slots;
}

/** A copy of the workflow with each slot's string replaced by `sent[i]`. */
export function replaceSlots(wf: ComfyWorkflow, slots: PromptSlot[], sent: string[]): ComfyWorkflow {
  const out = structuredClone(wf);
  slots.forEach((s, i) => (out[s.node].inputs[s.input] = sent[i]));
  return out;
}

/** Size, steps, seed and batch size as a non-ComfyUI backend needs them (first node that has them). */
export function workflowParams(wf: ComfyWorkflow): { width?: number; height?: number; count?: number; steps?: number; seed?: number; negativePrompt: string | null } {
  const out: ReturnType<typeof workflowParams> = { negativePrompt: null };
  const usedAs = new Map<string, string>();
  for (const node of Object.values(wf)) for (const [input, v] of Object.entries(node.inputs)) if (isLink(v) && input === 'negative') usedAs.set(String(v[0]), 'negative');
  for (const [id, node] of Object.entries(wf)) {
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
    if (out.negativePrompt === null && usedAs.get(id) === 'negative' && typeof i.text === 'string') out.negativePrompt = i.text;
  }
  return out;
}

/** The id of the node the images are reported under: the first SaveImage, else the first node. */
export function outputNode(wf: ComfyWorkflow): string {
  return Object.entries(wf).find(([, n]) => n.class_type === 'SaveImage')?.[0] ?? Object.keys(wf)[0];
}
