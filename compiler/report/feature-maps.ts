/**
 * One input's conv2d outputs as per-channel feature maps for the report: the layer's output codes
 * (after spike-time pooling) and, when the layer pools, the crossbar's map before pooling. Both
 * come from the runtime itself: the pre-pool map is the output of the same network cut after
 * that layer with its pooling turned off.
 */
import { createNetwork, type Layer, type Model } from '../../runtime/index.ts';

export interface CodeMap {
  height: number;
  width: number;
  /** Codes position-major as the runtime lays them out: ((y * width) + x) * channels + channel. */
  codes: number[];
}

export interface FeatureMaps {
  layer: number;
  /** Steps in the window (A); spike time = A - code, no spike for 0. */
  steps: number;
  channels: number;
  kernel: number;
  stride: number;
  padding: number;
  pool: number;
  /** The crossbar's map before spike-time pooling (pool > 1), else null: `output` is that map. */
  conv: CodeMap | null;
  /** The layer's output codes. */
  output: CodeMap;
}

/** The model up to conv2d layer k, with layer k's pooling turned off: its output is the conv map. */
function unpooledPrefix(model: Model, k: number): Model {
  const layer = model.layers[k];
  const unpooled: Layer = { ...layer, grid: { ...layer.grid!, pool: 1 }, outFrames: layer.positions };
  return { ...model, layers: [...model.layers.slice(0, k), unpooled] };
}

/** Feature maps of every conv2d layer for one input (empty for a model without conv2d layers). */
export function featureMapsOf(model: Model, input: Uint8Array): FeatureMaps[] {
  const trace = createNetwork(model, { native: null }).infer(input, { earlyExit: false }).trace;
  const maps: FeatureMaps[] = [];
  model.layers.forEach((layer, k) => {
    const grid = layer.grid;
    if (!grid) return;
    const q = grid.pool;
    const output = { height: Math.floor(grid.convHeight / q), width: Math.floor(grid.convWidth / q), codes: Array.from(trace[k]) };
    let conv: CodeMap | null = null;
    if (q > 1) {
      const prefix = createNetwork(unpooledPrefix(model, k), { native: null }).infer(input, { earlyExit: false });
      conv = { height: grid.convHeight, width: grid.convWidth, codes: Array.from(prefix.trace[k]) };
    }
    maps.push({
      layer: k, steps: layer.outMax, channels: layer.outChannels, kernel: layer.kernel, stride: layer.stride,
      padding: grid.padding, pool: q, conv, output,
    });
  });
  return maps;
}
