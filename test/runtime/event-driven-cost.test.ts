// Event-driven cost is visible in XS's deterministic meter: zero inputs are free, so inputs with
// 20% non-zero codes cost at most 35% of all-non-zero inputs on the same model (same run).
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';

function dense(rng: Rng, inputs: number, outputs: number): LayerSpec {
  const weights = new Int8Array(inputs * outputs);
  // Clamped to the 8-bit weight range: an unclamped tail draw would wrap in the Int8Array.
  for (let i = 0; i < weights.length; i++) weights[i] = Math.max(-127, Math.min(127, Math.round(rng.normal() * 30)));
  return {
    kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: outputs, outBits: 4, leakShift: 0, weightBits: 8,
    weights, thresholds: new Int32Array(outputs).fill(400), biases: new Int32Array(outputs),
  };
}

describe('event-driven cost in XS', () => {
  it('20%-dense inputs cost at most 0.35x of all-non-zero inputs (784-128-10)', async () => {
    const rng = new Rng(3);
    const spec: ModelSpec = {
      input: { kind: 'codes', bits: 4, frames: 1, channels: 784 },
      layers: [dense(rng, 784, 128), dense(rng, 128, 10)],
      labels: Array.from({ length: 10 }, (_, i) => String(i)),
      provenance: {},
    };
    const xs = await XsRuntime.start();
    try {
      expect((await xs.load(writeModel(spec))).ok).toBe(true);
      const medianCompute = async (density: number) => {
        const values: number[] = [];
        for (let k = 0; k < 9; k++) {
          const codes = new Uint8Array(784);
          for (let i = 0; i < 784; i++) if (density === 1 || rng.next() < density) codes[i] = rng.int(1, 15);
          values.push((await xs.infer(codes, { earlyExit: false })).compute);
        }
        return values.sort((a, b) => a - b)[4];
      };
      const full = await medianCompute(1);
      const sparse = await medianCompute(0.2);
      const ratio = sparse / full;
      console.log(`XS compute: all non-zero ${full}, 20% non-zero ${sparse}, ratio ${ratio.toFixed(3)}`);
      expect(ratio).toBeLessThanOrEqual(0.35);
      expect(ratio).toBeGreaterThan(0.1);
    } finally {
      await xs.close();
    }
  });
});
