/**
 * Data-dependent init: weights He-normal, rescaled per layer so the pre-activations of an init batch
 * have unit standard deviation; hidden thresholds T_j = 2.5 std_j / A (per neuron); in split mode the
 * last layer's bound threshold covers its largest observed group partial. Statistics are taken over
 * samples and output positions (conv1d frames); each next layer sees the codes of the layers below,
 * computed by the training forward pass itself (float mode: the ReLU of the normalized pre-activations).
 */
import { floatLayer, forwardLayers } from './forward.ts';
import { type Net, type NetConfig, type ParamLayout, initParams, inputOffset, newQLayer, newWorkspace, positionsOf, quantizeLayer } from './net.ts';
import { Rng } from '../util/prng.ts';

/** Samples the init looks at: the first `INIT_SAMPLES` of a seeded shuffle of the training set. */
const INIT_SAMPLES = 512;

/** Initializes `params` from a fixed random subset of the training set (seed stream 1); returns each layer's input RMS. */
export function initFromTrainingSet(cfg: NetConfig, layout: ParamLayout, params: Float32Array, seed: number, trainCount: number, encode: (index: number) => Float32Array): number[] {
  const rng = new Rng(seed, 1);
  const order = new Uint32Array(trainCount).map((_, i) => i);
  rng.shuffle(order);
  return initFromData(cfg, layout, params, rng, (k) => encode(order[k]), Math.min(INIT_SAMPLES, trainCount));
}

function initFromData(cfg: NetConfig, layout: ParamLayout, params: Float32Array, rng: Rng, sample: (k: number) => Float32Array, count: number): number[] {
  const rmsIn: number[] = [];
  initParams(cfg, layout, params, rng);
  const A = (1 << cfg.actBits) - 1;
  const nl = cfg.layers.length;
  const net: Net = { cfg, layout, params, qs: cfg.layers.map((L) => newQLayer(cfg, L)), ws: newWorkspace(cfg) };
  const xs: Float32Array[] = [];
  for (let k = 0; k < count; k++) xs.push(Float32Array.from(sample(k)));
  let inputs = xs;
  for (let l = 0; l < nl; l++) {
    const L = cfg.layers[l];
    const out = L.outChannels;
    // Statistics over the crossbar's positions (conv2d: the map before pooling).
    const F = positionsOf(L);
    const window = net.ws.window[l];
    const wo = layout.w[l];
    // Under leak each input code contributes its activity (leak.ts), to the statistics as to the forward pass.
    const activity = net.ws.leak ? net.ws.leak[l].activity : null;
    const effective = activity ? inputs.map((x) => Float32Array.from(x, (a) => activity[a])) : inputs;
    let sq = 0;
    let nIn = 0;
    for (const x of effective) {
      for (let t = 0; t < F; t++) {
        for (let r = 0, b = inputOffset(L, t); r < L.rows; r++) {
          const i = window ? window[t * L.rows + r] : b + r;
          if (i >= 0) sq += x[i] * x[i];
        }
      }
      nIn += F * L.rows;
    }
    rmsIn.push(Math.sqrt(sq / Math.max(1, nIn)) || 1);
    // Pre-activations of the latent weights (biases are 0 at init).
    const u = effective.map((x) => {
      floatLayer(net, l, x, null);
      return Float64Array.from(net.ws.mapZ[l]);
    });
    let s2 = 0;
    for (const z of u) for (let i = 0; i < z.length; i++) s2 += z[i] * z[i];
    const std = Math.sqrt(s2 / (u.length * F * out)) || 1;
    for (let i = 0; i < L.rows * out; i++) params[wo + i] /= std;
    for (const z of u) for (let i = 0; i < z.length; i++) z[i] /= std;
    const last = l === nl - 1;
    for (let j = 0; j < out; j++) {
      let sj = 0;
      for (const z of u) for (let t = 0; t < F; t++) sj += z[t * out + j] * z[t * out + j];
      const sd = Math.sqrt(sj / (u.length * F)) || 1;
      const T = !last ? (2.5 * sd) / A : cfg.mode === 'split' ? Math.max(largestGroupPartial(net, l, j, effective) / cfg.chargeBound, 1e-3) : 1;
      params[layout.tau[l] + j] = Math.log(T);
    }
    if (last) break;
    if (cfg.mode === 'float' && net.ws.winner[l]) {
      // Pooled: the next layer reads the pooled ReLU outputs of the rescaled weights.
      inputs = effective.map((x) => {
        floatLayer(net, l, x, null);
        return Float32Array.from(net.ws.act[l]);
      });
    } else if (cfg.mode === 'float') {
      inputs = u.map((z) => Float32Array.from(z, (v) => (v > 0 ? v : 0)));
    } else {
      quantizeLayer(cfg, layout, params, l, net.qs[l]);
      inputs = xs.map((x) => Float32Array.from(forwardLayers(net, x, l + 1)));
    }
  }
  return rmsIn;
}

/** Largest |partial| of neuron j of layer l over the samples' positions and `groupRows`-row groups (latent weights). */
function largestGroupPartial(net: Net, l: number, j: number, inputs: Float32Array[]): number {
  const { cfg, layout, params } = net;
  const L = cfg.layers[l];
  const out = L.outChannels;
  const wo = layout.w[l];
  const G = Math.ceil(L.rows / cfg.groupRows);
  let m = 0;
  const window = net.ws.window[l];
  for (const x of inputs) {
    for (let t = 0; t < positionsOf(L); t++) {
      const base = inputOffset(L, t);
      for (let g = 0; g < G; g++) {
        let p = 0;
        for (let r = g * cfg.groupRows; r < Math.min(L.rows, (g + 1) * cfg.groupRows); r++) {
          const i = window ? window[t * L.rows + r] : base + r;
          if (i >= 0) p += x[i] * params[wo + r * out + j];
        }
        m = Math.max(m, Math.abs(p));
      }
    }
  }
  return m;
}
