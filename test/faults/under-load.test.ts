/**
 * Faults under load: many concurrent generations against a backend that fails in every way, and a
 * model runtime that dies mid-load. None of them may let an image out unchecked.
 */
import { gql } from '../helpers/gateway';
import { auth, fromDataUrl, RED, SAFE, startPipeline, type Pipeline } from '../helpers/pipeline';

const GENERATE = `mutation($input: GenerateInput!) { generate(input: $input) { outcome images { dataUrl action check { checked unsafe } } } }`;

let p: Pipeline;
beforeAll(async () => {
  p = await startPipeline('a1111');
});
afterAll(() => p?.close());

/** Every image that leaves the gateway was checked, and passed only when judged safe. */
function assertNothingUnchecked(bodies: { data?: any; errors?: any[] }[]): number {
  let images = 0;
  for (const b of bodies) {
    for (const img of b.data?.generate?.images ?? []) {
      images++;
      if (img.dataUrl !== null) {
        expect(img.check.checked).toBe(true);
        if (img.action === 'PASSED') expect(img.check.unsafe).toBe(false);
        expect(fromDataUrl(img.dataUrl).length).toBeGreaterThan(0);
      } else {
        expect(img.action).toBe('WITHHELD');
      }
    }
  }
  return images;
}

test.each(['not-image', 'garbage', 'wrong-shape', 'unavailable'] as const)('48 concurrent generations against a backend returning %s: no unchecked image, no 5xx', async (mode) => {
  p.fake.reset();
  p.fake.mode = mode;
  const results = await Promise.all(
    Array.from({ length: 48 }, (_, i) => gql(p.gw, GENERATE, { input: { prompt: i % 2 ? SAFE : RED, width: 64, height: 64, count: 2 } }, auth('flag'))),
  );
  for (const r of results) expect(r.status).toBeLessThan(500);
  assertNothingUnchecked(results.map((r) => r.body));
  if (mode === 'not-image') {
    // The backend answered with bytes: every one of them must have been withheld as uncheckable.
    for (const r of results) {
      expect(r.body.errors).toBeUndefined();
      for (const img of r.body.data!.generate.images) expect(img).toMatchObject({ dataUrl: null, action: 'WITHHELD', check: { checked: false } });
    }
  } else {
    for (const r of results) expect(r.body.errors?.[0]?.extensions?.code).toMatch(/^BACKEND_/);
  }
});

test('the model runtime dying under load withholds images instead of passing them (research policy: PASS unsafe images)', async () => {
  p.fake.reset();
  const inFlight = Array.from({ length: 32 }, (_, i) => gql(p.gw, GENERATE, { input: { prompt: i % 2 ? SAFE : RED, width: 64, height: 64, count: 2 } }, auth('flag')));
  setTimeout(() => void p.gw.services.runtime.pool.close(0), 5);
  const results = await Promise.all(inFlight);
  for (const r of results) expect(r.status).toBeLessThan(500);
  assertNothingUnchecked(results.map((r) => r.body));
  // After the runtime is gone, nothing is generated-and-passed: prompts fail closed or images are withheld.
  const after = await gql(p.gw, GENERATE, { input: { prompt: SAFE, width: 64, height: 64 } }, auth('flag'));
  expect(after.body.data?.generate?.images?.some((i: { dataUrl: string | null }) => i.dataUrl !== null) ?? false).toBe(false);
});
