// A 4-3-2 network worked out by hand (2-bit codes: A = 3, windows of 3 steps).
// Input codes x = [3, 0, 1, 2]: spike times [0, none, 2, 1].
import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';
import { createNetwork, loadModel, spikeTime } from '../../runtime/index.ts';

const hidden = (leakShift: number, macro?: LayerSpec['macro']): LayerSpec => ({
  kind: 'dense', inFrames: 1, inChannels: 4, kernel: 1, stride: 1, outChannels: 3, outBits: 2, leakShift, weightBits: 8,
  // rows = inputs: row i holds input i's weights to the 3 hidden neurons
  weights: Int8Array.from([2, -1, 1, /**/ 5, 5, 5, /**/ -3, 2, 4, /**/ 1, 3, -2]),
  thresholds: Int32Array.from([2, 1, 3]),
  biases: Int32Array.from([0, -1, 2]),
  macro,
});
const output = (leakShift: number): LayerSpec => ({
  kind: 'dense', inFrames: 1, inChannels: 3, kernel: 1, stride: 1, outChannels: 2, outBits: 2, leakShift, weightBits: 8,
  weights: Int8Array.from([1, -2, /**/ -1, 2, /**/ 3, 1]),
  thresholds: Int32Array.from([1, 1]),
  biases: Int32Array.from([1, 0]),
});
const spec = (layers: LayerSpec[]): ModelSpec => ({
  input: { kind: 'codes', bits: 2, frames: 1, channels: 4 },
  layers,
  labels: ['yes', 'no'],
  provenance: { test: 'hand-computed' },
});
const x = Uint8Array.from([3, 0, 1, 2]);

interface Expected {
  hidden: number[];
  scores: number[];
  codes: number[];
  classIndex: number;
}

const cases: [string, ModelSpec, Expected][] = [
  // No leak: V = W^T x. Hidden V = [6-3+2, -3+2+6, 3+4-4] = [5, 5, 3]; +b = [5, 4, 5];
  // /theta [2, 1, 3] -> floor [2, 4, 1] -> clamp to 3: [2, 3, 1].
  // Output V = [2-3+3, -4+6+1] = [2, 3]; +b = [3, 3]: a tie, lowest index wins.
  ['ideal, no leak', spec([hidden(0), output(0)]), { hidden: [2, 3, 1], scores: [3, 3], codes: [3, 3], classIndex: 0 }],
  // Leak L = 1, V <- V - (V >> 1) + I per step.
  // Hidden: s0: I = row0 = [2,-1,1], V = [2,-1,1]; s1: I += row3 -> [3,2,-1], V = [2-1+3, -1+1+2, 1-0-1] = [4,2,0];
  // s2: I += row2 -> [0,4,3], V = [4-2+0, 2-1+4, 0+3] = [2,5,3]; +b = [2,4,5] -> [1,4,1] -> [1,3,1].
  // Output, codes [1,3,1] spike at [2,0,2]: s0: I = row1 = [-1,2], V = [-1,2]; s1: V = [-1+1-1, 2-1+2] = [-1,3];
  // s2: I += row0 + row2 -> [3,1], V = [-1+1+3, 3-1+1] = [3,3]; +b = [4,3].
  ['ideal, leak 1', spec([hidden(1), output(1)]), { hidden: [1, 3, 1], scores: [4, 3], codes: [3, 3], classIndex: 0 }],
  // Macro: groups of 2 rows, C = 1 (bound = theta = [2,1,3]).
  // Group 0 (rows 0,1): [6,-3,3], gains [0,0,-1] -> [6,-3,1] -> clamp [2,-1,1] (2 clipped).
  // Group 1 (rows 2,3): [-1,8,0], gains [1,-1,0] -> [-2,4,0] -> clamp [-2,1,0] (1 clipped).
  // V = [0,0,1]; +b = [0,-1,3] -> codes [0,0,1]. Output (ideal): V = [3,1]; +b = [4,1].
  [
    'macro, no leak',
    spec([hidden(0, { groupRows: 2, chargeBound: 1, gains: Int8Array.from([0, 0, -1, 1, -1, 0]) }), output(0)]),
    { hidden: [0, 0, 1], scores: [4, 1], codes: [3, 1], classIndex: 0 },
  ],
];

describe('hand-computed 4-3-2 network', () => {
  for (const [name, model, expected] of cases) {
    it(`${name}: Node runtime`, () => {
      const network = createNetwork(loadModel(writeModel(model)));
      const r = network.infer(x, { earlyExit: false });
      expect(Array.from(r.trace[0])).toEqual(expected.hidden);
      expect(Array.from(r.scores)).toEqual(expected.scores);
      expect(Array.from(r.trace[1])).toEqual(expected.codes);
      expect(r.classIndex).toBe(expected.classIndex);
      expect(r.label).toBe(model.labels[expected.classIndex]);
      expect(Array.from(r.trace[1], (c) => spikeTime(c, 3))).toEqual(expected.codes.map((c) => (c > 0 ? 3 - c : -1)));
      // one row add per input spike: input 1 is zero and skipped
      expect(r.layerOps[0].rowAdds).toBe(3);
      expect(r.layerOps[0].zeroInputsSkipped).toBe(1);
    });
  }

  it('macro mode counts the clipped partials', () => {
    const r = createNetwork(loadModel(writeModel(cases[2][1]))).infer(x, { earlyExit: false });
    expect(r.layerOps[0].partials).toBe(6);
    expect(r.layerOps[0].clippedPartials).toBe(3);
  });

  for (const engine of ['TypeScript', 'native'] as const) {
    it(`XS (${engine} kernels) gives the same hidden codes, scores, class and counts`, async () => {
      const xs = await XsRuntime.start(engine === 'native' ? { native: 'release' } : {});
      try {
        for (const [, model, expected] of cases) {
          expect((await xs.load(writeModel(model))).ok).toBe(true);
          const r = await xs.infer(x, { earlyExit: false, trace: true });
          expect(Array.from(r.trace![0])).toEqual(expected.hidden);
          expect(Array.from(r.scores)).toEqual(expected.scores);
          expect(Array.from(r.trace![1])).toEqual(expected.codes);
          expect(r.classIndex).toBe(expected.classIndex);
          expect(r.ops).toEqual(createNetwork(loadModel(writeModel(model))).infer(x, { earlyExit: false }).ops);
        }
        const macro = await xs.load(writeModel(cases[2][1]));
        expect(macro.ok).toBe(true);
        const r = await xs.infer(x, { earlyExit: false });
        expect(r.ops.partials).toBe(6);
        expect(r.ops.clippedPartials).toBe(3);
      } finally {
        await xs.close();
      }
    });
  }
});
