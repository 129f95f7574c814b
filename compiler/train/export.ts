/**
 * Merge + quantize: turns a trained network into the ModelSpec the writer serializes. The integer
 * layers are exactly the ones the training graph's quantized forward used (quantizeLayer), so the
 * runtime reproduces the training graph's predictions bit for bit.
 *
 * Gains: quantizeLayer gives each row group a signed power-of-two gain; a group whose gain is 0 needs
 * nothing. A positive gain whose scaled weights still fit the weight range is folded into the weights
 * (gain 0); negative gains (finer weight resolution for a small-weight group, partial floor-divided)
 * cannot be folded exactly and stay in the file. Ideal-mode layers carry no macro section at all.
 */
import type { ImageInputSpec, LayerSpec, ModelSpec } from '../tcm/spec.ts';
import type { ImageInput } from '../../runtime/model.ts';
import { type NetConfig, type ParamLayout, groupCount, newQLayer, quantizeLayer } from './net.ts';

export const DIGIT_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

export function imageInputSpec(input: ImageInput): ImageInputSpec {
  return { kind: 'image', srcWidth: input.srcWidth, srcHeight: input.srcHeight, pool: input.pool, bits: input.bits, mul: input.mul, shift: input.shift };
}

/** Integer layers of a trained (qat / split / converted) network. */
export function exportLayers(cfg: NetConfig, layout: ParamLayout, params: Float32Array): LayerSpec[] {
  if (cfg.mode === 'float') throw new Error('a float network must be converted (convertFloat) before export');
  const qmax = (1 << (cfg.weightBits - 1)) - 1;
  return cfg.layers.map((L, l) => {
    const q = newQLayer(cfg, L);
    quantizeLayer(cfg, layout, params, l, q);
    const out = L.outChannels;
    const weights = Int8Array.from(q.Wq);
    const spec: LayerSpec = {
      kind: L.kind,
      inFrames: L.inFrames,
      inChannels: L.inChannels,
      kernel: L.kernel,
      stride: L.stride,
      outChannels: out,
      outBits: cfg.actBits,
      leakShift: cfg.leakShift ?? 0,
      weightBits: cfg.weightBits,
      weights,
      thresholds: Int32Array.from(q.theta),
      biases: Int32Array.from(q.bias),
      ...(L.grid ? { grid: { inHeight: L.grid.inHeight, inWidth: L.grid.inWidth, padding: L.grid.padding, pool: L.grid.pool } } : {}),
    };
    if (cfg.mode === 'split') {
      const G = groupCount(cfg, L);
      const gains = Int8Array.from(q.gain);
      for (let g = 0; g < G; g++) {
        for (let j = 0; j < out; j++) {
          const k = gains[g * out + j];
          if (k <= 0) continue;
          let fits = true;
          for (let r = g * cfg.groupRows; r < Math.min(L.rows, (g + 1) * cfg.groupRows) && fits; r++) fits = Math.abs(weights[r * out + j] * 2 ** k) <= qmax;
          if (!fits) continue;
          for (let r = g * cfg.groupRows; r < Math.min(L.rows, (g + 1) * cfg.groupRows); r++) weights[r * out + j] *= 2 ** k;
          gains[g * out + j] = 0;
        }
      }
      spec.macro = { groupRows: Math.min(cfg.groupRows, L.rows), chargeBound: cfg.chargeBound, gains };
    }
    return spec;
  });
}

export function toModelSpec(cfg: NetConfig, layout: ParamLayout, params: Float32Array, input: ImageInput, provenance: Record<string, unknown>): ModelSpec {
  return { input: imageInputSpec(input), layers: exportLayers(cfg, layout, params), labels: DIGIT_LABELS, provenance };
}

/**
 * The same integer network executed in macro mode (row groups of `groupRows`, bound C, all gains 0):
 * how an ideal-mode model behaves on the macro. Layers already in macro mode get the new bound.
 */
export function withMacro(spec: ModelSpec, chargeBound: number, groupRows = 128): ModelSpec {
  return {
    ...spec,
    layers: spec.layers.map((layer) => {
      const rows = layer.kernel * (layer.kind === 'conv2d' ? layer.kernel : 1) * layer.inChannels;
      if (layer.macro) return { ...layer, macro: { ...layer.macro, chargeBound } };
      const groups = Math.ceil(rows / groupRows);
      return { ...layer, macro: { groupRows: Math.min(groupRows, rows), chargeBound, gains: new Int8Array(groups * layer.outChannels) } };
    }),
  };
}

/**
 * Per-epoch curves for the model's provenance (report charts); no timings, so the bytes stay
 * deterministic. Values keep 4 decimals (one image in 10,000): the file is flashed as is, and full
 * doubles made the history ~14% of a keyword model.
 */
export function historyForProvenance(history: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number | null }[]) {
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return history.map(({ epoch, loss, trainAccuracy, testAccuracy }) => ({ epoch, loss: round(loss), trainAccuracy: round(trainAccuracy), testAccuracy: testAccuracy === null ? null : round(testAccuracy) }));
}
