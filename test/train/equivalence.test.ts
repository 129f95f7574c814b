/** The .tcm written from a trained net gives exactly the training graph's quantized predictions and scores in the runtime. */
import { describe, expect, it } from 'vitest';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { toModelSpec, withMacro } from '../../compiler/train/export.ts';
import { convertFloat } from '../../compiler/train/convert.ts';
import { evaluateModel } from '../../compiler/train/evaluate.ts';
import { encodeSet, predictCodes, train } from '../../compiler/train/trainer.ts';
import { smallMnist, quick } from './helpers.ts';

describe('training graph == runtime', () => {
  const data = smallMnist();
  for (const [mode, pool, hidden] of [['qat', 1, [24]], ['split', 1, [24]], ['qat', 2, [16, 12]], ['split', 2, [20]]] as const) {
    it(`${mode} ${28 / pool}x${28 / pool} hidden ${hidden.join(',')}`, async () => {
      const input = pool === 1 ? data.input28 : data.input14;
      const r = await train(data.train, null, input, { ...quick, epochs: 3, shift: 0, lr: 0.01, mode, hidden: [...hidden], chargeBound: 2 });
      const spec = toModelSpec(r.cfg, r.layout, r.params, input, { test: true });
      const bytes = writeModel(spec);
      const codes = encodeSet(data.test, input);
      const classes = 10;
      const graphScores = new Float64Array(data.test.count * classes);
      const preds = predictCodes(r.cfg, r.layout, r.params, codes, data.test.count, (i, s) => graphScores.set(s, i * classes));
      const rep = await evaluateModel(bytes, data.test);
      expect(Array.from(rep.predictions)).toEqual(Array.from(preds));
      expect(Array.from(rep.scores)).toEqual(Array.from(graphScores));
      expect(rep.accuracy).toBeGreaterThan(0.5);
      if (mode === 'split') expect(spec.layers[0].macro?.chargeBound).toBe(2);
    });
  }

  it('float conversion and macro re-execution run in the runtime', async () => {
    const input = data.input28;
    const f = await train(data.train, null, input, { ...quick, mode: 'float', hidden: [24] });
    const conv = convertFloat(f.cfg, f.layout, f.params, encodeSet(data.train, input), 500);
    const spec = toModelSpec(conv.cfg, f.layout, conv.params, input, {});
    const preds = predictCodes(conv.cfg, f.layout, conv.params, encodeSet(data.test, input), data.test.count);
    const rep = await evaluateModel(writeModel(spec), data.test);
    expect(Array.from(rep.predictions)).toEqual(Array.from(preds));
    const macro = await evaluateModel(writeModel(withMacro(spec, 2)), data.test);
    expect(macro.clippedPartialRate).toBeGreaterThan(0);
  });
});
