/**
 * The keywords pipeline: code a Speech Commands folder with the runtime's integer audio front-end,
 * train a stack of strided temporal convolutions (conv1d over frames, im2col on the crossbar) plus
 * a dense classifier with the quantized spiking forward, write the .tcm (audio input: the
 * front-end blob travels in the file) and score it with the runtime on the test split.
 */
import { NoiseBank, type WaveAugmentRecipe } from '../audio/augment-wave.ts';
import type { FrontendOptions } from '../audio/frontend-design.ts';
import type { KeywordFeatures } from '../audio/keyword-features.ts';
import { PcmCache } from '../audio/pcm-cache.ts';
import { CLIP_SAMPLES } from '../audio/speech-commands.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { waveAugmentEpochs } from './keyword-augment.ts';
import { writeModel } from '../tcm/writer.ts';
import { evaluateCodes } from '../train/evaluate.ts';
import { asImageSet, identityInput, keywordFrontendDefaults, keywordLayers, keywordModelSpec, keywordTrainDefaults, loadKeywordFeatures, type KeywordArchitecture } from '../train/keywords.ts';
import { defaultTrainOptions, train, type TrainOptions, type TrainResult } from '../train/trainer.ts';
import { UserError } from '../errors.ts';
import type { Model } from '../../runtime/model.ts';
import { StatusLine } from '../util/progress.ts';
import { trainingProvenance } from './provenance.ts';
import { type Teacher, teacherTargets } from '../train/distill.ts';
import { crc32 } from '../../runtime/crc32.ts';

export interface KeywordsJob {
  /** Speech Commands folder. */
  data: string;
  architecture: KeywordArchitecture;
  /** At most this many clips per class and split. */
  limitPerClass?: number;
  /** Only word clips of speakers whose id starts with this (e.g. 'es-': one engine's voices). */
  speakerPrefix?: string;
  /** Unknown-word clips in training as a fraction of the keyword clips (default: the protocol's 0.1, as in validation and test). */
  trainUnknownFraction?: number;
  /** Extra training windows cut from pairs of training clips, so partial words are seen as _unknown_ (compiler/audio/stream-windows.ts). */
  streamWindows?: number;
  /** Per-epoch waveform augmentation of the training clips (PCM cached on disk beside `out`). */
  waveAugment?: WaveAugmentRecipe;
  /** Augmented takes kept per clip (0 = a fresh draw every epoch); see waveAugmentEpochs. */
  waveVariants?: number;
  /** Front-end options (over keywordFrontendDefaults), e.g. window normalization. */
  frontend?: Partial<FrontendOptions>;
  /** Knowledge distillation from teacher models trained on the same folder (compiler/train/distill.ts). */
  distill?: DistillJob;
  /** Trainer options over keywordTrainDefaults (layers and classes come from the data). */
  options: Partial<TrainOptions>;
  out: string;
  quiet: boolean;
}

export interface DistillJob {
  teachers: Teacher[];
  /** Weight of the teachers' probabilities in the training target (the label keeps 1 - weight). */
  weight: number;
  temperature: number;
}

/** `tempo-cim train --teacher` without --distill / --distill-temperature. */
export const DISTILL_DEFAULTS = { weight: 0.5, temperature: 2 } as const;

export interface KeywordTrainResult {
  result: TrainResult;
  bytes: Uint8Array;
  graphAccuracy: number;
  runtimeAccuracy: number;
  out: string;
  featureSeconds: number;
}

