/**
 * Data augmentation, applied to raw pixels before encoding: random integer shifts of a few pixels
 * (zero fill) or random affine warps (rotation, zoom, translation), then optional masks that blank a
 * band of rows and a band of columns (for keyword codes: a run of frames and of mel channels, as in
 * SpecAugment).
 */

/** Copies `src` (w x h) shifted by (dx, dy) into `dst`; uncovered pixels become 0 (background). */
export function shiftImage(src: Uint8Array, dst: Uint8Array, width: number, height: number, dx: number, dy: number): Uint8Array {
  if (dx === 0 && dy === 0) {
    dst.set(src.subarray(0, width * height));
    return dst;
  }
  dst.fill(0, 0, width * height);
  const x0 = Math.max(0, dx);
  const x1 = Math.min(width, width + dx);
  const y0 = Math.max(0, dy);
  const y1 = Math.min(height, height + dy);
  for (let y = y0; y < y1; y++) {
    const s = (y - dy) * width - dx;
    const d = y * width;
    for (let x = x0; x < x1; x++) dst[d + x] = src[s + x];
  }
  return dst;
}

/**
 * Draws a shift in [-maxX, maxX] x [-max, max] from `next()` (a uniform [0,1) source; always two draws,
 * so the stream does not depend on maxX); packs it as (dx+8) | (dy+8) << 4. maxX = 0: y only (time).
 */
export function drawShift(next: () => number, max: number, maxX = max): number {
  const dx = Math.floor(next() * (2 * maxX + 1)) - maxX;
  const dy = Math.floor(next() * (2 * max + 1)) - max;
  return (dx + 8) | ((dy + 8) << 4);
}

export function unpackShift(packed: number): [number, number] {
  return [(packed & 15) - 8, ((packed >> 4) & 15) - 8];
}

/** Per-sample affine warp: 6 floats (a, b, c, d, e, f): the source of output pixel (x, y) is (a x + b y + c, d x + e y + f). */
export const WARP_FLOATS = 6;

export interface DistortOptions {
  /** Max translation in pixels along y (rows) and x (columns), drawn uniformly (continuous). */
  shift: number;
  shiftX: number;
  /** Max rotation in degrees. */
  rotate: number;
  /** Max relative change of scale (0.1: zoom in [0.9, 1.1], independently per axis). */
  zoom: number;
}

/**
 * Draws a random rotation, per-axis zoom and translation about the image centre into out[at..at+6).
 * Always five draws from `next()`, so the stream does not depend on the magnitudes.
 */
export function drawWarp(next: () => number, o: DistortOptions, width: number, height: number, out: Float32Array, at: number): void {
  const angle = ((2 * next() - 1) * o.rotate * Math.PI) / 180;
  const zx = 1 + (2 * next() - 1) * o.zoom;
  const zy = 1 + (2 * next() - 1) * o.zoom;
  const tx = (2 * next() - 1) * o.shiftX;
  const ty = (2 * next() - 1) * o.shift;
  // Output -> source: inverse of (scale, then rotate, then translate) about the centre.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const a = cos / zx;
  const b = sin / zx;
  const d = -sin / zy;
  const e = cos / zy;
  out[at] = a;
  out[at + 1] = b;
  out[at + 2] = cx - a * (cx + tx) - b * (cy + ty);
  out[at + 3] = d;
  out[at + 4] = e;
  out[at + 5] = cy - d * (cx + tx) - e * (cy + ty);
}

