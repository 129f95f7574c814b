/**
 * A digits-shaped conv2d model (28x28 image box-pooled to side x side -> conv2d with same padding
 * and spike-time max pooling -> hidden -> 10) with seeded random int8 weights, for tests that need
 * a conv model without training one. Thresholds are set from a few MNIST training images (as
 * synthetic-model.ts does for the MLP) so the feature maps spread over [0, A].
 */
import type { LayerSpec, ModelSpec } from '../compiler/tcm/spec.ts';
import { Rng } from '../compiler/util/prng.ts';
import { calibratedThresholds, calibrationCodes, charge, digitsImageInput, randomWeights } from './synthetic-model.ts';

export interface SyntheticConvOptions {
  /** Box pooling of the 28x28 image (2: a 14x14 input). */
  inputPool?: number;
  channels?: number;
  kernel?: number;
  /** Spike-time max pooling after the conv (1 = none). */
  pool?: number;
  hidden?: number;
  seed?: number;
  /** Images used to set thresholds (0: synthetic codes, no MNIST needed). */
  calibrationImages?: number;
}

/** im2col patch of position (oy, ox) of a side x side x c code image, zero padding p. */
function patch(codes: number[], side: number, c: number, k: number, p: number, oy: number, ox: number): number[] {
  const out: number[] = [];
  for (let dy = 0; dy < k; dy++) {
    for (let dx = 0; dx < k; dx++) {
      const y = oy + dy - p;
      const x = ox + dx - p;
      for (let ch = 0; ch < c; ch++) out.push(y < 0 || y >= side || x < 0 || x >= side ? 0 : codes[(y * side + x) * c + ch]);
    }
  }
  return out;
}

const fire = (v: number, theta: number, A: number) => Math.max(0, Math.min(A, Math.floor(v / theta)));

export function syntheticConvDigitsSpec(options: SyntheticConvOptions = {}): ModelSpec {
  const bits = 4;
  const A = (1 << bits) - 1;
  const rng = new Rng(options.seed ?? 7);
  const input = digitsImageInput(bits, options.inputPool ?? 2);
  const side = 28 / input.pool;
  const m = options.channels ?? 4;
  const k = options.kernel ?? 3;
  const q = options.pool ?? 2;
  const hidden = options.hidden ?? 16;
  const p = (k - 1) >> 1;
  const samples = calibrationCodes(input, options.calibrationImages ?? 32);

  // conv2d: thresholds from the charges at every position of the calibration images.
  const convWeights = randomWeights(rng, k * k * m);
  const patches = samples.map((codes) => {
    const rows: number[][] = [];
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) rows.push(patch(codes, side, 1, k, p, y, x));
    return rows;
  });
  const convThresholds = calibratedThresholds(patches.flat().map((rows) => charge(rows, convWeights, k * k, m)), m, A);
  const pooledSide = Math.floor(side / q);
  let codes = patches.map((rows) => {
    const map = rows.map((r) => charge(r, convWeights, k * k, m).map((v, j) => fire(v, convThresholds[j], A)));
    const pooled: number[] = [];
    for (let y = 0; y < pooledSide; y++) {
      for (let x = 0; x < pooledSide; x++) {
        for (let j = 0; j < m; j++) {
          let best = 0;
          for (let dy = 0; dy < q; dy++) for (let dx = 0; dx < q; dx++) best = Math.max(best, map[(y * q + dy) * side + x * q + dx][j]);
          pooled.push(best);
        }
      }
    }
    return pooled;
  });
  const layers: LayerSpec[] = [{
    kind: 'conv2d', inFrames: side * side, inChannels: 1, kernel: k, stride: 1, outChannels: m, outBits: bits, leakShift: 0, weightBits: 8,
    grid: { inHeight: side, inWidth: side, padding: p, pool: q },
    weights: convWeights, thresholds: convThresholds, biases: new Int32Array(m),
  }];
  const sizes = [pooledSide * pooledSide * m, hidden, 10];
  for (let d = 0; d + 1 < sizes.length; d++) {
    const rows = sizes[d];
    const outs = sizes[d + 1];
    const weights = randomWeights(rng, rows * outs);
    const charges = codes.map((c) => charge(c, weights, rows, outs));
    const thresholds = calibratedThresholds(charges, outs, A);
    layers.push({
      kind: 'dense', inFrames: 1, inChannels: rows, kernel: 1, stride: 1, outChannels: outs, outBits: bits, leakShift: 0, weightBits: 8,
      weights, thresholds, biases: new Int32Array(outs),
    });
    codes = charges.map((v) => v.map((x, j) => fire(x, thresholds[j], A)));
  }
  return {
    input,
    layers,
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    provenance: { generator: 'synthetic-conv-digits', note: 'random int8 weights (untrained)', seed: options.seed ?? 7, conv: `${m}c${k}`, pool: q, hidden: [hidden] },
  };
}
