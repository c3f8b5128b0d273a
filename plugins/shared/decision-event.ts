/**
 * The audit/metrics record of one safety decision, as the prompt screen and the image post-check both emit it:
 * who asked (the request scope), where (the field), what was measured (the verdict, or 'unchecked' when the
 * check could not run) and what was done. Each gate adds its own fields after these (the prompt screen: the
 * prompt and the text sent on).
 */
import type { ImageDecision, PromptDecision, SafetyDecisionEvent } from '../../src/safety/decisions';
import type { RequestScope } from '../types';

/** The part of a prompt or image decision that every event reports. */
type Decided = Pick<PromptDecision | ImageDecision, 'verdict' | 'category' | 'counted' | 'action'>;

/**
 * The common fields of a SafetyDecisionEvent for decision `d`. `code` is the refusal's error code (null when
 * nothing was refused); `latencyMs` the time spent checking.
 */
export function decisionEvent(
  kind: SafetyDecisionEvent['kind'],
  d: Decided,
  code: string | null,
  field: string,
  scope: RequestScope,
  latencyMs: number,
): SafetyDecisionEvent {
  const v = d.verdict;
  return {
    kind,
    requestId: scope.requestId,
    policy: scope.tenant.policy.name,
    tenant: scope.tenant.name,
    field,
    verdict: v === null ? 'unchecked' : v.unsafe ? 'unsafe' : 'safe',
    score: v?.score ?? null,
    distance: v?.distance ?? null,
    threshold: v?.threshold ?? null,
    category: d.category,
    counted: d.counted,
    action: d.action,
    code,
    latencyMs,
    ...(v?.coverage !== undefined ? { coverage: v.coverage, ...(v.reason ? { reason: v.reason } : {}) } : {}),
  };
}
