/**
 * The training loop: Adam with linear warm-up + cosine learning-rate decay, augmentation (random
 * shifts, or affine warps; optional masks), per-neuron threshold adaptation against spike stall, split-train for macro
 * targets, data-parallel gradients over two fixed shards (computed by a worker thread when
 * `workers` = 2), per-epoch checkpoints and exact resume.
 *
 * Determinism: every random draw comes from Rng(seed, stream) with one stream per epoch, the batch
 * is always split into the same two shards whose gradients are added in a fixed order, and all
 * statistics are integer counts -> same seed, same bytes, with 1 or 2 threads, resumed or not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { encodeImage } from '../../runtime/encode.ts';
import type { ImageInput } from '../../runtime/model.ts';
import { type BatchAugment, MASK_BYTES, WARP_FLOATS, drawMask, drawShift, drawWarp } from '../data/augment.ts';
import type { ImageSet } from '../data/mnist.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { type LayerShape, type NetConfig, type ParamLayout, type QLayer, type QuantSettings, type TrainMode, denseShape, forwardSample, groupCount, initParams, neuronOffsets, newQLayer, newStats, newWorkspace, paramLayout, quantizeLayer } from './net.ts';
import { Rng } from './rng.ts';
import { ShardRunner } from './shard.ts';
import { StatusLine } from '../util/progress.ts';

export interface TrainOptions extends QuantSettings {
  mode: TrainMode;
  hidden: number[];
  epochs: number;
  seed: number;
  batch: number;
  lr: number;
  /** Final learning rate as a fraction of lr (cosine decay target). */
  lrFloor: number;
  warmupSteps: number;
  /** Max random shift in pixels (0 = no augmentation). */
  shift: number;
  /** Max shift along x (columns) if different from `shift`; 0 = shift along y only (keywords: time, not mel channel). */
  shiftX?: number;
  /** Random affine warps instead of integer shifts when either is > 0: max rotation (degrees) and max zoom (fraction); translation then continuous in +-shift. */
  rotate?: number;
  zoom?: number;
  /** Random masks (SpecAugment-style): blank a band of up to maskRows rows (keywords: frames) and of up to maskCols columns (mel channels). */
  maskRows?: number;
  maskCols?: number;
  workers: number;
  /** Threshold adaptation step (log units per batch) and targets. */
  adaptRate: number;
  clipTarget: number;
  /** Label smoothing eps of the cross-entropy target (0 = off). */
  labelSmoothing: number;
  /** Decoupled (AdamW) weight decay on the weights only, per unit of learning rate (0 = off). */
  weightDecay: number;
  checkpoint?: string;
  resume?: boolean;
  /** Evaluate the training graph on the test set after each epoch. */
  evalEachEpoch: boolean;
  /** What the per-epoch evaluation set is called in the progress lines (default 'test'). */
  evalName?: string;
  progress: boolean;
  /** Stop after this many epochs of this invocation (tests of resume). */
  stopAfterEpochs?: number;
  /** Explicit layer stack (e.g. conv1d, conv1d, dense for keywords); default: dense MLP from `hidden`. */
  layers?: LayerShape[];
  /** Output classes (10 digits by default; 12 for keywords). */
  classes?: number;
}

export const defaultTrainOptions: TrainOptions = {
  mode: 'qat',
  hidden: [256],
  epochs: 30,
  seed: 1,
  batch: 128,
  lr: 0.003,
  lrFloor: 0.01,
  warmupSteps: 300,
  shift: 2,
  workers: 2,
  actBits: 4,
  weightBits: 8,
  groupRows: 128,
  chargeBound: 4,
  maxGainShift: 2,
  perNeuronScale: true,
  stallPenalty: 0.05,
  clipPenalty: 0.02,
  adaptRate: 0.002,
  clipTarget: 0.002,
  labelSmoothing: 0,
  weightDecay: 0,
  evalEachEpoch: true,
  progress: true,
};

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
  lr: number;
}

export interface TrainResult {
  cfg: NetConfig;
  layout: ParamLayout;
  params: Float32Array;
  input: ImageInput;
  history: EpochRecord[];
  options: TrainOptions;
  seconds: number;
  /** Epochs completed overall (including resumed ones). */
  epochsDone: number;
}

