/**
 * A digits-shaped model (28x28 image -> 4-bit codes -> hidden -> 10) with seeded random int8
 * weights, for the benchmarks and tests before (or without) a trained model. Thresholds are
 * set from a few MNIST training images so hidden codes spread over [0, A] like a trained model's.
 */
import type { ImageInputSpec, LayerSpec, ModelSpec } from '../compiler/tcm/spec.ts';
import { writeModel } from '../compiler/tcm/writer.ts';
import { encodeImage, type ImageInput } from '../runtime/index.ts';
import { loadMnist } from '../compiler/data/mnist.ts';
import { Rng } from '../compiler/util/prng.ts';

export interface SyntheticOptions {
  hidden?: number[];
  seed?: number;
  bits?: number;
  /** Images used to set thresholds (0: a fixed threshold, no MNIST needed). */
  calibrationImages?: number;
}

/** 8-bit pixels (box-summed over pool x pool) to B-bit codes: code ~= round(mean pixel * A / 255). */
export function digitsImageInput(bits: number, pool = 1): ImageInputSpec {
  const A = (1 << bits) - 1;
  const full = 255 * pool * pool;
  let shift = 1;
  while ((A * 2 ** shift) / full < 2048) shift++;
  return { kind: 'image', srcWidth: 28, srcHeight: 28, pool, bits, mul: Math.round((A * 2 ** shift) / full), shift };
}

export function syntheticDigitsSpec(options: SyntheticOptions = {}): ModelSpec {
  const bits = options.bits ?? 4;
  const A = (1 << bits) - 1;
  const rng = new Rng(options.seed ?? 7);
  const input = digitsImageInput(bits);
  const sizes = [784, ...(options.hidden ?? [256]), 10];
  let samples = calibrationCodes(input, options.calibrationImages ?? 64);
  const layers: LayerSpec[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    const rows = sizes[k];
    const m = sizes[k + 1];
    const weights = randomWeights(rng, rows * m);
    const last = k + 2 === sizes.length;
    const charges = samples.map((codes) => charge(codes, weights, rows, m));
    const thresholds = calibratedThresholds(charges, m, A);
    layers.push({
      kind: 'dense', inFrames: 1, inChannels: rows, kernel: 1, stride: 1, outChannels: m, outBits: bits, leakShift: 0, weightBits: 8,
      weights, thresholds, biases: new Int32Array(m),
    });
    if (!last) samples = charges.map((v) => v.map((x, j) => Math.max(0, Math.min(A, Math.floor(x / thresholds[j])))));
  }
  return {
    input,
    layers,
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    provenance: { generator: 'synthetic-digits', note: 'random int8 weights (untrained)', seed: options.seed ?? 7, hidden: sizes.slice(1, -1) },
  };
}

/** Per-neuron thresholds from sample charges: the 90th percentile of the positive ones maps to code A - 1. */
export function calibratedThresholds(charges: number[][], m: number, A: number): Int32Array {
  const thresholds = new Int32Array(m);
  for (let j = 0; j < m; j++) {
    const positive = charges.map((v) => v[j]).filter((v) => v > 0).sort((a, b) => a - b);
    const top = positive.length ? positive[Math.floor(0.9 * (positive.length - 1))] : A * 1000;
    thresholds[j] = Math.max(1, Math.round(top / (A - 1)));
  }
  return thresholds;
}

/** Seeded int8 weights with a spread like a trained layer's. */
export function randomWeights(rng: Rng, count: number): Int8Array {
  const weights = new Int8Array(count);
  const scale = 127 / 3;
  for (let i = 0; i < count; i++) weights[i] = Math.max(-127, Math.min(127, Math.round(rng.normal() * scale)));
  return weights;
}

export function syntheticDigitsModel(options: SyntheticOptions = {}): Uint8Array {
  return writeModel(syntheticDigitsSpec(options));
}

export function calibrationCodes(input: ImageInputSpec, count: number): number[][] {
  const channels = (input.srcWidth / input.pool) * (input.srcHeight / input.pool);
  if (count === 0) {
    const rng = new Rng(1);
    return Array.from({ length: 8 }, () => Array.from({ length: channels }, () => (rng.next() < 0.2 ? rng.int(1, (1 << input.bits) - 1) : 0)));
  }
  const train = loadMnist().train;
  const image: ImageInput = { ...input, frames: 1, channels };
  const out: number[][] = [];
  for (let i = 0; i < count; i++) {
    out.push(Array.from(encodeImage(image, train.images.subarray(i * 784, (i + 1) * 784), new Uint8Array(channels))));
  }
  return out;
}

export function charge(codes: number[], weights: Int8Array, rows: number, m: number): number[] {
  const v = new Array<number>(m).fill(0);
  for (let r = 0; r < rows; r++) {
    const a = codes[r];
    if (a === 0) continue;
    for (let j = 0; j < m; j++) v[j] += a * weights[r * m + j];
  }
  return v;
}
