/** Small random models (written with the real writer) and temp dirs for the deploy tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrontendBlob, type FrontendOptions } from '../../compiler/audio/frontend-config.ts';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tempo-cim-${prefix}-`));
}

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function layer(rnd: () => number, shape: { inFrames: number; inChannels: number; kernel: number; outChannels: number }, threshold: number): LayerSpec {
  const rows = shape.kernel * shape.inChannels;
  const weights = new Int8Array(rows * shape.outChannels);
  for (let i = 0; i < weights.length; i++) weights[i] = Math.round((rnd() - 0.5) * 60);
  const biases = new Int32Array(shape.outChannels);
  for (let i = 0; i < biases.length; i++) biases[i] = Math.round((rnd() - 0.5) * threshold);
  return {
    kind: shape.kernel === 1 && shape.inFrames === 1 ? 'dense' : 'conv1d',
    inFrames: shape.inFrames, inChannels: shape.inChannels, kernel: shape.kernel, stride: 1,
    outChannels: shape.outChannels, outBits: 4, leakShift: 0, weightBits: 8,
    weights, thresholds: new Int32Array(shape.outChannels).fill(threshold), biases,
  };
}

/** An image model: side x side pixels -> hidden -> 10 digit classes. */
export function imageModel(path: string, options: { side?: number; hidden?: number; seed?: number } = {}): string {
  const side = options.side ?? 28;
  const hidden = options.hidden ?? 32;
  const rnd = random(options.seed ?? 7);
  const spec: ModelSpec = {
    input: { kind: 'image', srcWidth: side, srcHeight: side, pool: 1, bits: 4, mul: 15, shift: 8 },
    layers: [
      layer(rnd, { inFrames: 1, inChannels: side * side, kernel: 1, outChannels: hidden }, 200),
      layer(rnd, { inFrames: 1, inChannels: hidden, kernel: 1, outChannels: 10 }, 200),
    ],
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    provenance: { test: 'random image model' },
  };
  writeFileSync(path, writeModel(spec));
  return path;
}

/**
 * A conv2d image model: a side x side image (box-pooled by inputPool) -> 3x3 conv2d layers (same
 * padding, spike-time max pooling `pool`) -> dense layers -> 10 digit classes.
 */
export function convImageModel(path: string, options: { inputPool?: number; convs?: number[]; pool?: number; hidden?: number[]; seed?: number } = {}): string {
  const rnd = random(options.seed ?? 7);
  const inputPool = options.inputPool ?? 1;
  let side = 28 / inputPool;
  let channels = 1;
  const layers: LayerSpec[] = [];
  for (const outChannels of options.convs ?? [8]) {
    const pool = options.pool ?? 2;
    const dense = layer(rnd, { inFrames: 1, inChannels: 9 * channels, kernel: 1, outChannels }, 200);
    layers.push({ ...dense, kind: 'conv2d', inFrames: side * side, inChannels: channels, kernel: 3, grid: { inHeight: side, inWidth: side, padding: 1, pool } });
    side = Math.floor(side / pool);
    channels = outChannels;
  }
  let inChannels = side * side * channels;
  for (const outChannels of [...(options.hidden ?? []), 10]) {
    layers.push(layer(rnd, { inFrames: 1, inChannels, kernel: 1, outChannels }, 200));
    inChannels = outChannels;
  }
  const spec: ModelSpec = {
    input: { kind: 'image', srcWidth: 28, srcHeight: 28, pool: inputPool, bits: 4, mul: 15, shift: 8 + 2 * Math.log2(inputPool) },
    layers,
    labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    provenance: { test: 'random conv2d image model' },
  };
  writeFileSync(path, writeModel(spec));
  return path;
}

/** An audio model over the default front-end (49 frames x 16 channels, or `frontendOptions`): a full-width temporal convolution, then 4 classes. */
export function audioModel(path: string, seed = 11, labels = ['_silence_', 'yes', 'no', 'up'], frontendOptions: Partial<FrontendOptions> = {}): string {
  const rnd = random(seed);
  const frontend = buildFrontendBlob(frontendOptions);
  const frames = frontend[8];
  const channels = frontend[10];
  const spec: ModelSpec = {
    input: { kind: 'audio', bits: 4, frames, channels, frontend },
    layers: [
      layer(rnd, { inFrames: frames, inChannels: channels, kernel: frames, outChannels: 24 }, 400),
      layer(rnd, { inFrames: 1, inChannels: 24, kernel: 1, outChannels: labels.length }, 200),
    ],
    labels,
    provenance: { test: 'random audio model' },
  };
  writeFileSync(path, writeModel(spec));
  return path;
}
