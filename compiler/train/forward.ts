/**
 * The training graph's forward pass for one sample. In qat and split modes it is the runtime's
 * integer semantics (runtime/network.ts) computed in exact float arithmetic on integer values:
 * partials of integer weights times codes, the macro's merge (gain, clamp to +-C*theta, sum), then
 * code = clamp(floor((V + b) / theta), 0, A) for hidden layers and score = V + b for the last.
 * test/train/forward-vs-runtime.test.ts checks it against the runtime on random models.
 */
import { axpy64, nextSpikes } from './kernels.ts';
import { packWeights, packable, packedPartials, unpackPartials } from './packed.ts';
import { type Net, type WindowRuns, positionsOf } from './net.ts';

/**
 * Clip codes of the merge, per (position, group, neuron) in ws.clip: 0 = the gained partial was
 * inside +-C*theta; the sign says which side it was clamped to; CLIP_HARMLESS = the clamp left the
 * neuron's code unchanged, CLIP_HARMFUL = it changed the code (hidden layer) or the score (output).
 */
export const CLIP_HARMLESS = 1;
export const CLIP_HARMFUL = 2;

/** One group's partial times its gain 2^k (k < 0: floor division, the runtime's arithmetic shift). */
function gained(p: number, k: number): number {
  return k > 0 ? p * 2 ** k : k < 0 ? Math.floor(p / 2 ** -k) : p;
}

/**
 * The merge: neuron j's group partials P[pb + g * out + j], gained and clamped to +-bound, summed
 * in group order. Writes each group's clip sign (0 or +-CLIP_HARMLESS) to clip; returns the charge.
 */
export function mergePartials(P: Float64Array, pb: number, out: number, j: number, groups: number, gain: Int8Array, bound: number, clip: Int8Array): number {
  let V = 0;
  for (let g = 0; g < groups; g++) {
    let p = gained(P[pb + g * out + j], gain[g * out + j]);
    let c = 0;
    if (p > bound) {
      p = bound;
      c = CLIP_HARMLESS;
    } else if (p < -bound) {
      p = -bound;
      c = -CLIP_HARMLESS;
    }
    clip[pb + g * out + j] = c;
    V += p;
  }
  return V;
}

/** The charge an unbounded merge would give (same partials and gains, no clamp). */
function unclampedCharge(P: Float64Array, pb: number, out: number, j: number, groups: number, gain: Int8Array): number {
  let V = 0;
  for (let g = 0; g < groups; g++) V += gained(P[pb + g * out + j], gain[g * out + j]);
  return V;
}

/** Whether any of neuron j's groups was clamped. */
function anyClipped(clip: Int8Array, pb: number, out: number, j: number, groups: number): boolean {
  for (let g = 0; g < groups; g++) if (clip[pb + g * out + j] !== 0) return true;
  return false;
}

/** Upgrades neuron j's clips to harmful (sign kept). */
function markHarmful(clip: Int8Array, pb: number, out: number, j: number, groups: number): void {
  for (let g = 0; g < groups; g++) {
    const i = pb + g * out + j;
    if (clip[i] !== 0) clip[i] = clip[i] > 0 ? CLIP_HARMFUL : -CLIP_HARMFUL;
  }
}

/** Float-mode layer l: z = c + sum w x from the latent weights, ReLU for hidden layers (z kept in ws.z). */
export function floatLayer(net: Net, l: number, x: Float32Array, pre: Float64Array | null): void {
  const { cfg, layout, params, ws } = net;
  const L = cfg.layers[l];
  const out = L.outChannels;
  const last = l === cfg.layers.length - 1;
  const wo = layout.w[l];
  const co = layout.c[l];
  const { mapAct: { [l]: act }, mapZ: { [l]: zb }, partials: { [l]: P }, runs: { [l]: runs } } = ws;
  const positions = positionsOf(L);
  for (let t = 0; t < positions; t++) {
    const po = t * out;
    if (pre) {
      P.set(pre);
    } else {
      for (let j = 0; j < out; j++) P[po + j] = params[co + j];
      for (let k = runs.first[t], e = runs.first[t + 1]; k < e; k++) {
        const r0 = runs.row[k];
        const i0 = runs.input[k];
        for (let c = 0, n = runs.len[k]; c < n; c++) {
          const a = x[i0 + c];
          if (a === 0) continue;
          axpy64(P, po, a, params, wo + (r0 + c) * out, out);
        }
      }
    }
    for (let j = 0; j < out; j++) {
      const z = P[po + j];
      zb[po + j] = z;
      act[po + j] = last ? z : z > 0 ? z : 0;
    }
  }
  if (ws.winner[l]) poolLayer(net, l);
}

