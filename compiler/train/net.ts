/**
 * The trainable network: a stack of conv1d-over-frames layers executed by im2col (a dense layer is
 * the case inFrames = kernel = stride = 1), with three forward modes:
 *
 * - `float`: z = sum w x + c, ReLU hidden activations (the float baseline; converted afterwards);
 * - `qat`:   the quantized spiking forward of the runtime's ideal mode, computed in integer units:
 *            V = sum Wq a, code = clamp(floor((V + b) / theta), 0, A); straight-through estimators;
 * - `split`: split-train for the macro: each fan-in is split into `groupRows`-row groups, each group's
 *            partial is scaled by its power-of-two gain and clamped to +-C*theta_j, and the clamped
 *            partials are summed (the merge) before bias and threshold; STE through the unclipped groups.
 *
 * Latent float parameters per layer: w (rows x out, row-major by input row like the crossbar),
 * c (bias) and tau = log T (threshold). The quantized integer layer is derived from them each step
 * (see quantizeLayer), so the training graph's quantized forward IS the integer network the runtime runs.
 */
import type { LayerSpec } from '../tcm/spec.ts';
import type { Rng } from './rng.ts';

export type TrainMode = 'float' | 'qat' | 'split';

/** A layer's geometry: the LayerSpec fields it exports to, plus what follows from them. */
export interface LayerShape extends Pick<LayerSpec, 'kind' | 'inFrames' | 'inChannels' | 'kernel' | 'stride' | 'outChannels'> {
  outFrames: number;
  rows: number;
}

/** The quantization and split-train settings the training graph shares with the trainer's options. */
export interface QuantSettings {
  actBits: number;
  weightBits: number;
  /** Macro (split mode): rows per group, charge bound C, largest negative gain shift used for small groups. */
  groupRows: number;
  chargeBound: number;
  maxGainShift: number;
  /** Hidden layers: per-neuron weight scale (true) or one scale per layer (false, used by the float conversion). */
  perNeuronScale: boolean;
  /** Penalty weights: stalled neurons (silent / saturated over the recent batches), clipped partials. */
  stallPenalty: number;
  clipPenalty: number;
}

export interface NetConfig extends QuantSettings {
  layers: LayerShape[];
  mode: TrainMode;
  /** Bits of input codes (hidden-layer codes have actBits). */
  inputBits: number;
  /** Label smoothing eps of the cross-entropy target: (1 - eps) one-hot + eps / classes (0 = off). */
  labelSmoothing?: number;
}

export function denseShape(inputs: number, outputs: number): LayerShape {
  return { kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: outputs, outFrames: 1, rows: inputs };
}

export function conv1dShape(inFrames: number, inChannels: number, kernel: number, stride: number, outChannels: number): LayerShape {
  const outFrames = Math.floor((inFrames - kernel) / stride) + 1;
  if (outFrames < 1) throw new Error(`conv1d: kernel ${kernel} longer than ${inFrames} input frames`);
  return { kind: 'conv1d', inFrames, inChannels, kernel, stride, outChannels, outFrames, rows: kernel * inChannels };
}

/** Offsets of each layer's parameter block inside the flat parameter vector. */
export interface ParamLayout {
  w: number[];
  c: number[];
  tau: number[];
  total: number;
}

export function paramLayout(cfg: NetConfig): ParamLayout {
  const layout: ParamLayout = { w: [], c: [], tau: [], total: 0 };
  let off = 0;
  for (const L of cfg.layers) {
    layout.w.push(off);
    off += L.rows * L.outChannels;
    layout.c.push(off);
    off += L.outChannels;
    layout.tau.push(off);
    off += L.outChannels;
  }
  layout.total = off;
  return layout;
}

export function groupCount(cfg: NetConfig, L: LayerShape): number {
  return cfg.mode === 'split' ? Math.ceil(L.rows / cfg.groupRows) : 1;
}

