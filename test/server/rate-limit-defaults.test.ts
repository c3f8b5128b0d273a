/**
 * Rate limiting is on by default only where it cannot throttle a legitimate backend (issue #13). A web
 * backend calling the gateway is one client address however many users it serves: with API keys off and
 * RATE_LIMIT_PER_SECOND unset, nothing is limited. With API keys configured, each key has its bucket
 * (100 requests a second by default). RATE_LIMIT_PER_SECOND set explicitly limits per address as before
 * (test/server/rate-limited.test.ts).
 */
import type { Gateway } from '../../src/main';
import { rateLimitFor } from '../../src/server/rate-limit';
import { startTestGateway } from '../helpers/gateway';
import { writePolicy } from '../helpers/pipeline';

const KEY_A = 'rate-key-a-0123456789';
const KEY_B = 'rate-key-b-0123456789';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: any;
}

/**
 * `n` requests sent at once from this process (one address): `{ __typename }` to /graphql, or, with
 * `cheap`, a body the OpenAI drop-in refuses at once (400), so the requests reach the limiter as close
 * together as this machine allows. Both routes are rate limited.
 */
async function burst(gw: Gateway, n: number, key?: string, cheap = false): Promise<Answer[]> {
  const headers = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const [path, body] = cheap ? ['/v1/images/generations', 'not json'] : ['/graphql', '{"query":"{ __typename }"}'];
  return Promise.all(
    Array.from({ length: n }, async () => {
      const r = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body });
      return { status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.json() };
    }),
  );
}

const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

test('the default rate: 100 per key with API keys, off without; an explicit RATE_LIMIT_PER_SECOND always wins', () => {
  expect(rateLimitFor(null, 200, 0)).toEqual({ perSecond: 0, burst: 200 });
  expect(rateLimitFor(null, 200, 2)).toEqual({ perSecond: 100, burst: 200 });
  expect(rateLimitFor(5, 10, 0)).toEqual({ perSecond: 5, burst: 10 });
  expect(rateLimitFor(0, 10, 3)).toEqual({ perSecond: 0, burst: 10 });
});

describe('API keys off, RATE_LIMIT_PER_SECOND unset', () => {
  let gw: Gateway;
  afterEach(async () => {
    await gw?.close();
  });

  // What a web backend sees. (On a loaded machine 300 requests can take seconds to arrive, within the old
  // per-address default of 200 + 100 a second: the next test is the one the old default fails for sure.)
  test('300 requests at once from one address all get 200, no 429', async () => {
    gw = await startTestGateway({}, { RATE_LIMIT_PER_SECOND: '' });
    const statuses = await burst(gw, 300);
    expect(count(statuses, 429)).toBe(0);
    expect(count(statuses, 200)).toBe(300);
  });

  test('even with RATE_LIMIT_BURST at 1, one address is not limited (the rate is off, not merely generous)', async () => {
    gw = await startTestGateway({}, { RATE_LIMIT_PER_SECOND: '', RATE_LIMIT_BURST: '1' });
    const answers = await burst(gw, 300, undefined, true);
    expect(count(answers, 429)).toBe(0);
    expect(count(answers, 400)).toBe(300);
  });
});

describe('API keys configured, RATE_LIMIT_PER_SECOND unset', () => {
  let gw: Gateway;
  beforeAll(async () => {
    const policy = writePolicy(`apiKeys:\n  - { name: app-a, key: ${KEY_A}, policy: default }\n  - { name: app-b, key: ${KEY_B}, policy: default }\n`);
    gw = await startTestGateway({}, { RATE_LIMIT_PER_SECOND: '', RATE_LIMIT_BURST: '1', POLICY_FILE: policy });
  });
  afterAll(async () => {
    await gw?.close();
  });

  test('a key over its burst gets 429 RATE_LIMITED with Retry-After, naming the options; another key is not affected', async () => {
    // 300 requests at once against a burst of 1 and 100 a second: all would pass only if they took 3 s to arrive.
    const a = await burst(gw, 300, KEY_A, true);
    expect(count(a, 400)).toBeGreaterThan(0); // let through, refused by the drop-in for its body
    expect(count(a, 429)).toBeGreaterThan(0);
    const limited = a.find((x) => x.status === 429)!;
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(limited.body.errors[0]).toMatchObject({ message: expect.stringMatching(/RATE_LIMIT_PER_SECOND/), extensions: { code: 'RATE_LIMITED' } });
    expect((await burst(gw, 1, KEY_B)).map((x) => x.status)).toEqual([200]);
  });
});
