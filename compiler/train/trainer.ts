/**
 * The training loop: epochs of shuffled batches; per batch the augmentation draws (draws.ts), the
 * two shards' gradients (parallel.ts, shard.ts), an Adam step on the learning-rate schedule
 * (optimizer.ts) and the threshold adaptation against spike stall (stall.ts); data-dependent init
 * (init.ts), per-epoch evaluation and checkpoints with exact resume (checkpoint.ts).
 *
 * Determinism: every random draw comes from Rng(seed, stream) with one stream per epoch, the batch
 * is always split into the same two shards whose gradients are added in a fixed order, and all
 * statistics are integer counts -> same seed, same bytes, with 1 or 2 threads, resumed or not.
 */
import { existsSync } from 'node:fs';
import type { ImageInput } from '../../runtime/model.ts';
import type { ImageSet } from '../data/mnist.ts';
import { StatusLine } from '../util/progress.ts';
import { checkpointKey, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { AugmentDraws } from './draws.ts';
import { accuracyOf, encodeSet, netConfig } from './graph.ts';
import { initFromTrainingSet } from './init.ts';
import { neuronOffsets, paramLayout } from './net.ts';
import { type EpochRecord, type TrainOptions, type TrainResult, defaultTrainOptions } from './options.ts';
import { Adam, decayWeights, learningRate, stepMultipliers } from './optimizer.ts';
import { ShardPool, shared } from './parallel.ts';
import { Rng } from '../util/prng.ts';
import { StallMonitor } from './stall.ts';

export { type EpochRecord, type TrainOptions, type TrainResult, defaultTrainOptions } from './options.ts';
export { accuracyOf, encodeSet, imageInput, netConfig, predictCodes } from './graph.ts';

/** Trains on `train` (raw pixels, encoded through `input`), optionally evaluating on `test` each epoch. */
export async function train(trainSet: ImageSet, testSet: ImageSet | null, input: ImageInput, partial: Partial<TrainOptions>): Promise<TrainResult> {
  const opts: TrainOptions = { ...defaultTrainOptions, ...partial };
  const cfg = netConfig(input, opts, opts.classes ?? 10);
  const layout = paramLayout(cfg);
  // Shared with the worker: the published parameters, stall flags, data, and the batch's indices and draws.
  const params = shared(Float32Array, layout.total);
  const stall = new StallMonitor(cfg, layout, shared(Uint8Array, neuronOffsets(cfg).total), opts);
  const images = shared(Uint8Array, trainSet.images.length);
  images.set(trainSet.images);
  const labels = shared(Uint8Array, trainSet.count);
  labels.set(trainSet.labels);
  const soft = opts.softTargets ? shared(Float32Array, opts.softTargets.length) : null;
  if (soft && opts.softTargets) {
    if (opts.softTargets.length !== trainSet.count * cfg.layers[cfg.layers.length - 1].outChannels) throw new Error(`softTargets: ${opts.softTargets.length} values for ${trainSet.count} samples of ${cfg.layers[cfg.layers.length - 1].outChannels} classes`);
    soft.set(opts.softTargets);
  }
  const batchIdx = shared(Int32Array, opts.batch);
  const draws = new AugmentDraws(opts, input, trainSet.count);
  const testCodes = testSet && opts.evalEachEpoch ? shared(Uint8Array, testSet.count * input.channels) : null;
  if (testCodes && testSet) testCodes.set(encodeSet(testSet, input));
  const pool = new ShardPool(cfg, layout, params, stall.flags, { images, labels, input, soft }, batchIdx, draws.batch, testCodes, testSet?.count ?? 0, opts.workers);
  const encode = (index: number) => pool.local.encode(index);
  const key = checkpointKey(opts, input, trainSet.count);
  let history: EpochRecord[] = [];
  let epochsDone = 0;
  let priorSeconds = 0;
  let rmsIn: number[];
  let adam: Adam;

  if (opts.resume && opts.checkpoint && existsSync(opts.checkpoint)) {
    const ck = loadCheckpoint(opts.checkpoint);
    if (ck.key !== key) throw new Error(`${opts.checkpoint}: checkpoint was written by a different configuration; remove it or drop --resume`);
    // The init is deterministic: recompute it on scratch parameters for the layers' input RMS.
    rmsIn = initFromTrainingSet(cfg, layout, new Float32Array(layout.total), opts.seed, trainSet.count, encode);
    adam = new Adam(stepMultipliers(cfg, layout, rmsIn));
    params.set(ck.params);
    adam.m.set(ck.m);
    adam.v.set(ck.v);
    adam.step = ck.step;
    stall.emaFire.set(ck.emaFire);
    stall.emaSat.set(ck.emaSat);
    stall.emaClip.set(ck.emaClip);
    history = ck.history;
    epochsDone = ck.epochsDone;
    priorSeconds = ck.seconds;
  } else {
    rmsIn = initFromTrainingSet(cfg, layout, params, opts.seed, trainSet.count, encode);
    adam = new Adam(stepMultipliers(cfg, layout, rmsIn));
  }
  stall.updateFlags();
  /** Private master copy of the parameters (updated by Adam, then published to `params`). */
  const pm = Float32Array.from(params);

  const stepsPerEpoch = Math.ceil(trainSet.count / opts.batch);
  const lrAt = learningRate(opts, stepsPerEpoch * opts.epochs);
  const status = new StatusLine(opts.progress);
  const startTime = Date.now();
  let ranEpochs = 0;
  try {
    while (epochsDone < opts.epochs) {
      if (opts.stopAfterEpochs !== undefined && ranEpochs >= opts.stopAfterEpochs) break;
      const epoch = epochsDone;
      opts.epochData?.(epoch, images); // shared with the worker: both shards see this epoch's inputs
      const rng = new Rng(opts.seed, 1000 + epoch);
      const next = () => rng.next();
      const order = new Uint32Array(trainSet.count).map((_, i) => i);
      rng.shuffle(order);
      const epochStart = Date.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        const from = b * opts.batch;
        const n = Math.min(opts.batch, trainSet.count - from);
        for (let k = 0; k < n; k++) {
          batchIdx[k] = order[from + k];
          draws.draw(next, k);
        }
        const [a, c] = await pool.run(n);
        lossSum += a.loss + c.loss;
        correct += a.correct + c.correct;
        seen += a.samples + c.samples;
        stall.observe(a, c);
        const lr = lrAt(adam.step);
        adam.update(pm, pool.g0, pool.g1, 1 / n, lr);
        if (opts.weightDecay > 0) decayWeights(cfg, layout, pm, lr, opts.weightDecay);
        stall.adaptThresholds(pm);
        params.set(pm);
        const elapsed = (Date.now() - startTime) / 1000;
        const doneSteps = ranEpochs * stepsPerEpoch + b + 1;
        const remainingSteps = (opts.epochs - epoch) * stepsPerEpoch - b - 1;
        const eta = (elapsed / doneSteps) * remainingSteps;
        status.update(`epoch ${epoch + 1}/${opts.epochs} batch ${b + 1}/${stepsPerEpoch} loss ${(lossSum / Math.max(1, seen)).toFixed(4)} acc ${((100 * correct) / Math.max(1, seen)).toFixed(2)}% lr ${lr.toExponential(2)} ETA ${fmtTime(eta)}`);
      }
      epochsDone++;
      ranEpochs++;
      let testAccuracy: number | null = null;
      if (testCodes && testSet) testAccuracy = accuracyOf(await pool.predict(testSet.count), testSet.labels);
      const seconds = (Date.now() - epochStart) / 1000;
      const rec: EpochRecord = { epoch: epochsDone, loss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy, seconds, lr: lrAt(adam.step - 1) };
      history.push(rec);
      const elapsed = (Date.now() - startTime) / 1000;
      const eta = (elapsed / ranEpochs) * (opts.epochs - epochsDone);
      status.line(`epoch ${epochsDone}/${opts.epochs} loss ${rec.loss.toFixed(4)} train ${(100 * rec.trainAccuracy).toFixed(2)}%${testAccuracy !== null ? ` ${opts.evalName ?? 'test'} ${(100 * testAccuracy).toFixed(2)}%` : ''} ${seconds.toFixed(1)}s ETA ${fmtTime(eta)}`);
      if (opts.checkpoint) {
        const { emaFire, emaSat, emaClip } = stall;
        saveCheckpoint(opts.checkpoint, { key, epochsDone, step: adam.step, params, m: adam.m, v: adam.v, emaFire, emaSat, emaClip, history, seconds: priorSeconds + elapsed });
      }
    }
  } finally {
    await pool.close();
  }
  return { cfg, layout, params: Float32Array.from(params), input, history, options: opts, seconds: priorSeconds + (Date.now() - startTime) / 1000, epochsDone };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}