export async function trainKeywords(job: KeywordsJob, log: (s: string) => void): Promise<KeywordTrainResult> {
  const arch = job.architecture;
  const status = new StatusLine(!job.quiet);
  const t0 = Date.now();
  const cache = job.waveAugment ? new PcmCache(`${job.out}.pcm`, CLIP_SAMPLES) : null;
  try {
    const frontend: Partial<FrontendOptions> = { ...keywordFrontendDefaults, ...job.frontend };
    // The loader keeps its default seed (which clips stand for unknown / silence), so `eval` sees the same test split.
    const features = loadKeywordFeatures(
      job.data,
      { limitPerClass: job.limitPerClass, speakerPrefix: job.speakerPrefix, trainUnknownFraction: job.trainUnknownFraction, onProgress: (d, n) => status.update(`reading WAV files ${d}/${n}`) },
      {
        onProgress: (d, n) => status.update(`front-end (runtime, integer) ${d}/${n} clips`),
        onTrainClip: cache ? (i, pcm) => cache.write(i, pcm) : undefined,
        streamWindows: job.streamWindows,
        seed: job.options.seed,
        frontend,
      },
    );
    const featureSeconds = (Date.now() - t0) / 1000;
    status.line(`coded ${features.train.count} train / ${features.validation.count} validation / ${features.test.count} test clips to ${features.frames} frames x ${features.channels} channels of ${features.bits}-bit codes in ${featureSeconds.toFixed(1)} s`);
    let layers;
    try {
      layers = keywordLayers(features.frames, features.channels, arch, features.labels.length);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    const input = identityInput(features.frames, features.channels, features.bits);
    const opts: Partial<TrainOptions> = { ...keywordTrainDefaults, ...job.options, layers, classes: features.labels.length, hidden: [] };
    if (job.distill) {
      opts.softTargets = distillTargets(job.distill, features, status);
      opts.distillWeight = job.distill.weight;
    }
    if (cache && job.waveAugment) {
      const seed = opts.seed ?? defaultTrainOptions.seed;
      opts.epochData = waveAugmentEpochs(cache, features.train.codes, features.train.count, features.blob, job.waveAugment, new NoiseBank(features.backgroundNoise, seed), seed, job.waveVariants ?? 0);
      opts.epochDataKey = JSON.stringify({ waveAugment: job.waveAugment, ...(job.waveVariants ? { variants: job.waveVariants } : {}) });
    }
    const testSet = asImageSet(features.test, features.frames, features.channels);
    const result = await train(asImageSet(features.train, features.frames, features.channels), testSet, input, opts);
    const lastEpoch = result.history[result.history.length - 1];
    const provenance = trainingProvenance(result, {
      dataset: 'keywords',
      shape: {
        architecture: { channels: arch.channels, kernel: arch.kernel, stride: arch.stride },
        features: { frames: features.frames, channels: features.channels, bits: features.bits, normalize: frontend.normalize ?? 'none' },
      },
      defaults: { ...defaultTrainOptions, ...keywordTrainDefaults } as TrainOptions,
      augmentation: { shiftAxes: 'time', ...(job.waveAugment ? { waveform: { ...job.waveAugment, ...(job.waveVariants ? { variants: job.waveVariants } : {}) } } : {}), ...(job.streamWindows ? { streamWindows: job.streamWindows } : {}), ...(job.trainUnknownFraction !== undefined ? { trainUnknownFraction: job.trainUnknownFraction } : {}) },
      trainSamples: features.train.count,
      ...(job.distill ? { distill: { teachers: job.distill.teachers.map((t) => ({ name: t.name, crc32: crc32(t.bytes) })), weight: job.distill.weight, temperature: job.distill.temperature } } : {}),
      figures: { graphTestAccuracy: lastEpoch?.testAccuracy ?? null },
    });
    const bytes = writeModel(keywordModelSpec(result, features, provenance));
    writeFileAtomic(job.out, bytes);
    const n = features.frames * features.channels;
    const codes = Array.from({ length: features.test.count }, (_, i) => features.test.codes.subarray(i * n, (i + 1) * n));
    const report = await evaluateCodes(bytes, codes, features.test.labels);
    const graphAccuracy = lastEpoch?.testAccuracy ?? NaN;
    log(`wrote ${job.out} (${bytes.length} bytes); runtime test accuracy ${(100 * report.accuracy).toFixed(2)}% on ${report.samples} held-out clips, training graph ${(100 * graphAccuracy).toFixed(2)}%; features ${featureSeconds.toFixed(0)} s, trained in ${result.seconds.toFixed(0)} s`);
    return { result, bytes, graphAccuracy, runtimeAccuracy: report.accuracy, out: job.out, featureSeconds };
  } finally {
    cache?.dispose();
  }
}

/**
 * The teachers' probabilities for every training sample: the clips as the teachers score them,
 * stream windows (cut words, labelled by where the words lie) their labels. UserError when a
 * teacher does not fit the data (input, labels, front-end).
 */
function distillTargets(distill: DistillJob, features: KeywordFeatures, status: StatusLine): Float32Array {
  const t0 = Date.now();
  const { teachers, temperature } = distill;
  const check = (model: Model) =>
    model.input.kind !== 'audio' ? 'not a keyword (audio input) model'
    : model.labels.join() !== features.labels.join() ? `labels ${model.labels.join(',')} differ from the data's ${features.labels.join(',')}`
    : !sameInts(model.input.frontend, features.blob) ? 'its audio front-end differs from the one calibrated on this data (a teacher must be trained on the same folder with the same --normalize)'
    : null;
  const { train, trainClips: clips } = features;
  const classes = features.labels.length;
  const targets = new Float32Array(train.count * classes);
  const onProgress = (d: number, total: number) => { if (d % 500 === 0 || d === total) status.update(`teachers (runtime) ${d}/${total} inferences`); };
  try {
    targets.set(teacherTargets(teachers, train.codes.subarray(0, clips * features.frames * features.channels), clips, { temperature, check, onProgress }));
  } catch (error) {
    throw new UserError((error as Error).message);
  }
  for (let i = clips; i < train.count; i++) targets[i * classes + train.labels[i]] = 1;
  status.line(`${teachers.length} teacher${teachers.length > 1 ? 's' : ''} scored ${clips} training clips in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return targets;
}

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
