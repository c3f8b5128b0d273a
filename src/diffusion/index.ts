/** Picks the adapter for the configured backend. */
import { A1111Backend } from './a1111';
import type { DiffusionBackend, DiffusionSettings } from './backend';
import { ComfyUIBackend } from './comfyui';
import { OpenAIBackend } from './openai';

export function createBackend(settings: DiffusionSettings): DiffusionBackend {
  switch (settings.backend) {
    case 'a1111':
      return new A1111Backend(settings);
    case 'comfyui':
      return new ComfyUIBackend(settings);
    case 'openai':
      return new OpenAIBackend(settings);
  }
}

export * from './backend';
export { reportingBackend, type BackendFailureEvent } from './report';