/** Integer layer derived from the latent parameters (what gets written to the .tcm). */
export interface QLayer {
  groups: number;
  groupRows: number;
  /** rows x out integer weights (stored as floats for the kernels). */
  Wq: Float32Array;
  theta: Float64Array;
  bias: Float64Array;
  /** groups x out signed gain shifts (0 in ideal mode). */
  gain: Int8Array;
  /** Per output channel: float value of one integer charge unit (for STE and logits). */
  unit: Float64Array;
  /** Per output channel float threshold T = exp(tau). */
  T: Float64Array;
}

export function newQLayer(cfg: NetConfig, L: LayerShape): QLayer {
  const G = groupCount(cfg, L);
  return {
    groups: G,
    groupRows: G === 1 ? L.rows : cfg.groupRows,
    Wq: new Float32Array(L.rows * L.outChannels),
    theta: new Float64Array(L.outChannels),
    bias: new Float64Array(L.outChannels),
    gain: new Int8Array(G * L.outChannels),
    unit: new Float64Array(L.outChannels),
    T: new Float64Array(L.outChannels),
  };
}

/** Runtime limits (runtime/format.ts LIMITS): thresholds <= 2^24, |bias| <= 2^28. */
const MAX_THETA = 2 ** 24;
const MAX_BIAS = 2 ** 28;

/**
 * Quantizes layer `l`: weight scale per neuron (hidden, perNeuronScale) or per layer (last layer always,
 * so that the integer scores of all classes share one unit); in split mode a group whose weights are
 * at most 1/2^k of the neuron's largest gets k more bits of weight resolution and gain shift -k
 * (partial floor-divided by 2^k). theta = round(T / unit), b = round(c / unit).
 */
export function quantizeLayer(cfg: NetConfig, layout: ParamLayout, params: Float32Array, l: number, q: QLayer): void {
  const L = cfg.layers[l];
  const out = L.outChannels;
  const rows = L.rows;
  const last = l === cfg.layers.length - 1;
  const qmax = (1 << (cfg.weightBits - 1)) - 1;
  const wo = layout.w[l];
  const co = layout.c[l];
  const to = layout.tau[l];
  const colMax = new Float64Array(out);
  for (let r = 0; r < rows; r++) {
    const ro = wo + r * out;
    for (let j = 0; j < out; j++) {
      const a = Math.abs(params[ro + j]);
      if (a > colMax[j]) colMax[j] = a;
    }
  }
  let layerMax = 0;
  for (let j = 0; j < out; j++) if (colMax[j] > layerMax) layerMax = colMax[j];
  const perNeuron = !last && cfg.perNeuronScale;
  for (let j = 0; j < out; j++) {
    const m = perNeuron ? colMax[j] : layerMax;
    q.unit[j] = m > 0 ? m / qmax : 1e-6;
  }
  const G = q.groups;
  const R = q.groupRows;
  const groupScale = new Float64Array(G * out);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < out; j++) {
      let k = 0;
      if (G > 1 && cfg.maxGainShift > 0) {
        let gm = 0;
        const r1 = Math.min(rows, (g + 1) * R);
        for (let r = g * R; r < r1; r++) {
          const a = Math.abs(params[wo + r * out + j]);
          if (a > gm) gm = a;
        }
        const m = q.unit[j] * qmax;
        while (k < cfg.maxGainShift && gm > 0 && gm * 2 ** (k + 1) <= m) k++;
      }
      q.gain[g * out + j] = -k;
      groupScale[g * out + j] = 2 ** k / q.unit[j];
    }
  }
  for (let r = 0; r < rows; r++) {
    const g = G === 1 ? 0 : Math.floor(r / R);
    const ro = r * out;
    for (let j = 0; j < out; j++) {
      let v = Math.round(params[wo + ro + j] * groupScale[g * out + j]);
      if (v > qmax) v = qmax;
      else if (v < -qmax) v = -qmax;
      q.Wq[ro + j] = v;
    }
  }
  for (let j = 0; j < out; j++) {
    const T = Math.exp(params[to + j]);
    q.T[j] = T;
    let th = Math.round(T / q.unit[j]);
    if (!(th >= 1)) th = 1;
    if (th > MAX_THETA) th = MAX_THETA;
    q.theta[j] = th;
    let b = Math.round(params[co + j] / q.unit[j]);
    if (b > MAX_BIAS) b = MAX_BIAS;
    else if (b < -MAX_BIAS) b = -MAX_BIAS;
    q.bias[j] = b;
  }
}

