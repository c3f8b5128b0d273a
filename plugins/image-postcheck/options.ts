/** image-postcheck options, with their defaults. Resolved once by the factory; see index.ts. */
export interface ImagePostcheckOptions {
  /**
   * The check of one backend answer (decode + one model run for all its images) must finish within this;
   * otherwise every image of it is withheld as unchecked. Default 30000 ms.
   */
  timeoutMs: number;
  /**
   * BLUR strength. The image is first shrunk so its short side is `pixelate` pixels and scaled back (so
   * no detail survives whatever the sigma), then blurred with a Gaussian of sigma = max(minSigma,
   * sigmaFraction x short side). Defaults: pixelate 24, sigmaFraction 0.04, minSigma 6; a 512 x 512
   * image gets sigma 20.5: shapes and colours remain visible, so a user sees something was there.
   */
  blur: { pixelate: number; sigmaFraction: number; minSigma: number };
}

export const IMAGE_POSTCHECK_DEFAULTS: Readonly<ImagePostcheckOptions> = Object.freeze({
  timeoutMs: 30_000,
  blur: Object.freeze({ pixelate: 24, sigmaFraction: 0.04, minSigma: 6 }),
});

export function resolveImagePostcheckOptions(o: Partial<ImagePostcheckOptions> = {}): Readonly<ImagePostcheckOptions> {
  const r: ImagePostcheckOptions = {
    timeoutMs: o.timeoutMs ?? IMAGE_POSTCHECK_DEFAULTS.timeoutMs,
    blur: { ...IMAGE_POSTCHECK_DEFAULTS.blur, ...(o.blur ?? {}) },
  };
  if (!Number.isInteger(r.timeoutMs) || r.timeoutMs < 1) throw new TypeError(`image-postcheck: timeoutMs is ${r.timeoutMs}; allowed: an integer >= 1`);
  if (!Number.isInteger(r.blur.pixelate) || r.blur.pixelate < 2 || r.blur.pixelate > 256) throw new TypeError(`image-postcheck: blur.pixelate is ${r.blur.pixelate}; allowed: an integer from 2 to 256`);
  if (!(r.blur.sigmaFraction > 0 && r.blur.sigmaFraction <= 1)) throw new TypeError(`image-postcheck: blur.sigmaFraction is ${r.blur.sigmaFraction}; allowed: above 0, at most 1`);
  if (!(r.blur.minSigma >= 0.3 && r.blur.minSigma <= 1000)) throw new TypeError(`image-postcheck: blur.minSigma is ${r.blur.minSigma}; allowed: 0.3 to 1000`);
  return Object.freeze({ ...r, blur: Object.freeze(r.blur) });
}
