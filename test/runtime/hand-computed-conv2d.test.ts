// conv2d + spike-time pooling worked out by hand (2-bit codes, A = 3), in Node, XS and native XS.
// Input image 3x3x1:   1 0 2
//                      0 3 0
//                      2 0 1
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';

const image = Uint8Array.from([1, 0, 2, 0, 3, 0, 2, 0, 1]);

const conv = (fields: Pick<LayerSpec, 'kernel' | 'stride' | 'outChannels' | 'weights' | 'thresholds' | 'biases'>, padding: number, pool: number): LayerSpec => ({
  kind: 'conv2d', inFrames: 9, inChannels: 1, outBits: 2, leakShift: 0, weightBits: 8,
  grid: { inHeight: 3, inWidth: 3, padding, pool }, ...fields,
});
const dense = (inputs: number, weights: number[]): LayerSpec => ({
  kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: 2, outBits: 2, leakShift: 0, weightBits: 8,
  weights: Int8Array.from(weights), thresholds: Int32Array.from([1, 1]), biases: Int32Array.from([0, 0]),
});
const spec = (layers: LayerSpec[]): ModelSpec => ({
  input: { kind: 'codes', bits: 2, frames: 1, channels: 9 },
  layers, labels: ['a', 'b'], provenance: { test: 'hand-computed conv2d' },
});

interface Expected {
  hidden: number[];
  scores: number[];
  classIndex: number;
  rowAdds: number;
}

const cases: [string, ModelSpec, Expected][] = [
  // 2x2 kernel, valid, 2 channels; rows r = dy*2 + dx; channel 0 weights [1,-1,2,1], channel 1 [0,1,1,-1].
  // Patches: (0,0) [1,0,0,3], (0,1) [0,2,3,0], (1,0) [0,3,2,0], (1,1) [3,0,0,1].
  // ch0 V = [4, 4, 1, 4], theta 2, b 0 -> [2, 2, 0, 2]; ch1 V = [-3, 5, 5, -1], b 1 -> [-1, 3, 3, 0] -> [0, 3, 3, 0].
  // Pool 2x2: the earliest spike (largest code) of each channel: [2, 3].
  // Dense rows [1,-1], [-1,2]: V = [2 - 3, -2 + 6] = [-1, 4]: class 1.
  [
    '2x2 valid, pool 2',
    spec([
      conv({ kernel: 2, stride: 1, outChannels: 2, weights: Int8Array.from([1, 0, -1, 1, 2, 1, 1, -1]), thresholds: Int32Array.from([2, 2]), biases: Int32Array.from([0, 1]) }, 0, 2),
      dense(2, [1, -1, -1, 2]),
    ]),
    // spiking inputs per patch: 2 + 2 + 2 + 2
    { hidden: [2, 3], scores: [-1, 4], classIndex: 1, rowAdds: 8 },
  ],
  // 3x3 kernel, padding 1, stride 2: positions (0,0), (0,1), (1,0), (1,1) centred on pixels (0,0), (0,2), (2,0), (2,2).
  // Weights 1 everywhere, 2 at the centre: V = window sum + centre = [4+1, 5+2, 5+2, 4+1] = [5, 7, 7, 5];
  // theta 2 -> [2, 3, 3, 2]. Dense rows [1,0], [0,1], [0,1], [1,0]: V = [2 + 2, 3 + 3] = [4, 6]: class 1.
  [
    '3x3 same padding, stride 2',
    spec([
      conv({ kernel: 3, stride: 2, outChannels: 1, weights: Int8Array.from([1, 1, 1, 1, 2, 1, 1, 1, 1]), thresholds: Int32Array.from([2]), biases: Int32Array.from([0]) }, 1, 1),
      dense(4, [1, 0, 0, 1, 0, 1, 1, 0]),
    ]),
    // spiking inputs in the padded windows: (0,0) {1,3}, (0,1) {2,3}, (1,0) {3,2}, (1,1) {3,1}
    { hidden: [2, 3, 3, 2], scores: [4, 6], classIndex: 1, rowAdds: 8 },
  ],
];

describe('hand-computed conv2d', () => {
  for (const [name, model, expected] of cases) {
    it(`${name}: Node runtime`, () => {
      const loaded = loadModel(writeModel(model));
      expect(loaded.layers[0].kind).toBe('conv2d');
      const r = createNetwork(loaded).infer(image, { earlyExit: false });
      expect(Array.from(r.trace[0])).toEqual(expected.hidden);
      expect(Array.from(r.scores)).toEqual(expected.scores);
      expect(r.classIndex).toBe(expected.classIndex);
      expect(r.layerOps[0].rowAdds).toBe(expected.rowAdds);
    });
  }

  for (const engine of ['TypeScript', 'native'] as const) {
    it(`XS (${engine} kernels) gives the same codes, scores and counts`, async () => {
      const xs = await XsRuntime.start(engine === 'native' ? { native: 'release' } : {});
      try {
        for (const [, model, expected] of cases) {
          expect((await xs.load(writeModel(model))).ok).toBe(true);
          const r = await xs.infer(image, { earlyExit: false, trace: true });
          expect(Array.from(r.trace![0])).toEqual(expected.hidden);
          expect(Array.from(r.scores)).toEqual(expected.scores);
          expect(r.classIndex).toBe(expected.classIndex);
          expect(r.ops).toEqual(createNetwork(loadModel(writeModel(model))).infer(image, { earlyExit: false }).ops);
        }
      } finally {
        await xs.close();
      }
    });
  }
});
