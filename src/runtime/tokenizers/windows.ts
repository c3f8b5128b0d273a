/**
 * Token windows: how a text longer than the text tower's context is judged whole.
 *
 * A tower reads at most `size` content tokens (64 words for hysac-mini, 75 BPE tokens between CLIP's SOT and
 * EOT). Diffusion backends read far more: AUTOMATIC1111 and ComfyUI encode a long prompt in consecutive
 * 75-token chunks and condition on all of them. Judging only the first window would pass
 * "a green meadow, " x 17 + "<unsafe tail>". So the content ids are cut into windows that cover every token:
 *
 *   stride = size - overlap,   overlap = floor(size / 4)
 *   window k = [k * stride, k * stride + size)   for k * stride + size < n
 *   last     = [max(0, n - size), n)             (aligned to the end, so the tail is read with full context)
 *
 * Every token lies in at least one window, and every run of up to `overlap + 1` consecutive tokens lies whole
 * in one window (so a phrase cut by a boundary is read whole by the neighbouring window). A text that fits is one window [0, n).
 * Windows are judged independently and the text's verdict is its most unsafe window's (worker.ts).
 * The number of windows is 1 + ceil((n - size) / stride) for n > size: linear in the text's length.
 */

export interface TokenWindow {
  /** First content token (inclusive). */
  start: number;
  /** Last content token (exclusive). */
  end: number;
}

/** Tokens shared by neighbouring windows of `size` tokens. */
export function windowOverlap(size: number): number {
  return Math.floor(size / 4);
}

/** The windows covering `n` content tokens with at most `size` tokens each. `n = 0` gives one empty window. */
export function tokenWindows(n: number, size: number): TokenWindow[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`window size must be an integer >= 1, got ${size}`);
  if (n <= size) return [{ start: 0, end: n }];
  const stride = size - windowOverlap(size);
  const out: TokenWindow[] = [];
  let start = 0;
  for (; start + size < n; start += stride) out.push({ start, end: start + size });
  out.push({ start: n - size, end: n });
  return out;
}
