/**
 * Knowledge distillation: the trainer's soft targets enter the loss (the same gradient as the
 * labels when they are the labels, another model when they say otherwise, the same with 1 or 2
 * threads), and teacherTargets turns a .tcm's runtime scores into probabilities.
 */
import { describe, expect, it } from 'vitest';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { softmax } from '../../compiler/train/backward.ts';
import { teacherTargets } from '../../compiler/train/distill.ts';
import { toModelSpec } from '../../compiler/train/export.ts';
import { type TrainOptions, encodeSet, predictCodes, train } from '../../compiler/train/trainer.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import { scoreUnit } from '../../manifests/apps/lib/detector.ts';
import { quick, smallMnist } from './helpers.ts';

const data = smallMnist(600, 100);
const base: Partial<TrainOptions> = { ...quick, hidden: [16], seed: 11, mode: 'qat' };

async function trained(opts: Partial<TrainOptions>) {
  const r = await train(data.train, null, data.input28, { ...base, ...opts });
  return { r, bytes: writeModel(toModelSpec(r.cfg, r.layout, r.params, data.input28, { seed: r.options.seed })) };
}

/** One-hot rows of `labels` (10 classes). */
function oneHot(labels: ArrayLike<number>): Float32Array {
  const t = new Float32Array(labels.length * 10);
  for (let i = 0; i < labels.length; i++) t[i * 10 + labels[i]] = 1;
  return t;
}

describe('distillation in the trainer', () => {
  it('soft targets equal to the labels at weight 1 give the same model as the labels alone', async () => {
    const plain = await trained({});
    const same = await trained({ softTargets: oneHot(data.train.labels), distillWeight: 1 });
    expect(Buffer.from(same.bytes).equals(Buffer.from(plain.bytes))).toBe(true);
  });

  it('the student learns what the teacher says, not the labels, with 1 or 2 threads alike', async () => {
    const teacherSays = Uint8Array.from(data.train.labels, (l) => (l + 1) % 10);
    const opts = { softTargets: oneHot(teacherSays), distillWeight: 1, epochs: 3 };
    const one = await trained({ ...opts, workers: 1 });
    const two = await trained({ ...opts, workers: 2 });
    expect(Buffer.from(two.bytes).equals(Buffer.from(one.bytes))).toBe(true);
    const preds = predictCodes(one.r.cfg, one.r.layout, one.r.params, encodeSet(data.train, data.input28), data.train.count);
    const agree = (labels: ArrayLike<number>) => preds.filter((p, i) => p === labels[i]).length / preds.length;
    expect(agree(teacherSays)).toBeGreaterThan(0.5);
    expect(agree(data.train.labels)).toBeLessThan(0.2);
    // Half weight: a different model from both.
    const half = await trained({ ...opts, distillWeight: 0.5 });
    expect(Buffer.from(half.bytes).equals(Buffer.from(one.bytes))).toBe(false);
  });

  it('refuses soft targets of the wrong length', async () => {
    await expect(trained({ softTargets: new Float32Array(10), distillWeight: 0.5 })).rejects.toThrow(/softTargets: 10 values for 600 samples/);
  });
});

describe('teacherTargets', () => {
  it('are the softmax of each teacher\'s runtime scores in its score unit, averaged over teachers', async () => {
    const teacher = (await trained({ epochs: 2 })).bytes;
    const other = (await trained({ epochs: 2, seed: 12 })).bytes;
    const count = 40;
    const codes = encodeSet(data.train, data.input28).subarray(0, count * data.input28.channels);
    const t1 = teacherTargets([{ name: 'a', bytes: teacher }], codes, count, { temperature: 1 });
    const network = createNetwork(loadModel(teacher));
    const unit = scoreUnit(loadModel(teacher));
    const probs = new Float64Array(10);
    for (let i = 0; i < count; i++) {
      const row = t1.subarray(i * 10, (i + 1) * 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const { scores, classIndex } = network.infer(codes.subarray(i * data.input28.channels, (i + 1) * data.input28.channels), { earlyExit: false });
      softmax(scores, 1 / unit, probs);
      for (let k = 0; k < 10; k++) expect(row[k]).toBeCloseTo(probs[k], 6);
      expect(row.indexOf(Math.max(...row))).toBe(classIndex);
    }
    // A temperature above 1 softens every row; two teachers average their rows.
    const t3 = teacherTargets([{ name: 'a', bytes: teacher }], codes, count, { temperature: 3 });
    for (let i = 0; i < count; i++) expect(Math.max(...t3.subarray(i * 10, (i + 1) * 10))).toBeLessThanOrEqual(Math.max(...t1.subarray(i * 10, (i + 1) * 10)) + 1e-6);
    const t2 = teacherTargets([{ name: 'b', bytes: other }], codes, count, { temperature: 1 });
    const both = teacherTargets([{ name: 'a', bytes: teacher }, { name: 'b', bytes: other }], codes, count, { temperature: 1 });
    for (let j = 0; j < both.length; j++) expect(both[j]).toBeCloseTo((t1[j] + t2[j]) / 2, 6);
  });

  it('refuses a teacher the check rejects, a wrong input length and a bad temperature', async () => {
    const teacher = (await trained({})).bytes;
    const codes = encodeSet(data.train, data.input28).subarray(0, 4 * data.input28.channels);
    expect(() => teacherTargets([{ name: 'x.tcm', bytes: teacher }], codes, 4, { temperature: 1, check: () => 'not for this data' })).toThrow('teacher x.tcm: not for this data');
    expect(() => teacherTargets([{ name: 'x.tcm', bytes: teacher }], codes, 3, { temperature: 1 })).toThrow(/expects 784 input codes/);
    expect(() => teacherTargets([{ name: 'x.tcm', bytes: teacher }], codes, 4, { temperature: 0 })).toThrow(/temperature must be > 0/);
    expect(() => teacherTargets([], codes, 4, { temperature: 1 })).toThrow(/at least one teacher/);
  });
});