/** Warps `src` (w x h) by the affine map at warp[at..at+6) into `dst` with bilinear sampling; outside pixels are 0. */
export function warpImage(src: Uint8Array, dst: Uint8Array, width: number, height: number, warp: Float32Array, at: number): Uint8Array {
  const [a, b, c, d, e, f] = [warp[at], warp[at + 1], warp[at + 2], warp[at + 3], warp[at + 4], warp[at + 5]];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = pixelAt(src, width, height, x0, y0) * (1 - fx) + pixelAt(src, width, height, x0 + 1, y0) * fx;
      const bottom = pixelAt(src, width, height, x0, y0 + 1) * (1 - fx) + pixelAt(src, width, height, x0 + 1, y0 + 1) * fx;
      dst[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return dst;
}

function pixelAt(src: Uint8Array, width: number, height: number, x: number, y: number): number {
  return x >= 0 && x < width && y >= 0 && y < height ? src[y * width + x] : 0;
}

/** Per-sample masks: 4 bytes (first row, row count, first column, column count); counts of 0 mask nothing. */
export const MASK_BYTES = 4;

/** Draws a band of up to maxRows rows and one of up to maxCols columns (counts uniform in [0, max]); always four draws. */
export function drawMask(next: () => number, maxRows: number, maxCols: number, width: number, height: number, out: Uint8Array, at: number): void {
  const rows = Math.min(height, Math.floor(next() * (maxRows + 1)));
  const row0 = Math.floor(next() * (height - rows + 1));
  const cols = Math.min(width, Math.floor(next() * (maxCols + 1)));
  const col0 = Math.floor(next() * (width - cols + 1));
  out[at] = row0;
  out[at + 1] = rows;
  out[at + 2] = col0;
  out[at + 3] = cols;
}

/** Zeroes the row band and the column band of mask[at..at+4) in `img` (w x h). */
export function maskImage(img: Uint8Array, width: number, height: number, mask: Uint8Array, at: number): Uint8Array {
  const row0 = mask[at];
  const rowEnd = Math.min(height, row0 + mask[at + 1]);
  const col0 = mask[at + 2];
  const colEnd = Math.min(width, col0 + mask[at + 3]);
  for (let y = row0; y < rowEnd; y++) img.fill(0, y * width, (y + 1) * width);
  if (colEnd > col0) for (let y = 0; y < height; y++) img.fill(0, y * width + col0, y * width + colEnd);
  return img;
}

/**
 * Per-sample spectral perturbation of keyword codes (rows = frames, columns = mel channels): 2 floats,
 * a frequency scale and a tilt. Speech from another voice or synthesizer moves formants by a factor
 * (vocal tract length) and colours the spectrum differently; neither is a shift the network can learn
 * to ignore from one engine's voices alone.
 */
export const SPECTRUM_FLOATS = 2;

export interface SpectrumOptions {
  /** Max relative frequency scale: channel positions are scaled by a factor in [1 - warp, 1 + warp] about the lowest channel. */
  warp: number;
  /** Max tilt in code steps: the top channel is raised by t and the bottom one lowered by t (t uniform in [-tilt, tilt]), linearly between. */
  tilt: number;
}

/** Draws a frequency scale and a tilt into out[at], out[at + 1]; always two draws. */
export function drawSpectrum(next: () => number, o: SpectrumOptions, out: Float32Array, at: number): void {
  out[at] = 1 + (2 * next() - 1) * o.warp;
  out[at + 1] = (2 * next() - 1) * o.tilt;
}

/**
 * Applies the spectral perturbation at spectra[at..at+2) to every row of `img` (w channels x h frames)
 * in place: channel c reads the row at position (c + 0.5) * scale - 0.5 (linear interpolation, clamped
 * to the edge channels), and a nonzero result gets the tilt's share for c; values are rounded and kept
 * in 0..255 (the input's encoding clamps them to its code range: keyword codes are 4-bit). Code 0
 * (below the quantizer's range, e.g. silence) stays 0 unless the warp moves energy onto it. `row`:
 * scratch of `width` floats.
 */
export function spectrumImage(img: Uint8Array, width: number, height: number, spectra: Float32Array, at: number, row: Float32Array): Uint8Array {
  const scale = spectra[at];
  const tilt = spectra[at + 1];
  const mid = (width - 1) / 2;
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let c = 0; c < width; c++) row[c] = img[base + c];
    for (let c = 0; c < width; c++) {
      const src = Math.min(width - 1, Math.max(0, (c + 0.5) * scale - 0.5));
      const lo = Math.floor(src);
      const hi = lo + 1 < width ? lo + 1 : lo;
      const t = src - lo;
      let v = row[lo] * (1 - t) + row[hi] * t;
      if (v > 0 && mid > 0) v += (tilt * (c - mid)) / mid;
      img[base + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return img;
}

/**
 * Per-sample time stretch of keyword codes: 1 float, the factor a word's duration is multiplied by.
 * Voices and synthesizers say a word at their own pace, and not uniformly: the same factor would come
 * from the waveform's tempo, at a fraction of its cost.
 */
export const TEMPO_FLOATS = 1;

/** Draws a stretch factor in [1 - max, 1 + max] into out[at]; always one draw. */
export function drawTempo(next: () => number, max: number, out: Float32Array, at: number): void {
  out[at] = 1 + (2 * next() - 1) * max;
}

/**
 * Copies `src` (w x h) into `dst` shifted by (dx, dy) and stretched along y (rows: frames) by
 * `stretch` about the centre row: output row y reads source row (y - dy - c) / stretch + c, c = (h - 1) / 2,
 * interpolated linearly between the two nearest rows and rounded; rows outside the source are 0.
 */
export function stretchImage(src: Uint8Array, dst: Uint8Array, width: number, height: number, dx: number, dy: number, stretch: number): Uint8Array {
  const c = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    const sy = (y - dy - c) / stretch + c;
    const y0 = Math.floor(sy);
    const t = sy - y0;
    const d = y * width;
    for (let x = 0; x < width; x++) {
      const v = pixelAt(src, width, height, x - dx, y0) * (1 - t) + pixelAt(src, width, height, x - dx, y0 + 1) * t;
      dst[d + x] = Math.round(v);
    }
  }
  return dst;
}

/**
 * Per-sample gain contour of keyword codes: GAIN_KNOTS floats, a loudness offset in code steps at
 * evenly spaced frames, linear between them. Voices differ in how loud their vowels are against
 * their consonants (eSpeak NG's `voicing` and `consonants` levels, stress amplitudes): the same
 * word with its segments raised or lowered against each other.
 */
export const GAIN_KNOTS = 4;

/** Draws GAIN_KNOTS offsets uniform in [-max, max] into out[at..]; always GAIN_KNOTS draws. */
export function drawGainContour(next: () => number, max: number, out: Float32Array, at: number): void {
  for (let k = 0; k < GAIN_KNOTS; k++) out[at + k] = (2 * next() - 1) * max;
}

/**
 * Adds the gain contour at gains[at..at+GAIN_KNOTS) to every nonzero value of `img` (w channels x h
 * frames) in place: frame y gets the offset interpolated between the knots at frames
 * k (h - 1) / (GAIN_KNOTS - 1); results are rounded and kept in 0..255 (code 0, below the
 * quantizer's range, stays 0).
 */
export function gainContourImage(img: Uint8Array, width: number, height: number, gains: Float32Array, at: number): Uint8Array {
  const span = (height - 1) / (GAIN_KNOTS - 1);
  for (let y = 0; y < height; y++) {
    const pos = span > 0 ? y / span : 0;
    const k = Math.min(GAIN_KNOTS - 2, Math.floor(pos));
    const t = pos - k;
    const g = gains[at + k] * (1 - t) + gains[at + k + 1] * t;
    const base = y * width;
    for (let c = 0; c < width; c++) {
      const v = img[base + c];
      if (v === 0) continue;
      const r = Math.round(v + g);
      img[base + c] = r <= 0 ? 0 : r >= 255 ? 255 : r;
    }
  }
  return img;
}

/**
 * Per-sample mixup: MIX_FLOATS floats, the partner's index in the training set (-1: not mixed) and
 * the sample's own share w in [0.5, 1): the input is w x its augmented image + (1 - w) x the
 * partner's (same augmentation, rounded), the target w x its target + (1 - w) x the partner's.
 */
export const MIX_FLOATS = 2;

/** Draws whether sample is mixed (probability p), its partner among `count` samples and its share; always three draws. */
export function drawMix(next: () => number, p: number, count: number, out: Float32Array, at: number): void {
  const mixed = next() < p;
  const partner = Math.min(count - 1, Math.floor(next() * count));
  const share = 0.5 + 0.5 * next();
  out[at] = mixed ? partner : -1;
  out[at + 1] = mixed ? share : 1;
}

/** dst = round(share x dst + (1 - share) x other), element by element over the first n values. */
export function mixImages(dst: Uint8Array, other: Uint8Array, n: number, share: number): Uint8Array {
  for (let i = 0; i < n; i++) dst[i] = Math.round(share * dst[i] + (1 - share) * other[i]);
  return dst;
}

/** One batch's augmentation, shared by the trainer's shards: the packed shifts, and the warps, spectra, masks and stretches if enabled. */
export interface BatchAugment {
  shifts: Uint8Array;
  warps: Float32Array | null;
  masks: Uint8Array | null;
  spectra?: Float32Array | null;
  tempos?: Float32Array | null;
  gains?: Float32Array | null;
  /** Mixup partners and shares (MIX_FLOATS a slot; applied by the trainer's shard, which holds the partner's image). */
  mixes?: Float32Array | null;
}

/**
 * Applies sample `slot`'s augmentation of `aug` to `src` into `dst` (w x h): shift (with the time
 * stretch if on) or warp, then the spectral perturbation (needs `row`, scratch of `width` floats),
 * then the gain contour, then masks; aug null = plain copy.
 */
export function augmentImage(src: Uint8Array, dst: Uint8Array, width: number, height: number, aug: BatchAugment | null, slot: number, row?: Float32Array): Uint8Array {
  if (!aug) return shiftImage(src, dst, width, height, 0, 0);
  if (aug.warps) warpImage(src, dst, width, height, aug.warps, slot * WARP_FLOATS);
  else {
    const [dx, dy] = unpackShift(aug.shifts[slot]);
    if (aug.tempos) stretchImage(src, dst, width, height, dx, dy, aug.tempos[slot * TEMPO_FLOATS]);
    else shiftImage(src, dst, width, height, dx, dy);
  }
  if (aug.spectra && row) spectrumImage(dst, width, height, aug.spectra, slot * SPECTRUM_FLOATS, row);
  if (aug.gains) gainContourImage(dst, width, height, aug.gains, slot * GAIN_KNOTS);
  if (aug.masks) maskImage(dst, width, height, aug.masks, slot * MASK_BYTES);
  return dst;
}
