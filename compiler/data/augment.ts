/** Data augmentation: random integer shifts of a few pixels (zero fill), applied to raw pixels before encoding. */

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