/** Encoding of 8-bit pixels to B-bit codes: code ~= round(mean pixel * A / 255), box pool by `pool`. */
export function imageInput(srcWidth: number, srcHeight: number, pool: number, bits: number): ImageInput {
  const A = (1 << bits) - 1;
  const cells = pool * pool;
  // mul / 2^shift ~= A / (255 * cells); keep mul in [2^11, 2^12) for precision; sum*mul < 2^31.
  let shift = 0;
  while ((A * 2 ** shift) / (255 * cells) < 2048) shift++;
  const mul = Math.round((A * 2 ** shift) / (255 * cells));
  return { kind: 'image', bits, frames: 1, channels: (srcWidth / pool) * (srcHeight / pool), srcWidth, srcHeight, pool, mul, shift };
}

export function netConfig(input: ImageInput, opts: TrainOptions, classes = 10): NetConfig {
  const sizes = [input.channels, ...opts.hidden, classes];
  const layers: LayerShape[] = [];
  if (opts.layers) layers.push(...opts.layers);
  else for (let i = 0; i + 1 < sizes.length; i++) layers.push(denseShape(sizes[i], sizes[i + 1]));
  return {
    layers,
    mode: opts.mode,
    inputBits: input.bits,
    actBits: opts.actBits,
    weightBits: opts.weightBits,
    groupRows: opts.groupRows,
    chargeBound: opts.chargeBound,
    maxGainShift: opts.maxGainShift,
    perNeuronScale: opts.perNeuronScale,
    stallPenalty: opts.stallPenalty,
    clipPenalty: opts.clipPenalty,
    labelSmoothing: opts.labelSmoothing,
  };
}

/** Encodes a whole set (no augmentation) to codes, count x channels. */
export function encodeSet(set: ImageSet, input: ImageInput): Uint8Array {
  const n = input.channels;
  const out = new Uint8Array(set.count * n);
  const px = set.rows * set.cols;
  for (let i = 0; i < set.count; i++) encodeImage(input, set.images.subarray(i * px, (i + 1) * px), out.subarray(i * n, (i + 1) * n));
  return out;
}

/** Quantized (or float) forward of the training graph over encoded samples; returns predictions. */
export function predictCodes(cfg: NetConfig, layout: ParamLayout, sharedParams: Float32Array, codes: Uint8Array, count: number, onScores?: (i: number, scores: Float32Array) => void): Uint8Array {
  const params = Float32Array.from(sharedParams);
  const qs = quantizeAll(cfg, layout, params);
  const ws = newWorkspace(cfg);
  const n = cfg.layers[0].inChannels * cfg.layers[0].inFrames;
  const x = new Float32Array(n);
  const preds = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < n; k++) x[k] = codes[i * n + k];
    preds[i] = forwardSample(cfg, layout, params, qs, x, ws);
    if (onScores) onScores(i, ws.act[cfg.layers.length - 1]);
  }
  return preds;
}

export function quantizeAll(cfg: NetConfig, layout: ParamLayout, params: Float32Array): QLayer[] {
  const qs = cfg.layers.map((L) => newQLayer(cfg, L));
  if (cfg.mode !== 'float') for (let l = 0; l < cfg.layers.length; l++) quantizeLayer(cfg, layout, params, l, qs[l]);
  return qs;
}

export function accuracyOf(preds: Uint8Array, labels: Uint8Array): number {
  let ok = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) ok++;
  return ok / preds.length;
}

/**
 * Data-dependent init: weights He-normal, rescaled per layer so the pre-activations of an init batch
 * have unit standard deviation; hidden thresholds T_j = 2.5 std_j / A (per neuron); in split mode the
 * last layer's bound threshold covers its largest observed group partial. Conv1d layers are handled
 * by im2col like the forward: every output frame is one pass over the same weight rows, and the
 * statistics are taken over samples and frames; the next layer sees all frames' codes.
 */
