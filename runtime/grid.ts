/**
 * conv2d geometry on the crossbar: im2col gathers one output position's k x k x C input patch
 * into a contiguous row vector (zeros where the window overhangs the padded border, and zeros
 * are free: they never spike), so every position runs the same per-position kernel as a dense
 * layer. Spike-time max pooling keeps the largest code of each q x q window: the earliest spike.
 */
import type { Layer } from './model.ts';

/** Patch of output position (oy, ox), row r = ((dy * k) + dx) * C + c, into `patch[0 .. k*k*C)`. */
export function gatherPatch(layer: Layer, input: Uint8Array, oy: number, ox: number, patch: Uint8Array): void {
  const grid = layer.grid!;
  const k = layer.kernel;
  const c = layer.inChannels;
  const rowBytes = k * c;
  const y0 = oy * layer.stride - grid.padding;
  const x0 = ox * layer.stride - grid.padding;
  // Columns of the window inside the image: [xFrom, xTo) in window coordinates.
  const xFrom = x0 < 0 ? -x0 : 0;
  const xTo = x0 + k > grid.inWidth ? grid.inWidth - x0 : k;
  for (let dy = 0; dy < k; dy++) {
    const y = y0 + dy;
    const at = dy * rowBytes;
    if (y < 0 || y >= grid.inHeight) {
      patch.fill(0, at, at + rowBytes);
      continue;
    }
    if (xFrom > 0) patch.fill(0, at, at + xFrom * c);
    // A plain copy loop: a subarray view per row would allocate during inference.
    const from = (y * grid.inWidth + x0 + xFrom) * c - (at + xFrom * c);
    for (let i = at + xFrom * c, end = at + xTo * c; i < end; i++) patch[i] = input[from + i];
    if (xTo < k) patch.fill(0, at + xTo * c, at + rowBytes);
  }
}

/** Spike-time max pooling of the conv map (convHeight x convWidth x m) into `out`. */
export function poolCodes(layer: Layer, map: Uint8Array, out: Uint8Array): void {
  const grid = layer.grid!;
  const q = grid.pool;
  const m = layer.outChannels;
  const outWidth = (grid.convWidth / q) | 0;
  const outHeight = (grid.convHeight / q) | 0;
  for (let py = 0; py < outHeight; py++) {
    for (let px = 0; px < outWidth; px++) {
      const dest = (py * outWidth + px) * m;
      for (let j = 0; j < m; j++) {
        let best = 0;
        for (let dy = 0; dy < q; dy++) {
          const row = ((py * q + dy) * grid.convWidth + px * q) * m + j;
          for (let dx = 0; dx < q; dx++) {
            const code = map[row + dx * m];
            if (code > best) best = code;
          }
        }
        out[dest + j] = best;
      }
    }
  }
}
