/**
 * (d) Model bytes per weight: the .tcm file (int8 weights, thresholds, biases, labels, provenance,
 * header, alignment) vs the same MLP as ONNX float32 and as TensorFlow.js artifacts (topology JSON
 * + weight specs + float32 weight data).
 */
import type { Model } from '../runtime/index.ts';
import { floatLayersOf } from './float-mlp.ts';
import { onnxMlp } from './onnx-mlp.ts';
import type { Tf } from './peers.ts';

export interface BytesPerWeight {
  weights: number;
  tcmBytes: number;
  onnxBytes: number;
  tfjsBytes: number;
}

export async function measureModelBytes(model: Model, tf: Tf): Promise<BytesPerWeight> {
  const layers = floatLayersOf(model);
  const weights = layers.reduce((n, l) => n + l.weights.length, 0);
  const net = tf.sequential();
  layers.forEach((l, k) => net.add(tf.layers.dense({ units: l.outputs, activation: k < layers.length - 1 ? 'relu' : 'linear', inputShape: [l.inputs] })));
  let tfjsBytes = 0;
  await net.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = artifacts.weightData;
    const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
    tfjsBytes = parts.reduce((n, b) => n + b.byteLength, 0) + Buffer.byteLength(JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return { weights, tcmBytes: model.fileBytes, onnxBytes: onnxMlp(layers).length, tfjsBytes };
}
