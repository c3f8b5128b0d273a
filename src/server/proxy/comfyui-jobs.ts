/**
 * The drop-in ComfyUI queue: POST /prompt answers at once with a prompt_id and the generation runs in the
 * background; GET /history/{id} shows it when done; GET /view serves its checked images. Jobs live in memory,
 * at most MAX_JOBS (the oldest is dropped) and for JOB_TTL_MS; each is visible only to the API key that
 * queued it.
 */
import { randomUUID } from 'node:crypto';
import type { GatewayError } from '../../errors';
import type { ImageDecision, PromptDecision } from '../../safety/decisions';

export const MAX_JOBS = 256;
export const JOB_TTL_MS = 60 * 60 * 1000;

export interface ComfyJob {
  id: string;
  number: number;
  /** API key name ('' when no keys). */
  owner: string;
  createdAt: number;
  /** The workflow as sent on (screened texts), for history's `prompt`. */
  workflow: Record<string, unknown>;
  outputNode: string;
  state: 'running' | 'success' | 'error';
  prompts: PromptDecision[];
  images: ImageDecision[];
  /** filename -> index into images (only images that have bytes). */
  files: Map<string, number>;
  error: GatewayError | null;
}

export class ComfyJobs {
  private readonly jobs = new Map<string, ComfyJob>();
  private counter = 0;

  create(owner: string, workflow: Record<string, unknown>, outputNode: string, prompts: PromptDecision[]): ComfyJob {
    this.evict();
    const job: ComfyJob = { id: randomUUID(), number: this.counter++, owner, createdAt: Date.now(), workflow, outputNode, state: 'running', prompts, images: [], files: new Map(), error: null };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string, owner: string): ComfyJob | undefined {
    const job = this.jobs.get(id);
    return job && job.owner === owner && Date.now() - job.createdAt < JOB_TTL_MS ? job : undefined;
  }

  /** Finds the job holding `filename` (named `<prompt id>_<n>.png` by finish()). */
  byFile(filename: string, owner: string): { job: ComfyJob; image: ImageDecision } | undefined {
    const job = this.get(filename.slice(0, 36), owner);
    const index = job?.files.get(filename);
    return job && index !== undefined ? { job, image: job.images[index] } : undefined;
  }

  finish(job: ComfyJob, images: ImageDecision[]): void {
    job.images = images;
    images.forEach((d, i) => {
      if (d.bytes) job.files.set(`${job.id}_${String(i + 1).padStart(5, '0')}_.${d.mimeType === 'image/png' ? 'png' : (d.mimeType ?? 'image/bin').split('/')[1]}`, i);
    });
    job.state = 'success';
  }

  fail(job: ComfyJob, error: GatewayError): void {
    job.error = error;
    job.state = 'error';
  }

  private evict(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (now - job.createdAt >= JOB_TTL_MS) this.jobs.delete(id);
    while (this.jobs.size >= MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
  }
}
