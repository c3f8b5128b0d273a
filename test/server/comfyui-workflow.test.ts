/**
 * The ComfyUI workflow reader on its own: which texts it screens (the string each text encoder receives,
 * evaluated through string nodes; negatives only when the sampler can draw them), what it refuses (nodes it
 * cannot evaluate, cycles, deep chains, runaway growth), and that the judged text is what gets written back.
 */
import { textsToScreen, workflowParams, writeTexts, type TextItem } from '../../src/server/proxy/comfyui-workflow';
import { MAX_DEPTH, pyReplace, pySlice, WorkflowRefusal } from '../../src/server/proxy/comfyui-strings';
import { controlNet, sdxl, splitPrompt, txt2img, type Workflow } from './comfyui-fixtures';

const MAX = 2000;
const texts = (wf: Workflow) => textsToScreen(wf, MAX).ordered.map((t) => [t.node, t.input, t.text]);

function refusal(wf: Workflow): WorkflowRefusal {
  try {
    textsToScreen(wf, MAX);
  } catch (e) {
    if (e instanceof WorkflowRefusal) return e;
    throw e;
  }
  throw new Error('the workflow was not refused');
}

describe('which texts are screened', () => {
  test('txt2img: the positive prompt; a negative prompt at cfg >= 1 is not screened', () => {
    expect(texts(txt2img('a fox', 'blurry'))).toEqual([['6', 'text', 'a fox']]);
    expect(texts(txt2img('a fox', 'blurry', 1))).toEqual([['6', 'text', 'a fox']]);
  });

  test('a negative prompt is screened when the sampler draws from it: cfg below 1, or a cfg it cannot read', () => {
    expect(texts(txt2img('a fox', 'blurry', 0))).toEqual([['6', 'text', 'a fox'], ['7', 'text', 'blurry']]);
    expect(texts(txt2img('a fox', 'blurry', 0.5))).toEqual([['6', 'text', 'a fox'], ['7', 'text', 'blurry']]);
    const linked = txt2img('a fox', 'blurry');
    linked['30'] = { class_type: 'PrimitiveFloat', inputs: { value: 7 } };
    linked['3'].inputs.cfg = ['30', 0];
    expect(texts(linked)).toEqual([['6', 'text', 'a fox'], ['7', 'text', 'blurry']]);
  });

  test('conditioning is followed by output slot: ControlNetApplyAdvanced slot 1 into positive makes the negative a prompt', () => {
    expect(texts(controlNet('a fox', 'blurry', false))).toEqual([['6', 'text', 'a fox']]);
    const swapped = textsToScreen(controlNet('a fox', 'blurry', true), MAX).ordered;
    // and the "positive" text, now reaching only the negative input at cfg 7, is the one left unscreened
    expect(swapped.map((t) => [t.node, t.text, t.positive])).toEqual([['7', 'blurry', true]]);
  });

  test('conditioning through an unknown node, or going nowhere, is screened (fail closed)', () => {
    const wf = txt2img('a fox', 'blurry');
    wf['40'] = { class_type: 'MyConditioningTweak', inputs: { conditioning: ['7', 0] } };
    wf['3'].inputs.negative = ['40', 0];
    expect(texts(wf)).toEqual([['6', 'text', 'a fox'], ['7', 'text', 'blurry']]);
    const dangling = txt2img('a fox', 'blurry');
    dangling['41'] = { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } };
    expect(texts(dangling)).toEqual([['6', 'text', 'a fox'], ['41', 'text', 'a cat']]);
  });

  test('a conditioning cycle reads as unknown (screened) and ends', () => {
    const wf = txt2img('a fox', 'blurry');
    wf['50'] = { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['7', 0], conditioning_2: ['51', 0] } };
    wf['51'] = { class_type: 'ConditioningCombine', inputs: { conditioning_1: ['50', 0], conditioning_2: ['50', 0] } };
    expect(texts(wf).map((t) => t[0])).toEqual(['6', '7']);
  });

  test('SDXL: text_g and text_l are each screened; the negative encoder is not', () => {
    expect(texts(sdxl('a fox', 'snow'))).toEqual([['6', 'text_g', 'a fox'], ['6', 'text_l', 'snow']]);
  });

  test('a prompt split across string nodes is screened whole, as the encoder receives it, and names its sources', () => {
    const [item, ...rest] = textsToScreen(splitPrompt('a photo of a nak', 'ed woman'), MAX).ordered;
    expect(rest).toEqual([]);
    expect(item).toMatchObject({ node: '6', input: 'text', text: 'a photo of a naked woman', positive: true, sources: ['20', '21'] });
    expect(textsToScreen(splitPrompt('a fox', 'in the snow', ', '), MAX).ordered[0].text).toBe('a fox, in the snow');
  });

  test('other strings that are not settings are still screened: custom nodes, and string nodes feeding them', () => {
    const wf = txt2img('a fox');
    wf['60'] = { class_type: 'MyCustomEncoder', inputs: { prompt: 'a cat', ckpt_name: 'x.safetensors' } };
    wf['61'] = { class_type: 'PrimitiveString', inputs: { value: 'a dog' } };
    wf['62'] = { class_type: 'StringConcatenate', inputs: { string_a: ['61', 0], string_b: ' on a hill', delimiter: '' } };
    wf['63'] = { class_type: 'MyCustomEncoder', inputs: { prompt: ['62', 0] } };
    expect(texts(wf)).toEqual([['6', 'text', 'a fox'], ['60', 'prompt', 'a cat'], ['63', 'prompt', 'a dog on a hill']]);
  });

  test('the main prompt comes first even when another text is listed before it', () => {
    const wf: Workflow = { '1': { class_type: 'MyNote', inputs: { note: 'hello' } }, ...txt2img('a fox') };
    expect(texts(wf)[0]).toEqual(['6', 'text', 'a fox']);
  });
});

