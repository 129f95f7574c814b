/**
 * The training graph's quantized forward pass against the runtime, without training: on random
 * integer models (dense, conv1d and conv2d stacks with padding, stride and pooling; ideal and macro mode) the graph's hidden codes, scores
 * and class must equal what the runtime computes from the written .tcm, exactly.
 *
 * 1. Integer layers given directly (random model specs, compiler/fuzz/random-model.ts, brought into
 *    the graph's scope: one code width for hidden layers, one group size and charge bound, no leak):
 *    forward.ts against runtime/network.ts, including gains of both signs and extreme thresholds.
 * 2. Random latent parameters through quantizeLayer and the export (gain folding, limits), as
 *    training would write them.
 */
import { describe, expect, it } from 'vitest';
import { randomCodes, randomConv2dGeometry, randomConv2dModel, randomModel } from '../../compiler/fuzz/random-model.ts';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { exportLayers } from '../../compiler/train/export.ts';
import { forwardSample } from '../../compiler/train/forward.ts';
import { predictCodes } from '../../compiler/train/graph.ts';
import { type LayerShape, type Net, type NetConfig, type QLayer, conv1dShape, conv2dShape, denseShape, initParams, newWorkspace, paramLayout } from '../../compiler/train/net.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';

const SPECS_PER_KIND = 150; // x 6 kinds (dense/conv1d/conv2d x ideal/macro) = 900 models
const LATENT_PER_KIND = 40; // x 6 kinds = 240 models
const INPUTS = 4;

function shapeOf(layer: LayerSpec): LayerShape {
  if (layer.kind === 'conv2d') {
    const g = layer.grid!;
    return conv2dShape(g.inHeight, g.inWidth, layer.inChannels, layer.kernel, layer.stride, g.padding, g.pool, layer.outChannels);
  }
  return layer.kind === 'conv1d' ? conv1dShape(layer.inFrames, layer.inChannels, layer.kernel, layer.stride, layer.outChannels) : denseShape(layer.inChannels, layer.outChannels);
}

function graphConfig(layers: LayerShape[], macro: boolean, o: Partial<NetConfig>): NetConfig {
  return { layers, mode: macro ? 'split' : 'qat', inputBits: 4, actBits: 4, weightBits: 8, groupRows: 128, chargeBound: 4, maxGainShift: 2, perNeuronScale: true, stallPenalty: 0, clipPenalty: 0, ...o };
}

/** A random model the training graph can express: hidden layers share one code width; macro layers one group size and bound. */
function graphModel(rng: Rng, conv: Kind['conv'], macro: boolean): { spec: ModelSpec; cfg: NetConfig } {
  const spec = conv === '2d' ? randomConv2dModel(rng, { macro, leak: false }) : randomModel(rng, { conv: conv === '1d', macro, leak: false });
  const actBits = spec.layers[0].outBits;
  const rowsOf = (l: LayerSpec) => l.kernel * (l.kind === 'conv2d' ? l.kernel : 1) * l.inChannels;
  const groupRows = rng.int(1, Math.max(...spec.layers.map(rowsOf)));
  const chargeBound = rng.int(1, 8);
  for (const layer of spec.layers) {
    layer.outBits = actBits;
    if (!layer.macro) continue;
    const rows = rowsOf(layer);
    const gains = new Int8Array(Math.ceil(rows / groupRows) * layer.outChannels);
    for (let i = 0; i < gains.length; i++) gains[i] = rng.int(-3, 3);
    layer.macro = { groupRows: Math.min(groupRows, rows), chargeBound, gains };
  }
  return { spec, cfg: graphConfig(spec.layers.map(shapeOf), macro, { inputBits: spec.input.bits, actBits, groupRows, chargeBound }) };
}

