/**
 * Facts about the gateway that deployment files must agree with, read from the code and the Dockerfile rather
 * than restated: the shutdown bound, the image's port and user, and the policy loader itself.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadPipelineSettings, type PipelineSettings } from '../../src/safety/policy-file';
import { parseDockerfile } from './docker/dockerfile-parse';

export const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/**
 * Seconds after SIGTERM by which `serve` has exited however busy it is: its force-exit timer, found by the
 * message it logs ("shutdown took longer than N s"). The drain (src/server/drain.ts) ends within it.
 */
export function shutdownBoundSeconds(): number {
  for (const file of sourceFiles(path.join(ROOT, 'src'))) {
    const m = /shutdown took longer than (\d+) s/.exec(fs.readFileSync(file, 'utf8'));
    if (m) return Number(m[1]);
  }
  throw new Error('no "shutdown took longer than N s" in src/: where does serve bound its shutdown now?');
}

/** The runtime image's config as the Dockerfile sets it (the default target: the last stage). */
export function imageFacts(): { port: number; uid: number; gid: number } {
  const df = parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const stage = df.stages[df.stages.length - 1];
  let port = NaN;
  let user = '';
  for (const s of stage.steps) {
    if (s.op === 'ENV') for (const [k, v] of s.pairs) if (k === 'PORT') port = Number(v);
    if (s.op === 'USER') user = s.user;
  }
  const m = /^(\d+):(\d+)$/.exec(user);
  if (!m) throw new Error(`the runtime stage's USER ${JSON.stringify(user)} is not numeric uid:gid`);
  return { port, uid: Number(m[1]), gid: Number(m[2]) };
}

/** Loads a policy file's text with the gateway's own loader, as POLICY_FILE, with `env` as the process environment. */
export function loadPolicyText(text: string, env: Record<string, string | undefined> = {}): PipelineSettings {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hysac-policy-'));
  try {
    const file = path.join(dir, 'policy.yaml');
    fs.writeFileSync(file, text);
    return loadPipelineSettings({ policyFile: file, promptAction: null, imageAction: null, redirectStrategy: 'EDIT', diffusion: { backend: null, url: null, timeoutMs: null, apiKey: null } }, env);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds of a duration such as "30s", "1m30s" (Compose, Go durations). */
export function durationSeconds(d: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(d))) {
    total += Number(m[1]) * units[m[2]];
    end = re.lastIndex;
  }
  if (end !== d.length || d.length === 0) throw new Error(`${JSON.stringify(d)} is not a duration`);
  return total;
}