/** Per-shard scratch buffers and statistics for forward/backward. */
export interface Workspace {
  /** Per layer: output activations (codes or floats), pre-activation z, partials, clip signs, dOut. */
  act: Float32Array[];
  z: Float64Array[];
  partials: Float64Array[];
  clip: Int8Array[];
  dOut: Float32Array[];
  dq: Float64Array[];
  probs: Float64Array;
}

export function newWorkspace(cfg: NetConfig): Workspace {
  const ws: Workspace = { act: [], z: [], partials: [], clip: [], dOut: [], dq: [], probs: new Float64Array(cfg.layers[cfg.layers.length - 1].outChannels) };
  for (const L of cfg.layers) {
    const G = groupCount(cfg, L);
    const n = L.outFrames * L.outChannels;
    ws.act.push(new Float32Array(n));
    ws.z.push(new Float64Array(n));
    ws.partials.push(new Float64Array(L.outFrames * G * L.outChannels));
    ws.clip.push(new Int8Array(L.outFrames * G * L.outChannels));
    ws.dOut.push(new Float32Array(n));
    ws.dq.push(new Float64Array(G * L.outChannels));
  }
  return ws;
}

/** Statistics accumulated over a shard (integers or sums in a fixed order -> deterministic). */
export interface Stats {
  loss: number;
  correct: number;
  samples: number;
  /** Per hidden neuron over all layers (concatenated): fired (code > 0) and saturated (code = max) counts. */
  fired: Float64Array;
  saturated: Float64Array;
  /** Per neuron of every layer: clipped partial count, and partials seen. */
  clipped: Float64Array;
  partialsSeen: Float64Array;
}

export function neuronOffsets(cfg: NetConfig): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let total = 0;
  for (const L of cfg.layers) {
    offsets.push(total);
    total += L.outChannels;
  }
  return { offsets, total };
}

export function newStats(cfg: NetConfig): Stats {
  const n = neuronOffsets(cfg).total;
  return { loss: 0, correct: 0, samples: 0, fired: new Float64Array(n), saturated: new Float64Array(n), clipped: new Float64Array(n), partialsSeen: new Float64Array(n) };
}

export function resetStats(s: Stats): void {
  s.loss = 0;
  s.correct = 0;
  s.samples = 0;
  s.fired.fill(0);
  s.saturated.fill(0);
  s.clipped.fill(0);
  s.partialsSeen.fill(0);
}

/** y[yo..yo+n) += a * x[xo..xo+n), unrolled by 4 (the hot loop of forward). */
function axpy64(y: Float64Array, yo: number, a: number, x: Float32Array, xo: number, n: number): void {
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    y[yo + j] += a * x[xo + j];
    y[yo + j + 1] += a * x[xo + j + 1];
    y[yo + j + 2] += a * x[xo + j + 2];
    y[yo + j + 3] += a * x[xo + j + 3];
  }
  for (; j < n; j++) y[yo + j] += a * x[xo + j];
}

/** y[yo..yo+n) += a * x[xo..xo+n) for the weight gradient (a copy of axpy64 with the array types swapped: one typed-array type per call site keeps V8 monomorphic). */
function axpy32(y: Float32Array, yo: number, a: number, x: Float64Array, xo: number, n: number): void {
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    y[yo + j] += a * x[xo + j];
    y[yo + j + 1] += a * x[xo + j + 1];
    y[yo + j + 2] += a * x[xo + j + 2];
    y[yo + j + 3] += a * x[xo + j + 3];
  }
  for (; j < n; j++) y[yo + j] += a * x[xo + j];
}

