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
 *
 * This file holds the network's definition (shapes, parameter layout, quantization, scratch); the
 * passes are forward.ts, backward.ts and batched.ts (dense first layer over a whole shard).
 */
import { LIMITS } from '../../runtime/format.ts';
import type { GridSpec, LayerSpec } from '../tcm/spec.ts';
import type { Rng } from '../util/prng.ts';
import type { TrainNoise } from './cell-noise.ts';
import { type LeakTables, leakTables } from './leak.ts';
import { type SparseScratch, newSparseScratch } from './sparse-backward.ts';

export type TrainMode = 'float' | 'qat' | 'split';

/** conv2d geometry: the exported GridSpec plus the conv map's size before pooling. */
export interface GridShape extends GridSpec {
  convHeight: number;
  convWidth: number;
}

/** A layer's geometry: the LayerSpec fields it exports to, plus what follows from them. */
export interface LayerShape extends Pick<LayerSpec, 'kind' | 'inFrames' | 'inChannels' | 'kernel' | 'stride' | 'outChannels'> {
  /** Output positions after pooling (what the next layer reads). */
  outFrames: number;
  rows: number;
  /** conv2d only. */
  grid?: GridShape;
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
  /** Leak shift L of every layer's integration (V -= V >> L each step; leak.ts); absent or 0 = no leak. */
  leakShift?: number;
  /** Noise-aware training: each step's forward runs on a simulated chip (cell-noise.ts); absent = exact weights. */
  cellNoise?: TrainNoise;
}

export interface NetConfig extends QuantSettings {
  layers: LayerShape[];
  mode: TrainMode;
  /** Bits of input codes (hidden-layer codes have actBits). */
  inputBits: number;
  /** Label smoothing eps of the cross-entropy target: (1 - eps) one-hot + eps / classes (0 = off). */
  labelSmoothing?: number;
  /** Weight of the teacher's probabilities in the target (softTargets); absent or 0 = labels only. */
  distillWeight?: number;
}

export function denseShape(inputs: number, outputs: number): LayerShape {
  return { kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: outputs, outFrames: 1, rows: inputs };
}

export function conv1dShape(inFrames: number, inChannels: number, kernel: number, stride: number, outChannels: number): LayerShape {
  const outFrames = Math.floor((inFrames - kernel) / stride) + 1;
  if (outFrames < 1) throw new Error(`conv1d: kernel ${kernel} longer than ${inFrames} input frames`);
  return { kind: 'conv1d', inFrames, inChannels, kernel, stride, outChannels, outFrames, rows: kernel * inChannels };
}

/**
 * conv2d over an inHeight x inWidth x inChannels code image (position-major), square kernel, zero
 * padding on each side, then q x q spike-time max pooling (pool 1 = none): runtime/grid.ts.
 */
export function conv2dShape(inHeight: number, inWidth: number, inChannels: number, kernel: number, stride: number, padding: number, pool: number, outChannels: number): LayerShape {
  if (padding >= kernel) throw new Error(`conv2d: padding ${padding} must be below the kernel ${kernel}`);
  const convHeight = Math.floor((inHeight + 2 * padding - kernel) / stride) + 1;
  const convWidth = Math.floor((inWidth + 2 * padding - kernel) / stride) + 1;
  if (convHeight < 1 || convWidth < 1) throw new Error(`conv2d: kernel ${kernel} larger than the ${inHeight}x${inWidth} input (padding ${padding})`);
  if (convHeight < pool || convWidth < pool) throw new Error(`conv2d: pooling ${pool}x${pool} over a ${convHeight}x${convWidth} map`);
  const outFrames = Math.floor(convHeight / pool) * Math.floor(convWidth / pool);
  return { kind: 'conv2d', inFrames: inHeight * inWidth, inChannels, kernel, stride, outChannels, outFrames, rows: kernel * kernel * inChannels, grid: { inHeight, inWidth, padding, pool, convHeight, convWidth } };
}

/** Output positions the crossbar computes (the conv map before pooling; = outFrames without pooling). */
export function positionsOf(L: LayerShape): number {
  return L.grid ? L.grid.convHeight * L.grid.convWidth : L.outFrames;
}

