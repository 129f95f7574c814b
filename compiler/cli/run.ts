/** `tempo-cim run`: classifies one image file (PNG or PGM) or one WAV clip (keyword model) with a .tcm model. */
import { CliError, parseArgs } from '../util/args.ts';
import { loadImageFile } from '../data/image.ts';
import { readWav16k } from '../audio/wav.ts';
import { createNetwork, encodeImage } from '../../runtime/index.ts';
import { createAudioFrontend } from '../../runtime/frontend/index.ts';
import { readModelFile } from '../tcm/read.ts';

export const summary = 'classify an image (PNG or PGM) or a WAV clip (keyword model) with a .tcm model';

export const usage = `
Usage: tempo-cim run MODEL.tcm --image FILE [--json]
       tempo-cim run MODEL.tcm --wav FILE [--json]

Decodes FILE (PNG: gray/RGB/palette, with or without alpha; PGM: P5/P2), converts it to 8-bit
grayscale in MNIST's convention (light ink on a dark background; dark-on-light images are inverted,
transparency is composited over white), resizes it to the model's input size, encodes it with the
model's own input mapping and runs the runtime. Prints the class and the scores of every class.

With --wav (keyword models): reads the WAV file (PCM 8/16/24/32-bit or float, mono or stereo, any
sample rate; resampled to 16 kHz mono), runs the model's own integer audio front-end from the
runtime on its first second (shorter clips are padded with silence) and classifies the codes.
Prints the word and the scores of every class.

Options:
  --image FILE   image to classify (image models)
  --wav FILE     1 s audio clip to classify (keyword models)
  --json         machine-readable output
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { image: 'string', wav: 'string', json: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected exactly one model file (see --help)');
  if (typeof options.image !== 'string' && typeof options.wav !== 'string') throw new CliError('--image FILE or --wav FILE is required');
  if (typeof options.image === 'string' && typeof options.wav === 'string') throw new CliError('give either --image or --wav, not both');
  const { model } = readModelFile(positional[0]);
  let codes: Uint8Array;
  if (typeof options.wav === 'string') {
    if (model.input.kind !== 'audio') throw new CliError(`${positional[0]} is not a keyword (audio input) model; use --image`);
    const pcm = readWav16k(options.wav);
    const frontend = createAudioFrontend(model.input.frontend);
    codes = new Uint8Array(frontend.frames * frontend.channels);
    frontend.computeClip(pcm, codes);
  } else {
    if (model.input.kind !== 'image') throw new CliError(`${positional[0]} is not an image model${model.input.kind === 'audio' ? '; use --wav' : ''}`);
    const input = model.input;
    const pixels = loadImageFile(options.image as string, input.srcWidth, input.srcHeight);
    codes = encodeImage(input, pixels, new Uint8Array(input.channels));
  }
  const net = createNetwork(model);
  const r = net.infer(codes, { earlyExit: false });
  const scores = Array.from(r.scores);
  const label = model.labels[r.classIndex] ?? String(r.classIndex);
  if (options.json) {
    console.log(JSON.stringify({ class: r.classIndex, label, scores, labels: model.labels }, null, 2));
  } else {
    console.log(`class ${label} (index ${r.classIndex})`);
    const width = Math.max(3, ...model.labels.map((l) => l.length));
    scores.forEach((s, j) => console.log(`  ${(model.labels[j] ?? String(j)).padStart(width)}: ${s}${j === r.classIndex ? '  <-' : ''}`));
  }
  return 0;
}
