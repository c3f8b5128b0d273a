/**
 * The typed client (clients/typescript): its generated output is what codegen.yml's client target makes now,
 * its example operations validate against the served schema, it type-checks on its own (DOM lib, no Node
 * types), and its documents and request() work against a real gateway.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildASTSchema, parse as parseGraphQL, validate } from 'graphql';
import { parse } from 'yaml';
import { ClassifyTextDocument, GenerateDocument, RedirectTextDocument } from '../../clients/typescript/gql/graphql';
import { GatewayRequestError, request } from '../../clients/typescript/request';
import type { Gateway } from '../../src/main';
import { readTypeDefs } from '../../src/server/schema';
import { startTestGateway } from '../helpers/gateway';

const root = path.resolve(__dirname, '../..');
const TARGET = 'clients/typescript/gql/';
const OPERATIONS = path.join(root, 'clients/typescript/operations');

test('clients/typescript/gql is up to date with schema/ and the operations (run `npm run codegen`)', () => {
  const config = parse(fs.readFileSync(path.join(root, 'codegen.yml'), 'utf8'));
  expect(Object.keys(config.generates)).toContain(TARGET);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-client-'));
  const out = path.join(tmp, 'gql') + path.sep;
  config.generates = { [out]: config.generates[TARGET] };
  fs.writeFileSync(path.join(tmp, 'codegen.json'), JSON.stringify(config));
  const bin = path.join(root, 'node_modules/@graphql-codegen/cli/cjs/bin.js');
  const run = spawnSync(process.execPath, [bin, '--config', path.join(tmp, 'codegen.json')], { cwd: root, encoding: 'utf8' });
  expect(run.status).toBe(0);
  const committed = fs.readdirSync(path.join(root, TARGET)).sort();
  expect(committed).toEqual(fs.readdirSync(out).sort());
  for (const f of committed) expect({ f, text: fs.readFileSync(path.join(root, TARGET, f), 'utf8') }).toEqual({ f, text: fs.readFileSync(path.join(out, f), 'utf8') });
});

test('every example operation validates against the served schema', () => {
  const schema = buildASTSchema(parseGraphQL(readTypeDefs()));
  const files = fs.readdirSync(OPERATIONS).filter((f) => f.endsWith('.graphql'));
  expect(files.sort()).toEqual(['classify.graphql', 'generate.graphql', 'redirect.graphql']);
  for (const f of files) {
    const errors = validate(schema, parseGraphQL(fs.readFileSync(path.join(OPERATIONS, f), 'utf8'))).map((e) => e.message);
    expect({ f, errors }).toEqual({ f, errors: [] });
  }
});

test('the client type-checks on its own (clients/typescript/tsconfig.json)', () => {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'clients/typescript/tsconfig.json')], { cwd: root, encoding: 'utf8' });
  expect(run.stdout + run.stderr).toBe('');
  expect(run.status).toBe(0);
});

describe('against a real gateway', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  test('ClassifyText returns a typed verdict consistent with its distance and threshold', async () => {
    const { classify } = await request(`${gw.url}/graphql`, ClassifyTextDocument, { text: 'a watercolor painting of a fox in the snow' });
    expect(classify.checked).toBe(true);
    expect(classify.unsafe).toBe(classify.distance >= classify.threshold);
    expect(classify.window).toMatchObject({ index: 0, count: 1 });
    expect(classify.nearest.length).toBeGreaterThan(0);
  });

  test('RedirectText with RETRIEVE returns a verdict on the output', async () => {
    const { redirect } = await request(`${gw.url}/graphql`, RedirectTextDocument, { text: 'a quiet lake at dawn', strategy: 'RETRIEVE' });
    expect(typeof redirect.redirected).toBe('boolean');
    if (!redirect.redirected) expect(redirect.output).toBe('a quiet lake at dawn');
    expect(redirect.after.unsafe).toBe(false);
  });

  test('Generate without a configured backend fails with a stable code, and bad variables with BAD_USER_INPUT', async () => {
    const noBackend = await request(`${gw.url}/graphql`, GenerateDocument, { input: { prompt: 'a red barn under a clear sky' } }).catch((e: unknown) => e);
    expect(noBackend).toBeInstanceOf(GatewayRequestError);
    expect(['BACKEND_UNAVAILABLE', 'UNSAFE_PROMPT']).toContain((noBackend as GatewayRequestError).codes[0]);
    const tooWide = await request(`${gw.url}/graphql`, GenerateDocument, { input: { prompt: 'a red barn', width: 4096 } }).catch((e: unknown) => e);
    expect((tooWide as GatewayRequestError).codes).toEqual(['BAD_USER_INPUT']);
    expect((tooWide as GatewayRequestError).message).toMatch(/width/);
  });
});