/** The spec's integer layers as the graph's quantized layers (unit and T only matter for gradients). */
function qLayerOf(layer: LayerSpec): QLayer {
  const rows = layer.kernel * (layer.kind === 'conv2d' ? layer.kernel : 1) * layer.inChannels;
  const out = layer.outChannels;
  const groupRows = layer.macro ? layer.macro.groupRows : rows;
  const groups = Math.ceil(rows / groupRows);
  return {
    groups,
    groupRows,
    Wq: Float32Array.from(layer.weights),
    theta: Float64Array.from(layer.thresholds),
    bias: Float64Array.from(layer.biases),
    gain: layer.macro ? Int8Array.from(layer.macro.gains) : new Int8Array(groups * out),
    unit: new Float64Array(out).fill(1),
    T: new Float64Array(out).fill(1),
  };
}

interface Kind {
  name: string;
  conv: false | '1d' | '2d';
  macro: boolean;
}

const KINDS: Kind[] = [
  { name: 'dense, ideal', conv: false, macro: false },
  { name: 'dense, macro', conv: false, macro: true },
  { name: 'conv1d, ideal', conv: '1d', macro: false },
  { name: 'conv1d, macro', conv: '1d', macro: true },
  { name: 'conv2d + pooling, ideal', conv: '2d', macro: false },
  { name: 'conv2d + pooling, macro', conv: '2d', macro: true },
];