function initFromData(cfg: NetConfig, layout: ParamLayout, params: Float32Array, rng: Rng, sample: (k: number) => Float32Array, count: number): number[] {
  const rmsIn: number[] = [];
  initParams(cfg, layout, params, rng);
  const A = (1 << cfg.actBits) - 1;
  const nl = cfg.layers.length;
  const xs: Float32Array[] = [];
  for (let k = 0; k < count; k++) xs.push(Float32Array.from(sample(k)));
  let inputs = xs;
  for (let l = 0; l < nl; l++) {
    const L = cfg.layers[l];
    const out = L.outChannels;
    const F = L.outFrames;
    const step = L.stride * L.inChannels;
    const wo = layout.w[l];
    const G = Math.ceil(L.rows / cfg.groupRows);
    let sq = 0;
    let nIn = 0;
    for (const x of inputs) {
      for (let t = 0; t < F; t++) for (let r = 0; r < L.rows; r++) sq += x[t * step + r] * x[t * step + r];
      nIn += F * L.rows;
    }
    rmsIn.push(Math.sqrt(sq / Math.max(1, nIn)) || 1);
    const u = inputs.map((x) => {
      const z = new Float64Array(F * out);
      for (let t = 0; t < F; t++) {
        for (let r = 0; r < L.rows; r++) {
          const a = x[t * step + r];
          if (a === 0) continue;
          for (let j = 0; j < out; j++) z[t * out + j] += a * params[wo + r * out + j];
        }
      }
      return z;
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
      let T = last ? 1 : (2.5 * sd) / A;
      if (last && cfg.mode === 'split') {
        let m = 0;
        for (const x of inputs) {
          for (let t = 0; t < F; t++) {
            for (let g = 0; g < G; g++) {
              let p = 0;
              for (let r = g * cfg.groupRows; r < Math.min(L.rows, (g + 1) * cfg.groupRows); r++) p += x[t * step + r] * params[wo + r * out + j];
              m = Math.max(m, Math.abs(p));
            }
          }
        }
        T = Math.max(m / cfg.chargeBound, 1e-3);
      }
      params[layout.tau[l] + j] = Math.log(T);
    }
    if (last) break;
    // Next layer's inputs: this layer's output (quantized codes, or ReLU floats in float mode).
    if (cfg.mode === 'float') {
      inputs = u.map((z) => Float32Array.from(z, (v) => (v > 0 ? v : 0)));
    } else {
      // Codes of layers 0..l (quantized exactly like the training forward) feed the next layer's init.
      const qs: QLayer[] = [];
      for (let k = 0; k <= l; k++) {
        const qk = newQLayer(cfg, cfg.layers[k]);
        quantizeLayer(cfg, layout, params, k, qk);
        qs.push(qk);
      }
      inputs = xs.map((x) => {
        let inp = x;
        for (let k = 0; k <= l; k++) {
          const Lk = cfg.layers[k];
          const qk = qs[k];
          const ok = Lk.outChannels;
          const stepK = Lk.stride * Lk.inChannels;
          const o = new Float32Array(Lk.outFrames * ok);
          const Gk = qk.groups;
          const part = new Float64Array(Gk);
          for (let t = 0; t < Lk.outFrames; t++) {
            const base = t * stepK;
            for (let j = 0; j < ok; j++) {
              let V = 0;
              part.fill(0);
              for (let r = 0; r < Lk.rows; r++) {
                const a = inp[base + r];
                if (a !== 0) part[Gk === 1 ? 0 : Math.floor(r / qk.groupRows)] += a * qk.Wq[r * ok + j];
              }
              for (let g = 0; g < Gk; g++) {
                let p = part[g];
                const sh = qk.gain[g * ok + j];
                if (sh < 0) p = Math.floor(p / 2 ** -sh);
                if (cfg.mode === 'split') {
                  const b = cfg.chargeBound * qk.theta[j];
                  p = p > b ? b : p < -b ? -b : p;
                }
                V += p;
              }
              const c = Math.floor((V + qk.bias[j]) / qk.theta[j]);
              o[t * ok + j] = c < 0 ? 0 : c > A ? A : c;
            }
          }
          inp = o;
        }
        return inp;
      });
    }
  }
  return rmsIn;
}

interface Checkpoint {
  key: string;
  epochsDone: number;
  step: number;
  params: Float32Array;
  m: Float64Array;
  v: Float64Array;
  emaFire: Float64Array;
  emaSat: Float64Array;
  emaClip: Float64Array;
  history: EpochRecord[];
  seconds: number;
}

const CKPT_MAGIC = 'TCMCKPT1';

function saveCheckpoint(path: string, ck: Checkpoint): void {
  const arrays: [string, Float32Array | Float64Array][] = [
    ['params', ck.params],
    ['m', ck.m],
    ['v', ck.v],
    ['emaFire', ck.emaFire],
    ['emaSat', ck.emaSat],
    ['emaClip', ck.emaClip],
  ];
  const header = JSON.stringify({ key: ck.key, epochsDone: ck.epochsDone, step: ck.step, history: ck.history, seconds: ck.seconds, arrays: arrays.map(([n, a]) => [n, a instanceof Float32Array ? 'f32' : 'f64', a.length]) });
  const hbytes = new TextEncoder().encode(header);
  const hlen = Math.ceil((hbytes.length + 12) / 8) * 8;
  let total = hlen;
  for (const [, a] of arrays) total += a.byteLength + ((8 - (a.byteLength % 8)) % 8);
  const buf = new Uint8Array(total);
  buf.set(new TextEncoder().encode(CKPT_MAGIC), 0);
  new DataView(buf.buffer).setUint32(8, hbytes.length, true);
  buf.set(hbytes, 12);
  let off = hlen;
  for (const [, a] of arrays) {
    buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength + ((8 - (a.byteLength % 8)) % 8);
  }
  writeFileAtomic(path, buf);
}

function loadCheckpoint(path: string): Checkpoint {
  const raw = readFileSync(path);
  const buf = new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (new TextDecoder().decode(buf.subarray(0, 8)) !== CKPT_MAGIC) throw new Error(`${path}: not a tempo-cim training checkpoint`);
  const hl = new DataView(buf.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + hl)));
  let off = Math.ceil((hl + 12) / 8) * 8;
  const out: Record<string, Float32Array | Float64Array> = {};
  for (const [name, type, len] of header.arrays as [string, string, number][]) {
    const bytes = len * (type === 'f32' ? 4 : 8);
    if (off + bytes > buf.length) throw new Error(`${path}: truncated checkpoint`);
    const copy = buf.slice(off, off + bytes);
    out[name] = type === 'f32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
    off += bytes + ((8 - (bytes % 8)) % 8);
  }
  return { key: header.key, epochsDone: header.epochsDone, step: header.step, history: header.history, seconds: header.seconds, params: out.params as Float32Array, m: out.m as Float64Array, v: out.v as Float64Array, emaFire: out.emaFire as Float64Array, emaSat: out.emaSat as Float64Array, emaClip: out.emaClip as Float64Array };
}

