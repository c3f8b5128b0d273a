/**
 * deploy/kubernetes: every manifest is validated offline against the Kubernetes API's OpenAPI schemas (the npm
 * package kubernetes-models: ajv validators generated from the Kubernetes OpenAPI spec; required fields, types,
 * formats), checked for unknown fields as the API server's strict field validation does (kubernetes-fields.ts),
 * and checked against what the gateway actually does (probe routes, port, user, shutdown bound, policy loader).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { imageFacts, loadPolicyText, ROOT, shutdownBoundSeconds } from './gateway-facts';
import { fieldErrors } from './kubernetes-fields';

const DIR = path.join(ROOT, 'deploy/kubernetes');

/** One validating model per kind the manifests may use; anything else has no schema here and fails the test. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: any };

/** Throws the validator's message (paths and what is wrong) when `doc` does not match its kind's schema. */
function validate(doc: Manifest): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`${doc.apiVersion} ${doc.kind}: no Kubernetes schema for it here; allowed: ${Object.keys(MODELS).join(', ')}`);
  new Model(doc).validate();
}

const kustomization = parseYaml(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
const docs: Manifest[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => {
    if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJS() as Manifest;
  }),
);
const one = (kind: string): Manifest => {
  const found = docs.filter((d) => d.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};
const deployment = one('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

describe('schema validation', () => {
  test('kustomization.yaml lists every manifest in the folder', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  test.each(docs.map((d) => [`${d.kind} ${d.metadata.name}`, d] as const))('%s is valid against the Kubernetes API schema', (_name, doc) => {
    expect(() => validate(doc)).not.toThrow();
  });

  test('no manifest has a field the Kubernetes API does not know (strict field validation)', () => {
    expect(fieldErrors(docs)).toEqual(docs.map(() => []));
  }, 60_000);

  test('a misspelt or mistyped field is found, naming it', () => {
    const typo = structuredClone(deployment);
    typo.spec.template.spec.containers[0].readinesProbe = typo.spec.template.spec.containers[0].readinessProbe;
    delete typo.spec.template.spec.containers[0].readinessProbe;
    const mistyped = structuredClone(one('Service'));
    mistyped.spec.ports[0].port = '80';
    const [typoErrors, mistypedErrors] = fieldErrors([typo, mistyped]);
    expect(typoErrors.join('\n')).toMatch(/'"?readinesProbe"?' does not exist in type 'Container'/);
    expect(mistypedErrors.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  }, 60_000);

  test('a broken manifest is rejected, naming what is wrong', () => {
    const broken = structuredClone(deployment);
    broken.spec.replicas = 'two';
    delete broken.spec.template.spec.containers[0].name;
    broken.spec.template.spec.containers[0].ports[0].containerPort = '4000';
    expect(() => validate(broken)).toThrow(/spec\/replicas must be integer.*containers\/0 must have required property name/s);
    expect(() => validate(broken)).toThrow(/containerPort must be integer/);
    const hpa = structuredClone(one('HorizontalPodAutoscaler'));
    delete hpa.spec.maxReplicas;
    expect(() => validate(hpa)).toThrow(/required property maxReplicas/);
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'StatefulSett', metadata: { name: 'x' } })).toThrow(/no Kubernetes schema/);
  });
});

describe('what the cluster will do with the gateway', () => {
  test('the Service, PodDisruptionBudget and HorizontalPodAutoscaler all reach the Deployment and its pods', () => {
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
    const service = one('Service');
    expect(selects(service.spec.selector)).toBe(true);
    expect(service.spec.ports.map((p: any) => p.targetPort)).toEqual(container.ports.map((p: any) => p.name));
    expect(selects(one('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    expect(one('HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: deployment.apiVersion, kind: 'Deployment', name: deployment.metadata.name });
  });

  test('probes: readiness on /readyz, liveness and start-up on /healthz, on the port the image listens on', () => {
    const { port } = imageFacts();
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  });

  test('runs as the image user, non-root, on a read-only root filesystem, without privileges', () => {
    const { uid, gid } = imageFacts();
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('termination grace covers the preStop pause and the gateway shutdown bound, so SIGKILL never cuts a drain short', () => {
    const preStop = container.lifecycle.preStop.exec.command as string[];
    expect(preStop[0]).toBe('sleep');
    const sleep = Number(preStop[1]);
    expect(sleep).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(sleep + shutdownBoundSeconds());
  });

  test('the autoscaler has CPU requests to measure against, and one model worker per CPU of the limit', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(container.resources.requests.cpu).toBeDefined();
    const workers = container.env.find((e: any) => e.name === 'MODEL_WORKERS').value;
    expect(Number(workers)).toBe(Number(container.resources.limits.cpu));
    expect(hpa.spec.minReplicas).toBeGreaterThan(one('PodDisruptionBudget').spec.maxUnavailable);
  });

  test('the policy ConfigMap is mounted where POLICY_FILE points, and its Secret is the pod environment', () => {
    const cm = one('ConfigMap');
    const mountPath = container.volumeMounts.find((m: any) => m.name === pod.volumes.find((v: any) => v.configMap?.name === cm.metadata.name).name).mountPath;
    expect(container.env.find((e: any) => e.name === 'POLICY_FILE').value).toBe(`${mountPath}/${Object.keys(cm.data)[0]}`);
    expect(container.envFrom).toEqual([{ secretRef: { name: one('Secret').metadata.name } }]);
  });

  test('the shipped Secret placeholder stops the gateway at start-up (fail closed); a real key makes the policy load', () => {
    const policy = Object.values(one('ConfigMap').data as Record<string, string>)[0];
    const secret = one('Secret').stringData as Record<string, string>;
    expect(() => loadPolicyText(policy, secret)).toThrow(/APP_API_KEY.*not a usable key/);
    const settings = loadPolicyText(policy, { APP_API_KEY: 'k8s-test-key-0123456789abcdef' });
    expect(settings.policies.keys.size).toBe(1);
    expect(settings.diffusion).toMatchObject({ backend: 'a1111', url: 'http://stable-diffusion-webui:7860' });
  });
});
