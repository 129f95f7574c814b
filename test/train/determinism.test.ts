/** Same seed -> byte-identical .tcm (with 1 or 2 threads); resume ends with the same model as an uninterrupted run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { subset } from '../../compiler/data/mnist.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { toModelSpec } from '../../compiler/train/export.ts';
import { imageLayers } from '../../compiler/train/image-layers.ts';
import { type TrainOptions, accuracyOf, encodeSet, predictCodes, train } from '../../compiler/train/trainer.ts';
import { smallMnist, quick } from './helpers.ts';

const data = smallMnist(1000, 100);
const dir = mkdtempSync(join(tmpdir(), 'tcm-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function model(opts: Partial<TrainOptions>): Promise<Uint8Array> {
  const r = await train(data.train, null, data.input28, { ...quick, hidden: [16], ...opts });
  return writeModel(toModelSpec(r.cfg, r.layout, r.params, data.input28, { seed: r.options.seed }));
}

describe('determinism', () => {
  it('same seed gives byte-identical models, with 1 or 2 worker threads', async () => {
    const a = await model({ seed: 7, mode: 'split', workers: 1 });
    const b = await model({ seed: 7, mode: 'split', workers: 1 });
    const c = await model({ seed: 7, mode: 'split', workers: 2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(true);
    const d = await model({ seed: 8, mode: 'split', workers: 1 });
    expect(Buffer.from(a).equals(Buffer.from(d))).toBe(false);
  });

  it('label smoothing and weight decay are deterministic (1 or 2 threads) and change the model', async () => {
    const knobs = { seed: 7, mode: 'qat', labelSmoothing: 0.1, weightDecay: 0.05 } as const;
    const a = await model({ ...knobs, workers: 1 });
    const b = await model({ ...knobs, workers: 2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const plain = await model({ seed: 7, mode: 'qat', workers: 1 });
    expect(Buffer.from(a).equals(Buffer.from(plain))).toBe(false);
    expect(Buffer.from(await model({ seed: 7, mode: 'qat', labelSmoothing: 0.1 })).equals(Buffer.from(plain))).toBe(false);
    expect(Buffer.from(await model({ seed: 7, mode: 'qat', weightDecay: 0.05 })).equals(Buffer.from(plain))).toBe(false);
  });

  it.each([
    ['affine warps', { rotate: 10, zoom: 0.1 }],
    ['masks', { maskRows: 3, maskCols: 2 }],
    ['spectral perturbations', { spectrumWarp: 0.15, spectrumTilt: 3 }],
    ['gain contours', { gainContour: 2 }],
    ['mixup', { mixup: 0.5 }],
  ])('%s are deterministic (1 or 2 threads) and change the model', async (_, extra) => {
    const knobs = { seed: 7, mode: 'qat' as const, ...extra };
    const a = await model({ ...knobs, workers: 1 });
    const b = await model({ ...knobs, workers: 2 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(await model({ seed: 7, mode: 'qat', workers: 1 })))).toBe(false);
  });

  it('resume from a checkpoint ends with the same model as an uninterrupted run', async () => {
    const full = await model({ seed: 3, epochs: 3, mode: 'qat', checkpoint: join(dir, 'full.ckpt') });
    const ck = join(dir, 'part.ckpt');
    await model({ seed: 3, epochs: 3, mode: 'qat', checkpoint: ck, stopAfterEpochs: 1 });
    const resumed = await model({ seed: 3, epochs: 3, mode: 'qat', checkpoint: ck, resume: true });
    expect(Buffer.from(resumed).equals(Buffer.from(full))).toBe(true);
  });

  it('conv2d + pooling (split groups across a conv layer): same model and per-epoch test figures with 1 or 2 threads, resumed or not', async () => {
    // 18 rows per group: the 8c3 layer's 36-row windows span two groups, the cut inside a 4-channel run.
    const conv = { seed: 5, epochs: 2, mode: 'split' as const, groupRows: 18, layers: imageLayers(28, [{ outChannels: 4, kernel: 3 }, { outChannels: 8, kernel: 3 }], 2, 'same', [], 10), evalEachEpoch: true, rotate: 10, zoom: 0.1 };
    const run = async (opts: Partial<TrainOptions>) => {
      const r = await train(subset(data.train, 256), data.test, data.input28, { ...quick, ...conv, ...opts });
      return { bytes: writeModel(toModelSpec(r.cfg, r.layout, r.params, data.input28, { seed: 5 })), r };
    };
    const one = await run({ workers: 1 });
    const two = await run({ workers: 2 });
    expect(Buffer.from(two.bytes).equals(Buffer.from(one.bytes))).toBe(true);
    const figures = (h: typeof one.r.history) => h.map((e) => [e.loss, e.trainAccuracy, e.testAccuracy]);
    expect(figures(two.r.history)).toEqual(figures(one.r.history));
    // The split evaluation's figure is the graph's accuracy on the whole test set.
    const last = one.r.history[one.r.history.length - 1].testAccuracy;
    expect(accuracyOf(predictCodes(one.r.cfg, one.r.layout, one.r.params, encodeSet(data.test, data.input28), data.test.count), data.test.labels)).toBe(last);
    const ck = join(dir, 'conv.ckpt');
    await run({ workers: 1, checkpoint: ck, stopAfterEpochs: 1 });
    const resumed = await run({ workers: 1, checkpoint: ck, resume: true });
    expect(Buffer.from(resumed.bytes).equals(Buffer.from(one.bytes))).toBe(true);
  });

  it('refuses a checkpoint written by another configuration', async () => {
    const ck = join(dir, 'other.ckpt');
    await model({ seed: 3, epochs: 2, mode: 'qat', checkpoint: ck, stopAfterEpochs: 1 });
    await expect(model({ seed: 4, epochs: 2, mode: 'qat', checkpoint: ck, resume: true })).rejects.toThrow(/different configuration/);
  });
});
