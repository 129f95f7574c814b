/**
 * `tempo-cim train --dataset keywords`: codes a Speech Commands folder with the runtime's integer
 * audio front-end, trains a stack of strided temporal convolutions (conv1d over frames, im2col on
 * the crossbar) plus a dense classifier with the quantized spiking forward, writes the .tcm (audio
 * input: the front-end blob travels in the file) and evaluates it with the runtime on the test split.
 */
import { CliError, intOption, parseIntList } from './args.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { writeModel } from '../tcm/writer.ts';
import { evaluateCodes } from '../train/evaluate.ts';
import { asImageSet, defaultKeywordArchitecture, identityInput, keywordLayers, keywordModelSpec, keywordTrainDefaults, loadKeywordFeatures } from '../train/keywords.ts';
import { train, type TrainOptions, type TrainResult } from '../train/trainer.ts';
import { historyForProvenance } from '../train/export.ts';
import { StatusLine } from '../util/progress.ts';

export interface KeywordTrainResult {
  result: TrainResult;
  bytes: Uint8Array;
  graphAccuracy: number;
  runtimeAccuracy: number;
  out: string;
  featureSeconds: number;
}

/**
 * Keyword training: `common` are the options shared with digits (parsed by optionsFromArgs: epochs,
 * seed, batch, lr, shift, workers, mode, ...), `o` the raw arguments for the keyword-only ones.
 */
export async function trainKeywordsAndWrite(o: Record<string, string | number | boolean | undefined>, common: Partial<TrainOptions>, log: (s: string) => void = (s) => console.error(s)): Promise<KeywordTrainResult> {
  if (typeof o.data !== 'string') throw new CliError('--data DIR is required for --dataset keywords (a Speech Commands folder, e.g. from `tempo-cim data keywords`)');
  if (o.hidden !== undefined || o.input !== undefined) throw new CliError('--hidden and --input apply to mnist; keyword models take --channels, --kernel and --stride');
  const int = (name: string, min: number, max: number) => intOption(o, name, min, max);
  const arch = {
    ...defaultKeywordArchitecture,
    ...(o.channels !== undefined ? { channels: parseIntList(String(o.channels), 'channels') } : {}),
    ...(o.kernel !== undefined ? { kernel: int('kernel', 1, 49)! } : {}),
    ...(o.stride !== undefined ? { stride: int('stride', 1, 49)! } : {}),
  };
  if (o.rotate !== undefined || o.zoom !== undefined) throw new CliError('--rotate and --zoom apply to mnist; keyword models take --shift (time) and --mask-time / --mask-freq');
  const maskTime = int('mask-time', 0, 49);
  const maskFreq = int('mask-freq', 0, 64);
  const limitPerClass = int('limit', 1, 1e9);
  const out = (o.out as string | undefined) ?? 'model.tcm';
  const quiet = !!o.quiet;
  const status = new StatusLine(!quiet);
  const t0 = Date.now();
  // The loader keeps its default seed (which clips stand for unknown / silence), so `eval` sees the same test split.
  const features = loadKeywordFeatures(
    o.data,
    { limitPerClass, onProgress: (d, n) => status.update(`reading WAV files ${d}/${n}`) },
    { onProgress: (d, n) => status.update(`front-end (runtime, integer) ${d}/${n} clips`) },
  );
  const featureSeconds = (Date.now() - t0) / 1000;
  status.line(`coded ${features.train.count} train / ${features.validation.count} validation / ${features.test.count} test clips to ${features.frames} frames x ${features.channels} channels of ${features.bits}-bit codes in ${featureSeconds.toFixed(1)} s`);
  let layers;
  try {
    layers = keywordLayers(features.frames, features.channels, arch, features.labels.length);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const input = identityInput(features.frames, features.channels, features.bits);
  const opts: Partial<TrainOptions> = {
    ...keywordTrainDefaults,
    ...common,
    layers,
    classes: features.labels.length,
    hidden: [],
    checkpoint: (o.checkpoint as string | undefined) ?? `${out}.ckpt`,
    resume: !!o.resume,
    progress: !quiet,
  };
  // --shift for keywords: frames of time shift only (shifting across mel channels changes the word).
  if (o.shift === undefined) opts.shift = keywordTrainDefaults.shift;
  opts.shiftX = 0;
  if (maskTime !== undefined) opts.maskRows = maskTime;
  if (maskFreq !== undefined) opts.maskCols = maskFreq;
  const testSet = asImageSet(features.test, features.frames, features.channels);
  const result = await train(asImageSet(features.train, features.frames, features.channels), testSet, input, opts);
  const lastEpoch = result.history[result.history.length - 1];
  const provenance = {
    tool: 'tempo-cim train',
    dataset: 'keywords',
    history: historyForProvenance(result.history),
    architecture: { channels: arch.channels, kernel: arch.kernel, stride: arch.stride },
    features: { frames: features.frames, channels: features.channels, bits: features.bits },
    mode: result.options.mode,
    epochs: result.options.epochs,
    seed: result.options.seed,
    batch: result.options.batch,
    lr: result.options.lr,
    ...(result.options.labelSmoothing ? { labelSmoothing: result.options.labelSmoothing } : {}),
    ...(result.options.weightDecay ? { weightDecay: result.options.weightDecay } : {}),
    shift: result.options.shift,
    shiftAxes: 'time',
    ...(result.options.maskRows ? { maskTime: result.options.maskRows } : {}),
    ...(result.options.maskCols ? { maskFreq: result.options.maskCols } : {}),
    macro: result.cfg.mode === 'split' ? { groupRows: result.cfg.groupRows, chargeBound: result.cfg.chargeBound } : null,
    trainSamples: features.train.count,
    graphTestAccuracy: lastEpoch?.testAccuracy ?? null,
  };
  const bytes = writeModel(keywordModelSpec(result, features, provenance));
  writeFileAtomic(out, bytes);
  const n = features.frames * features.channels;
  const codes = Array.from({ length: features.test.count }, (_, i) => features.test.codes.subarray(i * n, (i + 1) * n));
  const report = await evaluateCodes(bytes, codes, features.test.labels);
  const graphAccuracy = lastEpoch?.testAccuracy ?? NaN;
  log(`wrote ${out} (${bytes.length} bytes); runtime test accuracy ${(100 * report.accuracy).toFixed(2)}% on ${report.samples} held-out clips, training graph ${(100 * graphAccuracy).toFixed(2)}%; features ${featureSeconds.toFixed(0)} s, trained in ${result.seconds.toFixed(0)} s`);
  return { result, bytes, graphAccuracy, runtimeAccuracy: report.accuracy, out, featureSeconds };
}
