/** Test doubles of the three diffusion APIs (real HTTP on loopback, real PNGs). */
import type { BackendKind } from '../../../src/diffusion/backend';
import { FakeA1111 } from './a1111';
import { FakeComfyUI } from './comfyui';
import { FakeOpenAI } from './openai';
import type { FakeBackend } from './server';

export function startFakeBackend(kind: BackendKind): Promise<FakeBackend> {
  const b = kind === 'a1111' ? new FakeA1111() : kind === 'comfyui' ? new FakeComfyUI() : new FakeOpenAI();
  return b.start();
}

export { FakeA1111, FakeComfyUI, FakeOpenAI };
export type { FakeBackend, Mode } from './server';
export { traceback, TRACEBACK_PATH } from './server';
export { colourFor, NOT_AN_IMAGE, renderPng } from './images';
