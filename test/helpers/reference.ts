/**
 * Test oracle: the integer semantics of docs/tcm-format.md written as plainly as possible (no
 * event-driven tricks, no blocks, time stepped for every layer) from a ModelSpec, to check the
 * runtime's optimized kernels against.
 */
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';

export function referenceForward(spec: ModelSpec, input: Uint8Array): { codes: number[][]; scores: number[] } {
  let x = Array.from(input);
  let bits = spec.input.bits;
  const codes: number[][] = [];
  let scores: number[] = [];
  for (const layer of spec.layers) {
    const A = (1 << bits) - 1;
    const outMax = (1 << layer.outBits) - 1;
    const windows = layerWindows(layer, x);
    const rows = windows[0].length;
    const m = layer.outChannels;
    const groupRows = layer.macro ? layer.macro.groupRows : rows;
    const groups = Math.ceil(rows / groupRows);
    let out: number[] = [];
    scores = [];
    for (const window of windows) {
      for (let j = 0; j < m; j++) {
        let v = 0;
        for (let g = 0; g < groups; g++) {
          // Simulate the window step by step: input r spikes at A - a_r and stays active.
          let p = 0;
          let current = 0;
          for (let s = 0; s < A; s++) {
            for (let r = g * groupRows; r < Math.min(rows, (g + 1) * groupRows); r++) {
              if (window[r] > 0 && A - window[r] === s) current += layer.weights[r * m + j];
            }
            p = layer.leakShift > 0 ? p - (p >> layer.leakShift) + current : p + current;
          }
          if (layer.macro) {
            const shift = layer.macro.gains[g * m + j];
            p = shift >= 0 ? p * 2 ** shift : Math.floor(p / 2 ** -shift);
            const bound = layer.macro.chargeBound * layer.thresholds[j];
            p = Math.max(-bound, Math.min(bound, p));
          }
          v += p;
        }
        const charge = v + layer.biases[j];
        scores.push(charge);
        out.push(Math.max(0, Math.min(outMax, Math.floor(charge / layer.thresholds[j]))));
      }
    }
    if (layer.grid && layer.grid.pool > 1) out = maxPool(layer, out);
    codes.push(out);
    x = out;
    bits = layer.outBits;
  }
  return { codes, scores };
}

/** The input codes each output position reads, in crossbar row order (zeros outside the image). */
function layerWindows(layer: LayerSpec, x: number[]): number[][] {
  const { kernel: k, stride, inChannels: c } = layer;
  const windows: number[][] = [];
  if (!layer.grid) {
    const outFrames = Math.floor((layer.inFrames - k) / stride) + 1;
    for (let t = 0; t < outFrames; t++) windows.push(x.slice(t * stride * c, t * stride * c + k * c));
    return windows;
  }
  const { inHeight: h, inWidth: w, padding } = layer.grid;
  const outH = Math.floor((h + 2 * padding - k) / stride) + 1;
  const outW = Math.floor((w + 2 * padding - k) / stride) + 1;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const window: number[] = [];
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const y = oy * stride - padding + dy;
          const xx = ox * stride - padding + dx;
          for (let ch = 0; ch < c; ch++) window.push(y >= 0 && y < h && xx >= 0 && xx < w ? x[(y * w + xx) * c + ch] : 0);
        }
      }
      windows.push(window);
    }
  }
  return windows;
}

/** Max of the codes in each q x q window of the conv map (the earliest spike wins). */
function maxPool(layer: LayerSpec, map: number[]): number[] {
  const { inHeight: h, inWidth: w, padding, pool: q } = layer.grid!;
  const k = layer.kernel;
  const m = layer.outChannels;
  const convH = Math.floor((h + 2 * padding - k) / layer.stride) + 1;
  const convW = Math.floor((w + 2 * padding - k) / layer.stride) + 1;
  const out: number[] = [];
  for (let py = 0; py < Math.floor(convH / q); py++) {
    for (let px = 0; px < Math.floor(convW / q); px++) {
      for (let j = 0; j < m; j++) {
        let best = 0;
        for (let dy = 0; dy < q; dy++) for (let dx = 0; dx < q; dx++) best = Math.max(best, map[((py * q + dy) * convW + px * q + dx) * m + j]);
        out.push(best);
      }
    }
  }
  return out;
}