describe('what is refused, naming the node', () => {
  test('an unknown node feeding an encoder', () => {
    const wf = txt2img(['70', 0]);
    wf['70'] = { class_type: 'WildcardProcessor', inputs: { wildcard_text: 'a __animal__' } };
    const e = refusal(wf);
    expect([e.type, e.node, e.classType, e.code]).toEqual(['text_source_unsupported', '70', 'WildcardProcessor', 'BAD_USER_INPUT']);
    expect(e.message).toMatch(/node "70" \(WildcardProcessor\) output 0 feeds node "6" \(CLIPTextEncode\) input text.*allowed: .*StringConcatenate/);
  });

  test('an unknown node behind a string node, a wrong output slot, a link to nowhere, a number as text', () => {
    const behind = splitPrompt('a', 'b');
    behind['21'] = { class_type: 'LLMPromptWriter', inputs: { seed: 1 } };
    expect([refusal(behind).node, refusal(behind).classType]).toEqual(['21', 'LLMPromptWriter']);
    const slot = splitPrompt('a', 'b');
    slot['6'].inputs.text = ['22', 1];
    expect(refusal(slot).message).toMatch(/has no output slot 1/);
    const nowhere = txt2img(['99', 0]);
    expect(refusal(nowhere).message).toMatch(/links to node "99", which is not in the workflow/);
    expect(refusal(txt2img(42)).message).toMatch(/node "6" \(CLIPTextEncode\) input text must be a string, got a number \(42\); allowed: a string/);
  });

  test('a cycle of string nodes', () => {
    const wf = txt2img(['80', 0]);
    wf['80'] = { class_type: 'StringConcatenate', inputs: { string_a: ['81', 0], string_b: 'x', delimiter: '' } };
    wf['81'] = { class_type: 'StringConcatenate', inputs: { string_a: ['80', 0], string_b: 'y', delimiter: '' } };
    const e = refusal(wf);
    expect(e.type).toBe('text_source_cycle');
    expect(e.message).toMatch(/depends on its own output/);
  });

  test('a chain deeper than MAX_DEPTH is refused at that depth even when it is 100,000 nodes long', () => {
    const wf = txt2img(['s0', 0]);
    for (let i = 0; i < 100_000; i++) wf[`s${i}`] = { class_type: 'StringConcatenate', inputs: { string_a: ['s' + (i + 1), 0], string_b: 'a', delimiter: '' } };
    wf['s100000'] = { class_type: 'PrimitiveString', inputs: { value: 'x' } };
    // (No timed assertion: a loaded CI machine made a 2 s bound flaky. The refusal's type shows the walk stopped at
    // MAX_DEPTH instead of building the 100,000-node string.)
    const e = refusal(wf);
    expect(e.type).toBe('text_source_too_deep');
    expect(e.message).toMatch(new RegExp(`allowed: at most ${MAX_DEPTH} string nodes in a chain`));
  });

  test('doubling concatenations stop at MAX_TEXT_LENGTH before the string is built', () => {
    const wf = txt2img(['d0', 0]);
    for (let i = 0; i < 30; i++) wf[`d${i}`] = { class_type: 'StringConcatenate', inputs: { string_a: ['d' + (i + 1), 0], string_b: ['d' + (i + 1), 0], delimiter: '' } };
    wf['d30'] = { class_type: 'PrimitiveString', inputs: { value: 'ab' } };
    const e = refusal(wf);
    expect(e.type).toBe('text_too_long');
    expect(e.message).toMatch(/would output 2048 characters; allowed: at most 2000/);
  });
});

