/**
 * The split-train-merged-inference ablation: the same network and epochs trained (1) as a float
 * MLP converted to 4-bit codes with one threshold per layer, (2) with QAT but without the macro's
 * groups and bounds, (3) with split-train (one model per bound C); every model executed by the
 * runtime in ideal mode and in macro mode for each C.
 */
import { type ImageSet, subset } from '../data/mnist.ts';
import type { ModelSpec } from '../tcm/spec.ts';
import { writeModel } from '../tcm/writer.ts';
import { convertFloat } from '../train/convert.ts';
import { evaluateModel } from '../train/evaluate.ts';
import { toModelSpec, withMacro } from '../train/export.ts';
import { encodeSet, imageInput, train, type TrainOptions } from '../train/trainer.ts';

export interface AblationJob {
  train: ImageSet;
  test: ImageSet;
  /** Box-pooling factor of the 28x28 images (1 or 2). */
  pool: number;
  hidden: number[];
  epochs: number;
  seed: number;
  bounds: number[];
  /** Train one split model (C = 4 or the middle bound) instead of one per bound. */
  singleSplit: boolean;
  workers: number;
  progress: boolean;
}

export interface AblationRow {
  model: string;
  execution: string;
  accuracy: number;
  clippedPartialRate: number;
  silentNeuronRate: number;
  saturatedNeuronRate: number;
}

export async function runAblation(job: AblationJob, log: (s: string) => void): Promise<AblationRow[]> {
  const { train: trainSet, test: testSet, bounds } = job;
  const input = imageInput(28, 28, job.pool, 4);
  const base: Partial<TrainOptions> = { hidden: job.hidden, epochs: job.epochs, seed: job.seed, progress: job.progress, evalEachEpoch: false, workers: job.workers };
  const rows: AblationRow[] = [];

  const measure = async (model: string, execution: string, spec: ModelSpec): Promise<void> => {
    const r = await evaluateModel(writeModel(spec), testSet);
    rows.push({ model, execution, accuracy: r.accuracy, clippedPartialRate: r.clippedPartialRate, silentNeuronRate: r.silentNeuronRate, saturatedNeuronRate: r.saturatedNeuronRate });
    log(`  ${model} / ${execution}: ${(100 * r.accuracy).toFixed(2)}%  clipped ${(100 * r.clippedPartialRate).toFixed(2)}%`);
  };
  const allModes = async (model: string, spec: ModelSpec) => {
    await measure(model, 'ideal', spec);
    for (const C of bounds) await measure(model, `macro C=${C}`, withMacro(spec, C));
  };

  log('(1) float MLP, converted to 4-bit codes with one threshold per layer');
  const f = await train(trainSet, null, input, { ...base, mode: 'float' });
  const calib = subset(trainSet, 10000);
  const conv = convertFloat(f.cfg, f.layout, f.params, encodeSet(calib, input), calib.count);
  await allModes('(1) float + conversion', toModelSpec(conv.cfg, f.layout, conv.params, input, { ablation: 1 }));

  log('(2) QAT, ideal mode (no groups, no bounds)');
  const q = await train(trainSet, null, input, { ...base, mode: 'qat' });
  await allModes('(2) QAT', toModelSpec(q.cfg, q.layout, q.params, input, { ablation: 2 }));

  const splitBounds = job.singleSplit ? [bounds.includes(4) ? 4 : bounds[Math.floor(bounds.length / 2)]] : bounds;
  for (const C of splitBounds) {
    log(`(3) split-train, C = ${C}`);
    const s = await train(trainSet, null, input, { ...base, mode: 'split', chargeBound: C });
    const spec = toModelSpec(s.cfg, s.layout, s.params, input, { ablation: 3, chargeBound: C });
    const name = `(3) split-train C=${C}`;
    // "Ideal" for a split model: same groups and gains, bound at the format's maximum (64): no clipping.
    await measure(name, 'ideal (bound 64)', withMacro(spec, 64));
    for (const B of bounds) await measure(name, `macro C=${B}${B === C ? ' (trained)' : ''}`, withMacro(spec, B));
  }
  return rows;
}
