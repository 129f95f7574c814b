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
    const outBits = rng.int(1, 8);
    const weightBits = rng.int(2, 8);
    const rows = kernel * inChannels;
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
    const layer: LayerSpec = {
      kind: isConv ? 'conv1d' : 'dense', inFrames, inChannels, kernel, stride, outChannels, outBits,
      leakShift: leak ? rng.int(1, 4) : 0, weightBits, weights, thresholds, biases,
    };
    if (macroOn) {
      const groupRows = rng.int(1, rows);
      const groups = Math.ceil(rows / groupRows);
      const gains = new Int8Array(groups * outChannels);
      for (let i = 0; i < gains.length; i++) gains[i] = rng.int(-3, 3);
      layer.macro = { groupRows, chargeBound: rng.int(1, 8), gains };
    }
    layers.push(layer);
    frames = isConv ? Math.floor((inFrames - kernel) / stride) + 1 : 1;
    channels = outChannels;
    bits = outBits;
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

/** Random codes with a given density of non-zero entries. */
export function randomCodes(rng: Rng, length: number, bits: number, density = rng.next()): Uint8Array {
  const max = (1 << bits) - 1;
  const codes = new Uint8Array(length);
  for (let i = 0; i < length; i++) if (rng.next() < density) codes[i] = rng.int(1, max);
  return codes;
}