/**
 * Spike-time max pooling of layer l's map (ws.mapAct / mapZ) into ws.act / ws.z: each q x q
 * window gives its largest output, as runtime/grid.ts poolCodes (the largest code = the earliest
 * spike). The winner, whose z the next layer's gate reads and to which backward routes the
 * gradient, is the position of the largest z, the first on ties: a code is floor(z) clamped (float
 * mode: ReLU), so the winner's output is the window's largest, the value the runtime keeps.
 */
function poolLayer(net: Net, l: number): void {
  const L = net.cfg.layers[l];
  const { convHeight, convWidth, pool: q } = L.grid!;
  const m = L.outChannels;
  const { mapAct: { [l]: mapAct }, mapZ: { [l]: mapZ }, act: { [l]: act }, z: { [l]: zb } } = net.ws;
  const winner = net.ws.winner[l]!;
  const outWidth = Math.floor(convWidth / q);
  const outHeight = Math.floor(convHeight / q);
  for (let py = 0; py < outHeight; py++) {
    for (let px = 0; px < outWidth; px++) {
      // Per channel j a running maximum in zb / winner, window positions in row order.
      const dest = (py * outWidth + px) * m;
      for (let j = 0; j < m; j++) {
        zb[dest + j] = -Infinity;
        winner[dest + j] = -1;
      }
      for (let dy = 0; dy < q; dy++) {
        for (let dx = 0; dx < q; dx++) {
          const at = ((py * q + dy) * convWidth + px * q + dx) * m;
          for (let j = 0; j < m; j++) {
            const v = mapZ[at + j];
            if (v > zb[dest + j]) {
              zb[dest + j] = v;
              winner[dest + j] = at + j;
            }
          }
        }
      }
      for (let j = 0; j < m; j++) act[dest + j] = mapAct[winner[dest + j]];
    }
  }
}

/** Integer layer l (qat, split): codes (hidden) or scores (last) into ws.act[l], z = (V + b) / theta into ws.z[l]. */
function integerLayer(net: Net, l: number, x: Float32Array, pre: Float64Array | null): void {
  const { cfg, ws } = net;
  const q = net.qs[l];
  const L = cfg.layers[l];
  const out = L.outChannels;
  const last = l === cfg.layers.length - 1;
  const { mapAct: { [l]: act }, mapZ: { [l]: zb }, partials: { [l]: P }, clip: { [l]: clip }, runs: { [l]: runs } } = ws;
  const G = q.groups;
  const R = q.groupRows;
  const amax = (1 << cfg.actBits) - 1;
  const merged = G > 1 || cfg.mode === 'split';
  const activity = ws.leak ? ws.leak[l].activity : null;
  const positions = positionsOf(L);
  const { rowCode, rowAt } = ws;
  const next = pre ? null : nextSpikes(x, ws.next[l]);
  // A conv layer's partials without leak go two per double (packed.ts); packing is once per call.
  const h = (out + 1) >> 1;
  const Wp = !pre && !activity && positions > 1 && packable(R, l === 0 ? (1 << cfg.inputBits) - 1 : amax, (1 << (cfg.weightBits - 1)) - 1) ? ws.packedW[l] : null;
  if (Wp) packWeights(q.Wq, L.rows, out, Wp);
  let silent = -1;
  for (let t = 0; t < positions; t++) {
    const pb = t * G * out;
    const zo = t * out;
    if (pre) {
      P.set(pre);
    } else {
      let spikes: number;
      if (Wp) {
        spikes = packedPartials(runs, t, x, next!, G, R, Wp, h, ws.packedP[l], rowCode, rowAt);
        if (spikes > 0) unpackPartials(ws.packedP[l], G, h, out, P, pb);
        else P.fill(0, pb, pb + G * out);
      } else spikes = rowPartials(runs, t, x, next!, G, R, q.Wq, out, P, pb, activity);
      if (spikes === 0) {
        // A silent window (common in a conv layer's first input: the image background): every
        // partial is 0, nothing clips, V = 0; the same values the merge below computes, cheaper,
        // and the same at every silent position: computed at the first, copied to the others.
        clip.fill(0, pb, pb + G * out);
        if (silent >= 0) copyOutputs(act, zb, silent, zo, out);
        else {
          silentOutputs(q.bias, q.theta, last, amax, act, zb, zo, out);
          silent = zo;
        }
        continue;
      }
    }
    for (let j = 0; j < out; j++) {
      const V = merged ? mergePartials(P, pb, out, j, G, q.gain, cfg.chargeBound * q.theta[j], clip) : P[pb + j];
      const clipped = merged && anyClipped(clip, pb, out, j, G);
      if (last) {
        zb[zo + j] = V + q.bias[j];
        act[zo + j] = V + q.bias[j];
        // Every clip of an output neuron changes its score.
        if (clipped) markHarmful(clip, pb, out, j, G);
        continue;
      }
      const z = (V + q.bias[j]) / q.theta[j];
      zb[zo + j] = z;
      let code = Math.floor(z);
      if (code < 0) code = 0;
      else if (code > amax) code = amax;
      act[zo + j] = code;
      if (clipped) {
        // A clip on a neuron that stays silent (or saturated) either way costs nothing and is not penalized.
        let raw = Math.floor((unclampedCharge(P, pb, out, j, G, q.gain) + q.bias[j]) / q.theta[j]);
        if (raw < 0) raw = 0;
        else if (raw > amax) raw = amax;
        if (raw !== code) markHarmful(clip, pb, out, j, G);
      }
    }
  }
  if (ws.winner[l]) poolLayer(net, l);
}

