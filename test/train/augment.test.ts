/** Augmentation: integer shifts and affine warps move ink where the geometry says, and warps are a superset of shifts. */
import { describe, expect, it } from 'vitest';
import { encodeImage } from '../../runtime/encode.ts';
import { identityInput } from '../../compiler/train/keywords.ts';
import { GAIN_KNOTS, augmentImage, drawGainContour, drawMask, drawMix, mixImages, drawSpectrum, drawTempo, drawWarp, gainContourImage, maskImage, shiftImage, spectrumImage, stretchImage, warpImage } from '../../compiler/data/augment.ts';

const W = 9;
const H = 7;

/** A small asymmetric test pattern (an L with a dot). */
function pattern(): Uint8Array {
  const img = new Uint8Array(W * H);
  for (let y = 1; y <= 5; y++) img[y * W + 2] = 200;
  for (let x = 2; x <= 6; x++) img[5 * W + x] = 200;
  img[1 * W + 6] = 90;
  return img;
}

/** A source of fixed draws in [0, 1), in the order drawWarp consumes them (angle, zoom x, zoom y, tx, ty). */
function draws(values: number[]): () => number {
  let i = 0;
  return () => values[i++];
}

describe('affine warps', () => {
  const opts = { shift: 2, shiftX: 2, rotate: 10, zoom: 0.1 };

  it('the midpoint draw is the identity', () => {
    const warp = new Float32Array(6);
    drawWarp(() => 0.5, opts, W, H, warp, 0);
    const src = pattern();
    expect(Array.from(warpImage(src, new Uint8Array(W * H), W, H, warp, 0))).toEqual(Array.from(src));
  });

  it('a pure translation equals the integer shift', () => {
    const src = pattern();
    for (const [dx, dy] of [[1, 0], [0, -2], [-1, 1], [2, 2]]) {
      const warp = new Float32Array(12);
      // t = (2 u - 1) * max  =>  u = (t / max + 1) / 2
      drawWarp(draws([0.5, 0.5, 0.5, (dx / 2 + 1) / 2, (dy / 2 + 1) / 2]), opts, W, H, warp, 6);
      const warped = warpImage(src, new Uint8Array(W * H), W, H, warp, 6);
      expect(Array.from(warped)).toEqual(Array.from(shiftImage(src, new Uint8Array(W * H), W, H, dx, dy)));
    }
  });

  it('a quarter turn of a square image moves ink to the rotated position, and zoom spreads it', () => {
    const n = 7;
    const src = new Uint8Array(n * n);
    src[1 * n + 5] = 255; // (x 5, y 1): upper right of the centre (3, 3)
    const warp = new Float32Array(6);
    drawWarp(draws([1, 0.5, 0.5, 0.5, 0.5]), { shift: 0, shiftX: 0, rotate: 90, zoom: 0 }, n, n, warp, 0);
    const out = warpImage(src, new Uint8Array(n * n), n, n, warp, 0);
    const lit = Array.from(out).flatMap((v, i) => (v > 0 ? [[i % n, Math.floor(i / n), v]] : []));
    // Rotation by +90 degrees in image coordinates (y down): (dx, dy) = (2, -2) -> (2, 2).
    expect(lit).toEqual([[5, 5, 255]]);
    drawWarp(draws([0.5, 1, 1, 0.5, 0.5]), { shift: 0, shiftX: 0, rotate: 0, zoom: 0.5 }, n, n, warp, 0);
    const zoomed = warpImage(src, new Uint8Array(n * n), n, n, warp, 0);
    // Zoom 1.5 about the centre: the pixel at offset (2, -2) lands at (3, -3), spread by bilinear sampling.
    expect(zoomed[0 * n + 6]).toBeGreaterThan(0);
    expect(zoomed.reduce((s, v) => s + v, 0)).toBeGreaterThan(255);
  });
});

