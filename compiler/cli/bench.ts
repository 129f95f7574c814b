/** `tempo-cim bench`: runs the side-by-side benchmarks (bench/run.ts, its own npm package) in a child process. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError } from '../util/args.ts';

export const summary = 'benchmarks against TensorFlow.js and onnxruntime-node (installs bench/ deps on first use)';
export const usage = `
Usage: tempo-cim bench [--model FILE] [--xs-samples N] [--count N] [--repeats N]
                       [--train-samples N] [--train-repeats N] [--skip-training] [--out DIR]

Same as \`npm run bench\`: prints side-by-side ratios measured in one run (medians over repeats)
and writes bench/results/latest.json and latest.md. See docs/benchmarks.md.
`;

export async function run(args: string[]): Promise<number> {
  const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  // The published package leaves bench/ out (it has its own dependencies); it lives in the repository.
  if (!existsSync(script)) throw new CliError('the benchmarks are not part of the installed package: run them from a clone of the repository (npm run bench)');
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  return result.status ?? 1;
}
