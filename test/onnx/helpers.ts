/** Shared helpers for the ONNX writer tests: run a built graph in ONNX Runtime, JS reference ops (seeded data: ../helpers/prng). */
import { GraphBuilder, ModelOptions } from '../../src/onnx/graph';
import { createSession, runSession, releaseSession, Feed } from '../../src/runtime/ort';

/** Serialises `b`, opens it in ONNX Runtime (CPU), runs it once and returns every output. */
export async function runGraph(
  b: GraphBuilder,
  feeds: Record<string, Feed>,
  options?: ModelOptions,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await createSession(b.toModelBytes(options));
  try {
    return await runSession(session, feeds);
  } finally {
    await releaseSession(session);
  }
}

/** Asserts element-wise |a - b| <= atol + rtol * |b|, with shape check when dims are given. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new Error(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${tol})`);
    }
  }
}

/** Row-major matrix product: a [m, k] x b [k, n]. */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
    out[i * n + j] = s;
  }
  return out;
}

export interface ConvParams {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number; // output channels
  kh: number;
  kw: number;
  group: number;
  strides: [number, number];
  /** [top, left, bottom, right] as ONNX orders them: x1_begin, x2_begin, x1_end, x2_end. */
  pads: [number, number, number, number];
  dilations?: [number, number];
}

/**
 * Reference 2-D convolution (ONNX Conv, NCHW, weight [M, C/group, kH, kW]):
 *   y[n, m, i, j] = b[m] + sum_{c in group(m), p, q} x[n, c, i*sH - padTop + p*dH, j*sW - padLeft + q*dW] * W[m, c', p, q]
 *   out size = floor((H + padTop + padBottom - dH*(kH-1) - 1) / sH) + 1.
 */
export function conv2d(x: Float32Array, weight: Float32Array, bias: Float32Array | null, p: ConvParams): { data: Float32Array; dims: number[] } {
  const [sh, sw] = p.strides;
  const [dh, dw] = p.dilations ?? [1, 1];
  const [pt, pl, pb, pr] = p.pads;
  const oh = Math.floor((p.h + pt + pb - dh * (p.kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((p.w + pl + pr - dw * (p.kw - 1) - 1) / sw) + 1;
  const cPerG = p.c / p.group;
  const mPerG = p.m / p.group;
  const out = new Float32Array(p.n * p.m * oh * ow);
  for (let n = 0; n < p.n; n++) for (let m = 0; m < p.m; m++) {
    const g = Math.floor(m / mPerG);
    for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
      let s = bias ? bias[m] : 0;
      for (let cc = 0; cc < cPerG; cc++) {
        const c = g * cPerG + cc;
        for (let a = 0; a < p.kh; a++) for (let bb = 0; bb < p.kw; bb++) {
          const y = i * sh - pt + a * dh;
          const xx = j * sw - pl + bb * dw;
          if (y < 0 || y >= p.h || xx < 0 || xx >= p.w) continue;
          s += x[((n * p.c + c) * p.h + y) * p.w + xx] * weight[((m * cPerG + cc) * p.kh + a) * p.kw + bb];
        }
      }
      out[((n * p.m + m) * oh + i) * ow + j] = s;
    }
  }
  return { data: out, dims: [p.n, p.m, oh, ow] };
}
