/**
 * Conversion of a float-trained MLP (ReLU, inputs = codes) to 4-bit codes with one threshold per
 * layer: the classic ANN-to-SNN conversion used as the ablation's baseline (1). Each hidden layer's
 * activation scale lambda_l is the 99.9th percentile of its positive activations on calibration data;
 * the layer then emits code = clamp(round(z / lambda_l), 0, A) and the next layer's weights absorb
 * lambda_l. One weight scale per layer (no per-neuron thresholds).
 */
import { forwardSample } from './forward.ts';
import { type Net, type NetConfig, type ParamLayout, newWorkspace } from './net.ts';

export function convertFloat(cfg: NetConfig, layout: ParamLayout, floatParams: Float32Array, calibration: Uint8Array, count: number, percentile = 0.999): { cfg: NetConfig; params: Float32Array; lambdas: number[] } {
  if (cfg.mode !== 'float') throw new Error('convertFloat expects a float-trained network');
  const A = (1 << cfg.actBits) - 1;
  const nl = cfg.layers.length;
  const ws = newWorkspace(cfg);
  const net: Net = { cfg, layout, params: floatParams, qs: [], ws };
  const n = cfg.layers[0].rows;
  const x = new Float32Array(n);
  const acts: number[][] = cfg.layers.slice(0, nl - 1).map(() => []);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < n; k++) x[k] = calibration[i * n + k];
    forwardSample(net, x);
    for (let l = 0; l < nl - 1; l++) for (const v of ws.act[l]) if (v > 0) acts[l].push(v);
  }
  const lambdas = acts.map((a) => {
    if (a.length === 0) return 1;
    const sorted = Float64Array.from(a).sort();
    return Math.max(1e-6, sorted[Math.min(sorted.length - 1, Math.floor(percentile * sorted.length))] / A);
  });
  const params = Float32Array.from(floatParams);
  for (let l = 0; l < nl; l++) {
    const L = cfg.layers[l];
    const inScale = l === 0 ? 1 : lambdas[l - 1];
    for (let i = 0; i < L.rows * L.outChannels; i++) params[layout.w[l] + i] *= inScale;
    for (let j = 0; j < L.outChannels; j++) {
      if (l < nl - 1) {
        params[layout.c[l] + j] += lambdas[l] / 2; // round to nearest instead of floor
        params[layout.tau[l] + j] = Math.log(lambdas[l]);
      } else {
        params[layout.tau[l] + j] = 0;
      }
    }
  }
  return { cfg: { ...cfg, mode: 'qat', perNeuronScale: false }, params, lambdas };
}
