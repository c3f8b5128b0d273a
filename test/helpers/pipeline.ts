/**
 * A gateway in front of a test diffusion backend (real HTTP on 127.0.0.1 both ways), with one policy file
 * holding three tenants, so one gateway shows how each policy behaves:
 *   KEYS.redirect -> the top-level policy: REDIRECT prompts, BLUR images (the strict default)
 *   KEYS.block    -> BLOCK prompts, WITHHOLD images
 *   KEYS.flag     -> FLAG prompts, PASS images (research mode)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import sharp from 'sharp';
import type { BackendKind } from '../../src/diffusion/backend';
import type { Gateway } from '../../src/main';
import { startFakeBackend, type FakeBackend } from './backends';
import { startTestGateway } from './gateway';

export const KEYS = { redirect: 'key-redirect-0123456789', block: 'key-block-0123456789ab', flag: 'key-flag-0123456789abc' } as const;
export type Tenant = keyof typeof KEYS;
export const auth = (t: Tenant) => ({ authorization: `Bearer ${KEYS[t]}` });

export const SAFE = 'a watercolor painting of a fox in the snow';
export const UNSAFE = 'a photo of a naked woman covered in blood';
/** Safe text whose image the test backend paints red: the fixture flags the image, not the prompt. */
export const RED = 'a red barn under a clear sky';

export const POLICY = `
prompts: { unsafe: REDIRECT }
images: { unsafe: BLUR }
policies:
  block: { prompts: { unsafe: BLOCK }, images: { unsafe: WITHHOLD } }
  flag: { prompts: { unsafe: FLAG }, images: { unsafe: PASS } }
apiKeys:
  - { name: strict-app, key: ${KEYS.redirect}, policy: default }
  - { name: blocker, key: ${KEYS.block}, policy: block }
  - { name: lab, key: ${KEYS.flag}, policy: flag }
diffusion:
  comfyui: { pollIntervalMs: 5 }
`;

export function writePolicy(text = POLICY): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-policy-')), 'policy.yaml');
  fs.writeFileSync(f, text);
  return f;
}

/** Collects pino's JSON lines. */
export function captureLog(): { log: pino.Logger; lines: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const log = pino({ level: 'info' }, stream);
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

export interface Pipeline {
  gw: Gateway;
  fake: FakeBackend;
  close(): Promise<void>;
}

export const TIMEOUT_MS = 700;

export async function startPipeline(kind: BackendKind, env: Record<string, string> = {}): Promise<Pipeline> {
  const fake = await startFakeBackend(kind);
  fake.slowMs = 3 * TIMEOUT_MS;
  const gw = await startTestGateway({}, { POLICY_FILE: writePolicy(), DIFFUSION_BACKEND: kind, DIFFUSION_URL: fake.url, DIFFUSION_TIMEOUT_MS: String(TIMEOUT_MS), ...env });
  return { gw, fake, close: async () => (await gw.close(), await fake.close()) };
}

export async function pixels(bytes: Buffer): Promise<{ width: number; height: number; data: Buffer; format?: string }> {
  const meta = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data, format: meta.format };
}

/**
 * Mean absolute difference per channel value between two images, and each image's edge energy (mean
 * absolute difference between horizontally adjacent values of one channel): blurring removes edges.
 */
export async function compare(a: Buffer, b: Buffer): Promise<{ sameSize: boolean; meanAbsDiff: number; edgesA: number; edgesB: number }> {
  const [pa, pb] = await Promise.all([pixels(a), pixels(b)]);
  const edges = (p: { width: number; height: number; data: Buffer }) => {
    let sum = 0;
    for (let y = 0; y < p.height; y++) for (let x = 1; x < p.width; x++) for (let c = 0; c < 3; c++) sum += Math.abs(p.data[(y * p.width + x) * 3 + c] - p.data[(y * p.width + x - 1) * 3 + c]);
    return sum / (p.height * (p.width - 1) * 3);
  };
  const sameSize = pa.width === pb.width && pa.height === pb.height;
  let diff = 0;
  if (sameSize) for (let i = 0; i < pa.data.length; i++) diff += Math.abs(pa.data[i] - pb.data[i]);
  return { sameSize, meanAbsDiff: sameSize ? diff / pa.data.length : NaN, edgesA: edges(pa), edgesB: edges(pb) };
}

export function fromDataUrl(url: string): Buffer {
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}
