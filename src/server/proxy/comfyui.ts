/**
 * Drop-in ComfyUI: POST /prompt, GET /history/{prompt_id}, GET /view, screened and post-checked.
 *
 * POST /prompt screens the workflow's text (comfyui-workflow.ts) before anything is queued. A refused prompt
 * is HTTP 400 in ComfyUI's validation shape: { error: { type: "prompt_blocked", message, details,
 * extra_info: { code } }, node_errors: { <node>: { errors: [...], dependent_outputs: [], class_type } } }.
 * Otherwise it answers { prompt_id, number, node_errors: {} } and generates in the background with the
 * configured backend (a ComfyUI backend receives the client's workflow with the screened texts; another
 * backend gets the size, steps, seed and main prompt read from it).
 * GET /history/{id}: {} while running; then { <id>: { prompt, outputs: { <SaveImage node>: { images: [...] } },
 * status: { status_str: "success", completed: true, messages: [] }, moderation } }. A WITHHELD image is left
 * out of `images` and listed in `moderation.images`; a BLURRED one is listed as a PNG. A backend failure is
 * status_str "error" with an ["execution_error", { exception_type: <code>, exception_message }] message.
 * GET /view?filename=...: the checked bytes of an image this key's jobs produced; anything else is 404.
 * Progress websockets (/ws) are not served: poll /history.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, GatewayError } from '../../errors';
import { checkGenerateParams } from '../../diffusion/request';
import { ComfyJobs, type ComfyJob } from './comfyui-jobs';
import { checkWorkflow, outputNode, promptSlots, replaceSlots, workflowParams } from './comfyui-workflow';
import { checkPromptField, moderationSummary, open, readJson, runDropIn, sendJson, statusFor, type DropInDeps, type PeerError } from './shared';

export const ROUTE_COMFY_PROMPT = 'POST /prompt';

const PARAM_NAMES = { width: 'latent width', height: 'latent height', count: 'latent batch_size', steps: 'sampler steps', seed: 'sampler seed', negativePrompt: 'negative text' };

const comfyError: PeerError = (res, status, code, message) =>
  sendJson(res, status, { error: { type: code === ErrorCode.UNAUTHENTICATED ? 'unauthorized' : 'invalid_prompt', message, details: '', extra_info: { code } }, node_errors: {} });

export class ComfyDropIn {
  readonly jobs = new ComfyJobs();
  constructor(private readonly deps: DropInDeps) {}

  async submit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return comfyError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /prompt is not supported; allowed: POST`);
    const opened = open(this.deps, req, res, comfyError);
    if (!opened) return;
    const body = await readJson(this.deps, req, res, comfyError);
    if (!body) return;
    const { ctx } = opened;
    let slots;
    let wf;
    try {
      wf = checkWorkflow(body.prompt);
      slots = promptSlots(wf);
      if (slots.length === 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'the workflow has no prompt text; allowed: a workflow with a text-encode node (e.g. CLIPTextEncode) feeding a sampler');
      for (const s of slots) checkPromptField(s.text, `node ${s.node} input ${s.input}`, ctx.services.config.maxTextLength);
      checkGenerateParams({ ...workflowParams(wf), prompt: slots[0].text }, ctx.services.config.maxTextLength, PARAM_NAMES);
    } catch (e) {
      return comfyError(res, 400, (e as GatewayError).code ?? ErrorCode.BAD_USER_INPUT, (e as Error).message);
    }
    // The main prompt (first positive text) goes first: a non-ComfyUI backend is asked for it.
    const main = Math.max(0, slots.findIndex((s) => s.positive));
    const ordered = [slots[main], ...slots.filter((_, i) => i !== main)];
    const params = workflowParams(wf);
    const owner = opened.ctx.tenant.name ?? '';
    // Screening happens now, before the answer: a refused prompt never gets a prompt_id.
    let decisions;
    try {
      decisions = await ctx.prompts.screen(ordered.map((s) => s.text), ROUTE_COMFY_PROMPT);
    } catch (e) {
      if (e instanceof GatewayError) return comfyError(res, statusFor(e.code), e.code, e.message);
      throw e;
    }
    const refused = ordered.map((s, i) => ({ s, d: decisions[i] })).filter(({ d }) => d.error !== null);
    if (refused.length > 0) {
      const first = refused[0].d.error!;
      const type = first.code === ErrorCode.UNSAFE_PROMPT ? 'prompt_blocked' : first.code.toLowerCase();
      const nodeErrors: Record<string, unknown> = {};
      for (const { s, d } of refused) {
        nodeErrors[s.node] = { errors: [{ type, message: d.error!.message, details: `input ${s.input}`, extra_info: { code: d.error!.code, input_name: s.input } }], dependent_outputs: [], class_type: wf[s.node].class_type };
      }
      return sendJson(res, statusFor(first.code) === 400 ? 400 : statusFor(first.code), {
        error: { type, message: first.message, details: '', extra_info: { code: first.code } },
        node_errors: nodeErrors,
        moderation: moderationSummary(decisions),
      });
    }
    const sentWorkflow = replaceSlots(wf, ordered, decisions.map((d) => d.sent!));
    const job = this.jobs.create(owner, sentWorkflow, outputNode(wf), decisions);
    sendJson(res, 200, { prompt_id: job.id, number: job.number, node_errors: {} });
    // Decisions are cached per request, so runDropIn's screen answers from the cache (no second model run).
    void this.run(job, ctx, ordered.map((s) => s.text), params, { ...body, prompt: sentWorkflow });
  }

  private async run(job: ComfyJob, ctx: ReturnType<DropInDeps['context']>, texts: string[], params: ReturnType<typeof workflowParams>, native: Record<string, unknown>): Promise<void> {
    try {
      const out = await runDropIn(ctx, ROUTE_COMFY_PROMPT, texts, params, PARAM_NAMES, () => ({ api: 'comfyui', body: native }));
      if (out.ok) this.jobs.finish(job, out.images);
      else this.jobs.fail(job, out.error);
    } catch (e) {
      this.jobs.fail(job, new GatewayError('INTERNAL_SERVER_ERROR', `generation failed: ${(e as Error).message}`, { cause: e }));
    }
  }

  history(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (req.method !== 'GET') return comfyError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /history is not supported; allowed: GET`);
    const auth = this.deps.authenticate(req.headers.authorization);
    if (!auth.ok) return comfyError(res, 401, ErrorCode.UNAUTHENTICATED, auth.message);
    const job = this.jobs.get(id, auth.tenant.name ?? '');
    if (!job || job.state === 'running') return sendJson(res, 200, {});
    const images = job.images.flatMap((_d, i) => {
      const file = [...job.files.entries()].find(([, idx]) => idx === i)?.[0];
      return file ? [{ filename: file, subfolder: '', type: 'output' }] : [];
    });
    const status =
      job.state === 'success'
        ? { status_str: 'success', completed: true, messages: [] }
        : { status_str: 'error', completed: false, messages: [['execution_error', { prompt_id: job.id, node_id: null, exception_type: job.error!.code, exception_message: job.error!.message }]] };
    sendJson(res, 200, {
      [job.id]: {
        prompt: [job.number, job.id, job.workflow, {}, [job.outputNode]],
        outputs: job.state === 'success' ? { [job.outputNode]: { images } } : {},
        status,
        meta: {},
        moderation: moderationSummary(job.prompts, job.images),
      },
    });
  }

  view(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET') return comfyError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} /view is not supported; allowed: GET`);
    const auth = this.deps.authenticate(req.headers.authorization);
    if (!auth.ok) return comfyError(res, 401, ErrorCode.UNAUTHENTICATED, auth.message);
    const found = this.jobs.byFile(url.searchParams.get('filename') ?? '', auth.tenant.name ?? '');
    if (!found || !found.image.bytes) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('404: Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': found.image.mimeType ?? 'application/octet-stream', 'content-length': found.image.bytes.length, 'cache-control': 'no-store' });
    res.end(found.image.bytes);
  }
}
