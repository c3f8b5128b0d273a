/**
 * audit: one structured pino JSON line per safety decision (every prompt screened, every image checked),
 * from GraphQL and the drop-in endpoints alike:
 *
 *   { "audit": "prompt" | "image", "requestId", "field", "policy", "tenant", "verdict": safe|unsafe|unchecked,
 *     "score", "distance", "threshold", "category", "counted", "action", "code", "latencyMs",
 *     "promptSha256" | "prompt", "sentPromptSha256" | "sentPrompt", "msg": "safety decision" }
 *
 * The prompt itself is written only with AUDIT_PROMPTS=TEXT; by default its sha256 (so a line can be tied
 * to a known prompt without the log holding it).
 */
import { createHash } from 'node:crypto';
import type pino from 'pino';
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

export function audit(log: pino.Logger, options: Partial<AuditOptions> = {}): GatewayPlugin {
  const o = resolveAuditOptions(options);
  return {
    name: 'audit',
    onDecision: (e) => log[o.level](auditLine(e, o.prompts), o.message),
  };
}

export type { AuditOptions } from './options';