describe('masks (SpecAugment-style bands)', () => {
  it('blank exactly the drawn row band and column band', () => {
    const mask = new Uint8Array(8);
    // rows: count floor(0.99 * 3) = 2, start floor(0.5 * (7 - 2 + 1)) = 3; cols: count 1, start floor(0 * 9) = 0
    drawMask(draws([0.99, 0.5, 0.5, 0]), 2, 2, W, H, mask, 4);
    expect(Array.from(mask.subarray(4))).toEqual([3, 2, 0, 1]);
    const img = new Uint8Array(W * H).fill(7);
    maskImage(img, W, H, mask, 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) expect(img[y * W + x]).toBe(y === 3 || y === 4 || x === 0 ? 0 : 7);
    }
  });

  it('stay inside the image and can be empty', () => {
    const mask = new Uint8Array(4);
    for (const u of [0, 0.3, 0.999]) {
      drawMask(() => u, 20, 20, W, H, mask, 0);
      expect(mask[0] + mask[1]).toBeLessThanOrEqual(H);
      expect(mask[2] + mask[3]).toBeLessThanOrEqual(W);
    }
    drawMask(() => 0, 3, 3, W, H, mask, 0);
    expect([mask[1], mask[3]]).toEqual([0, 0]);
    const src = pattern();
    expect(Array.from(maskImage(src.slice(), W, H, mask, 0))).toEqual(Array.from(src));
  });

  it('apply after the shift in augmentImage', () => {
    const src = pattern();
    const aug = { shifts: Uint8Array.of((1 + 8) | ((0 + 8) << 4)), warps: null, masks: Uint8Array.of(5, 1, 0, 0) };
    const out = augmentImage(src, new Uint8Array(W * H), W, H, aug, 0);
    const expected = shiftImage(src, new Uint8Array(W * H), W, H, 1, 0);
    expected.fill(0, 5 * W, 6 * W);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(Array.from(augmentImage(src, new Uint8Array(W * H), W, H, null, 0))).toEqual(Array.from(src));
  });
});

describe('spectral perturbation of keyword codes (frequency scale and tilt)', () => {
  const C = 8;
  /** Two frames of 8 channels: a formant-like peak at channel 4, then a flat frame. */
  const frames = () => Uint8Array.of(0, 0, 5, 10, 15, 10, 5, 0, 3, 3, 3, 3, 3, 3, 3, 3);
  const apply = (scale: number, tilt: number) => Array.from(spectrumImage(frames(), C, 2, Float32Array.of(scale, tilt), 0, new Float32Array(C)));

  it('the midpoint draw is the identity', () => {
    const out = new Float32Array(2);
    drawSpectrum(() => 0.5, { warp: 0.2, tilt: 3 }, out, 0);
    expect(Array.from(out)).toEqual([1, 0]);
    expect(apply(1, 0)).toEqual(Array.from(frames()));
  });

  it('a scale above 1 moves the peak to lower channels, below 1 to higher ones', () => {
    const peakAt = (row: number[]) => row.indexOf(Math.max(...row));
    expect(peakAt(apply(1.2, 0).slice(0, C))).toBe(3);
    expect(peakAt(apply(0.8, 0).slice(0, C))).toBe(5);
    expect(apply(1.2, 0).slice(C)).toEqual(new Array(C).fill(3)); // a flat spectrum stays flat
  });

  it('a tilt lowers the bottom channels and raises the top ones and leaves silent codes at 0; the encoding clamps codes', () => {
    const tilted = apply(1, 2);
    expect(tilted.slice(C)).toEqual([1, 2, 2, 3, 3, 4, 4, 5]);
    expect(tilted[0]).toBe(0);
    expect(tilted[7]).toBe(0);
    expect(Math.min(...apply(1, -8).slice(C))).toBe(0);
    const raised = Uint8Array.from(apply(1, 8));
    expect(Math.max(...raised)).toBeGreaterThan(15);
    const codes = new Uint8Array(2 * C);
    encodeImage(identityInput(2, C, 4), raised, codes);
    expect(Math.max(...codes)).toBe(15);
  });

  it('applies after the shift and before the masks in augmentImage', () => {
    const aug = { shifts: Uint8Array.of(0x88), warps: null, masks: Uint8Array.of(0, 1, 0, 0), spectra: Float32Array.of(1, 2) };
    const out = augmentImage(frames(), new Uint8Array(2 * C), C, 2, aug, 0, new Float32Array(C));
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 3, 4, 4, 5]);
  });
});

