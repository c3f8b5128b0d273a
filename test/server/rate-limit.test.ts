/** The token bucket behind HTTP 429 (wired per API key / client address in http.ts). */
import { RateLimiter } from '../../src/server/rate-limit';

test('a client gets its burst, then one request per 1/perSecond, and a Retry-After in whole seconds', () => {
  const rl = new RateLimiter({ perSecond: 2, burst: 3 });
  const t = 1000;
  expect([0, 1, 2].map(() => rl.take('a', t).allowed)).toEqual([true, true, true]);
  const refused = rl.take('a', t);
  expect(refused).toEqual({ allowed: false, retryAfterS: 1, remaining: 0 });
  expect(rl.take('a', t + 499).allowed).toBe(false);
  expect(rl.take('a', t + 1000).allowed).toBe(true); // 2 tokens refilled after 1 s (the refused tries took none)
  expect(rl.take('b', t).allowed).toBe(true); // clients are independent
});

test('a slow refill gives a longer Retry-After', () => {
  const rl = new RateLimiter({ perSecond: 0.1, burst: 1 });
  expect(rl.take('a', 0).allowed).toBe(true);
  expect(rl.take('a', 0).retryAfterS).toBe(10);
});

test('perSecond 0 disables limiting; the number of buckets is bounded', () => {
  expect(new RateLimiter({ perSecond: 0, burst: 0 }).take('a').allowed).toBe(true);
  const rl = new RateLimiter({ perSecond: 1, burst: 1, maxClients: 2 });
  rl.take('a', 0);
  rl.take('b', 0);
  rl.take('c', 0); // evicts 'a' (least recently used): a fresh bucket is full again
  expect(rl.take('a', 0).allowed).toBe(true);
  expect(rl.take('c', 0).allowed).toBe(false);
});
