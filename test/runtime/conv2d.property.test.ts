// Seeded property test over random conv2d models (kernel, stride, padding, fused spike-time
// pooling, ideal and macro mode, leak): Node, XS (TypeScript kernels) and XS with the native C
// kernels agree exactly with each other and with the plain reference.
import { describe, expect, it } from 'vitest';
import { randomCodes, randomConv2dModel } from '../../compiler/fuzz/random-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import { referenceForward } from '../helpers/reference.ts';
import { useXsEngines } from '../helpers/xs-engines.ts';

const MODELS = 150;
const INPUTS_PER_MODEL = 4;

const engines = useXsEngines();

describe('conv2d models: Node, XS and native kernels agree with the plain reference', () => {
  it(`${MODELS * INPUTS_PER_MODEL} cases`, async () => {
    const xs = engines.xs();
    const native = engines.native();
    const rng = new Rng(20261202);
    const seen = { padded: 0, pooled: 0, strided: 0, macro: 0, leak: 0 };
    for (let m = 0; m < MODELS; m++) {
      const spec = randomConv2dModel(rng);
      const bytes = writeModel(spec);
      const model = loadModel(bytes);
      expect(model.versionMinor).toBe(1);
      const network = createNetwork(model);
      expect((await xs.load(bytes)).ok).toBe(true);
      expect((await native.load(bytes)).ok).toBe(true);
      for (const layer of spec.layers) {
        if (!layer.grid) continue;
        if (layer.grid.padding > 0) seen.padded++;
        if (layer.grid.pool > 1) seen.pooled++;
        if (layer.stride > 1) seen.strided++;
        if (layer.macro) seen.macro++;
        if (layer.leakShift > 0) seen.leak++;
      }
      for (let k = 0; k < INPUTS_PER_MODEL; k++) {
        const codes = randomCodes(rng, network.inputLength, spec.input.bits);
        const full = network.infer(codes, { earlyExit: false });
        const trace = full.trace.map((t) => Array.from(t));
        const reference = referenceForward(spec, codes);
        expect(trace).toEqual(reference.codes);
        expect(Array.from(full.scores)).toEqual(reference.scores);
        const xsFull = await xs.infer(codes, { earlyExit: false, trace: true });
        expect(xsFull.trace!.map((t) => Array.from(t))).toEqual(trace);
        expect(Array.from(xsFull.scores)).toEqual(reference.scores);
        expect(xsFull.ops.rowAdds).toBe(full.ops.rowAdds);
        const nativeFull = await native.infer(codes, { earlyExit: false, trace: true });
        expect(nativeFull.trace!.map((t) => Array.from(t))).toEqual(trace);
        expect(nativeFull.ops).toEqual(full.ops);
        const early = network.infer(codes);
        expect(early.classIndex).toBe(full.classIndex);
        const nativeEarly = await native.infer(codes);
        expect(Array.from(nativeEarly.scores)).toEqual(Array.from(early.scores));
      }
    }
    for (const [feature, count] of Object.entries(seen)) expect(count, feature).toBeGreaterThan(20);
  });
});
