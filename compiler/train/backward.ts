/**
 * The training graph's backward pass for one labelled sample: softmax cross-entropy on the output
 * scores, straight-through estimators through the codes (dz/dV = 1/T inside [0, A + 1)), the
 * threshold's gradient through z = (V + b) / T, and the stall and clip penalties.
 */
import { CLIP_HARMFUL, CLIP_HARMLESS, forwardSample } from './forward.ts';
import { axpy32, dot, nextSpikes } from './kernels.ts';
import { sparseEnough, sparseInputGradient, sparseWeightGradient } from './sparse-backward.ts';
import { type Net, type NetConfig, type Stats, positionsOf } from './net.ts';

/** A training pass: the Net plus what it accumulates into and the trainer's per-neuron stall flags. */
export interface TrainPass extends Net {
  /** Summed (not averaged) parameter gradients. */
  grad: Float32Array;
  stats: Stats;
  /** Per neuron (all layers, concatenated at nOffs): 0 = healthy, 1 = silent, 2 = saturated (see stall.ts). */
  flags: Uint8Array;
  nOffs: number[];
}

/** Stall flags (stall.ts sets them from the recent batches' statistics). */
export const STALL_SILENT = 1;
export const STALL_SATURATED = 2;

/**
 * Backward of layer l for one sample: accumulates parameter gradients, and writes dx (if given).
 * `dqOut`: batched first layer (weights' gradient later).
 *
 * Zero terms are skipped (gradients of closed gates, of positions pooling did not pick, dq's zero
 * columns in the sparse kernels), with the same result: every accumulator starts at +0, and adding
 * +-0 leaves any value other than -0 unchanged. An accumulator reaches -0 only by rounding a tiny
 * negative sum to float32; a skipped +0 would have made it +0, and Adam maps a +-0 gradient to the
 * same moments (m + 0.1 * +-0 = m, g * g = +0), so the trained parameters keep every bit.
 */
