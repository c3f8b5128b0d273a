/**
 * audit: one structured pino JSON line per safety decision (every prompt screened, every image checked),
 * from GraphQL and the drop-in endpoints alike:
 *
 *   { "audit": "prompt" | "image", "requestId", "field", "policy", "tenant", "verdict": safe|unsafe|unchecked,
 *     "score", "distance", "threshold", "category", "counted", "action", "code", "latencyMs",
 *     "promptSha256" | "prompt", "sentPromptSha256" | "sentPrompt" (prompts), "reason" (images), "msg": "safety decision" }
 *
 * The prompt itself is written only with AUDIT_PROMPTS=TEXT; by default its sha256 (so a line can be tied
 * to a known prompt without the log holding it).
 *
 * And one line per diffusion backend failure, the only place what the backend said is kept (clients get the
 * failure kind, the HTTP status and the request id to look it up here):
 *
 *   { "audit": "backend", "requestId", "tenant", "policy", "backend", "code", "status", "message", "detail",
 *     "msg": "backend failure" }
 *
 * `detail` is the backend's body (bounded) or the network error. Unless AUDIT_PROMPTS=TEXT, the texts the
 * backend was sent are replaced in it by "[prompt]", since backends echo their input in validation errors.
 */
import { createHash } from 'node:crypto';
import type pino from 'pino';
import type { BackendFailureEvent } from '../../src/diffusion/report';
import type { SafetyDecisionEvent } from '../../src/safety/decisions';
import type { GatewayPlugin } from '../types';
import { resolveAuditOptions, type AuditOptions } from './options';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function auditLine(e: SafetyDecisionEvent, prompts: AuditOptions['prompts']): Record<string, unknown> {
  const { kind, prompt, sentPrompt, latencyMs, score, distance, threshold, ...rest } = e;
  const line: Record<string, unknown> = {
    audit: kind,
    ...rest,
    score: score === null ? null : Number(score.toFixed(6)),
    distance: distance === null ? null : Number(distance.toFixed(6)),
    threshold,
    latencyMs: Number(latencyMs.toFixed(2)),
  };
  if (prompt !== undefined && prompts === 'HASH') {
    line.promptSha256 = sha256(prompt);
    if (sentPrompt !== undefined) line.sentPromptSha256 = sha256(sentPrompt);
  } else if (prompt !== undefined && prompts === 'TEXT') {
    line.prompt = prompt;
    if (sentPrompt !== undefined) line.sentPrompt = sentPrompt;
  }
  return line;
}

/** The log line of a backend failure; `texts` it was sent are redacted from `detail` unless prompts is TEXT. */
export function backendFailureLine(e: BackendFailureEvent, prompts: AuditOptions['prompts']): Record<string, unknown> {
  const { texts, detail, ...rest } = e;
  let shown = detail;
  if (shown !== null && prompts !== 'TEXT') {
    // Longest first, so a prompt that contains another is replaced whole; JSON bodies hold texts escaped.
    for (const t of [...texts].sort((a, b) => b.length - a.length)) {
      for (const form of [t, JSON.stringify(t).slice(1, -1)]) shown = shown.split(form).join('[prompt]');
    }
  }
  return { audit: 'backend', ...rest, detail: shown };
}

export function audit(log: pino.Logger, options: Partial<AuditOptions> = {}): GatewayPlugin {
  const o = resolveAuditOptions(options);
  return {
    name: 'audit',
    onDecision: (e) => log[o.level](auditLine(e, o.prompts), o.message),
    onBackendFailure: (e) => log[o.level](backendFailureLine(e, o.prompts), 'backend failure'),
  };
}

export type { AuditOptions } from './options';
