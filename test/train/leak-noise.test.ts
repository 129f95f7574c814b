/**
 * Training with the runtime's leaky integration (--leak) and on simulated chips (--train-variation):
 * the leak's activity table against the runtime's step-by-step integration, leak-trained files
 * that the runtime executes like the training graph, and noise-aware training that is deterministic
 * for any thread count and actually trains on perturbed weights.
 */
import { describe, expect, it } from 'vitest';
import { CellModel } from '../../compiler/macro/cells.ts';
import { loadMacroDevice } from '../../compiler/macro/device.ts';
import type { ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { ChipNoise } from '../../compiler/train/cell-noise.ts';
import { evaluateModel } from '../../compiler/train/evaluate.ts';
import { toModelSpec } from '../../compiler/train/export.ts';
import { leakTables } from '../../compiler/train/leak.ts';
import { type TrainOptions, encodeSet, predictCodes, train } from '../../compiler/train/trainer.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import { smallMnist, quick } from './helpers.ts';

const data = smallMnist(1500, 400);

/** One input row, one neuron with weight w, code a, leak L: the runtime's charge (threshold 1, 16-bit output codes are not needed: read the score). */
function runtimeCharge(w: number, a: number, leakShift: number): number {
  const spec: ModelSpec = {
    input: { kind: 'codes', bits: 4, frames: 1, channels: 1 },
    layers: [{ kind: 'dense', inFrames: 1, inChannels: 1, kernel: 1, stride: 1, outChannels: 1, outBits: 4, leakShift, weightBits: 8, weights: Int8Array.of(w), thresholds: Int32Array.of(1), biases: Int32Array.of(0) }],
    labels: ['x'],
    provenance: {},
  };
  return createNetwork(loadModel(writeModel(spec))).infer(Uint8Array.of(a)).scores[0];
}

describe('leak in the training graph', () => {
  it('a code contributes act(a) = sum of (1 - 2^-L)^i over its a active steps, as the runtime integrates it (up to the shift\'s floor)', () => {
    for (const L of [1, 2, 3, 4]) {
      const { activity, slope } = leakTables(15, L);
      for (let a = 1; a <= 15; a++) {
        expect(activity[a]).toBeCloseTo((1 - (1 - 2 ** -L) ** a) / 2 ** -L, 12);
        expect(slope[a]).toBeCloseTo(activity[a] - activity[a - 1], 12);
        // The runtime floors V >> L, so it keeps at most one unit more per step than the linear leak.
        const v = runtimeCharge(100, a, L);
        expect(v).toBeGreaterThanOrEqual(Math.floor(100 * activity[a]));
        expect(v).toBeLessThanOrEqual(Math.ceil(100 * activity[a]) + a);
      }
    }
    expect(Array.from(leakTables(15, 0).activity)).toEqual(Array.from({ length: 16 }, (_, a) => a));
  });

  it('a leak-trained model records its leak and the runtime executes it like the training graph', async () => {
    const r = await train(data.train, null, data.input28, { ...quick, epochs: 3, shift: 0, lr: 0.01, mode: 'split', hidden: [24], leakShift: 2 });
    const spec = toModelSpec(r.cfg, r.layout, r.params, data.input28, {});
    expect(spec.layers.map((l) => l.leakShift)).toEqual([2, 2]);
    const rep = await evaluateModel(writeModel(spec), data.test);
    const graph = predictCodes(r.cfg, r.layout, r.params, encodeSet(data.test, data.input28), data.test.count);
    let same = 0;
    for (let i = 0; i < graph.length; i++) if (graph[i] === rep.predictions[i]) same++;
    // The graph's linear leak and the runtime's floored shift differ by under a charge unit per step.
    expect(same / graph.length).toBeGreaterThan(0.97);
    expect(rep.accuracy).toBeGreaterThan(0.6);
  });
});

describe('noise-aware training', () => {
  const device = loadMacroDevice('tempo-cim');
  const noisy: Partial<TrainOptions> = { ...quick, epochs: 2, mode: 'split', hidden: [16], seed: 4, cellNoise: { device, faults: { variation: 0.05, stuckOn: 0.001, stuckOff: 0.001 }, seed: 4 } };

  it('draws one chip per batch, from the batch alone', () => {
    const chips = new ChipNoise(noisy.cellNoise!);
    const batch = Int32Array.of(5, 9, 1, 7);
    const w1 = Float32Array.from({ length: 400 }, (_, i) => (i % 255) - 127);
    const w2 = Float32Array.from(w1);
    chips.perturb([w1], 127, chips.rngFor(batch));
    chips.perturb([w2], 127, chips.rngFor(Int32Array.from(batch)));
    expect(w1).toEqual(w2);
    const w3 = Float32Array.from({ length: 400 }, (_, i) => (i % 255) - 127);
    chips.perturb([w3], 127, chips.rngFor(Int32Array.of(5, 9, 7, 1)));
    expect(w3).not.toEqual(w1);
    // The same read-back as a robustness chip: integers within the weight range.
    for (const v of w1) expect(Number.isInteger(v) && Math.abs(v) <= 127).toBe(true);
    expect(new CellModel(device, noisy.cellNoise!.faults).faults.variation).toBe(0.05);
  });

  it('is deterministic with 1 or 2 threads and trains a different model than exact weights', async () => {
    const bytes = async (o: Partial<TrainOptions>) => {
      const r = await train(data.train, null, data.input28, o);
      return Buffer.from(writeModel(toModelSpec(r.cfg, r.layout, r.params, data.input28, {})));
    };
    const a = await bytes({ ...noisy, workers: 1 });
    const b = await bytes({ ...noisy, workers: 2 });
    expect(a.equals(b)).toBe(true);
    const exact = await bytes({ ...noisy, cellNoise: undefined, workers: 1 });
    expect(a.equals(exact)).toBe(false);
  });
});