function backwardLayer(pass: TrainPass, l: number, x: Float32Array, dx: Float32Array | null, dqOut: Float64Array | null): void {
  const { cfg, layout, params, ws, grad, flags } = pass;
  const q = pass.qs[l];
  const nOff = pass.nOffs[l];
  const L = cfg.layers[l];
  const out = L.outChannels;
  const rows = L.rows;
  const last = l === cfg.layers.length - 1;
  const { mapDOut: { [l]: dOut }, mapZ: { [l]: zb }, dq: { [l]: dq }, clip: { [l]: clip }, partials: { [l]: P }, runs: { [l]: runs } } = ws;
  const sparse = ws.sparse[l];
  const winner = ws.winner[l];
  if (winner) {
    // Max pooling: each pooled output's gradient goes to its winning position (forward.ts poolLayer).
    const pooled = ws.dOut[l];
    dOut.fill(0);
    for (let i = 0; i < pooled.length; i++) dOut[winner[i]] = pooled[i];
  }
  const { w: { [l]: wo }, c: { [l]: co }, tau: { [l]: to } } = layout;
  const zPrev = l > 0 ? ws.z[l - 1] : null;
  if (dx) dx.fill(0);
  const float = cfg.mode === 'float';
  const G = float ? 1 : q.groups;
  const R = float ? rows : q.groupRows;
  const amax = (1 << cfg.actBits) - 1;
  const C = cfg.chargeBound;
  const split = cfg.mode === 'split';
  const pen = cfg.stallPenalty;
  const cpen = cfg.clipPenalty;
  const leak = ws.leak ? ws.leak[l] : null;
  const positions = positionsOf(L);
  // The window loops visit only the inputs that spike (weight gradient) and those whose gate is open (input gradient).
  const spikes = dqOut ? null : nextSpikes(x, ws.next[l]);
  const gates = dx && !dqOut ? nextOpenGates(zPrev!, float, amax, ws.nextGate[l]) : null;
  // qat without stall flags in this layer: a neuron with no incoming gradient contributes nothing,
  // so a position where none has any (pooling picked it for no channel) is skipped whole.
  let skipQuiet = !float && !split && !last && !dqOut;
  for (let j = 0; j < out && skipQuiet; j++) if (flags[nOff + j] !== 0) skipQuiet = false;
  for (let t = 0; t < positions; t++) {
    const zo = t * out;
    const pb = t * G * out;
    if (skipQuiet && allZero(dOut, zo, out)) continue;
    let any = false;
    for (let j = 0; j < out; j++) {
      const z = zb[zo + j];
      let dV: number;
      if (float) {
        dV = last ? dOut[zo + j] : z > 0 ? dOut[zo + j] : 0;
        dq[j] = dV;
        if (dV !== 0) {
          grad[co + j] += dV;
          any = true;
        }
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
        dV = dz === 0 ? dz : dz / T; // +-0 / T is that same zero
        if (dz !== 0) grad[to + j] += dz * (-z + clipSum * C);
        // Stall penalty: a neuron silent (or saturated) over the recent batches gets its bias pushed
        // up (down) on the samples where it is off (at the rail). Only its own bias: propagating the
        // penalty through its weights to the layer below destabilizes deep networks.
        const f = flags[nOff + j];
        if (f === STALL_SILENT && z < 0) grad[co + j] -= pen;
        else if (f === STALL_SATURATED && z >= amax) grad[co + j] += pen;
      }
      if (dV !== 0) grad[co + j] += dV;
      for (let g = 0; g < G; g++) {
        const c = split ? clip[pb + g * out + j] : 0;
        if (c === 0) {
          dq[g * out + j] = dV;
          if (dV !== 0) any = true;
        } else if (c === CLIP_HARMLESS || c === -CLIP_HARMLESS) {
          dq[g * out + j] = 0; // harmless clip: the clamp passes no gradient, no penalty
        } else {
          // Harmful clip: no task gradient flows; the penalty pulls the partial back inside the bound
          // and (through tau) widens the bound.
          const k = q.gain[g * out + j];
          const pf = Math.abs(P[pb + g * out + j]) * q.unit[j] * 2 ** k;
          dq[g * out + j] = (cpen * Math.sign(c)) / T;
          grad[to + j] -= (cpen * pf) / T;
          any = true;
        }
      }
    }
    if (dqOut) {
      // Batched first layer: the weight gradient is accumulated later for the whole shard.
      dqOut.set(dq);
      continue;
    }
    // All dq zero (e.g. a position pooling did not pick): its weight and input gradients are sums
    // of zeros, which leave the (+0-initialized) accumulators' bits unchanged, so skip them.
    if (!any) continue;
    // Mostly zero dq (pooling routes each channel's gradient to one position of four): the sparse
    // kernels (the same sums without their zero terms) over the rows collected below.
    const sp = sparseEnough(sparse, dq, G, out);
    const { rowA, actA, startA, rowG, inG, slopeG, startG } = sparse;
    let nA = 0;
    let nG = 0;
    let group = -1;
    for (let k = runs.first[t], e = runs.first[t + 1]; k < e; k++) {
      const r0 = runs.row[k];
      const i0 = runs.input[k];
      const end = i0 + runs.len[k];
      const g = G === 1 ? 0 : Math.floor(r0 / R);
      const go = g * out;
      for (; group < g; group++) {
        startA[group + 1] = nA;
        startG[group + 1] = nG;
      }
      // Rows with a spike: the weight gradient.
      for (let i = spikes![i0]; i < end; i = spikes![i + 1]) {
        const a = x[i];
        const ro = wo + (r0 + i - i0) * out;
        if (sp) {
          rowA[nA] = ro;
          actA[nA++] = leak ? leak.activity[a] : a;
        } else axpy32(grad, ro, leak ? leak.activity[a] : a, dq, go, out);
      }
      // Rows whose input's own straight-through gate is open: the input gradient (the previous
      // layer zeroes the others' gradient, so it is not computed for them: same result, less work).
      if (!gates) continue;
      for (let i = gates[i0]; i < end; i = gates[i + 1]) {
        const ro = wo + (r0 + i - i0) * out;
        const slope = leak ? leak.slope[x[i]] : 1;
        if (sp) {
          rowG[nG] = ro;
          inG[nG] = i;
          slopeG[nG++] = slope;
        } else dx![i] += dot(params, ro, dq, go, out) * slope;
      }
    }
    if (!sp) continue;
    for (; group < G; group++) {
      startA[group + 1] = nA;
      startG[group + 1] = nG;
    }
    sparseWeightGradient(grad, sparse, G);
    if (dx) sparseInputGradient(params, dx, sparse, G);
  }
}

