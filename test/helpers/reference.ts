/**
 * Test oracle: the integer semantics of docs/tcm-format.md written as plainly as possible (no
 * event-driven tricks, no blocks, time stepped for every layer) from a ModelSpec, to check the
 * runtime's optimized kernels against.
 */
import type { ModelSpec } from '../../compiler/tcm/spec.ts';

export function referenceForward(spec: ModelSpec, input: Uint8Array): { codes: number[][]; scores: number[] } {
  let x = Array.from(input);
  let bits = spec.input.bits;
  const codes: number[][] = [];
  let scores: number[] = [];
  for (const layer of spec.layers) {
    const A = (1 << bits) - 1;
    const outMax = (1 << layer.outBits) - 1;
    const rows = layer.kernel * layer.inChannels;
    const m = layer.outChannels;
    const outFrames = Math.floor((layer.inFrames - layer.kernel) / layer.stride) + 1;
    const groupRows = layer.macro ? layer.macro.groupRows : rows;
    const groups = Math.ceil(rows / groupRows);
    const out: number[] = [];
    scores = [];
    for (let t = 0; t < outFrames; t++) {
      const window = x.slice(t * layer.stride * layer.inChannels, t * layer.stride * layer.inChannels + rows);
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
    codes.push(out);
    x = out;
    bits = layer.outBits;
  }
  return { codes, scores };
}
