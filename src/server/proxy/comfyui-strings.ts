/**
 * Evaluating the text a ComfyUI workflow computes, so the gateway screens the string a text encoder will
 * actually receive (a prompt split across StringConcatenate nodes is judged whole).
 *
 * Only core nodes whose semantics are implemented exactly are evaluated (STRING_NODES, each matching its
 * Python in comfy_extras/nodes_string.py or nodes_primitive.py: strings are sequences of code points, as in
 * Python, not of UTF-16 units). Anything else in the path of a string is refused (WorkflowRefusal naming the
 * node and its class_type): the gateway never guesses what a custom node outputs. The caller then writes
 * the evaluated, judged text straight into the consuming input, so even a difference between this code and
 * ComfyUI's could not let unjudged text through: the backend receives exactly what was judged.
 *
 * Bounded: each node is evaluated once (memo), a link chain deeper than MAX_DEPTH and any cycle are
 * refused, and no computed string may grow past `maxChars` (checked before it is built), so a workflow of
 * doubling concatenations costs nothing.
 */
import { ErrorCode, GatewayError } from '../../errors';
import { jsonType } from '../../json-type';
import type { ComfyWorkflow } from '../../diffusion/backend';

/** Longest chain of string nodes followed from one input. */
export const MAX_DEPTH = 32;

/** Stable ComfyUI error `type`s for workflows the gateway refuses to evaluate. */
export type RefusalType = 'text_source_unsupported' | 'text_source_invalid' | 'text_source_cycle' | 'text_source_too_deep' | 'text_too_long';

/** A refusal tied to one node: answered as HTTP 400 in ComfyUI's node_errors shape (code BAD_USER_INPUT). */
export class WorkflowRefusal extends GatewayError {
  constructor(
    readonly type: RefusalType,
    readonly node: string,
    readonly classType: string,
    readonly input: string | null,
    message: string,
  ) {
    super(ErrorCode.BAD_USER_INPUT, message, { details: { node, class_type: classType, ...(input ? { input_name: input } : {}) } });
    this.name = 'WorkflowRefusal';
  }
}

type Kind = 'string' | 'int';
type Value = string | number;

interface StringNode {
  inputs: Readonly<Record<string, Kind>>;
  /** Output slot 0's type. */
  output: Kind;
  run(a: Record<string, Value>): Value;
}

/** Python's str.isspace() characters (str.strip() with no argument removes exactly these). */
const PY_SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

const codePoints = (s: string): string[] => Array.from(s);

/** Python's s[start:end] (step 1) on code points: negative indices count from the end, out of range clamps. */
export function pySlice(s: string, start: number, end: number): string {
  const cp = codePoints(s);
  const at = (i: number) => (i < 0 ? Math.max(0, i + cp.length) : Math.min(i, cp.length));
  const [a, b] = [at(start), at(end)];
  return a < b ? cp.slice(a, b).join('') : '';
}

/** Python's s.replace(find, replace): every occurrence; an empty `find` matches between all code points. */
export function pyReplace(s: string, find: string, replace: string): string {
  if (find === '') return s === '' ? replace : replace + codePoints(s).join(replace) + replace;
  return s.split(find).join(replace); // not String.replaceAll: `$&` and friends in `replace` are literal in Python
}

function pyStrip(s: string, mode: string): string {
  const cp = codePoints(s);
  let a = 0;
  let b = cp.length;
  if (mode !== 'Right') while (a < b && PY_SPACE.test(cp[a])) a++;
  if (mode !== 'Left') while (b > a && PY_SPACE.test(cp[b - 1])) b--;
  return cp.slice(a, b).join('');
}

export const STRING_NODES: Readonly<Record<string, StringNode>> = {
  PrimitiveString: { inputs: { value: 'string' }, output: 'string', run: (a) => a.value },
  PrimitiveStringMultiline: { inputs: { value: 'string' }, output: 'string', run: (a) => a.value },
  PrimitiveInt: { inputs: { value: 'int' }, output: 'int', run: (a) => a.value },
  // delimiter.join((string_a, string_b))
  StringConcatenate: { inputs: { string_a: 'string', string_b: 'string', delimiter: 'string' }, output: 'string', run: (a) => `${a.string_a}${a.delimiter}${a.string_b}` },
  StringReplace: { inputs: { string: 'string', find: 'string', replace: 'string' }, output: 'string', run: (a) => pyReplace(a.string as string, a.find as string, a.replace as string) },
  StringSubstring: { inputs: { string: 'string', start: 'int', end: 'int' }, output: 'string', run: (a) => pySlice(a.string as string, a.start as number, a.end as number) },
  StringTrim: { inputs: { string: 'string', mode: 'string' }, output: 'string', run: (a) => pyStrip(a.string as string, a.mode as string) },
};

const STRING_NODE_NAMES = Object.entries(STRING_NODES).filter(([, n]) => n.output === 'string').map(([k]) => k).join(', ');

/** Upper bound of a node's output length, computed from its arguments without building it. */
function outputLength(cls: string, a: Record<string, Value>): number {
  const len = (k: string) => (a[k] as string).length;
  if (cls === 'StringConcatenate') return len('string_a') + len('delimiter') + len('string_b');
  if (cls === 'StringReplace') {
    const n = len('find') === 0 ? codePoints(a.string as string).length + 1 : (a.string as string).split(a.find as string).length - 1;
    return len('string') + n * Math.max(0, len('replace') - len('find'));
  }
  return 0; // the others never grow their input
}

