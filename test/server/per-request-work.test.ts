/**
 * What the gateway stopped doing on every request (test/bench/FINDINGS.md, "Changes and what each bought"),
 * checked to change nothing a client or a plugin can see:
 *  - the prompt screen finds a document's Prompt arguments once per parsed document (Apollo hands every
 *    request with the same query string the same DocumentNode) and reads only the variables per request;
 *  - Apollo's cache-control plugin is off, and the `cache-control: no-store` it put on every GraphQL
 *    response is still there;
 *  - GraphQL responses carry a content-length instead of chunked encoding.
 */
import { buildASTSchema, getOperationAST, parse } from 'graphql';
import type { Gateway } from '../../src/main';
import { readTypeDefs } from '../../src/server/schema';
import { collectOperationPrompts } from '../../plugins/prompt-screen/walk';
import { gql, startTestGateway } from '../helpers/gateway';

describe('collectOperationPrompts with a cached document', () => {
  const schema = buildASTSchema(
    parse(`${readTypeDefs()}
      input CaptionStyle { prefix: Prompt, tags: [Prompt!], note: String }
      extend type Query { caption(text: Prompt!, style: CaptionStyle): String! }`),
  );
  const doc = parse(`query One($t: Prompt!, $tags: [Prompt!]) {
      a: caption(text: $t)
      b: caption(text: "a quiet harbour at dawn", style: { tags: $tags, note: "x" })
      ...More
    }
    query Two { classify(input: { text: "not a Prompt" }) { unsafe } }
    fragment More on Query { c: caption(text: "a castle on a hill", style: { prefix: "a bowl of fruit" }) }`);
  const one = getOperationAST(doc, 'One')!;
  const two = getOperationAST(doc, 'Two')!;

  test('the same document and operation, new variables: the new values are found, in document order', () => {
    const first = collectOperationPrompts(schema, doc, one, { t: 'a lighthouse', tags: ['a boat', 'a gull'] });
    expect(first).toEqual([
      { text: 'a lighthouse', field: 'Query.caption' },
      { text: 'a quiet harbour at dawn', field: 'Query.caption' },
      { text: 'a boat', field: 'Query.caption' },
      { text: 'a gull', field: 'Query.caption' },
      { text: 'a castle on a hill', field: 'Query.caption' },
      { text: 'a bowl of fruit', field: 'Query.caption' },
    ]);
    const second = collectOperationPrompts(schema, doc, one, { t: 'a red kite', tags: null });
    expect(second.map((f) => f.text)).toEqual(['a red kite', 'a quiet harbour at dawn', 'a castle on a hill', 'a bowl of fruit']);
  });

  test('variables that do not coerce still give [] (execution reports them)', () => {
    expect(collectOperationPrompts(schema, doc, one, { t: null })).toEqual([]);
    expect(collectOperationPrompts(schema, doc, one, {})).toEqual([]);
    expect(collectOperationPrompts(schema, doc, one, { t: 'a lighthouse', tags: 'not a list' }).map((f) => f.text)).toContain('not a list'); // coerced to a one-item list
  });

  test('another operation of the same document has its own arguments; String arguments are not Prompts', () => {
    // Two sees only the fragment's literals (fragments are walked for every operation, as before).
    expect(collectOperationPrompts(schema, doc, two, undefined).map((f) => f.text)).toEqual(['a castle on a hill', 'a bowl of fruit']);
    const plain = parse('query($t: String!) { classify(input: { text: $t }) { unsafe } }');
    expect(collectOperationPrompts(schema, plain, getOperationAST(plain)!, { t: 'a cat' })).toEqual([]);
    expect(collectOperationPrompts(schema, plain, getOperationAST(plain)!, { t: 42 })).toEqual([]);
  });
});

describe('GraphQL response headers', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  test('cache-control: no-store on results and on pipeline errors, as with Apollo cache control on', async () => {
    const ok = await gql(gw, 'query($t: String!) { classify(input: { text: $t }) { unsafe score } }', { t: 'a cat on a sofa' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const parseError = await gql(gw, '{ classify(');
    expect(parseError.status).toBe(400);
    expect(parseError.headers.get('cache-control')).toBe('no-store');
    const invalid = await gql(gw, '{ nope }');
    expect(invalid.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(invalid.headers.get('cache-control')).toBe('no-store');
  });

  test('a complete response has a content-length equal to its body, not chunked encoding', async () => {
    const res = await fetch(`${gw.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ model { name } }' }) });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBe(body.length);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ data: { model: { name: 'fixture-tiny' } } });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});
