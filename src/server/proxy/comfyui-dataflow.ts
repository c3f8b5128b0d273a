/**
 * Which texts of a ComfyUI workflow reach an image, as the encoder receives them (comfyui-strings.ts
 * evaluates them), and where the judged text must be written so the backend receives exactly that.
 *
 * Screened, each as one text:
 *   1. every text input of a known encoder (ENCODERS) whose conditioning can be rendered: the whole string
 *      it receives, after following links through string nodes. Conditioning is traced from the encoder by
 *      output slot through known conditioning nodes (CONDITIONING) to the sampler inputs it reaches
 *      (SAMPLERS). It is exempt only when it reaches nothing but `negative` inputs of samplers whose cfg is
 *      a number >= 1: such a negative prompt names what must NOT be drawn (classifier-free guidance steers
 *      away from it), and "blurry, nsfw, gore" is a common, legitimate one. At cfg < 1 (or a cfg linked from
 *      another node, which the gateway does not evaluate) the sampler draws from the negative, and any path
 *      into a `positive` input, into an unknown node, or into nothing is screened: fail closed.
 *   2. every string a known string node outputs into any other node's input (a custom encoder, say) that is
 *      not a setting (NOT_TEXT).
 *   3. every string typed into any other node's input that is not a setting: today's fail-closed rule for
 *      custom nodes, whose meaning the gateway does not know.
 * Strings typed into string nodes are judged as part of what those nodes output (1, 2), not on their own.
 */
import type { ComfyWorkflow } from '../../diffusion/backend';
import { CONDITIONING, ENCODERS, NOT_TEXT, SAMPLERS } from './comfyui-nodes';
import { STRING_NODES, StringEvaluator, type Where } from './comfyui-strings';

export interface TextItem extends Where {
  /** The text as it reaches `node`'s `input`; the judged text is written there in place of a link. */
  text: string;
  /** True for an encoder text whose conditioning reaches a sampler's positive input (a main prompt). */
  positive: boolean;
  /** Whether `input` holds a link (the text was evaluated) rather than the text itself. */
  linked: boolean;
  /** Nodes whose non-empty typed-in strings make up `text` when it is linked in. */
  sources: string[];
}

export interface WorkflowTexts {
  /** What to screen, in workflow order (node ids as listed, inputs as listed). */
  screen: TextItem[];
  /** Linked texts that are blank once evaluated: not screened, but written in as evaluated all the same. */
  blank: TextItem[];
}

interface Consumer {
  slot: number;
  node: string;
  input: string;
}

/** node id -> the inputs its outputs are linked into. */
function consumers(wf: ComfyWorkflow): Map<string, Consumer[]> {
  const out = new Map<string, Consumer[]>();
  for (const [node, n] of Object.entries(wf)) {
    for (const [input, v] of Object.entries(n.inputs)) {
      if (!StringEvaluator.isLink(v)) continue;
      const from = String(v[0]);
      if (!out.has(from)) out.set(from, []);
      out.get(from)!.push({ slot: v[1], node, input });
    }
  }
  return out;
}

interface Reach {
  /** A positive input. */
  positive: boolean;
  /** A negative input of a sampler with cfg >= 1. */
  negative: boolean;
  /** A negative input whose sampler draws from it (cfg < 1, or not a number). */
  drawn: boolean;
  /** An input of a node the gateway does not know, a conditioning cycle, or a chain deeper than MAX_ROUTE. */
  unknown: boolean;
}

/** Conditioning chains longer than this count as unknown (screened), which keeps recursion shallow. */
const MAX_ROUTE = 64;

/**
 * Where the conditioning leaving `node` (output `slot`; null: any) goes, following known conditioning
 * nodes by output slot. Memoised per (node, slot), so the whole workflow costs one pass over its links
 * however many encoders share a chain; a cycle reads as unknown (ComfyUI cannot run one anyway).
 */
class Router {
  private readonly memo = new Map<string, Reach>();
  private readonly active = new Set<string>();
  constructor(
    private readonly wf: ComfyWorkflow,
    private readonly index: Map<string, Consumer[]>,
  ) {}