function dot(w: Float32Array, wo: number, d: Float64Array, d0: number, n: number): number {
  const n4 = n & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j < n4; j += 4) {
    s0 += w[wo + j] * d[d0 + j];
    s1 += w[wo + j + 1] * d[d0 + j + 1];
    s2 += w[wo + j + 2] * d[d0 + j + 2];
    s3 += w[wo + j + 3] * d[d0 + j + 3];
  }
  for (; j < n; j++) s0 += w[wo + j] * d[d0 + j];
  return s0 + s1 + (s2 + s3);
}

/** Float-mode forward of one layer (ReLU hidden activations). */
function forwardFloat(L: LayerShape, wo: number, co: number, params: Float32Array, x: Float32Array, act: Float32Array, zb: Float64Array, P: Float64Array, last: boolean, pre: Float64Array | null): void {
  const out = L.outChannels;
  const rows = L.rows;
  for (let t = 0; t < L.outFrames; t++) {
    const base = t * L.stride * L.inChannels;
    const po = t * out;
    if (pre) {
      P.set(pre);
    } else {
      for (let j = 0; j < out; j++) P[po + j] = params[co + j];
      for (let r = 0; r < rows; r++) {
        const a = x[base + r];
        if (a === 0) continue;
        axpy64(P, po, a, params, wo + r * out, out);
      }
    }
    for (let j = 0; j < out; j++) {
      const z = P[po + j];
      zb[po + j] = z;
      act[po + j] = last ? z : z > 0 ? z : 0;
    }
  }
}

/** Forward of layer l for one sample (input x -> ws.act[l]). */
function forwardLayer(cfg: NetConfig, layout: ParamLayout, params: Float32Array, q: QLayer, l: number, x: Float32Array, ws: Workspace, pre: Float64Array | null): void {
  const L = cfg.layers[l];
  const out = L.outChannels;
  const rows = L.rows;
  const last = l === cfg.layers.length - 1;
  const act = ws.act[l];
  const zb = ws.z[l];
  const P = ws.partials[l];
  if (cfg.mode === 'float') {
    forwardFloat(L, layout.w[l], layout.c[l], params, x, act, zb, P, last, pre);
    return;
  }
  const G = q.groups;
  const R = q.groupRows;
  const W = q.Wq;
  const amax = (1 << cfg.actBits) - 1;
  const C = cfg.chargeBound;
  const clip = ws.clip[l];
  for (let t = 0; t < L.outFrames; t++) {
    const base = t * L.stride * L.inChannels;
    const pb = t * G * out;
    if (pre) {
      P.set(pre);
    } else {
      P.fill(0, pb, pb + G * out);
      for (let r = 0; r < rows; r++) {
        const a = x[base + r];
        if (a === 0) continue;
        const po = pb + (G === 1 ? 0 : Math.floor(r / R) * out);
        axpy64(P, po, a, W, r * out, out);
      }
    }
    const zo = t * out;
    for (let j = 0; j < out; j++) {
      let V: number;
      let anyClip = false;
      let Vraw = 0;
      if (G === 1 && cfg.mode !== 'split') {
        V = P[pb + j];
      } else {
        V = 0;
        const bound = C * q.theta[j];
        for (let g = 0; g < G; g++) {
          let p = P[pb + g * out + j];
          const k = q.gain[g * out + j];
          if (k > 0) p *= 2 ** k;
          else if (k < 0) p = Math.floor(p / 2 ** -k);
          Vraw += p;
          let c = 0;
          if (p > bound) {
            p = bound;
            c = 1;
          } else if (p < -bound) {
            p = -bound;
            c = -1;
          }
          if (c !== 0) anyClip = true;
          clip[pb + g * out + j] = c;
          V += p;
        }
      }
      if (last) {
        zb[zo + j] = V + q.bias[j];
        act[zo + j] = V + q.bias[j];
        // Every clip of an output neuron changes its score: all count as harmful (+-2).
        if (anyClip) for (let g = 0; g < G; g++) clip[pb + g * out + j] *= 2;
      } else {
        const z = (V + q.bias[j]) / q.theta[j];
        zb[zo + j] = z;
        let code = Math.floor(z);
        if (code < 0) code = 0;
        else if (code > amax) code = amax;
        act[zo + j] = code;
        if (anyClip) {
          // A clip is harmful (+-2) when the neuron's code differs from the unclipped one; a clip on a
          // neuron that stays silent (or saturated) either way (+-1) costs nothing and is not penalized.
          let raw = Math.floor((Vraw + q.bias[j]) / q.theta[j]);
          if (raw < 0) raw = 0;
          else if (raw > amax) raw = amax;
          if (raw !== code) for (let g = 0; g < G; g++) clip[pb + g * out + j] *= 2;
        }
      }
    }
  }
}

