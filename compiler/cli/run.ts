/** `tempo-cim run`: classifies one image file (PNG or PGM) with a .tcm model. */
import { readFileSync } from 'node:fs';
import { CliError, parseArgs } from './args.ts';
import { loadImageFile } from '../data/image.ts';
import { createNetwork, encodeImage, loadModel } from '../../runtime/index.ts';

export const summary = 'classify an image (PNG or PGM) with a .tcm model';

export const usage = `
Usage: tempo-cim run MODEL.tcm --image FILE [--json]

Decodes FILE (PNG: gray/RGB/palette, with or without alpha; PGM: P5/P2), converts it to 8-bit
grayscale in MNIST's convention (light ink on a dark background; dark-on-light images are inverted,
transparency is composited over white), resizes it to the model's input size, encodes it with the
model's own input mapping and runs the runtime. Prints the class and the scores of every class.

Options:
  --image FILE   image to classify
  --json         machine-readable output
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { image: 'string', json: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected exactly one model file (see --help)');
  if (typeof options.image !== 'string') throw new CliError('--image FILE is required');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(positional[0]);
  } catch (error) {
    throw new CliError(`${positional[0]}: cannot read (${(error as Error).message})`);
  }
  const model = loadModel(bytes);
  if (model.input.kind !== 'image') throw new CliError(`${positional[0]} is not an image model`);
  const input = model.input;
  const pixels = loadImageFile(options.image, input.srcWidth, input.srcHeight);
  const codes = encodeImage(input, pixels, new Uint8Array(input.channels));
  const net = createNetwork(model);
  const r = net.infer(codes, { earlyExit: false });
  const scores = Array.from(r.scores);
  const label = model.labels[r.classIndex] ?? String(r.classIndex);
  if (options.json) {
    console.log(JSON.stringify({ class: r.classIndex, label, scores, labels: model.labels }, null, 2));
  } else {
    console.log(`class ${label} (index ${r.classIndex})`);
    scores.forEach((s, j) => console.log(`  ${(model.labels[j] ?? String(j)).padStart(3)}: ${s}${j === r.classIndex ? '  <-' : ''}`));
  }
  return 0;
}