describe('string nodes behave as ComfyUI\'s Python does', () => {
  test('StringSubstring is a Python slice on code points', () => {
    expect(pySlice('hello world', 0, 5)).toBe('hello');
    expect(pySlice('hello world', -5, 100)).toBe('world');
    expect(pySlice('hello', 3, 1)).toBe('');
    expect(pySlice('a😀b', 1, 2)).toBe('😀');
  });

  test('StringReplace replaces every occurrence; $ patterns are literal; an empty find goes between code points', () => {
    expect(pyReplace('a cat and a cat', 'cat', 'dog')).toBe('a dog and a dog');
    expect(pyReplace('price', 'price', '$&$&')).toBe('$&$&');
    expect(pyReplace('a😀', '', '-')).toBe('-a-😀-');
    expect(pyReplace('', '', '-')).toBe('-');
  });

  test('Replace, Substring, Trim and PrimitiveInt compose into the encoder text', () => {
    const wf = txt2img(['90', 0]);
    wf['90'] = { class_type: 'StringTrim', inputs: { string: ['91', 0], mode: 'Both' } };
    wf['91'] = { class_type: 'StringSubstring', inputs: { string: ['92', 0], start: ['93', 0], end: 100 } };
    wf['92'] = { class_type: 'StringReplace', inputs: { string: 'xx a dog in the snow\u3000', find: 'dog', replace: 'fox' } };
    wf['93'] = { class_type: 'PrimitiveInt', inputs: { value: 2 } };
    expect(texts(wf)).toEqual([['6', 'text', 'a fox in the snow']]);
  });
});

describe('writing the judged texts back', () => {
  test('the judged text replaces the link into the encoder; nothing else changes', () => {
    const wf = splitPrompt('a photo of a nak', 'ed woman');
    const { ordered, blank } = textsToScreen(wf, MAX);
    const sent = writeTexts(wf, ordered, ['a watercolor fox'], blank);
    expect(sent['6'].inputs.text).toBe('a watercolor fox');
    expect(sent['7'].inputs.text).toBe('blurry, nsfw, gore');
    expect(wf['6'].inputs.text).toEqual(['22', 0]); // the client's workflow is not changed
    expect({ ...sent, '6': wf['6'] }).toEqual(wf);
  });

  test('a linked text that evaluates to blank is written in as evaluated, not screened', () => {
    const wf = sdxl('a fox', '');
    wf['6'].inputs.text_l = ['95', 0];
    wf['95'] = { class_type: 'PrimitiveString', inputs: { value: '  ' } };
    const { ordered, blank } = textsToScreen(wf, MAX);
    expect(ordered.map((t: TextItem) => t.input)).toEqual(['text_g']);
    expect(writeTexts(wf, ordered, ['a fox'], blank)['6'].inputs.text_l).toBe('  ');
  });

  test('workflowParams reads the negative prompt through the conditioning route', () => {
    expect(workflowParams(controlNet('a fox', 'blurry', false))).toMatchObject({ width: 64, height: 64, count: 1, steps: 4, seed: 7, negativePrompt: 'blurry' });
    expect(workflowParams(controlNet('a fox', 'blurry', true)).negativePrompt).toBe('a fox');
    expect(workflowParams(txt2img('a fox', 'blurry', 0)).negativePrompt).toBe('blurry'); // screened, and still the negative
  });
});
