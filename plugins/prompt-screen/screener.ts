/**
 * The prompt gate: classifies prompts under the request's policy and decides what goes on.
 *
 *   1. Embed every prompt through the request's text DataLoader: one batch, one model run (and the
 *      cross-request batcher may merge it with other requests).
 *   2. Verdict under the policy's text threshold; category = the nearest unsafe concept anchor's.
 *   3. Not counted (safe, or a category the policy leaves out): PASS. Counted: the policy's action.
 *      FLAG sends the prompt unchanged; BLOCK refuses it (UNSAFE_PROMPT); REDIRECT rewrites it with the
 *      safety service (EDIT or RETRIEVE) and re-judges the rewrite under the same policy: if the rewrite is
 *      still unsafe (say a stricter tenant threshold than the bundle's), the prompt is refused instead.
 *   4. Anything that fails on the way (a model run, the redirect) refuses the prompt: nothing unchecked
 *      reaches a backend.
 * Every decision is emitted once (audit log, metrics).
 */
import { ErrorCode, GatewayError, modelUnavailable } from '../../src/errors';
import { embedThrough } from '../../src/loaders';
import type { PromptDecision } from '../../src/safety/decisions';
import { counts, policyCalibration, type Policy } from '../../src/safety/policy';
import type { SafetyService } from '../../src/safety/service';
import { describeUnsafe, type Verdict } from '../../src/safety/verdict';
import { decisionEvent } from '../shared/decision-event';
import type { Emit, RequestScope } from '../types';


export class PromptScreener {
  constructor(
    private readonly safety: SafetyService,
    private readonly emit: Emit,
  ) {}

  /** Decides every prompt; never rejects. `fields[i]` names where texts[i] came from (for the audit log). */
  async screen(texts: string[], fields: string[], scope: RequestScope): Promise<PromptDecision[]> {
    const t0 = performance.now();
    const policy = scope.tenant.policy;
    let loaded: (Float32Array | Error)[];
    try {
      loaded = await scope.loaders.text.loadMany(texts);
    } catch (e) {
      loaded = texts.map(() => e as Error);
    }
    return Promise.all(
      texts.map(async (text, i) => {
        let d: PromptDecision;
        try {
          d = await this.decide(text, loaded[i], policy, scope);
        } catch (e) {
          d = refused(text, null, null, null, modelUnavailable(`the prompt could not be checked (${(e as Error).message}); it was not passed on: nothing goes through unchecked`, e));
        }
        this.report(d, fields[i] ?? fields[0] ?? '?', scope, performance.now() - t0);
        return d;
      }),
    );
  }

  private async decide(text: string, vec: Float32Array | Error, policy: Policy, scope: RequestScope): Promise<PromptDecision> {
    if (vec instanceof Error) {
      return refused(text, null, null, null, modelUnavailable(`the prompt could not be checked (${vec.message}); it was not passed on: nothing goes through unchecked`, vec));
    }
    const manifest = this.safety.manifest;
    const cal = policyCalibration(manifest, policy, 'TEXT');
    // The service judges (distance, and coverage under the policy's minCoverage when the bundle measures it).
    const judging = { calibration: cal, minCoverage: policy.minCoverage };
    const verdict = this.safety.verdict(vec, 'TEXT', judging);
    const category = this.safety.categoryOf(vec, verdict);
    const counted = counts(policy, verdict, category);
    const base = { text, verdict, vec, category, counted, redirect: null, error: null };
    if (!counted) return { ...base, action: 'PASS', sent: text };
    const why = describeUnsafe(verdict, category);
    switch (policy.prompts.unsafe) {
      case 'FLAG':
        return { ...base, action: 'FLAG', sent: text };
      case 'BLOCK':
        return refused(text, verdict, vec, category, new GatewayError(ErrorCode.UNSAFE_PROMPT, `the prompt is unsafe (${why}) and policy "${policy.name}" blocks unsafe prompts; allowed: a prompt the safety model judges safe`, { details: { category, score: verdict.score } }));
      case 'REDIRECT': {
        // EDIT's variants take the requesting client's turn in the batcher (its loader), not a shared one.
        const r = await this.safety.redirect(vec, 'TEXT', text, policy.prompts.redirect, embedThrough(scope.loaders.text), policy.minCoverage);
        if (r.output === null) {
          return refused(text, verdict, vec, category, new GatewayError(ErrorCode.REDIRECT_UNAVAILABLE, `the prompt is unsafe (${why}) and there is no safe-prompt pool to redirect it to; allowed: a safe prompt, or configure REDIRECT_POOL`));
        }
        const after = this.safety.verdict(r.outputVec, 'TEXT', judging);
        if (after.unsafe) {
          return refused(text, verdict, vec, category, new GatewayError(ErrorCode.UNSAFE_PROMPT, `the prompt is unsafe (${why}) and could not be redirected to text policy "${policy.name}" judges safe; allowed: a prompt the safety model judges safe`, { details: { category, score: verdict.score } }));
        }
        return { ...base, action: 'REDIRECT', sent: r.output, redirect: { strategy: r.strategy, edits: r.edits ?? [], verdict: after, vec: r.outputVec } };
      }
    }
  }

  private report(d: PromptDecision, field: string, scope: RequestScope, latencyMs: number): void {
    this.emit({
      ...decisionEvent('prompt', d, d.error?.code ?? null, field, scope, latencyMs),
      prompt: d.text,
      ...(d.sent !== null && d.sent !== d.text ? { sentPrompt: d.sent } : {}),
    });
  }
}

function refused(text: string, verdict: Verdict | null, vec: Float32Array | null, category: string | null, error: GatewayError): PromptDecision {
  return { text, sent: null, action: 'BLOCK', verdict, vec, category, counted: verdict?.unsafe ?? false, redirect: null, error };
}
