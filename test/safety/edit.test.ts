/**
 * EDIT's search (src/safety/edit.ts) on a hand-made scoring function whose answers can be worked out by hand: the
 * "embedding" of a text is its distance from the origin, d(text), so every step of the algorithm is visible.
 * (The model-backed behaviour, hysac-mini end to end, is covered by the API tests and by `npm run eval`.)
 */
import { editPrompt, type EditOptions } from '../../src/safety/edit';

const TARGET = 2;

/** 0.5 + 3 when the text says "naked" or "nude" (either is enough), + `extra`. */
function scorer(extra: (words: string[], text: string) => number = () => 0): { options: EditOptions; calls: string[][] } {
  const calls: string[][] = [];
  const d = (text: string): number => {
    const words = text.toLowerCase().split(/[^a-z]+/).filter(Boolean);
    return 0.5 + (words.includes('naked') || words.includes('nude') ? 3 : 0) + extra(words, text);
  };
  const options: EditOptions = {
    embed: async (texts) => {
      calls.push(texts);
      return texts.map((t) => Float32Array.of(d(t)));
    },
    distance: (v) => v[0],
    target: TARGET,
    words: null,
  };
  return { options, calls };
}

async function edit(text: string, options: EditOptions) {
  const vec = (await options.embed([text]))[0];
  return editPrompt(text, vec, options);
}

describe('EDIT', () => {
  test('a safe prompt comes back unchanged without any search', async () => {
    const { options, calls } = scorer();
    const r = await edit('a woman on a beach', options);
    expect(r).toMatchObject({ output: 'a woman on a beach', edits: [], safe: true });
    expect(calls).toHaveLength(1); // only the embedding made by the test itself
  });

  test('one unsafe word is dropped and the rest of the prompt is kept word for word', async () => {
    const { options } = scorer();
    const r = await edit('a naked woman on a beach at sunset', options);
    expect(r.output).toBe('a woman on a beach at sunset');
    expect(r.edits).toEqual([{ from: 'naked', to: null }]);
    expect(r.safe).toBe(true);
    expect(r.distance).toBeLessThan(TARGET);
  });

  test('a prompt that says the same thing twice loses both words (leave-one-out alone sees neither)', async () => {
    // Removing "naked" leaves "nude" and the other way round: both attributions are 0 at first.
    const { options } = scorer();
    const r = await edit('a naked, nude woman', options);
    expect(r.safe).toBe(true);
    expect(r.output).toBe('a woman');
    expect(r.edits).toEqual([
      { from: 'naked', to: null },
      { from: 'nude', to: null },
    ]);
  });

  test('an edit that a later one made unnecessary is undone', async () => {
    // "knife" alone scores 4 (unsafe on its own) but adds nothing in this prompt; it is taken first (furthest out
    // alone), then "naked" and "nude" go, and undoing "knife" keeps the prompt safe.
    const { options } = scorer((words, text) => (text === 'knife' ? 3.5 : 0));
    const r = await edit('knife naked nude chef', options);
    expect(r.safe).toBe(true);
    expect(r.output).toBe('knife chef');
    expect(r.edits.map((e) => e.from)).toEqual(['naked', 'nude']);
  });

  test('stop words are never edited and words that do not help are left as written', async () => {
    // "the" pushes outward here, but it is a stop word; "storm" pushes a little but is safe on its own and
    // removing it does not reach the bound, so the prompt cannot be made safe: safe = false, RETRIEVE takes over.
    const { options } = scorer((words) => (words.includes('the') ? 2 : 0) + (words.includes('storm') ? 0.4 : 0));
    const r = await edit('the storm', options);
    expect(r.safe).toBe(false);
    expect(r.output.split(' ')).toContain('the');
    expect(r.distance).toBeGreaterThanOrEqual(TARGET);
  });

  test('at most maxEdits words are changed', async () => {
    const { options } = scorer((words) => words.filter((w) => w.startsWith('bad')).length * 1.0);
    const r = await edit('bad1 bad2 bad3 bad4 bad5 tree', { ...options, maxEdits: 3 });
    expect(r.edits.length).toBeLessThanOrEqual(3);
    expect(r.safe).toBe(false);
  });
});
