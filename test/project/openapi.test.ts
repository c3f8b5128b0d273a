/**
 * openapi/drop-in.yaml: a valid OpenAPI 3.1 document (checked by a real validator), naming every drop-in route
 * the server routes (src/server/proxy DROP_IN_ROUTES and its router) and the operational routes, and matching
 * what a real gateway answers: each request below gets a status the document lists, with a body that
 * validates against the document's schema for it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { createDropInRoutes, DROP_IN_ROUTES, type DropInDeps } from '../../src/server/proxy';
import type { Gateway } from '../../src/main';
import { startTestGateway } from '../helpers/gateway';

const root = path.resolve(__dirname, '../..');
const DOC_FILE = path.join(root, 'openapi/drop-in.yaml');
const OPERATIONAL_ROUTES = ['/healthz', '/readyz', '/metrics'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}
type PathItem = Partial<Record<(typeof METHODS)[number], Operation>>;
const doc = parse(fs.readFileSync(DOC_FILE, 'utf8')) as { paths: Record<string, PathItem>; components: { schemas: Record<string, unknown>; responses: Record<string, Operation['responses'][string]> } };

/** A concrete request path for a templated one (`/history/{id}` -> `/history/x1`). */
const concrete = (template: string) => template.replace(/\{[^}]+\}/g, 'x1');

test('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', () => {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'validate-openapi.mjs'), DOC_FILE], { cwd: root, encoding: 'utf8' });
  expect(run.stderr).toBe('');
  const result = JSON.parse(run.stdout) as { valid: boolean; version: string; errors: unknown[] };
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
  expect(result.version).toBe('3.1');
});

test('lists exactly the drop-in routes the server routes, and the operational routes', () => {
  expect(Object.keys(doc.paths).sort()).toEqual([...DROP_IN_ROUTES, ...OPERATIONAL_ROUTES].sort());
  // The router (not only the list) serves each documented drop-in path, and nothing else.
  const route = createDropInRoutes({} as DropInDeps);
  for (const p of DROP_IN_ROUTES) expect({ path: p, routed: route(concrete(p)) !== null }).toEqual({ path: p, routed: true });
  for (const p of OPERATIONAL_ROUTES) expect(route(p)).toBeNull();
});

describe('a running gateway answers as documented', () => {
  let gw: Gateway;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The document's schemas as $defs of one schema, so that its #/components/schemas refs resolve.
  const toDefs = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('"#/components/schemas/', '"doc#/$defs/'));
  ajv.addSchema({ $id: 'doc', $defs: toDefs(doc.components.schemas) });
  const exercised = new Set<string>();

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  /** Sends a request and checks the answer against the document: its status listed, its body valid. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON body (checked against the schema above) or text
  async function answersAsDocumented(method: string, template: string, init: { query?: string; body?: string; type?: string } = {}): Promise<any> {
    const res = await fetch(`${gw.url}${concrete(template)}${init.query ?? ''}`, {
      method,
      headers: init.type ? { 'content-type': init.type } : {},
      body: init.body,
    });
    const item = doc.paths[template];
    expect(item).toBeDefined();
    const declared = item[method.toLowerCase() as (typeof METHODS)[number]];
    // A method the route does not serve is answered by the operation the route does serve (its 405 entry).
    const op = declared ?? Object.values(item)[0]!;
    if (declared) exercised.add(`${method} ${template}`);
    const status = String(res.status);
    expect({ request: `${method} ${template}`, status, listed: Object.keys(op.responses) }).toEqual({ request: `${method} ${template}`, status, listed: expect.arrayContaining([status]) });
    let response = op.responses[status];
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()!];
    const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
    const content = response.content ?? {};
    expect({ request: `${method} ${template} -> ${status}`, type, documented: Object.keys(content) }).toEqual({ request: `${method} ${template} -> ${status}`, type, documented: expect.arrayContaining([type]) });
    const text = await res.text();
    if (type === 'application/json') {
      const body = JSON.parse(text);
      const validate = ajv.compile(toDefs(content[type].schema));
      const ok = validate(body);
      expect({ request: `${method} ${template} -> ${status}`, body, errors: ok ? null : validate.errors }).toEqual({ request: `${method} ${template} -> ${status}`, body, errors: null });
      return body;
    }
    return text;
  }

  test('operational routes', async () => {
    expect(await answersAsDocumented('GET', '/healthz')).toEqual({ status: 'ok' });
    expect(await answersAsDocumented('GET', '/readyz')).toEqual({ status: 'ready' });
    expect(await answersAsDocumented('GET', '/metrics')).toContain('gateway_model_batches_total');
  });

  test('AUTOMATIC1111: wrong method, broken JSON, a refused field, no backend', async () => {
    expect((await answersAsDocumented('GET', '/sdapi/v1/txt2img')).code).toBe('METHOD_NOT_ALLOWED');
    expect((await answersAsDocumented('POST', '/sdapi/v1/txt2img', { body: '{"prompt":', type: 'application/json' })).code).toBe('BAD_REQUEST');
    const refused = await answersAsDocumented('POST', '/sdapi/v1/txt2img', { body: JSON.stringify({ prompt: 'a red barn', override_settings: { sd_model_checkpoint: 'x' } }), type: 'application/json' });
    expect(refused.code).toBe('BAD_USER_INPUT');
    expect(refused.detail).toContain('override_settings');
    const noBackend = await answersAsDocumented('POST', '/sdapi/v1/txt2img', { body: JSON.stringify({ prompt: 'a red barn under a clear sky' }), type: 'application/json' });
    expect(['BACKEND_UNAVAILABLE', 'UNSAFE_PROMPT']).toContain(noBackend.code);
  });

  test('OpenAI images: wrong method, an unserved field, no backend', async () => {
    expect((await answersAsDocumented('GET', '/v1/images/generations')).error.gateway_code).toBe('METHOD_NOT_ALLOWED');
    const refused = await answersAsDocumented('POST', '/v1/images/generations', { body: JSON.stringify({ prompt: 'a red barn', stream: true }), type: 'application/json' });
    expect(refused.error).toMatchObject({ gateway_code: 'BAD_USER_INPUT', param: 'stream' });
    const noBackend = await answersAsDocumented('POST', '/v1/images/generations', { body: JSON.stringify({ prompt: 'a red barn under a clear sky' }), type: 'application/json' });
    expect(['BACKEND_UNAVAILABLE', 'UNSAFE_PROMPT']).toContain(noBackend.error.gateway_code);
  });

  test('ComfyUI: wrong method, not a workflow, history of an unknown id, an image that is not there', async () => {
    expect((await answersAsDocumented('GET', '/prompt')).error.extra_info.code).toBe('METHOD_NOT_ALLOWED');
    const refused = await answersAsDocumented('POST', '/prompt', { body: JSON.stringify({ prompt: 'a red barn' }), type: 'application/json' });
    expect(refused.error.extra_info.code).toBe('BAD_USER_INPUT');
    expect(await answersAsDocumented('GET', '/history/{id}')).toEqual({});
    expect((await answersAsDocumented('POST', '/history/{id}')).error.extra_info.code).toBe('METHOD_NOT_ALLOWED');
    expect(await answersAsDocumented('GET', '/view', { query: '?filename=none.png' })).toBe('404: Not Found');
    expect((await answersAsDocumented('POST', '/view')).error.extra_info.code).toBe('METHOD_NOT_ALLOWED');
  });

  afterAll(() => {
    // Every documented operation was exercised against the server (a documented route it does not serve would have been a 404).
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    expect([...exercised].sort()).toEqual(documented.sort());
  });
});
