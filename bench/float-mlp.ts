/**
 * The float MLP the peers run: the same shape as the tempo-cim model, with its int8 weights taken
 * as floats and each layer scaled by 1/theta so activations stay in a sensible range. Values do
 * not change any peer's speed; the shape does.
 */
import type { Model } from '../runtime/index.ts';
import type { FloatLayer } from './onnx-mlp.ts';

export function floatLayersOf(model: Model): FloatLayer[] {
  return model.layers.map((layer) => {
    if (layer.kind !== 'dense') throw new Error('the peer comparison needs a dense model');
    const m = layer.outChannels;
    const weights = new Float32Array(layer.weights.length);
    for (let i = 0; i < weights.length; i++) weights[i] = layer.weights[i] / (127 * Math.sqrt(layer.rows));
    const bias = new Float32Array(m);
    for (let j = 0; j < m; j++) bias[j] = layer.biases[j] / (layer.thresholds[j] * 15);
    return { inputs: layer.rows, outputs: m, weights, bias };
  });
}

/** Pixels scaled to [0, 1], one Float32Array per image. */
export function floatInputs(pixels: Uint8Array[]): Float32Array[] {
  return pixels.map((p) => Float32Array.from(p, (v) => v / 255));
}