function allZero(d: Float32Array, from: number, n: number): boolean {
  for (let j = from; j < from + n; j++) if (d[j] !== 0) return false;
  return true;
}

/** next[i] = the first index >= i whose straight-through gate is open (ReLU in float mode, 0 <= z < A + 1 for codes), z.length if none. */
function nextOpenGates(z: Float64Array, float: boolean, amax: number, next: Int32Array): Int32Array {
  let at = z.length;
  next[at] = at;
  for (let i = at - 1; i >= 0; i--) {
    if (float ? z[i] > 0 : z[i] >= 0 && z[i] < amax + 1) at = i;
    next[i] = at;
  }
  return next;
}

/** probs = softmax(scores x scale), computed stably (max subtracted). */
export function softmax(scores: ArrayLike<number>, scale: number, probs: Float64Array): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < scores.length; k++) if (scores[k] * scale > max) max = scores[k] * scale;
  let sum = 0;
  for (let k = 0; k < scores.length; k++) sum += probs[k] = Math.exp(scores[k] * scale - max);
  for (let k = 0; k < scores.length; k++) probs[k] /= sum;
  return probs;
}

/** The label's target row: one-hot, or (1 - eps) one-hot + eps / classes with label smoothing. */
export function labelTarget(cfg: NetConfig, label: number, out: Float64Array): Float64Array {
  const eps = cfg.labelSmoothing ?? 0;
  const off = eps / out.length;
  for (let j = 0; j < out.length; j++) out[j] = j === label ? 1 - eps + off : off;
  return out;
}

/**
 * Softmax cross-entropy of the output scores (in float units): loss (of the label) into stats,
 * dLoss/dscore into ws.dOut[last]. The target is the label's (labelTarget), or `target` when the
 * shard mixed one (distillation, mixup).
 */
function lossGradient(pass: TrainPass, label: number, target: Float64Array | null): void {
  const { cfg, ws, stats } = pass;
  const last = cfg.layers.length - 1;
  const logits = ws.act[last];
  const probs = softmax(logits, cfg.mode === 'float' ? 1 : pass.qs[last].unit[0], ws.probs);
  const t = target ?? labelTarget(cfg, label, ws.target);
  const dl = ws.dOut[last];
  for (let j = 0; j < logits.length; j++) dl[j] = probs[j] - t[j];
  stats.loss += -Math.log(Math.max(probs[label], 1e-30));
}

/** Fired / saturated counts of the hidden neurons and harmful clips per neuron (integer mode). */
function countActivity(pass: TrainPass): void {
  const { cfg, ws, stats } = pass;
  const last = cfg.layers.length - 1;
  const amax = (1 << cfg.actBits) - 1;
  for (let l = 0; l <= last; l++) {
    const L = cfg.layers[l];
    const no = pass.nOffs[l];
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
      const G = pass.qs[l].groups;
      const clip = ws.clip[l];
      for (let i = 0; i < positionsOf(L) * G; i++) {
        for (let j = 0; j < out; j++) {
          const c = clip[i * out + j];
          if (c === CLIP_HARMFUL || c === -CLIP_HARMFUL) stats.clipped[no + j]++;
        }
      }
      for (let j = 0; j < out; j++) stats.partialsSeen[no + j] += positionsOf(L) * G;
    }
  }
}

/**
 * Forward + backward for one labelled sample: accumulates gradients into pass.grad (not averaged)
 * and statistics into pass.stats. Returns the predicted class. `pre` / `dqOut`: the batched first
 * layer's partials of this sample and where its output gradient goes (batched.ts). `target`: the
 * sample's target row when it is not the label's (distillation, mixup).
 */
export function trainSample(pass: TrainPass, x: Float32Array, label: number, pre: Float64Array | null = null, dqOut: Float64Array | null = null, target: Float64Array | null = null): number {
  const pred = forwardSample(pass, x, pre);
  lossGradient(pass, label, target);
  pass.stats.samples++;
  if (pred === label) pass.stats.correct++;
  if (pass.cfg.mode !== 'float') countActivity(pass);
  for (let l = pass.cfg.layers.length - 1; l >= 0; l--) {
    const input = l === 0 ? x : pass.ws.act[l - 1];
    const dx = l === 0 ? null : pass.ws.dOut[l - 1];
    backwardLayer(pass, l, input, dx, l === 0 ? dqOut : null);
  }
  return pred;
}
