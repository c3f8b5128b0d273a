/** Rate limiting over HTTP: 429 with Retry-After once a client's burst is spent; health checks are never limited. */
import type { Gateway } from '../../src/main';
import { startTestGateway } from '../helpers/gateway';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '5' });
});
afterAll(async () => {
  await gw?.close();
});

const query = () => fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ model { name } }"}' });

test('a client over its burst gets 429 with Retry-After and a code; /healthz is not limited', async () => {
  const statuses: number[] = [];
  let limited: Response | null = null;
  for (let i = 0; i < 8; i++) {
    const r = await query();
    statuses.push(r.status);
    if (r.status === 429 && !limited) limited = r;
    else await r.arrayBuffer();
  }
  expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
  expect(statuses.slice(5)).toContain(429);
  expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  const body = await limited!.json() as any;
  expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  expect(body.errors[0].message).toMatch(/RATE_LIMIT_PER_SECOND/);
  for (let i = 0; i < 20; i++) expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
});