export interface Where {
  node: string;
  input: string;
}

/** Evaluates string and int values of one workflow; one instance per request (it memoises node outputs). */
export class StringEvaluator {
  private readonly memo = new Map<string, Value>();
  private readonly active = new Set<string>();
  /** Node ids whose typed-in text went into each evaluated node's output (for error reports). */
  private readonly sources = new Map<string, Set<string>>();

  constructor(
    private readonly wf: ComfyWorkflow,
    private readonly maxChars: number,
  ) {}

  private cls(id: string): string {
    return this.wf[id]?.class_type ?? '?';
  }

  /** The string that `wf[at.node].inputs[at.input]` holds or receives, and the nodes whose typed-in strings made it. */
  text(at: Where): { text: string; linked: boolean; sources: string[] } {
    const v = this.wf[at.node].inputs[at.input];
    const text = this.value(v, 'string', at, 0) as string;
    const linked = StringEvaluator.isLink(v);
    return { text, linked, sources: linked ? [...(this.sources.get(String(v[0])) ?? [])] : [] };
  }

  /** Whether `v` is a link ([node id, output slot]). */
  static isLink(v: unknown): v is [string | number, number] {
    return Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || typeof v[0] === 'number') && typeof v[1] === 'number';
  }

  private value(v: unknown, want: Kind, at: Where, depth: number): Value {
    const here = () => `node ${JSON.stringify(at.node)} (${this.cls(at.node)}) input ${at.input}`;
    if (StringEvaluator.isLink(v)) return this.node(String(v[0]), v[1], want, at, depth + 1);
    if (want === 'string' && typeof v === 'string') return v;
    if (want === 'int' && typeof v === 'number' && Number.isSafeInteger(v)) return v;
    const allowed = want === 'string' ? `a string, or a link to one of ${STRING_NODE_NAMES}` : 'an integer, or a link to PrimitiveInt';
    const what = v === undefined ? 'is missing' : `must be ${want === 'string' ? 'a string' : 'an integer'}, got ${jsonType(v)}`;
    throw new WorkflowRefusal('text_source_invalid', at.node, this.cls(at.node), at.input, `${here()} ${what}; allowed: ${allowed}`);
  }

  private node(id: string, slot: number, want: Kind, from: Where, depth: number): Value {
    const into = `node ${JSON.stringify(from.node)} (${this.cls(from.node)}) input ${from.input}`;
    const n = this.wf[id];
    if (!n) throw new WorkflowRefusal('text_source_invalid', from.node, this.cls(from.node), from.input, `${into} links to node ${JSON.stringify(id)}, which is not in the workflow; allowed: links to nodes of the workflow`);
    const def = STRING_NODES[n.class_type];
    if (!def || def.output !== want || slot !== 0) {
      const what = !def ? `the gateway cannot evaluate ${n.class_type} nodes` : def.output !== want ? `it outputs ${def.output === 'int' ? 'an integer' : 'a string'}, not ${want === 'int' ? 'an integer' : 'a string'}` : `it has no output slot ${slot}`;
      const allowed = want === 'string' ? `text typed into the input, or linked from output 0 of ${STRING_NODE_NAMES}` : 'an integer typed into the input, or linked from output 0 of PrimitiveInt';
      throw new WorkflowRefusal('text_source_unsupported', id, n.class_type, null, `node ${JSON.stringify(id)} (${n.class_type}) output ${slot} feeds ${into}, and ${what}; allowed: ${allowed}`);
    }
    const done = this.memo.get(id);
    if (done !== undefined) return done;
    if (this.active.has(id)) throw new WorkflowRefusal('text_source_cycle', id, n.class_type, null, `node ${JSON.stringify(id)} (${n.class_type}) depends on its own output (a cycle); allowed: an acyclic workflow`);
    if (depth > MAX_DEPTH) throw new WorkflowRefusal('text_source_too_deep', id, n.class_type, null, `node ${JSON.stringify(id)} (${n.class_type}) is more than ${MAX_DEPTH} links away from ${into}; allowed: at most ${MAX_DEPTH} string nodes in a chain`);
    this.active.add(id);
    const args: Record<string, Value> = {};
    const sources = new Set<string>();
    for (const [input, kind] of Object.entries(def.inputs)) {
      const v = n.inputs[input];
      args[input] = this.value(v, kind, { node: id, input }, depth);
      if (StringEvaluator.isLink(v)) for (const s of this.sources.get(String(v[0])) ?? []) sources.add(s);
      else if (typeof v === 'string' && v !== '') sources.add(id);
    }
    if (n.class_type === 'StringTrim' && !['Both', 'Left', 'Right'].includes(args.mode as string)) {
      throw new WorkflowRefusal('text_source_invalid', id, n.class_type, 'mode', `node ${JSON.stringify(id)} (StringTrim) input mode is ${JSON.stringify(args.mode)}; allowed: Both, Left, Right`);
    }
    const length = outputLength(n.class_type, args);
    if (length > this.maxChars) {
      throw new WorkflowRefusal('text_too_long', id, n.class_type, null, `node ${JSON.stringify(id)} (${n.class_type}) would output ${length} characters; allowed: at most ${this.maxChars} (MAX_TEXT_LENGTH)`);
    }
    const out = def.run(args);
    this.active.delete(id);
    this.memo.set(id, out);
    this.sources.set(id, sources);
    return out;
  }
}