/**
 * conv2d: input index of row r of position t's window at [t * rows + r], -1 where the window
 * overhangs the image (zero padding); the row order of runtime/grid.ts gatherPatch. Null for the
 * kinds whose window is one contiguous run (inputOffset).
 */
export function windowIndex(L: LayerShape): Int32Array | null {
  const grid = L.grid;
  if (!grid) return null;
  const { kernel: k, inChannels: C, stride, rows } = L;
  const index = new Int32Array(positionsOf(L) * rows);
  for (let oy = 0; oy < grid.convHeight; oy++) {
    for (let ox = 0; ox < grid.convWidth; ox++) {
      const at = (oy * grid.convWidth + ox) * rows;
      for (let dy = 0; dy < k; dy++) {
        for (let dx = 0; dx < k; dx++) {
          const y = oy * stride - grid.padding + dy;
          const x = ox * stride - grid.padding + dx;
          const inside = y >= 0 && y < grid.inHeight && x >= 0 && x < grid.inWidth;
          for (let c = 0; c < C; c++) index[at + (dy * k + dx) * C + c] = inside ? (y * grid.inWidth + x) * C + c : -1;
        }
      }
    }
  }
  return index;
}

/**
 * The receptive fields as runs, what the hot loops iterate: run k of output position t
 * (first[t] <= k < first[t + 1]) maps rows row[k] .. row[k] + len[k] - 1 to the consecutive inputs
 * from input[k]. Rows a zero-padded window overhangs are left out, a run never crosses a
 * `groupRows` boundary (one macro group per run), and the rows come in windowIndex's order.
 */
export interface WindowRuns {
  first: Int32Array;
  row: Int32Array;
  input: Int32Array;
  len: Int32Array;
}

export function windowRuns(L: LayerShape, groupRows: number): WindowRuns {
  const window = windowIndex(L);
  const positions = positionsOf(L);
  const first = new Int32Array(positions + 1);
  const row: number[] = [];
  const input: number[] = [];
  const len: number[] = [];
  for (let t = 0; t < positions; t++) {
    first[t] = row.length;
    for (let r = 0; r < L.rows; r++) {
      const i = window ? window[t * L.rows + r] : inputOffset(L, t) + r;
      if (i < 0) continue;
      const k = row.length - 1;
      if (k >= first[t] && row[k] + len[k] === r && input[k] + len[k] === i && r % groupRows !== 0) len[k]++;
      else {
        row.push(r);
        input.push(i);
        len.push(1);
      }
    }
  }
  first[positions] = row.length;
  return { first, row: Int32Array.from(row), input: Int32Array.from(input), len: Int32Array.from(len) };
}

/**
 * Offset in the layer's input of output position t's receptive field: `rows` consecutive values
 * (dense, conv1d over frames). A layer kind whose window is not one run of its input needs a gather.
 */
export function inputOffset(L: LayerShape, t: number): number {
  return t * L.stride * L.inChannels;
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
    if (th > LIMITS.maxThreshold) th = LIMITS.maxThreshold;
    q.theta[j] = th;
    let b = Math.round(params[co + j] / q.unit[j]);
    if (b > LIMITS.maxAbsBias) b = LIMITS.maxAbsBias;
    else if (b < -LIMITS.maxAbsBias) b = -LIMITS.maxAbsBias;
    q.bias[j] = b;
  }
}

/** The integer layers of all layers (left empty in float mode, which has none). */
export function quantizeAll(cfg: NetConfig, layout: ParamLayout, params: Float32Array): QLayer[] {
  const qs = cfg.layers.map((L) => newQLayer(cfg, L));
  if (cfg.mode !== 'float') for (let l = 0; l < cfg.layers.length; l++) quantizeLayer(cfg, layout, params, l, qs[l]);
  return qs;
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
  /** The label's target row (backward.ts labelTarget), when the shard gives none. */
  target: Float64Array;
  /** Per layer: what each input code contributes under the leak, and its slope (null: no leak, a code contributes itself). */
  leak: LeakTables[] | null;
  /** Per layer: conv2d window index (windowIndex), null for contiguous windows; and the windows as runs (windowRuns). */
  window: (Int32Array | null)[];
  runs: WindowRuns[];
  /** Forward scratch: up to four spiking rows waiting for packed.ts (their codes and weight offsets). */
  rowCode: Float64Array;
  rowAt: Int32Array;
  /** Per layer, over its input (+1): the next spiking input's index (nextSpikes) and the next open gate's (backward.ts). */
  next: Int32Array[];
  nextGate: Int32Array[];
  /** Per layer: packed weights (rows x ceil(out / 2)) and one position's packed partials (packed.ts). */
  packedW: Float64Array[];
  packedP: Float64Array[];
  /** Per layer: scratch of the sparse backward kernels. */
  sparse: SparseScratch[];
  /**
   * Per layer, over the crossbar's positions before pooling: output, z and dOut (the same arrays as
   * act / z / dOut when the layer does not pool), and per pooled output the conv map index of its
   * winner (null without pooling).
   */
  mapAct: Float32Array[];
  mapZ: Float64Array[];
  mapDOut: Float32Array[];
  winner: (Int32Array | null)[];
}

