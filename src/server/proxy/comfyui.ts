/**
 * Drop-in ComfyUI: POST /prompt, GET /history/{prompt_id}, GET /view, screened and post-checked.
 *
 * POST /prompt screens the text each text encoder will receive, evaluated through string nodes, and every
 * other string that is not a setting (comfyui-dataflow.ts) before anything is queued. A refused prompt is
 * HTTP 400 in ComfyUI's validation shape: { error: { type: "prompt_blocked", message, details,
 * extra_info: { code } }, node_errors: { <node>: { errors: [...], dependent_outputs: [], class_type } } }.
 * A workflow whose text the gateway cannot evaluate (a custom node, a cycle, a chain too deep) is refused
 * the same way, keyed by the node at fault, with type text_source_* (comfyui-strings.ts) and code
 * BAD_USER_INPUT. The judged texts are written into the inputs that receive them, links replaced.
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
import { WorkflowRefusal } from './comfyui-strings';
import { checkWorkflow, outputNode, textsToScreen, workflowParams, writeTexts, type TextItem } from './comfyui-workflow';
import { checkPromptField, moderationSummary, open, readJson, runDropIn, sendJson, statusFor, type DropInDeps, type PeerError } from './shared';

export const ROUTE_COMFY_PROMPT = 'POST /prompt';

const PARAM_NAMES = { width: 'latent width', height: 'latent height', count: 'latent batch_size', steps: 'sampler steps', seed: 'sampler seed', negativePrompt: 'negative text' };

const comfyError: PeerError = (res, status, code, message) =>
  sendJson(res, status, { error: { type: code === ErrorCode.UNAUTHENTICATED ? 'unauthorized' : 'invalid_prompt', message, details: '', extra_info: { code } }, node_errors: {} });

/** A workflow the gateway will not evaluate: HTTP 400 naming the node, as ComfyUI reports invalid nodes. */
function refuseNode(res: ServerResponse, e: WorkflowRefusal): void {
  const code = e.code;
  sendJson(res, 400, {
    error: { type: e.type, message: e.message, details: '', extra_info: { code } },
    node_errors: { [e.node]: { errors: [{ type: e.type, message: e.message, details: e.input ? `input ${e.input}` : '', extra_info: { code, ...(e.input ? { input_name: e.input } : {}) } }], dependent_outputs: [], class_type: e.classType } },
  });
}

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
    const maxText = ctx.services.config.maxTextLength;
    let wf;
    let ordered: TextItem[];
    let blank: TextItem[];
    try {
      wf = checkWorkflow(body.prompt);
      ({ ordered, blank } = textsToScreen(wf, maxText));
      if (ordered.length === 0) throw new GatewayError(ErrorCode.BAD_USER_INPUT, 'the workflow has no prompt text; allowed: a workflow with a text-encode node (e.g. CLIPTextEncode) feeding a sampler');
      for (const s of ordered) checkPromptField(s.text, `node ${s.node} input ${s.input}${s.sources.length > 0 ? ` (the text linked in from node ${s.sources.join(', ')})` : ''}`, maxText);
      checkGenerateParams({ ...workflowParams(wf), prompt: ordered[0].text }, maxText, PARAM_NAMES);
    } catch (e) {
      if (e instanceof WorkflowRefusal) return refuseNode(res, e);
      return comfyError(res, 400, (e as GatewayError).code ?? ErrorCode.BAD_USER_INPUT, (e as Error).message);
    }
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
      const nodeErrors: Record<string, { errors: unknown[]; dependent_outputs: never[]; class_type: string }> = {};
      for (const { s, d } of refused) {
        nodeErrors[s.node] ??= { errors: [], dependent_outputs: [], class_type: wf[s.node].class_type };
        // `sources`: the nodes whose typed-in strings were joined into the text this input receives.
        nodeErrors[s.node].errors.push({ type, message: d.error!.message, details: `input ${s.input}`, extra_info: { code: d.error!.code, input_name: s.input, sources: s.sources } });
      }
      return sendJson(res, statusFor(first.code) === 400 ? 400 : statusFor(first.code), {
        error: { type, message: first.message, details: '', extra_info: { code: first.code } },
        node_errors: nodeErrors,
        moderation: moderationSummary(decisions),
      });
    }
    // The judged texts replace what the inputs held or were linked to: the backend receives exactly them.
    const sentWorkflow = writeTexts(wf, ordered, decisions.map((d) => d.sent!), blank);
    const params = workflowParams(sentWorkflow);
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
    // Gateway and backend codes carry messages written for clients (a backend's own words went to the log,
    // diffusion/report.ts); anything else is an internal failure whose message may name internals.
    const told = new Set<string>(Object.values(ErrorCode));
    const clientMessage = (e: GatewayError) => (told.has(e.code) ? e.message : `the generation failed inside the gateway (${e.code})`);
    const images = job.images.flatMap((_d, i) => {
      const file = [...job.files.entries()].find(([, idx]) => idx === i)?.[0];
      return file ? [{ filename: file, subfolder: '', type: 'output' }] : [];
    });
    const status =
      job.state === 'success'
        ? { status_str: 'success', completed: true, messages: [] }
        : { status_str: 'error', completed: false, messages: [['execution_error', { prompt_id: job.id, node_id: null, exception_type: job.error!.code, exception_message: clientMessage(job.error!) }]] };
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
