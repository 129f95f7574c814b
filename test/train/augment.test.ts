/** Augmentation: integer shifts and affine warps move ink where the geometry says, and warps are a superset of shifts. */
import { describe, expect, it } from 'vitest';
import { drawWarp, shiftImage, warpImage } from '../../compiler/data/augment.ts';

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
