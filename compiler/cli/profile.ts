/** `tempo-cim profile model.tcm --device esp32`: flash, RAM, XS compute per inference and fit. */
import { loadDevice } from '../deploy/devices.ts';
import { formatProfile } from '../profile/format.ts';
import { profileModel } from '../profile/profile.ts';
import { CliError, parseArgs } from './args.ts';
import { readModelFile } from '../tcm/read.ts';

export const summary = 'flash, RAM and XS compute per inference, and whether a model fits a board';
export const usage = `
Usage: tempo-cim profile MODEL.tcm [--device esp32] [--limit N] [--json] [--compute-per-ms N]

Runs the runtime over test inputs (the MNIST test set for 28x28 digit models, else seeded synthetic
codes) in Node and in the real XS engine, and reports:
  flash    model bytes and the runtime module (dist/tempo-cim-runtime.js), against the board's data budget
  RAM      runtime scratch, typed-array bytes and XS slots measured in XS, against the board's budgets
  latency  XS compute per inference (deterministic meter): median and p99; host XS wall time;
           per layer: row adds, skipped zero inputs, inputs and steps saved by early termination

Options:
  --device NAME         board profile from devices/ (default esp32)
  --limit N             test inputs to run (default 300)
  --json                print JSON (modelBytes, runtimeBytes, xsComputeMedian, fits, ...)
  --compute-per-ms N    XS compute units per millisecond measured on the board (the generated
                        'bench' app prints it); adds a device-time estimate, labelled as such
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { device: 'string', limit: 'number', json: 'boolean', 'compute-per-ms': 'number' });
  if (positional.length !== 1) throw new CliError('expected one model file (see --help)');
  const limit = (options.limit as number | undefined) ?? 300;
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit expects a positive integer, got ${limit}`);
  const rate = options['compute-per-ms'] as number | undefined;
  if (rate !== undefined && !(rate > 0)) throw new CliError(`--compute-per-ms expects a positive number, got ${rate}`);
  const device = loadDevice((options.device as string | undefined) ?? 'esp32');
  const { bytes } = readModelFile(positional[0]);
  const { profile } = await profileModel(bytes, device, { limit, deviceComputePerMs: rate });
  console.log(options.json ? JSON.stringify({ file: positional[0], ...profile }, null, 2) : formatProfile(profile, positional[0]));
  return 0;
}
