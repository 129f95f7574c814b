// Seeded property tests over random models: Node, XS (TypeScript kernels) and XS with the native C
// kernels agree exactly, and early termination never changes the winner. 1,200 (model, input)
// cases across shapes, bit widths, leak and mode.
import { describe, expect, it } from 'vitest';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import { randomCodes, randomModel } from '../../compiler/fuzz/random-model.ts';
import { referenceForward } from '../helpers/reference.ts';
import { useXsEngines } from '../helpers/xs-engines.ts';

const MODELS = 300;
const INPUTS_PER_MODEL = 4;

const engines = useXsEngines();

describe('Node, XS and native kernels execute random models identically, and as the plain reference', () => {
  it(`${MODELS * INPUTS_PER_MODEL} cases`, async () => {
    const xs = engines.xs();
    const native = engines.native();
    const rng = new Rng(20261126);
    const seen = { leak: 0, macro: 0, conv: 0, stoppedEarly: 0 };
    for (let m = 0; m < MODELS; m++) {
      const spec = randomModel(rng);
      const bytes = writeModel(spec);
      const network = createNetwork(loadModel(bytes));
      const info = await xs.load(bytes);
      expect(info.ok, info.message).toBe(true);
      const nativeInfo = await native.load(bytes);
      expect(nativeInfo.ok, nativeInfo.message).toBe(true);
      if (spec.layers.some((l) => l.leakShift > 0)) seen.leak++;
      if (spec.layers.some((l) => l.macro)) seen.macro++;
      if (spec.layers.some((l) => l.kind === 'conv1d')) seen.conv++;
      for (let k = 0; k < INPUTS_PER_MODEL; k++) {
        const codes = randomCodes(rng, network.inputLength, spec.input.bits);
        const full = network.infer(codes, { earlyExit: false });
        const fullScores = Array.from(full.scores);
        const fullTrace = full.trace.map((t) => Array.from(t));
        const fullClass = full.classIndex;
        const reference = referenceForward(spec, codes);
        expect(fullTrace).toEqual(reference.codes);
        expect(fullScores).toEqual(reference.scores);
        const xsFull = await xs.infer(codes, { earlyExit: false, trace: true });
        expect(Array.from(xsFull.scores)).toEqual(fullScores);
        expect(xsFull.trace!.map((t) => Array.from(t))).toEqual(fullTrace);
        expect(xsFull.classIndex).toBe(fullClass);
        expect(xsFull.ops.rowAdds).toBe(full.ops.rowAdds);
        const nativeFull = await native.infer(codes, { earlyExit: false, trace: true });
        expect(Array.from(nativeFull.scores)).toEqual(fullScores);
        expect(nativeFull.trace!.map((t) => Array.from(t))).toEqual(fullTrace);
        expect(nativeFull.ops).toEqual(full.ops);

        const early = network.infer(codes, { earlyExit: true });
        expect(early.classIndex).toBe(fullClass);
        if (early.stoppedEarly) seen.stoppedEarly++;
        const xsEarly = await xs.infer(codes, { earlyExit: true });
        expect(xsEarly.classIndex).toBe(fullClass);
        expect(Array.from(xsEarly.scores)).toEqual(Array.from(early.scores));
        const nativeEarly = await native.infer(codes, { earlyExit: true });
        expect(Array.from(nativeEarly.scores)).toEqual(Array.from(early.scores));
        expect(nativeEarly.stoppedEarly).toBe(early.stoppedEarly);
        expect(nativeEarly.ops).toEqual(early.ops);
      }
    }
    // The generator must actually exercise every feature.
    expect(seen.leak).toBeGreaterThan(30);
    expect(seen.macro).toBeGreaterThan(30);
    expect(seen.conv).toBeGreaterThan(30);
    expect(seen.stoppedEarly).toBeGreaterThan(20);
  });
});

describe('early termination on winner-heavy inputs', () => {
  it('stops early often and always agrees with full evaluation', () => {
    const rng = new Rng(7);
    let stopped = 0;
    let cases = 0;
    for (let m = 0; m < 100; m++) {
      const spec = randomModel(rng, { leak: false });
      const network = createNetwork(loadModel(writeModel(spec)));
      for (let k = 0; k < 10; k++) {
        const codes = randomCodes(rng, network.inputLength, spec.input.bits, 0.5);
        const fullClass = network.infer(codes, { earlyExit: false }).classIndex;
        const early = network.infer(codes);
        expect(early.classIndex).toBe(fullClass);
        if (early.stoppedEarly) {
          stopped++;
          expect(early.ops.stepsSaved + early.ops.inputsSkippedEarly).toBeGreaterThan(0);
        }
        cases++;
      }
    }
    expect(cases).toBe(1000);
    expect(stopped).toBeGreaterThan(50);
  });
});