/**
 * Partials (G x out) of output position t into P[pb..] (the layers packed.ts does not take: dense,
 * leak, a fan-in too large for a lane): its window's spiking inputs (next: the next-spike index)
 * times the integer weights, row by row in row order. Returns the number of spikes.
 */
function rowPartials(runs: WindowRuns, t: number, x: Float32Array, next: Int32Array, G: number, R: number, W: Float32Array, out: number, P: Float64Array, pb: number, activity: Float64Array | null): number {
  P.fill(0, pb, pb + G * out);
  let spikes = 0;
  for (let k = runs.first[t], e = runs.first[t + 1]; k < e; k++) {
    const r0 = runs.row[k];
    const i0 = runs.input[k];
    const go = pb + (G === 1 ? 0 : Math.floor(r0 / R) * out);
    for (let i = next[i0], end = i0 + runs.len[k]; i < end; i = next[i + 1]) {
      spikes++;
      axpy64(P, go, activity ? activity[x[i]] : x[i], W, (r0 + i - i0) * out, out);
    }
  }
  return spikes;
}

/** Copies the outputs of neurons 0..out-1 at offset `from` to offset `to`. */
function copyOutputs(act: Float32Array, zb: Float64Array, from: number, to: number, out: number): void {
  for (let j = 0; j < out; j++) {
    act[to + j] = act[from + j];
    zb[to + j] = zb[from + j];
  }
}

/** Outputs of neurons 0..out-1 at charge V = 0 (written as the merge path computes them, so -0 biases give the same bits). */
function silentOutputs(bias: Float64Array, theta: Float64Array, last: boolean, amax: number, act: Float32Array, zb: Float64Array, zo: number, out: number): void {
  const V = 0;
  for (let j = 0; j < out; j++) {
    if (last) {
      zb[zo + j] = V + bias[j];
      act[zo + j] = V + bias[j];
      continue;
    }
    const z = (V + bias[j]) / theta[j];
    zb[zo + j] = z;
    let code = Math.floor(z);
    if (code < 0) code = 0;
    else if (code > amax) code = amax;
    act[zo + j] = code;
  }
}

/** Forward of layer l for one sample (input x -> ws.act[l]); `pre`: partials already accumulated (batched first layer). */
export function forwardLayer(net: Net, l: number, x: Float32Array, pre: Float64Array | null = null): void {
  if (net.cfg.mode === 'float') floatLayer(net, l, x, pre);
  else integerLayer(net, l, x, pre);
}

/** Forward of layers 0..count-1; returns the last one's output (ws.act[count - 1]). */
export function forwardLayers(net: Net, x: Float32Array, count: number, pre: Float64Array | null = null): Float32Array {
  let input = x;
  for (let l = 0; l < count; l++) {
    forwardLayer(net, l, input, l === 0 ? pre : null);
    input = net.ws.act[l];
  }
  return input;
}

/** Full forward for one sample; returns the predicted class (argmax, lowest index on ties). Logits land in ws.act[last]. */
export function forwardSample(net: Net, x: Float32Array, pre: Float64Array | null = null): number {
  const scores = forwardLayers(net, x, net.cfg.layers.length, pre);
  let best = 0;
  for (let j = 1; j < scores.length; j++) if (scores[j] > scores[best]) best = j;
  return best;
}