export function newWorkspace(cfg: NetConfig): Workspace {
  const leak = cfg.mode !== 'float' && (cfg.leakShift ?? 0) > 0
    ? cfg.layers.map((_, l) => leakTables((1 << (l === 0 ? cfg.inputBits : cfg.actBits)) - 1, cfg.leakShift!))
    : null;
  const ws: Workspace = { act: [], z: [], partials: [], clip: [], dOut: [], dq: [], probs: new Float64Array(cfg.layers[cfg.layers.length - 1].outChannels), target: new Float64Array(cfg.layers[cfg.layers.length - 1].outChannels), leak, window: [], runs: [], next: [], nextGate: [], packedW: [], packedP: [], sparse: [], rowCode: new Float64Array(4), rowAt: new Int32Array(4), mapAct: [], mapZ: [], mapDOut: [], winner: [] };
  for (const L of cfg.layers) {
    const G = groupCount(cfg, L);
    const n = L.outFrames * L.outChannels;
    const P = positionsOf(L);
    ws.act.push(new Float32Array(n));
    ws.z.push(new Float64Array(n));
    ws.partials.push(new Float64Array(P * G * L.outChannels));
    ws.clip.push(new Int8Array(P * G * L.outChannels));
    ws.dOut.push(new Float32Array(n));
    ws.dq.push(new Float64Array(G * L.outChannels));
    ws.window.push(windowIndex(L));
    ws.runs.push(windowRuns(L, G === 1 ? L.rows : cfg.groupRows));
    ws.sparse.push(newSparseScratch(L.rows, G, L.outChannels));
    ws.next.push(new Int32Array(L.inFrames * L.inChannels + 1));
    ws.nextGate.push(new Int32Array(L.inFrames * L.inChannels + 1));
    ws.packedW.push(new Float64Array(P > 1 ? L.rows * ((L.outChannels + 1) >> 1) : 0));
    ws.packedP.push(new Float64Array(P > 1 ? G * ((L.outChannels + 1) >> 1) : 0));
    const pooled = L.grid !== undefined && L.grid.pool > 1;
    ws.mapAct.push(pooled ? new Float32Array(P * L.outChannels) : ws.act[ws.act.length - 1]);
    ws.mapZ.push(pooled ? new Float64Array(P * L.outChannels) : ws.z[ws.z.length - 1]);
    ws.mapDOut.push(pooled ? new Float32Array(P * L.outChannels) : ws.dOut[ws.dOut.length - 1]);
    ws.winner.push(pooled ? new Int32Array(n) : null);
  }
  return ws;
}

/** What a forward pass reads and writes: the network, its latent parameters, their integer layers, scratch. */
export interface Net {
  cfg: NetConfig;
  layout: ParamLayout;
  params: Float32Array;
  /** Integer layers derived from `params` (quantizeLayer); unused in float mode. */
  qs: QLayer[];
  ws: Workspace;
}

/** A Net with freshly quantized layers and its own scratch (for evaluation and tests; training reuses its buffers). */
export function netOf(cfg: NetConfig, layout: ParamLayout, params: Float32Array): Net {
  return { cfg, layout, params, qs: quantizeAll(cfg, layout, params), ws: newWorkspace(cfg) };
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

/** He-style init: w ~ N(0, 2 / fan-in), c = 0; thresholds and weight scales are then set from data (init.ts). */
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
