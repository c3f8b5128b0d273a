/** NODE_ENV=production: introspection off unless enabled, no stack traces or internal paths, CSRF on. */
import type { Gateway } from '../../src/main';
import { gql, startTestGateway } from '../helpers/gateway';

let gw: Gateway;
beforeAll(async () => {
  gw = await startTestGateway({}, { NODE_ENV: 'production' });
});
afterAll(async () => {
  await gw?.close();
});

test('introspection is off in production', async () => {
  const { status, body } = await gql(gw, '{ __schema { types { name } } }');
  expect(status).toBe(400);
  expect(body.errors![0].message).toMatch(/introspection/i);
});

test('errors carry codes but no stack traces, internal paths or field suggestions', async () => {
  const bad = await gql(gw, '{ classify(input: { text: "" }) { unsafe } }');
  expect(bad.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  const typo = await gql(gw, '{ classfy(input: { text: "a" }) { unsafe } }');
  expect(typo.body.errors![0].message).not.toMatch(/Did you mean/);
  for (const r of [bad, typo]) {
    const text = JSON.stringify(r.body);
    expect(text).not.toMatch(/stacktrace|\/work\/|node_modules|\.ts:\d+/);
  }
});

test('CSRF prevention stays on in production', async () => {
  const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ model { name } }"}' });
  expect(res.status).toBe(400);
});