/** Full forward for one sample; returns the predicted class (argmax, lowest index on ties). Logits land in ws.act[last]. */
export function forwardSample(cfg: NetConfig, layout: ParamLayout, params: Float32Array, qs: QLayer[], x: Float32Array, ws: Workspace, pre: Float64Array | null = null): number {
  let input = x;
  for (let l = 0; l < cfg.layers.length; l++) {
    forwardLayer(cfg, layout, params, qs[l], l, input, ws, l === 0 ? pre : null);
    input = ws.act[l];
  }
  const scores = input;
  let best = 0;
  for (let j = 1; j < scores.length; j++) if (scores[j] > scores[best]) best = j;
  return best;
}

/** Backward of layer l for one sample: accumulates parameter gradients, and writes dx (if given). */
function backwardLayer(cfg: NetConfig, layout: ParamLayout, params: Float32Array, q: QLayer, l: number, x: Float32Array, dx: Float32Array | null, grad: Float32Array, ws: Workspace, flags: Uint8Array, nOff: number, dqOut: Float64Array | null): void {
  const L = cfg.layers[l];
  const out = L.outChannels;
  const rows = L.rows;
  const last = l === cfg.layers.length - 1;
  const dOut = ws.dOut[l];
  const zb = ws.z[l];
  const wo = layout.w[l];
  const co = layout.c[l];
  const to = layout.tau[l];
  const dq = ws.dq[l];
  const zPrev = l > 0 ? ws.z[l - 1] : null;
  if (dx) dx.fill(0);
  const float = cfg.mode === 'float';
  const G = float ? 1 : q.groups;
  const R = float ? rows : q.groupRows;
  const amax = (1 << cfg.actBits) - 1;
  const C = cfg.chargeBound;
  const clip = ws.clip[l];
  const P = ws.partials[l];
  const split = cfg.mode === 'split';
  const pen = cfg.stallPenalty;
  const cpen = cfg.clipPenalty;
  for (let t = 0; t < L.outFrames; t++) {
    const zo = t * out;
    const pb = t * G * out;
    let any = false;
    for (let j = 0; j < out; j++) {
      const z = zb[zo + j];
      let dV: number;
      if (float) {
        dV = last ? dOut[zo + j] : z > 0 ? dOut[zo + j] : 0;
        dq[j] = dV;
        grad[co + j] += dV;
        if (dV !== 0) any = true;
        continue;
      }
      const T = q.T[j];
      let clipSum = 0;
      if (split) for (let g = 0; g < G; g++) clipSum += Math.sign(clip[pb + g * out + j]);
      if (last) {
        dV = dOut[zo + j];
        if (clipSum !== 0) grad[to + j] += dV * T * clipSum * C;
      } else {
        const dz = z >= 0 && z < amax + 1 ? dOut[zo + j] : 0;
        dV = dz / T;
        grad[to + j] += dz * (-z + clipSum * C);
        // Stall penalty: a neuron silent (or saturated) over the recent batches gets its bias pushed
        // up (down) on the samples where it is off (at the rail). Only its own bias: propagating the
        // penalty through its weights to the layer below destabilizes deep networks.
        const f = flags[nOff + j];
        if (f === 1 && z < 0) grad[co + j] -= pen;
        else if (f === 2 && z >= amax) grad[co + j] += pen;
      }
      grad[co + j] += dV;
      for (let g = 0; g < G; g++) {
        const c = split ? clip[pb + g * out + j] : 0;
        if (c === 0) {
          dq[g * out + j] = dV;
        } else if (c === 1 || c === -1) {
          dq[g * out + j] = 0; // harmless clip: the clamp passes no gradient, no penalty
        } else {
          // Harmful clip: no task gradient flows; the penalty pulls the partial back inside the bound
          // and (through tau) widens the bound.
          const k = q.gain[g * out + j];
          const pf = Math.abs(P[pb + g * out + j]) * q.unit[j] * 2 ** k;
          dq[g * out + j] = (cpen * Math.sign(c)) / T;
          grad[to + j] -= (cpen * pf) / T;
        }
      }
      any = true;
    }
    if (dqOut) {
      // Batched first layer: the weight gradient is accumulated later for the whole shard.
      dqOut.set(dq);
      continue;
    }
    if (!any) continue;
    const base = t * L.stride * L.inChannels;
    for (let r = 0; r < rows; r++) {
      const a = x[base + r];
      const go = G === 1 ? 0 : Math.floor(r / R) * out;
      const ro = wo + r * out;
      if (a !== 0) axpy32(grad, ro, a, dq, go, out);
      if (dx) {
        // Only inputs whose own straight-through gate is open use their gradient (the previous
        // layer zeroes the rest), so skip the dot product for them: same result, less work.
        const zp = zPrev![base + r];
        if (float ? zp > 0 : zp >= 0 && zp < amax + 1) dx[base + r] += dot(params, ro, dq, go, out);
      }
    }
  }
}

