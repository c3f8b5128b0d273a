/**
 * ComfyUI's queue API over real HTTP: POST /prompt -> { prompt_id }; GET /history/{id} is {} for the first
 * `pendingPolls` polls, then the finished entry; GET /view?filename=... serves the PNGs. The prompt it
 * records is the text of the text-encode node that feeds the sampler's `positive` input.
 */
import { randomUUID } from 'node:crypto';
import type * as http from 'node:http';
import { NOT_AN_IMAGE, renderPng } from './images';
import { FakeBackend, json, traceback } from './server';

type Workflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

export class FakeComfyUI extends FakeBackend {
  /** Polls of /history that answer {} before the entry appears. */
  pendingPolls = 1;
  /** Workflows received, in order. */
  readonly workflows: Workflow[] = [];
  private readonly jobs = new Map<string, { polls: number; files: string[] }>();
  private readonly files = new Map<string, Buffer>();

  protected async handle(method: string, url: URL, body: unknown, res: http.ServerResponse): Promise<void> {
    if (method === 'POST' && url.pathname === '/prompt') {
      const wf = (body as { prompt: Workflow }).prompt;
      this.workflows.push(wf);
      const sampler = Object.values(wf).find((n) => Array.isArray(n.inputs.positive));
      const positive = sampler ? wf[String((sampler.inputs.positive as unknown[])[0])] : undefined;
      const prompt = String(positive?.inputs.text ?? '');
      this.prompts.push(prompt);
      const latent = Object.values(wf).find((n) => typeof n.inputs.batch_size === 'number')?.inputs ?? {};
      const id = randomUUID();
      const files: string[] = [];
      const images = await Promise.all(
        Array.from({ length: Number(latent.batch_size ?? 1) }, () => (this.mode === 'not-image' ? NOT_AN_IMAGE : renderPng(prompt, Number(latent.width ?? 512), Number(latent.height ?? 512)))),
      );
      images.forEach((bytes, i) => {
        const name = `ComfyUI_${id.slice(0, 8)}_${i}.png`;
        this.files.set(name, bytes);
        files.push(name);
      });
      this.lastImages = images;
      this.jobs.set(id, { polls: 0, files });
      return json(res, 200, { prompt_id: id, number: this.jobs.size, node_errors: {} });
    }
    const h = /^\/history\/(.+)$/.exec(url.pathname);
    if (method === 'GET' && h) {
      const job = this.jobs.get(h[1]);
      if (!job || job.polls++ < this.pendingPolls) return json(res, 200, {});
      if (this.mode === 'execution-error') {
        const failure = { prompt_id: h[1], node_id: '3', node_type: 'KSampler', exception_message: 'CUDA out of memory', exception_type: 'torch.OutOfMemoryError', traceback: [traceback(this.prompts.at(-1))] };
        return json(res, 200, { [h[1]]: { prompt: [0, h[1], {}, {}, ['9']], outputs: {}, status: { status_str: 'error', completed: false, messages: [['execution_error', failure]] } } });
      }
      return json(res, 200, {
        [h[1]]: {
          prompt: [0, h[1], {}, {}, ['9']],
          outputs: { '9': { images: job.files.map((f) => ({ filename: f, subfolder: '', type: 'output' })) } },
          status: { status_str: 'success', completed: true, messages: [] },
        },
      });
    }
    if (method === 'GET' && url.pathname === '/view') {
      const bytes = this.files.get(url.searchParams.get('filename') ?? '');
      if (!bytes || url.searchParams.get('type') !== 'output') {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length });
      res.end(bytes);
      return;
    }
    json(res, 404, { error: 'not found' });
  }
}