  from(node: string, slot: number | null, depth = 0): Reach {
    const key = `${node}:${slot}`;
    const done = this.memo.get(key);
    if (done) return done;
    if (this.active.has(key) || depth > MAX_ROUTE) return { positive: false, negative: false, drawn: false, unknown: true };
    this.active.add(key);
    const r: Reach = { positive: false, negative: false, drawn: false, unknown: false };
    for (const c of this.index.get(node) ?? []) {
      if (slot !== null && c.slot !== slot) continue;
      const cls = this.wf[c.node].class_type;
      const sampler = SAMPLERS[cls];
      const pass = CONDITIONING[cls]?.[c.input];
      if (sampler?.positive.includes(c.input)) r.positive = true;
      else if (sampler && c.input === sampler.negative) {
        const cfg = this.wf[c.node].inputs[sampler.cfg!];
        if (typeof cfg === 'number' && Number.isFinite(cfg) && cfg >= 1) r.negative = true;
        else r.drawn = true;
      } else if (pass) {
        for (const s of pass) {
          const next = this.from(c.node, s, depth + 1);
          r.positive ||= next.positive;
          r.negative ||= next.negative;
          r.drawn ||= next.drawn;
          r.unknown ||= next.unknown;
        }
      } else r.unknown = true;
    }
    this.active.delete(key);
    this.memo.set(key, r);
    return r;
  }
}

/**
 * Where an encoder's conditioning goes. `renders`: it reaches a positive input, a negative one at cfg < 1
 * (or unreadable), an unknown node, or no sampler at all; only the rest (negatives at cfg >= 1) is exempt.
 */
export interface Route {
  renders: boolean;
  /** Reaches a sampler's positive input. */
  positive: boolean;
  /** Reaches a sampler's negative input (drawn from or not). */
  negative: boolean;
}

/** Each known encoder of the workflow (in workflow order) and where its conditioning goes. */
export function encoderRoutes(wf: ComfyWorkflow): Map<string, Route> {
  const router = new Router(wf, consumers(wf));
  const out = new Map<string, Route>();
  for (const [id, n] of Object.entries(wf)) {
    if (!ENCODERS[n.class_type]) continue;
    const r = router.from(id, null);
    out.set(id, { renders: r.positive || r.drawn || r.unknown || !r.negative, positive: r.positive, negative: r.negative || r.drawn });
  }
  return out;
}

/** The texts of a workflow to screen (see the file comment). Throws WorkflowRefusal for text it cannot evaluate. */
export function workflowTexts(wf: ComfyWorkflow, maxChars: number): WorkflowTexts {
  const routes = encoderRoutes(wf);
  const ev = new StringEvaluator(wf, maxChars);
  const screen: TextItem[] = [];
  const blank: TextItem[] = [];
  const add = (item: TextItem): void => {
    if (item.text.trim() !== '') screen.push(item);
    else if (item.linked) blank.push(item); // a blank typed-in string is left as it is
  };
  const encoderInput = (node: string, input: string) => ENCODERS[wf[node].class_type]?.includes(input) ?? false;
  for (const [id, n] of Object.entries(wf)) {
    const encoded = ENCODERS[n.class_type];
    if (encoded) {
      const route = routes.get(id)!;
      // An exempt negative is left exactly as the client sent it, links included: it is not judged.
      if (route.renders) for (const input of encoded) add({ node: id, input, ...ev.text({ node: id, input }), positive: route.positive });
    }
    const stringNode = STRING_NODES[n.class_type] !== undefined;
    for (const [input, v] of Object.entries(n.inputs)) {
      if (encoded?.includes(input) || NOT_TEXT.has(input)) continue;
      if (typeof v === 'string' && !stringNode) add({ node: id, input, text: v, positive: false, linked: false, sources: [] });
      // A string node's output going anywhere but a string node or an encoder's text (rule 2).
      const from = StringEvaluator.isLink(v) ? wf[String(v[0])] : undefined;
      if (from && STRING_NODES[from.class_type]?.output === 'string' && !stringNode && !encoderInput(id, input)) {
        add({ node: id, input, ...ev.text({ node: id, input }), positive: false });
      }
    }
  }
  return { screen, blank };
}