/**
 * Forward + backward for one labelled sample: accumulates gradients into `grad` (not averaged)
 * and statistics into `stats`. Returns the predicted class.
 */
export function trainSample(cfg: NetConfig, layout: ParamLayout, params: Float32Array, qs: QLayer[], x: Float32Array, label: number, ws: Workspace, grad: Float32Array, stats: Stats, flags: Uint8Array, nOffs: number[], pre: Float64Array | null = null, dqOut: Float64Array | null = null): number {
  const pred = forwardSample(cfg, layout, params, qs, x, ws, pre);
  const nl = cfg.layers.length;
  const last = nl - 1;
  const logits = ws.act[last];
  const probs = ws.probs;
  const scale = cfg.mode === 'float' ? 1 : qs[last].unit[0];
  let m = -Infinity;
  for (let j = 0; j < logits.length; j++) if (logits[j] * scale > m) m = logits[j] * scale;
  let sum = 0;
  for (let j = 0; j < logits.length; j++) {
    const e = Math.exp(logits[j] * scale - m);
    probs[j] = e;
    sum += e;
  }
  const dl = ws.dOut[last];
  const eps = cfg.labelSmoothing ?? 0;
  const off = eps / logits.length;
  for (let j = 0; j < logits.length; j++) {
    probs[j] /= sum;
    dl[j] = probs[j] - (j === label ? 1 - eps + off : off);
  }
  stats.loss += -Math.log(Math.max(probs[label], 1e-30));
  stats.samples++;
  if (pred === label) stats.correct++;
  if (cfg.mode !== 'float') {
    const amax = (1 << cfg.actBits) - 1;
    for (let l = 0; l < nl; l++) {
      const L = cfg.layers[l];
      const no = nOffs[l];
      const out = L.outChannels;
      if (l < last) {
        const act = ws.act[l];
        for (let t = 0; t < L.outFrames; t++) {
          for (let j = 0; j < out; j++) {
            const a = act[t * out + j];
            if (a > 0) stats.fired[no + j]++;
            if (a >= amax) stats.saturated[no + j]++;
          }
        }
      }
      if (cfg.mode === 'split') {
        const G = qs[l].groups;
        const clip = ws.clip[l];
        for (let i = 0; i < L.outFrames * G; i++) {
          for (let j = 0; j < out; j++) {
            const c = clip[i * out + j];
            if (c === 2 || c === -2) stats.clipped[no + j]++;
          }
        }
        for (let j = 0; j < out; j++) stats.partialsSeen[no + j] += L.outFrames * G;
      }
    }
  }
  for (let l = last; l >= 0; l--) {
    const x_ = l === 0 ? x : ws.act[l - 1];
    const dx = l === 0 ? null : ws.dOut[l - 1];
    backwardLayer(cfg, layout, params, qs[l], l, x_, dx, grad, ws, flags, nOffs[l], l === 0 ? dqOut : null);
  }
  return pred;
}

