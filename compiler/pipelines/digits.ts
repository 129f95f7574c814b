/**
 * The digits pipeline: train on MNIST-style images with the quantized spiking forward, convert a
 * float network to codes, export, write the .tcm atomically and score the written file with the
 * runtime (test set, and the held-out training images when there are some).
 */
import type { ImageSet } from '../data/mnist.ts';
import { subset } from '../data/mnist.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { writeModel } from '../tcm/writer.ts';
import { convertFloat } from '../train/convert.ts';
import { evaluateModel } from '../train/evaluate.ts';
import { toModelSpec } from '../train/export.ts';
import { defaultTrainOptions, encodeSet, imageInput, train, type TrainOptions, type TrainResult } from '../train/trainer.ts';
import { UserError } from '../errors.ts';
import { trainingProvenance } from './provenance.ts';

export interface DigitsJob {
  train: ImageSet;
  /** Held-out training images: per-epoch figures and a final runtime accuracy come from them. */
  validation: ImageSet | null;
  test: ImageSet;
  /** Box-pooling factor of the 28x28 images (1 or 2). */
  pool: number;
  options: Partial<TrainOptions>;
  out: string;
}

export interface DigitsResult {
  result: TrainResult;
  bytes: Uint8Array;
  graphAccuracy: number;
  runtimeAccuracy: number;
  /** Runtime accuracy on the held-out training images, else null. */
  validationAccuracy: number | null;
  out: string;
}

export async function trainDigits(job: DigitsJob, log: (s: string) => void): Promise<DigitsResult> {
  const { train: trainSet, validation: validationSet, pool } = job;
  if (trainSet.rows !== 28 || trainSet.cols !== 28) throw new UserError(`expected 28x28 images, got ${trainSet.rows}x${trainSet.cols}`);
  const input = imageInput(28, 28, pool, 4);
  const opts = { ...job.options, ...(validationSet ? { evalName: 'validation' } : {}) };
  // Per-epoch figures come from the validation images when there are some, else from the test set.
  const result = await train(trainSet, validationSet ?? job.test, input, opts);
  let { cfg, params } = result;
  let lambdas: number[] | undefined;
  if (cfg.mode === 'float') {
    const calib = subset(trainSet, 10000);
    const conv = convertFloat(cfg, result.layout, params, encodeSet(calib, input), calib.count);
    cfg = conv.cfg;
    params = conv.params;
    lambdas = conv.lambdas;
  }
  const lastEpoch = result.history[result.history.length - 1];
  const provenance = trainingProvenance(result, {
    dataset: 'mnist',
    shape: { input: `${28 / pool}x${28 / pool}`, hidden: result.options.hidden, ...(cfg.layers.some((L) => L.grid) ? { layers: cfg.layers.map((L) => L.kind) } : {}) },
    defaults: defaultTrainOptions,
    trainSamples: trainSet.count,
    figures: {
      ...(validationSet
        ? { validationImages: validationSet.count, graphValidationAccuracy: lastEpoch?.testAccuracy ?? null }
        : { graphTestAccuracy: lastEpoch?.testAccuracy ?? null }),
      conversionLambdas: lambdas ?? null,
    },
  });
  const bytes = writeModel(toModelSpec(cfg, result.layout, params, input, provenance));
  writeFileAtomic(job.out, bytes);
  const report = await evaluateModel(bytes, job.test);
  // The graph's last-epoch figure is on whichever set it was evaluated on (validation or test).
  const graphAccuracy = result.options.mode === 'float' ? NaN : lastEpoch?.testAccuracy ?? NaN;
  const graphText = Number.isNaN(graphAccuracy) ? '' : `, training graph ${(100 * graphAccuracy).toFixed(2)}%`;
  const validation = validationSet ? await evaluateModel(bytes, validationSet) : null;
  const held = validation ? `runtime validation accuracy ${(100 * validation.accuracy).toFixed(2)}% on ${validationSet!.count} held-out training images${graphText}; test ` : 'runtime test ';
  log(`wrote ${job.out} (${bytes.length} bytes); ${held}accuracy ${(100 * report.accuracy).toFixed(2)}%${validation ? '' : graphText}; trained in ${result.seconds.toFixed(0)} s`);
  return { result, bytes, graphAccuracy, runtimeAccuracy: report.accuracy, validationAccuracy: validation?.accuracy ?? null, out: job.out };
}