function shared<T extends Float32Array | Uint8Array | Int32Array>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  s = Math.max(0, Math.round(s));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** One Adam step on the mean gradient (g0 + g1) * inv (shard 0 + shard 1, fixed order). Kept out of the async loop so V8 optimizes it. */
function adamStep(p: Float32Array, g0: Float32Array, g1: Float32Array, m: Float64Array, v: Float64Array, lrMul: Float32Array, inv: number, lr: number, bc1: number, bc2: number): void {
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const g = (g0[i] + g1[i]) * inv;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr * lrMul[i] * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}

/** Trains on `train` (raw pixels, encoded through `input`), optionally evaluating on `test` each epoch. */
export async function train(trainSet: ImageSet, testSet: ImageSet | null, input: ImageInput, partial: Partial<TrainOptions>): Promise<TrainResult> {
  const opts: TrainOptions = { ...defaultTrainOptions, ...partial };
  const cfg = netConfig(input, opts, opts.classes ?? 10);
  const layout = paramLayout(cfg);
  const { offsets: nOffs, total: nNeurons } = neuronOffsets(cfg);
  const params = shared(Float32Array, layout.total);
  const flags = shared(Uint8Array, nNeurons);
  const images = shared(Uint8Array, trainSet.images.length);
  images.set(trainSet.images);
  const labels = shared(Uint8Array, trainSet.count);
  labels.set(trainSet.labels);
  const batchIdx = shared(Int32Array, opts.batch);
  const warp = (opts.rotate ?? 0) > 0 || (opts.zoom ?? 0) > 0 ? { shift: opts.shift, shiftX: opts.shiftX ?? opts.shift, rotate: opts.rotate ?? 0, zoom: opts.zoom ?? 0 } : null;
  const masked = (opts.maskRows ?? 0) > 0 || (opts.maskCols ?? 0) > 0;
  const batchAugment: BatchAugment = {
    shifts: shared(Uint8Array, opts.batch),
    warps: warp ? shared(Float32Array, opts.batch * WARP_FLOATS) : null,
    masks: masked ? shared(Uint8Array, opts.batch * MASK_BYTES) : null,
  };
  // Shard gradients: shard 0 (main thread) private; shard 1 written by the worker into shared memory
  // and copied into a private buffer (typed arrays over SharedArrayBuffer are slow in hot loops).
  const sharedGrad1 = shared(Float32Array, layout.total);
  const g0 = new Float32Array(layout.total);
  const g1 = new Float32Array(layout.total);
  /** Private master copy of the parameters (updated by Adam, then published to `params`). */
  const pm = new Float32Array(layout.total);
  const m = new Float64Array(layout.total);
  const v = new Float64Array(layout.total);
  const emaFire = new Float64Array(nNeurons).fill(0.5);
  const emaSat = new Float64Array(nNeurons);
  const emaClip = new Float64Array(nNeurons);
  // Everything that determines the trained model (not how it is run: threads, checkpointing, progress).
  const keyed = { ...opts, workers: 0, checkpoint: 0, resume: 0, evalEachEpoch: 0, progress: 0, stopAfterEpochs: 0 } as Record<string, unknown>;
  delete keyed.evalName; // a label only; absent keeps the keys of existing checkpoints
  const key = JSON.stringify({ v: 1, opts: Object.fromEntries(Object.keys(keyed).sort().map((k) => [k, keyed[k]])), input, n: trainSet.count });
  let history: EpochRecord[] = [];
  let epochsDone = 0;
  let step = 0;
  let priorSeconds = 0;
  const data = { images, labels, input };
  const local = new ShardRunner(cfg, layout, params, flags, data);

  if (opts.resume && opts.checkpoint && existsSync(opts.checkpoint)) {
    const ck = loadCheckpoint(opts.checkpoint);
    if (ck.key !== key) throw new Error(`${opts.checkpoint}: checkpoint was written by a different configuration; remove it or drop --resume`);
    params.set(ck.params);
    m.set(ck.m);
    v.set(ck.v);
    emaFire.set(ck.emaFire);
    emaSat.set(ck.emaSat);
    emaClip.set(ck.emaClip);
    history = ck.history;
    epochsDone = ck.epochsDone;
    step = ck.step;
    priorSeconds = ck.seconds;
  } else {
    const initRng = new Rng(opts.seed, 1);
    const order = new Uint32Array(trainSet.count).map((_, i) => i);
    initRng.shuffle(order);
    const count = Math.min(512, trainSet.count);
    initFromData(cfg, layout, params, initRng, (k) => local.encode(order[k]), count);
  }
  // The init is deterministic: recompute it (on scratch parameters when resuming) for the layers' input RMS.
  const rmsIn = (() => {
    const initRng = new Rng(opts.seed, 1);
    const order = new Uint32Array(trainSet.count).map((_, i) => i);
    initRng.shuffle(order);
    return initFromData(cfg, layout, new Float32Array(layout.total), initRng, (k) => local.encode(order[k]), Math.min(512, trainSet.count));
  })();
  updateFlags();
  pm.set(params);

  let worker: Worker | null = null;
  if (opts.workers > 1) {
    worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { cfg, layout, params, flags, images, labels, input, batchIdx, batchAugment, grad: sharedGrad1 },
    });
    worker.unref();
  }
  let pending: ((s: unknown) => void) | null = null;
  let failed: Error | null = null;
  if (worker) {
    worker.on('message', (msg) => {
      const p = pending;
      pending = null;
      p?.(msg);
    });
    worker.on('error', (e) => {
      failed = e;
      const p = pending;
      pending = null;
      p?.(null);
    });
  }
  const remoteStats = newStats(cfg);

  function updateFlags(): void {
    for (let i = 0; i < nNeurons; i++) flags[i] = emaFire[i] < 0.01 ? 1 : emaSat[i] > 0.9 ? 2 : 0;
    // The output layer never stalls by definition (scores, not codes).
    for (let i = nOffs[nOffs.length - 1]; i < nNeurons; i++) flags[i] = 0;
  }

  const stepsPerEpoch = Math.ceil(trainSet.count / opts.batch);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const lrAt = (s: number): number => {
    if (s < opts.warmupSteps) return opts.lr * (0.1 + (0.9 * s) / opts.warmupSteps);
    const p = Math.min(1, (s - opts.warmupSteps) / Math.max(1, totalSteps - opts.warmupSteps));
    return opts.lr * (opts.lrFloor + (1 - opts.lrFloor) * 0.5 * (1 + Math.cos(Math.PI * p)));
  };
  const status = new StatusLine(opts.progress);
  const testCodes = testSet && opts.evalEachEpoch ? encodeSet(testSet, input) : null;
  // Per-parameter step multiplier: layer inputs are codes in [0, A] (not normalized), so the weights
  // that see them are smaller by the inputs' RMS; Adam's step is divided by it (measured at init).
  const lrMul = new Float32Array(layout.total).fill(1);
  for (let l = 0; l < cfg.layers.length; l++) {
    const L = cfg.layers[l];
    lrMul.fill(1 / Math.max(1e-3, rmsIn[l]), layout.w[l], layout.w[l] + L.rows * L.outChannels);
  }
  const beta1 = 0.9;
  const beta2 = 0.999;
  const startTime = Date.now();
  const lastNeuron = nOffs[nOffs.length - 1];
  let ranEpochs = 0;
  try {
    while (epochsDone < opts.epochs) {
      if (opts.stopAfterEpochs !== undefined && ranEpochs >= opts.stopAfterEpochs) break;
      const epoch = epochsDone;
      const rng = new Rng(opts.seed, 1000 + epoch);
      const order = new Uint32Array(trainSet.count).map((_, i) => i);
      rng.shuffle(order);
      const epochStart = Date.now();
      let lossSum = 0;
      let correct = 0;
      let seen = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        const from = b * opts.batch;
        const n = Math.min(opts.batch, trainSet.count - from);
        for (let k = 0; k < n; k++) {
          batchIdx[k] = order[from + k];
          // Draw order per sample: shift or warp, then mask (masks and warps only when enabled, so the
          // stream of configurations without them is unchanged).
          if (warp && batchAugment.warps) drawWarp(() => rng.next(), warp, input.srcWidth, input.srcHeight, batchAugment.warps, k * WARP_FLOATS);
          else batchAugment.shifts[k] = opts.shift > 0 ? drawShift(() => rng.next(), opts.shift, opts.shiftX ?? opts.shift) : 0x88;
          if (batchAugment.masks) drawMask(() => rng.next(), opts.maskRows ?? 0, opts.maskCols ?? 0, input.srcWidth, input.srcHeight, batchAugment.masks, k * MASK_BYTES);
        }
        const half = Math.ceil(n / 2);
        let s1: typeof remoteStats;
        if (worker) {
          const done = new Promise<unknown>((resolve) => (pending = resolve));
          worker.postMessage({ from: half, to: n });
          const s0 = local.run(batchIdx, batchAugment, 0, half, g0);
          const reply = (await done) as { stats: typeof remoteStats } | null;
          if (failed || !reply) throw failed ?? new Error('training worker failed');
          g1.set(sharedGrad1);
          Object.assign(remoteStats, reply.stats);
          s1 = remoteStats;
          accumulate(s0, s1);
        } else {
          const s0 = local.run(batchIdx, batchAugment, 0, half, g0);
          const copy = { ...s0, fired: s0.fired.slice(), saturated: s0.saturated.slice(), clipped: s0.clipped.slice(), partialsSeen: s0.partialsSeen.slice() };
          s1 = local.run(batchIdx, batchAugment, half, n, g1);
          accumulate(copy, s1);
        }
        // Adam on the mean gradient (shard 0 + shard 1, fixed order).
        step++;
        const lr = lrAt(step - 1);
        const bc1 = 1 - beta1 ** step;
        const bc2 = 1 - beta2 ** step;
        adamStep(pm, g0, g1, m, v, lrMul, 1 / n, lr, bc1, bc2);
        if (opts.weightDecay > 0) {
          // AdamW: decoupled decay of the weights (not biases or thresholds), scaled with the schedule.
          const keep = 1 - lr * opts.weightDecay;
          for (let l = 0; l < cfg.layers.length; l++) {
            const L = cfg.layers[l];
            for (let i = layout.w[l], e = layout.w[l] + L.rows * L.outChannels; i < e; i++) pm[i] *= keep;
          }
        }
        adaptThresholds();
        params.set(pm);
        const elapsed = (Date.now() - startTime) / 1000;
        const doneSteps = ranEpochs * stepsPerEpoch + b + 1;
        const remainingSteps = (opts.epochs - epoch) * stepsPerEpoch - b - 1;
        const eta = (elapsed / doneSteps) * remainingSteps;
        status.update(`epoch ${epoch + 1}/${opts.epochs} batch ${b + 1}/${stepsPerEpoch} loss ${(lossSum / Math.max(1, seen)).toFixed(4)} acc ${((100 * correct) / Math.max(1, seen)).toFixed(2)}% lr ${lr.toExponential(2)} ETA ${fmtTime(eta)}`);

        function accumulate(a: typeof remoteStats, c: typeof remoteStats): void {
          lossSum += a.loss + c.loss;
          correct += a.correct + c.correct;
          seen += a.samples + c.samples;
          const samples = a.samples + c.samples;
          for (let i = 0; i < nNeurons; i++) {
            if (i < lastNeuron) {
              const L = cfg.layers[layerOf(i)];
              const cnt = samples * L.outFrames;
              emaFire[i] = 0.9 * emaFire[i] + (0.1 * (a.fired[i] + c.fired[i])) / cnt;
              emaSat[i] = 0.9 * emaSat[i] + (0.1 * (a.saturated[i] + c.saturated[i])) / cnt;
            }
            const ps = a.partialsSeen[i] + c.partialsSeen[i];
            if (ps > 0) emaClip[i] = 0.9 * emaClip[i] + (0.1 * (a.clipped[i] + c.clipped[i])) / ps;
          }
        }
      }
      epochsDone++;
      ranEpochs++;
      let testAccuracy: number | null = null;
      if (testCodes && testSet) testAccuracy = accuracyOf(predictCodes(cfg, layout, params, testCodes, testSet.count), testSet.labels);
      const seconds = (Date.now() - epochStart) / 1000;
      const rec: EpochRecord = { epoch: epochsDone, loss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy, seconds, lr: lrAt(step - 1) };
      history.push(rec);
      const elapsed = (Date.now() - startTime) / 1000;
      const eta = (elapsed / ranEpochs) * (opts.epochs - epochsDone);
      status.line(`epoch ${epochsDone}/${opts.epochs} loss ${rec.loss.toFixed(4)} train ${(100 * rec.trainAccuracy).toFixed(2)}%${testAccuracy !== null ? ` ${opts.evalName ?? 'test'} ${(100 * testAccuracy).toFixed(2)}%` : ''} ${seconds.toFixed(1)}s ETA ${fmtTime(eta)}`);
      if (opts.checkpoint) saveCheckpoint(opts.checkpoint, { key, epochsDone, step, params, m, v, emaFire, emaSat, emaClip, history, seconds: priorSeconds + elapsed });
    }
  } finally {
    if (worker) await worker.terminate();
  }

  function layerOf(neuron: number): number {
    let l = 0;
    while (l + 1 < nOffs.length && nOffs[l + 1] <= neuron) l++;
    return l;
  }

  function adaptThresholds(): void {
    if (cfg.mode === 'float') return;
    const eta = opts.adaptRate;
    for (let l = 0; l < cfg.layers.length; l++) {
      const to = layout.tau[l];
      const last = l === cfg.layers.length - 1;
      const G = groupCount(cfg, cfg.layers[l]);
      for (let j = 0; j < cfg.layers[l].outChannels; j++) {
        const i = nOffs[l] + j;
        let d = 0;
        // Saturated on most samples: raise the threshold (silent neurons are revived by the bias penalty).
        if (!last && emaSat[i] > 0.9) d += eta;
        if (cfg.mode === 'split' && G > 1 && emaClip[i] > opts.clipTarget) d += eta;
        if (d !== 0) pm[to + j] += d;
      }
    }
    updateFlags();
  }

  return { cfg, layout, params: Float32Array.from(params), input, history, options: opts, seconds: priorSeconds + (Date.now() - startTime) / 1000, epochsDone };
}
