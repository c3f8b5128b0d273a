/**
 * ComfyUI: POST /prompt with { prompt: <API-format workflow>, client_id } -> { prompt_id }; poll
 * GET /history/{prompt_id} until the entry appears (ComfyUI adds it when execution ends), then
 * GET /view?filename=...&subfolder=...&type=output for each output image.
 *
 * The workflow is a template (the shipped comfyui-txt2img.json or diffusion.comfyui.workflow): the prompt
 * goes into `inputs.text` of the configured prompt node (and the negative prompt into the negative node);
 * width/height/batch_size go into every node that has all three (EmptyLatentImage and its kin), steps and
 * seed into every node that has `steps` and a `seed` or `noise_seed` (KSampler and its kin).
 * A request from the drop-in /prompt endpoint brings its own workflow (prompts already screened): it is
 * sent as it is, and nothing else of the client's body is (not its client_id, nor extra_data, which can
 * carry an API key for ComfyUI's paid API nodes).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backendBadResponse, backendTimeout, type BackendImage, type ComfyWorkflow, type DiffusionBackend, type DiffusionSettings, type GenerateRequest } from './backend';
import { DETAIL_BYTES, request, requestJson, type Call } from './http';

interface ComfyImageRef {
  filename: string;
  subfolder: string;
  type: string;
}

/** Fills the template with the request (a deep copy; the template is never changed). */
export function fillWorkflow(template: ComfyWorkflow, req: GenerateRequest, nodes: { promptNode: string; negativePromptNode: string | null }): ComfyWorkflow {
  const wf = structuredClone(template);
  wf[nodes.promptNode].inputs.text = req.prompt;
  if (nodes.negativePromptNode) wf[nodes.negativePromptNode].inputs.text = req.negativePrompt ?? '';
  const seed = req.seed >= 0 ? req.seed : randomInt(0, 2 ** 31 - 1);
  for (const node of Object.values(wf)) {
    const i = node.inputs;
    if (typeof i.width === 'number' && typeof i.height === 'number' && typeof i.batch_size === 'number') {
      i.width = req.width;
      i.height = req.height;
      i.batch_size = req.count;
    }
    if (typeof i.steps === 'number' && (typeof i.seed === 'number' || typeof i.noise_seed === 'number')) {
      i.steps = req.steps;
      if (typeof i.seed === 'number') i.seed = seed;
      else i.noise_seed = seed;
    }
  }
  return wf;
}

function outputImages(entry: unknown, kind: string): ComfyImageRef[] {
  const outputs = (entry as { outputs?: unknown }).outputs;
  const refs: ComfyImageRef[] = [];
  if (outputs && typeof outputs === 'object') {
    for (const out of Object.values(outputs as Record<string, unknown>)) {
      const images = (out as { images?: unknown })?.images;
      if (!Array.isArray(images)) continue;
      for (const im of images) {
        const r = im as Partial<ComfyImageRef>;
        if (typeof r?.filename !== 'string') throw backendBadResponse(kind, 'GET /history lists an output image without a filename');
        if ((r.type ?? 'output') === 'output') refs.push({ filename: r.filename, subfolder: typeof r.subfolder === 'string' ? r.subfolder : '', type: 'output' });
      }
    }
  }
  return refs;
}

export class ComfyUIBackend implements DiffusionBackend {
  readonly kind = 'comfyui' as const;
  readonly url: string;
  constructor(private readonly settings: DiffusionSettings) {
    this.url = settings.url;
  }

  async generate(req: GenerateRequest): Promise<BackendImage[]> {
    const call: Call = { kind: this.kind, signal: AbortSignal.timeout(this.settings.timeoutMs), timeoutMs: this.settings.timeoutMs, apiKey: this.settings.apiKey };
    const c = this.settings.comfyui;
    const workflow = req.native?.api === 'comfyui' ? req.native.body.prompt : fillWorkflow(c.workflow, req, c);
    const body = { prompt: workflow, client_id: randomUUID() };
    const queued = await requestJson(call, `${this.url}/prompt`, { method: 'POST', json: body }, 'POST /prompt');
    const id = (queued as { prompt_id?: unknown })?.prompt_id;
    if (typeof id !== 'string' || id === '') throw backendBadResponse(this.kind, 'POST /prompt did not return { prompt_id }');
    const entry = await this.waitForHistory(call, id);
    const status = (entry as { status?: { status_str?: unknown; messages?: unknown } }).status;
    if (status?.status_str === 'error') {
      // ComfyUI's execution_error carries the exception and its traceback: the log gets it, clients do not.
      throw backendBadResponse(this.kind, `prompt ${id} failed in ComfyUI (status_str "error")`, undefined, { detail: JSON.stringify(status.messages ?? []).slice(0, DETAIL_BYTES) });
    }
    const refs = outputImages(entry, this.kind);
    if (refs.length === 0) throw backendBadResponse(this.kind, `prompt ${id} finished without output images; allowed: a workflow with a SaveImage node`);
    const images: BackendImage[] = [];
    for (const r of refs) {
      const q = new URLSearchParams({ filename: r.filename, subfolder: r.subfolder, type: r.type });
      images.push({ bytes: (await request(call, `${this.url}/view?${q}`, { method: 'GET' }, 'GET /view')).body });
    }
    return images;
  }

  private async waitForHistory(call: Call, id: string): Promise<unknown> {
    for (;;) {
      const history = await requestJson(call, `${this.url}/history/${encodeURIComponent(id)}`, { method: 'GET' }, 'GET /history');
      if (!history || typeof history !== 'object' || Array.isArray(history)) throw backendBadResponse(this.kind, 'GET /history did not return a JSON object');
      const entry = (history as Record<string, unknown>)[id];
      if (entry && typeof entry === 'object') return entry;
      try {
        await sleep(this.settings.comfyui.pollIntervalMs, undefined, { signal: call.signal });
      } catch (e) {
        throw backendTimeout(this.kind, call.timeoutMs, e);
      }
    }
  }
}
