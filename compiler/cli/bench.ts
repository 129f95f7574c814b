/** `tempo-cim bench`: runs the side-by-side benchmarks (bench/run.ts, its own npm package) in a child process. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const summary = 'benchmarks against TensorFlow.js and onnxruntime-node (installs bench/ deps on first use)';
export const usage = `
Usage: tempo-cim bench [--model FILE] [--xs-samples N] [--count N] [--repeats N]
                       [--train-samples N] [--train-repeats N] [--skip-training] [--out DIR]

Same as \`npm run bench\`: prints side-by-side ratios measured in one run (medians over repeats)
and writes bench/results/latest.json and latest.md. See docs/benchmarks.md.
`;

export async function run(args: string[]): Promise<number> {
  const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { stdio: 'inherit' });
  return result.status ?? 1;
}