describe('time stretch of keyword codes', () => {
  const C = 2;
  const H = 9;
  /** A word of 3 frames (codes 6, 12, 6 in channel 0; 3 in channel 1) centred in 9 frames of silence. */
  const word = () => Uint8Array.of(0, 0, 0, 0, 0, 0, 6, 3, 12, 3, 6, 3, 0, 0, 0, 0, 0, 0);
  const channel0 = (img: Uint8Array) => Array.from({ length: H }, (_, y) => img[y * C]);

  it('the midpoint draw is the identity, and a stretch of 1 is the plain shift', () => {
    const out = new Float32Array(1);
    drawTempo(() => 0.5, 0.3, out, 0);
    expect(out[0]).toBe(1);
    for (const dy of [-2, 0, 1]) {
      expect(Array.from(stretchImage(word(), new Uint8Array(H * C), C, H, 0, dy, 1))).toEqual(Array.from(shiftImage(word(), new Uint8Array(H * C), C, H, 0, dy)));
    }
  });

  it('a stretch above 1 lengthens the word about the centre, below 1 shortens it; the peak stays at the centre', () => {
    const long = stretchImage(word(), new Uint8Array(H * C), C, H, 0, 0, 2);
    const short = stretchImage(word(), new Uint8Array(H * C), C, H, 0, 0, 0.5);
    expect(channel0(long)).toEqual([0, 3, 6, 9, 12, 9, 6, 3, 0]); // 3 frames -> ~6, linearly interpolated
    expect(channel0(short)).toEqual([0, 0, 0, 0, 12, 0, 0, 0, 0]); // 3 frames -> 1.5: rows 2, 4, 6 sampled
    expect(long[1]).toBe(0); // the edges read outside the source: silence
  });

  it('takes the shift and stretch from augmentImage when stretches are drawn', () => {
    const aug = { shifts: Uint8Array.of(0x88 + (1 << 4)), warps: null, masks: null, tempos: Float32Array.of(2) };
    const out = augmentImage(word(), new Uint8Array(H * C), C, H, aug, 0);
    expect(Array.from(out)).toEqual(Array.from(stretchImage(word(), new Uint8Array(H * C), C, H, 0, 1, 2)));
    expect(out[5 * C]).toBe(12);
  });
});

describe('gain contour of keyword codes', () => {
  const C = 2;
  const H = 7;
  /** Seven frames: channel 0 holds 8 everywhere, channel 1 is silent (0) but in frame 3. */
  const img = () => Uint8Array.from({ length: H * C }, (_, i) => (i % C === 0 ? 8 : i === 3 * C + 1 ? 4 : 0));
  const channel0 = (a: Uint8Array) => Array.from({ length: H }, (_, y) => a[y * C]);

  it('draws GAIN_KNOTS offsets in [-max, max]; the midpoint draw is the identity', () => {
    const out = new Float32Array(GAIN_KNOTS);
    drawGainContour(() => 0.5, 3, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
    let k = 0;
    drawGainContour(() => [0, 0.999999, 0.25, 0.75][k++], 2, out, 0);
    expect(Array.from(out).map((v) => +v.toFixed(3))).toEqual([-2, 2, -1, 1]);
    expect(Array.from(gainContourImage(img(), C, H, new Float32Array(GAIN_KNOTS), 0))).toEqual(Array.from(img()));
  });

  it('offsets each frame by the contour interpolated between knots at evenly spaced frames; silent codes stay 0', () => {
    // Knots at frames 0, 2, 4, 6.
    const out = gainContourImage(img(), C, H, Float32Array.of(-2, 2, 0, 6), 0);
    expect(channel0(out)).toEqual([6, 8, 10, 9, 8, 11, 14]);
    expect(out[1]).toBe(0);
    expect(out[3 * C + 1]).toBe(5); // frame 3: +1 on a nonzero code
    expect(channel0(gainContourImage(img(), C, H, Float32Array.of(-9, -9, -9, -9), 0))).toEqual(new Array(H).fill(0));
  });

  it('applies after the spectral perturbation and before the masks in augmentImage', () => {
    const aug = { shifts: Uint8Array.of(0x88), warps: null, masks: Uint8Array.of(0, 1, 0, 0), gains: Float32Array.of(1, 1, 1, 1) };
    const out = augmentImage(img(), new Uint8Array(H * C), C, H, aug, 0);
    expect(channel0(out)).toEqual([0, 9, 9, 9, 9, 9, 9]);
  });
});

describe('mixup draws', () => {
  it('always takes three draws; unmixed samples get partner -1 and share 1, mixed ones a partner among count and a share in [0.5, 1)', () => {
    const out = new Float32Array(2);
    const values = [0.7, 0.25, 0.5];
    let k = 0;
    drawMix(() => values[k++], 0.5, 40, out, 0);
    expect(k).toBe(3);
    expect(Array.from(out)).toEqual([-1, 1]);
    k = 0;
    drawMix(() => [0.2, 0.25, 0.5][k++], 0.5, 40, out, 0);
    expect(k).toBe(3);
    expect(Array.from(out)).toEqual([10, 0.75]);
    k = 0;
    drawMix(() => [0, 0.9999999, 0.9999999][k++], 1, 40, out, 0);
    expect(out[0]).toBe(39);
    expect(out[1]).toBeLessThan(1);
  });

  it('mixes images element by element, rounded', () => {
    expect(Array.from(mixImages(Uint8Array.of(10, 0, 4, 9), Uint8Array.of(0, 10, 4, 7), 4, 0.75))).toEqual([8, 3, 4, 9]);
    expect(Array.from(mixImages(Uint8Array.of(10, 6), Uint8Array.of(0, 0), 1, 0.5))).toEqual([5, 6]);
  });
});
