/**
 * Inputs to profile a model with: MNIST test images (encoded by the model's own image mapping)
 * when the model takes a 28x28 image, otherwise seeded synthetic codes of the model's input shape.
 */
import { encodeImage, type Model } from '../../runtime/index.ts';
import { loadMnist } from '../data/mnist.ts';
import { Rng } from '../util/prng.ts';

export interface TestInputs {
  /** One code vector per sample, each of the network's input length. */
  codes: Uint8Array[];
  /** True class per sample when the source has labels (MNIST), else null. */
  labels: number[] | null;
  /** Raw 8-bit pixels per sample when the source is an image set. */
  pixels: Uint8Array[] | null;
  /** Where the inputs came from, for reports. */
  source: string;
}

/** Fraction of non-zero codes in synthetic inputs (MNIST's 4-bit codes are ~17% non-zero). */
export const SYNTHETIC_DENSITY = 0.2;

export function testInputsFor(model: Model, limit: number, seed = 1): TestInputs {
  const input = model.input;
  if (input.kind === 'image' && input.srcWidth === 28 && input.srcHeight === 28) {
    const test = loadMnist().test;
    const count = Math.min(limit, test.count);
    const px = test.rows * test.cols;
    const codes: Uint8Array[] = [];
    const pixels: Uint8Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < count; i++) {
      const image = test.images.subarray(i * px, (i + 1) * px);
      codes.push(encodeImage(input, image, new Uint8Array(input.channels)));
      pixels.push(image);
      labels.push(test.labels[i]);
    }
    return { codes, labels, pixels, source: `MNIST test set, first ${count} images` };
  }
  const length = input.frames * input.channels;
  const max = (1 << input.bits) - 1;
  const rng = new Rng(seed);
  const codes: Uint8Array[] = [];
  for (let n = 0; n < limit; n++) {
    const c = new Uint8Array(length);
    for (let i = 0; i < length; i++) if (rng.next() < SYNTHETIC_DENSITY) c[i] = rng.int(1, max);
    codes.push(c);
  }
  return { codes, labels: null, pixels: null, source: `${limit} synthetic inputs (seed ${seed}, ${SYNTHETIC_DENSITY * 100}% non-zero codes)` };
}