describe('training forward pass == runtime on random models (no training)', () => {
  for (const [k, kind] of KINDS.entries()) {
    it(`integer layers from random model specs: ${kind.name} (${SPECS_PER_KIND} models x ${INPUTS} inputs)`, () => {
      const rng = new Rng(20261202, k);
      const seen = { clipped: 0, conv: 0, pooled: 0, padded: 0, multiGroup: 0, hiddenFired: 0 };
      for (let m = 0; m < SPECS_PER_KIND; m++) {
        const { spec, cfg } = graphModel(rng, kind.conv, kind.macro);
        const network = createNetwork(loadModel(writeModel(spec)));
        const net: Net = { cfg, layout: paramLayout(cfg), params: new Float32Array(0), qs: spec.layers.map(qLayerOf), ws: newWorkspace(cfg) };
        if (spec.layers.some((l) => l.kind !== 'dense')) seen.conv++;
        if (spec.layers.some((l) => (l.grid?.pool ?? 1) > 1)) seen.pooled++;
        if (spec.layers.some((l) => (l.grid?.padding ?? 0) > 0)) seen.padded++;
        if (net.qs.some((q) => q.groups > 1)) seen.multiGroup++;
        const last = cfg.layers.length - 1;
        for (let i = 0; i < INPUTS; i++) {
          const codes = randomCodes(rng, network.inputLength, spec.input.bits);
          const pred = forwardSample(net, Float32Array.from(codes));
          const r = network.infer(codes, { earlyExit: false });
          for (let l = 0; l < last; l++) {
            expect(Array.from(net.ws.act[l]), `model ${m} input ${i} layer ${l} codes`).toEqual(Array.from(r.trace[l]));
            if (net.ws.act[l].some((c) => c > 0)) seen.hiddenFired++;
          }
          expect(Array.from(net.ws.act[last]), `model ${m} input ${i} scores`).toEqual(Array.from(r.scores));
          expect(pred).toBe(r.classIndex);
          if (net.ws.clip.some((c) => c.some((v) => v !== 0))) seen.clipped++;
        }
      }
      // The cases reach what they are meant to: conv stacks, several row groups, clamped partials, firing hidden neurons.
      if (kind.conv) expect(seen.conv).toBeGreaterThan(SPECS_PER_KIND / 2);
      if (kind.conv === '2d') {
        expect(seen.pooled).toBeGreaterThan(SPECS_PER_KIND / 4);
        expect(seen.padded).toBeGreaterThan(SPECS_PER_KIND / 4);
      }
      if (kind.macro) {
        expect(seen.multiGroup).toBeGreaterThan(SPECS_PER_KIND / 4);
        expect(seen.clipped).toBeGreaterThan(INPUTS * SPECS_PER_KIND / 10);
      }
      expect(seen.hiddenFired).toBeGreaterThan(0);
    });
  }

  for (const [k, kind] of KINDS.entries()) {
    it(`random latent parameters through quantizeLayer and the export: ${kind.name} (${LATENT_PER_KIND} models x ${INPUTS} inputs)`, () => {
      const rng = new Rng(20261203, k);
      for (let m = 0; m < LATENT_PER_KIND; m++) {
        let frames = kind.conv ? rng.int(4, 12) : 1;
        let width = kind.conv === '2d' ? rng.int(3, 9) : 1;
        let channels = rng.int(1, kind.conv === '1d' ? 10 : kind.conv === '2d' ? 3 : 60);
        const layers: LayerShape[] = [];
        const depth = rng.int(kind.conv === '2d' ? 2 : 1, 3);
        for (let d = 0; d < depth; d++) {
          const lastLayer = d === depth - 1;
          const out = lastLayer ? rng.int(2, 10) : rng.int(1, 24);
          if (kind.conv === '2d' && !lastLayer && frames >= 2 && width >= 2) {
            const { kernel, padding, stride, convH, convW, pool } = randomConv2dGeometry(rng, frames, width, 0.6);
            const layer = conv2dShape(frames, width, channels, kernel, stride, padding, pool, out);
            layers.push(layer);
            frames = Math.floor(convH / pool);
            width = Math.floor(convW / pool);
          } else if (kind.conv === '2d') {
            layers.push(denseShape(frames * width * channels, out));
            frames = 1;
            width = 1;
          } else if (kind.conv && !lastLayer && frames > 1) {
            const kernel = rng.int(1, Math.min(4, frames));
            const layer = conv1dShape(frames, channels, kernel, rng.int(1, kernel), out);
            layers.push(layer);
            frames = layer.outFrames;
          } else {
            layers.push(denseShape(frames * channels, out));
            frames = 1;
          }
          channels = out;
        }
        const inputBits = rng.int(1, 8);
        const cfg = graphConfig(layers, kind.macro, { inputBits, actBits: rng.int(1, 8), weightBits: rng.int(2, 8), groupRows: rng.int(1, 40), chargeBound: rng.int(1, 8), maxGainShift: rng.int(0, 3), perNeuronScale: rng.next() < 0.7 });
        const layout = paramLayout(cfg);
        const params = new Float32Array(layout.total);
        initParams(cfg, layout, params, rng);
        for (let l = 0; l < layers.length; l++) {
          for (let j = 0; j < layers[l].outChannels; j++) {
            params[layout.c[l] + j] = rng.normal();
            params[layout.tau[l] + j] = Math.log(0.2 + 4 * rng.next());
          }
        }
        const spec: ModelSpec = {
          input: { kind: 'codes', bits: inputBits, frames: layers[0].grid ? 1 : layers[0].inFrames, channels: layers[0].grid ? layers[0].inFrames * layers[0].inChannels : layers[0].inChannels },
          layers: exportLayers(cfg, layout, params),
          labels: Array.from({ length: layers[layers.length - 1].outChannels }, (_, i) => `c${i}`),
          provenance: {},
        };
        const network = createNetwork(loadModel(writeModel(spec)));
        const codes = new Uint8Array(INPUTS * network.inputLength);
        for (let i = 0; i < INPUTS; i++) codes.set(randomCodes(rng, network.inputLength, inputBits), i * network.inputLength);
        const scores: number[][] = [];
        const preds = predictCodes(cfg, layout, params, codes, INPUTS, (_, s) => scores.push(Array.from(s)));
        for (let i = 0; i < INPUTS; i++) {
          const r = network.infer(codes.subarray(i * network.inputLength, (i + 1) * network.inputLength), { earlyExit: false });
          expect(Array.from(r.scores), `model ${m} input ${i}`).toEqual(scores[i]);
          expect(r.classIndex).toBe(preds[i]);
        }
      }
    });
  }
});
