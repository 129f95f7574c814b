/** Random valid models and inputs (seeded) for the property tests and the fuzzer (scripts/fuzz.ts). */
import type { LayerSpec, ModelSpec } from '../tcm/spec.ts';
import { Rng } from '../util/prng.ts';

export interface RandomModelOptions {
  macro?: boolean;
  leak?: boolean;
  conv?: boolean;
}

export function randomModel(rng: Rng, options: RandomModelOptions = {}): ModelSpec {
  const inBits = rng.int(1, 8);
  const conv = options.conv ?? rng.next() < 0.3;
  let frames = conv ? rng.int(3, 12) : 1;
  let channels = conv ? rng.int(1, 12) : rng.int(1, 90);
  const layers: LayerSpec[] = [];
  const depth = rng.int(1, 3);
  let bits = inBits;
  for (let k = 0; k < depth; k++) {
    const last = k === depth - 1;
    const isConv = conv && !last && frames > 1;
    const kernel = isConv ? rng.int(1, Math.min(4, frames)) : 1;
    const stride = isConv ? rng.int(1, kernel) : 1;
    const inFrames = isConv ? frames : 1;
    const inChannels = isConv ? channels : frames * channels;
    const outChannels = last ? rng.int(1, 12) : rng.int(1, 40);
    const layer = randomCrossbar(rng, { kind: isConv ? 'conv1d' : 'dense', inFrames, inChannels, kernel, stride, outChannels }, kernel * inChannels, bits, options);
    layers.push(layer);
    frames = isConv ? Math.floor((inFrames - kernel) / stride) + 1 : 1;
    channels = outChannels;
    bits = layer.outBits;
  }
  const first = layers[0];
  const classes = layers[layers.length - 1].outChannels;
  return {
    input: { kind: 'codes', bits: inBits, frames: first.inFrames, channels: first.inChannels },
    layers,
    labels: Array.from({ length: classes }, (_, i) => `class${i}`),
    provenance: { generator: 'random-model' },
  };
}

type Shape = Pick<LayerSpec, 'kind' | 'inFrames' | 'inChannels' | 'kernel' | 'stride' | 'outChannels' | 'grid'>;

/** Draws a layer's crossbar (bits, weights, thresholds, biases, leak, macro groups) for `rows` rows. */
function randomCrossbar(rng: Rng, shape: Shape, rows: number, bits: number, options: RandomModelOptions): LayerSpec {
  const { outChannels } = shape;
  const outBits = rng.int(1, 8);
  const weightBits = rng.int(2, 8);
  const wmax = (1 << (weightBits - 1)) - 1;
  const weights = new Int8Array(rows * outChannels);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.int(-wmax, wmax);
  const inMax = (1 << bits) - 1;
  const outMax = (1 << outBits) - 1;
  // Thresholds around the typical charge so codes spread over [0, A_out].
  const typical = Math.max(1, Math.round((Math.sqrt(rows) * wmax * inMax) / 2 / outMax));
  const thresholds = new Int32Array(outChannels);
  const biases = new Int32Array(outChannels);
  for (let j = 0; j < outChannels; j++) {
    thresholds[j] = rng.int(1, 2 * typical);
    biases[j] = rng.int(-typical * 2, typical * 2);
  }
  const leak = options.leak ?? rng.next() < 0.3;
  const macroOn = options.macro ?? rng.next() < 0.4;
  const layer: LayerSpec = { ...shape, outBits, leakShift: leak ? rng.int(1, 4) : 0, weightBits, weights, thresholds, biases };
  if (macroOn) {
    const groupRows = rng.int(1, rows);
    const groups = Math.ceil(rows / groupRows);
    const gains = new Int8Array(groups * outChannels);
    for (let i = 0; i < gains.length; i++) gains[i] = rng.int(-3, 3);
    layer.macro = { groupRows, chargeBound: rng.int(1, 8), gains };
  }
  return layer;
}

/** A random conv2d geometry on a height x width input: kernel 1-4, padding 0-2, stride 1-2, 2 x 2 pooling with probability `poolChance` where the map allows it. */
export function randomConv2dGeometry(rng: Rng, height: number, width: number, poolChance: number) {
  const kernel = rng.int(1, Math.min(4, height, width));
  const padding = rng.int(0, Math.min(kernel - 1, 2));
  const stride = rng.int(1, 2);
  const convH = Math.floor((height + 2 * padding - kernel) / stride) + 1;
  const convW = Math.floor((width + 2 * padding - kernel) / stride) + 1;
  const pool = convH >= 2 && convW >= 2 && rng.next() < poolChance ? 2 : 1;
  return { kernel, padding, stride, convH, convW, pool };
}

/**
 * Random image models: one or two conv2d layers (kernel, stride, padding, fused pooling drawn at
 * random) then a dense classifier, over a small H x W x C code image.
 */
export function randomConv2dModel(rng: Rng, options: RandomModelOptions = {}): ModelSpec {
  const inBits = rng.int(1, 8);
  let height = rng.int(3, 9);
  let width = rng.int(3, 9);
  let channels = rng.int(1, 4);
  const convs = rng.int(1, 2);
  const layers: LayerSpec[] = [];
  let bits = inBits;
  for (let k = 0; k < convs && height >= 2 && width >= 2; k++) {
    const { kernel, padding, stride, convH, convW, pool } = randomConv2dGeometry(rng, height, width, 0.5);
    const outChannels = rng.int(1, 8);
    const grid = { inHeight: height, inWidth: width, padding, pool };
    const layer = randomCrossbar(rng, { kind: 'conv2d', inFrames: height * width, inChannels: channels, kernel, stride, outChannels, grid }, kernel * kernel * channels, bits, options);
    layers.push(layer);
    height = Math.floor(convH / pool);
    width = Math.floor(convW / pool);
    channels = outChannels;
    bits = layer.outBits;
  }
  const classes = rng.int(1, 10);
  layers.push(randomCrossbar(rng, { kind: 'dense', inFrames: 1, inChannels: height * width * channels, kernel: 1, stride: 1, outChannels: classes }, height * width * channels, bits, options));
  const first = layers[0];
  return {
    input: { kind: 'codes', bits: inBits, frames: 1, channels: first.inFrames * first.inChannels },
    layers,
    labels: Array.from({ length: classes }, (_, i) => `class${i}`),
    provenance: { generator: 'random-conv2d-model' },
  };
}

/** Random codes with a given density of non-zero entries. */
export function randomCodes(rng: Rng, length: number, bits: number, density = rng.next()): Uint8Array {
  const max = (1 << bits) - 1;
  const codes = new Uint8Array(length);
  for (let i = 0; i < length; i++) if (rng.next() < density) codes[i] = rng.int(1, max);
  return codes;
}
