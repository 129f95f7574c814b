/** The training graph as a classifier: its config from the options, input encoding, predictions, accuracy. */
import { encodeImage } from '../../runtime/encode.ts';
import type { ImageInput } from '../../runtime/model.ts';
import type { ImageSet } from '../data/mnist.ts';
import { forwardSample } from './forward.ts';
import { type LayerShape, type NetConfig, type ParamLayout, denseShape, netOf } from './net.ts';
import type { TrainOptions } from './options.ts';

/** Encoding of 8-bit pixels to B-bit codes: code ~= round(mean pixel * A / 255), box pool by `pool`. */
export function imageInput(srcWidth: number, srcHeight: number, pool: number, bits: number): ImageInput {
  const A = (1 << bits) - 1;
  const cells = pool * pool;
  // mul / 2^shift ~= A / (255 * cells); keep mul in [2^11, 2^12) for precision; sum*mul < 2^31.
  let shift = 0;
  while ((A * 2 ** shift) / (255 * cells) < 2048) shift++;
  const mul = Math.round((A * 2 ** shift) / (255 * cells));
  return { kind: 'image', bits, frames: 1, channels: (srcWidth / pool) * (srcHeight / pool), srcWidth, srcHeight, pool, mul, shift };
}

export function netConfig(input: ImageInput, opts: TrainOptions, classes = 10): NetConfig {
  const sizes = [input.channels, ...opts.hidden, classes];
  const layers: LayerShape[] = [];
  if (opts.layers) layers.push(...opts.layers);
  else for (let i = 0; i + 1 < sizes.length; i++) layers.push(denseShape(sizes[i], sizes[i + 1]));
  return {
    layers,
    mode: opts.mode,
    inputBits: input.bits,
    actBits: opts.actBits,
    weightBits: opts.weightBits,
    groupRows: opts.groupRows,
    chargeBound: opts.chargeBound,
    maxGainShift: opts.maxGainShift,
    perNeuronScale: opts.perNeuronScale,
    stallPenalty: opts.stallPenalty,
    clipPenalty: opts.clipPenalty,
    labelSmoothing: opts.labelSmoothing,
    ...(opts.softTargets && opts.distillWeight ? { distillWeight: opts.distillWeight } : {}),
    ...(opts.leakShift ? { leakShift: opts.leakShift } : {}),
    ...(opts.cellNoise ? { cellNoise: opts.cellNoise } : {}),
  };
}

/** Encodes a whole set (no augmentation) to codes, count x channels. */
export function encodeSet(set: ImageSet, input: ImageInput): Uint8Array {
  const n = input.channels;
  const out = new Uint8Array(set.count * n);
  const px = set.rows * set.cols;
  for (let i = 0; i < set.count; i++) encodeImage(input, set.images.subarray(i * px, (i + 1) * px), out.subarray(i * n, (i + 1) * n));
  return out;
}

/** Quantized (or float) forward of the training graph over encoded samples; returns predictions. */
export function predictCodes(cfg: NetConfig, layout: ParamLayout, sharedParams: Float32Array, codes: Uint8Array, count: number, onScores?: (i: number, scores: Float32Array) => void): Uint8Array {
  const preds = new Uint8Array(count);
  predictRange(cfg, layout, sharedParams, codes, 0, count, preds, onScores);
  return preds;
}

/** Predictions of samples [from, to) of `codes` into preds[from..to) (the trainer splits a set between its threads). */
export function predictRange(cfg: NetConfig, layout: ParamLayout, sharedParams: Float32Array, codes: Uint8Array, from: number, to: number, preds: Uint8Array, onScores?: (i: number, scores: Float32Array) => void): void {
  const net = netOf(cfg, layout, Float32Array.from(sharedParams));
  const n = cfg.layers[0].inChannels * cfg.layers[0].inFrames;
  const x = new Float32Array(n);
  for (let i = from; i < to; i++) {
    for (let k = 0; k < n; k++) x[k] = codes[i * n + k];
    preds[i] = forwardSample(net, x);
    if (onScores) onScores(i, net.ws.act[cfg.layers.length - 1]);
  }
}

export function accuracyOf(preds: Uint8Array, labels: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) ok++;
  return ok / preds.length;
}
