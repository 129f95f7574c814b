/**
 * `tempo-cim ablate`: the split-train-merged-inference ablation. The same network and epochs trained
 * (1) as a float MLP converted to 4-bit codes with one threshold per layer, (2) with QAT but without
 * the macro's groups and bounds, (3) with split-train (one model per bound C); every model executed
 * by the runtime in ideal mode and in macro mode for each C. Writes a Markdown table.
 */
import { CliError, parseArgs, parseIntList } from './args.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadMnist, subset } from '../data/mnist.ts';
import { writeModel } from '../tcm/writer.ts';
import type { ModelSpec } from '../tcm/spec.ts';
import { convertFloat } from '../train/convert.ts';
import { toModelSpec, withMacro } from '../train/export.ts';
import { type EvalReport, evaluateModel } from '../train/evaluate.ts';
import { type TrainOptions, encodeSet, imageInput, train } from '../train/trainer.ts';

export const summary = 'ablation of split-train-merged-inference (float conversion vs QAT vs split-train, ideal vs macro)';

export const usage = `
Usage: tempo-cim ablate [options]

Trains the same network for the same epochs three ways - (1) float MLP converted to 4-bit codes
with one threshold per layer, (2) QAT without the macro's groups and bounds, (3) split-train (one
model per bound C, trained with that bound) - and executes each with the runtime in ideal mode and in
macro mode (128-row groups) for every bound: accuracy, clipped-partial rate, silent and saturated
neuron rates. Writes a Markdown table (and optionally JSON).

Options:
  --hidden LIST     hidden layers (default 256)
  --epochs N        epochs for every model (default 10)
  --bounds LIST     charge bounds C (default 2,4,8)
  --input 28|14     input resolution (default 28)
  --seed S          seed (default 1)
  --limit N         train on the first N training images
  --test-limit N    evaluate on the first N test images
  --single-split    train one split model (C = 4 or the middle bound) instead of one per bound
  --out FILE        Markdown output (default docs/ablation.md)
  --json FILE       also write the raw figures as JSON
  --data DIR        MNIST IDX directory
  --quiet           no progress bars
`;

interface Row {
  model: string;
  execution: string;
  accuracy: number;
  clippedPartialRate: number;
  silentNeuronRate: number;
  saturatedNeuronRate: number;
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, {
    hidden: 'string', epochs: 'number', bounds: 'string', input: 'number', seed: 'number', limit: 'number', 'test-limit': 'number',
    'single-split': 'boolean', out: 'string', json: 'string', data: 'string', quiet: 'boolean', workers: 'number',
  });
  if (positional.length) throw new CliError(`unexpected argument '${positional[0]}'`);
  const hidden = parseIntList(String(options.hidden ?? '256'), 'hidden');
  const epochs = (options.epochs as number | undefined) ?? 10;
  const bounds = parseIntList(String(options.bounds ?? '2,4,8'), 'bounds');
  const seed = (options.seed as number | undefined) ?? 1;
  const pool = options.input === 14 ? 2 : 1;
  if (options.input !== undefined && options.input !== 14 && options.input !== 28) throw new CliError('--input must be 28 or 14');
  const data = loadMnist(options.data as string | undefined);
  const trainSet = options.limit ? subset(data.train, options.limit as number) : data.train;
  const testSet = options['test-limit'] ? subset(data.test, options['test-limit'] as number) : data.test;
  const input = imageInput(28, 28, pool, 4);
  const base: Partial<TrainOptions> = { hidden, epochs, seed, progress: !options.quiet, evalEachEpoch: false, workers: (options.workers as number | undefined) ?? 2 };
  const rows: Row[] = [];
  const started = Date.now();
  const log = (s: string) => { if (!options.quiet) console.error(s); };

  const measure = async (model: string, execution: string, spec: ModelSpec): Promise<EvalReport> => {
    const r = await evaluateModel(writeModel(spec), testSet);
    rows.push({ model, execution, accuracy: r.accuracy, clippedPartialRate: r.clippedPartialRate, silentNeuronRate: r.silentNeuronRate, saturatedNeuronRate: r.saturatedNeuronRate });
    log(`  ${model} / ${execution}: ${(100 * r.accuracy).toFixed(2)}%  clipped ${(100 * r.clippedPartialRate).toFixed(2)}%`);
    return r;
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

  const splitBounds = options['single-split'] ? [bounds.includes(4) ? 4 : bounds[Math.floor(bounds.length / 2)]] : bounds;
  for (const C of splitBounds) {
    log(`(3) split-train, C = ${C}`);
    const s = await train(trainSet, null, input, { ...base, mode: 'split', chargeBound: C });
    const spec = toModelSpec(s.cfg, s.layout, s.params, input, { ablation: 3, chargeBound: C });
    const name = `(3) split-train C=${C}`;
    // "Ideal" for a split model: same groups and gains, bound at the format's maximum (64): no clipping.
    await measure(name, 'ideal (bound 64)', withMacro(spec, 64));
    for (const B of bounds) await measure(name, `macro C=${B}${B === C ? ' (trained)' : ''}`, withMacro(spec, B));
  }

  const minutes = (Date.now() - started) / 60000;
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  const md = [
    '# Ablation: split-train-merged-inference',
    '',
    `Network ${input.channels}-${hidden.join('-')}-10, ${epochs} epochs each, seed ${seed}, ${trainSet.count} training images, ` +
      `evaluated by the runtime (Node) on ${testSet.count} MNIST test images. Macro mode = ${128}-row groups, charge bound C. ` +
      `Generated by \`tempo-cim ablate ${args.join(' ')}\` in ${minutes.toFixed(1)} minutes.`,
    '',
    '| model | executed as | accuracy | clipped partials | silent neurons | saturated neurons |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.model} | ${r.execution} | ${pct(r.accuracy)} | ${pct(r.clippedPartialRate)} | ${pct(r.silentNeuronRate)} | ${pct(r.saturatedNeuronRate)} |`),
    '',
    'Silent = hidden neuron with code 0 on every test image; saturated = at the maximum code on every test image.',
    'Clipped partials = group partial sums that hit the bound +-C*theta_j, over all merged partials.',
    '',
  ].join('\n');
  const out = (options.out as string | undefined) ?? 'docs/ablation.md';
  writeFileAtomic(out, md);
  if (options.json) writeFileAtomic(options.json as string, JSON.stringify({ hidden, epochs, seed, bounds, rows }, null, 2) + '\n');
  console.log(md);
  return 0;
}
