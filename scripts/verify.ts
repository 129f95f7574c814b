/**
 * `npm run verify [-- MODEL.tcm] [--limit N]`: runs a digits model (default build/model.tcm, the
 * `npm start` model) over the MNIST test set in Node and in real XS, the same bytes in both, and
 * fails on any difference in class or scores.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from '../compiler/util/args.ts';
import { readModelFile } from '../compiler/tcm/read.ts';
import { loadMnist } from '../compiler/data/mnist.ts';
import { Progress } from '../compiler/util/progress.ts';
import { XsRuntime } from '../compiler/xs/runtime-host.ts';
import { createNetwork, encodeImage } from '../runtime/index.ts';

const { positional, options } = parseArgs(process.argv.slice(2), { limit: 'number', data: 'string' });
const path = positional[0] ?? 'build/model.tcm';
if (!existsSync(path)) {
  console.error(`verify: ${path} not found; run 'npm start' first or pass a model file`);
  process.exit(2);
}
const { bytes, model } = readModelFile(path);
if (model.input.kind !== 'image') {
  console.error(`verify: ${path} is not an image model`);
  process.exit(2);
}
const input = model.input;
const test = loadMnist(options.data as string | undefined).test;
const count = Math.min(test.count, (options.limit as number | undefined) ?? test.count);
const network = createNetwork(model);
const xs = await XsRuntime.start();
const info = await xs.load(bytes);
if (!info.ok) throw new Error(`XS refused the model: ${info.message}`);

const pixels = test.rows * test.cols;
const codes = new Uint8Array(network.inputLength);
const progress = new Progress('verify', count);
let mismatches = 0;
let correct = 0;
for (let i = 0; i < count; i++) {
  encodeImage(input, test.images.subarray(i * pixels, (i + 1) * pixels), codes);
  const node = network.infer(codes);
  const other = await xs.infer(codes);
  const same = node.classIndex === other.classIndex && node.scores.every((s, j) => s === other.scores[j]);
  if (!same) {
    mismatches++;
    if (mismatches <= 5) console.error(`image ${i}: Node class ${node.classIndex} [${node.scores}] vs XS class ${other.classIndex} [${other.scores}]`);
  }
  if (node.classIndex === test.labels[i]) correct++;
  if (i % 250 === 0) progress.update(i, `${mismatches} mismatches`);
}
progress.done(`${mismatches} mismatches`);
await xs.close();
console.log(`${path}: ${count} MNIST test images, Node and XS agree on ${count - mismatches} (class and every score); accuracy ${(100 * correct / count).toFixed(2)}%`);
process.exitCode = mismatches === 0 ? 0 : 1;