/** Whether layer 0 can use the batched kernels (a dense first layer: one output position). */
export function batchedFirstLayer(cfg: NetConfig): boolean {
  return cfg.layers[0].outFrames === 1;
}

/**
 * Batched forward accumulation of a dense first layer over `count` samples (X: count x rows codes):
 * Pb[s] = (float: bias +) sum_r X[s][r] * W_r, grouped as in forwardLayer. Rows outer, samples inner,
 * so each weight row is read once per shard; per (sample, neuron) the additions happen in the same
 * order as the per-sample kernel, so the result is bit-identical.
 */
export function firstLayerForwardBatch(cfg: NetConfig, layout: ParamLayout, params: Float32Array, q: QLayer, X: Float32Array, count: number, Pb: Float64Array): void {
  const L = cfg.layers[0];
  const out = L.outChannels;
  const rows = L.rows;
  const float = cfg.mode === 'float';
  const G = float ? 1 : q.groups;
  const R = float ? rows : q.groupRows;
  const stride = G * out;
  const W = float ? params : q.Wq;
  const wo = float ? layout.w[0] : 0;
  const co = layout.c[0];
  for (let s = 0; s < count; s++) {
    if (float) for (let j = 0; j < out; j++) Pb[s * stride + j] = params[co + j];
    else Pb.fill(0, s * stride, (s + 1) * stride);
  }
  for (let r = 0; r < rows; r++) {
    const go = G === 1 ? 0 : Math.floor(r / R) * out;
    const ro = wo + r * out;
    for (let s = 0; s < count; s++) {
      const a = X[s * rows + r];
      if (a === 0) continue;
      axpy64(Pb, s * stride + go, a, W, ro, out);
    }
  }
}

/** Batched weight gradient of a dense first layer: grad_W[r] += X[s][r] * DQ[s][group(r)], samples in order. */
export function firstLayerGradBatch(cfg: NetConfig, layout: ParamLayout, q: QLayer, X: Float32Array, count: number, DQ: Float64Array, grad: Float32Array): void {
  const L = cfg.layers[0];
  const out = L.outChannels;
  const rows = L.rows;
  const float = cfg.mode === 'float';
  const G = float ? 1 : q.groups;
  const R = float ? rows : q.groupRows;
  const stride = G * out;
  const wo = layout.w[0];
  for (let r = 0; r < rows; r++) {
    const go = G === 1 ? 0 : Math.floor(r / R) * out;
    const ro = wo + r * out;
    for (let s = 0; s < count; s++) {
      const a = X[s * rows + r];
      if (a === 0) continue;
      axpy32(grad, ro, a, DQ, s * stride + go, out);
    }
  }
}

/** He-style init: w ~ N(0, 2 / fan-in), c = 0; thresholds are set from data afterwards (initThresholds). */
export function initParams(cfg: NetConfig, layout: ParamLayout, params: Float32Array, rng: Rng): void {
  for (let l = 0; l < cfg.layers.length; l++) {
    const L = cfg.layers[l];
    const std = Math.sqrt(2 / L.rows);
    const n = L.rows * L.outChannels;
    for (let i = 0; i < n; i++) params[layout.w[l] + i] = rng.normal() * std;
    for (let j = 0; j < L.outChannels; j++) {
      params[layout.c[l] + j] = 0;
      params[layout.tau[l] + j] = 0;
    }
  }
}
