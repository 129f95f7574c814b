/**
 * The optimizer: Adam on the mean of the two shards' gradients with a per-parameter step multiplier,
 * decoupled (AdamW) weight decay, and the learning-rate schedule (linear warm-up from lr/10, then
 * cosine decay to lr * lrFloor).
 */
import type { NetConfig, ParamLayout } from './net.ts';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

export class Adam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** Steps taken so far (the bias corrections' exponent). */
  step = 0;

  constructor(private readonly lrMul: Float32Array) {
    this.m = new Float64Array(lrMul.length);
    this.v = new Float64Array(lrMul.length);
  }

  /** One step of p on the mean gradient (g0 + g1) * inv (shard 0 + shard 1, fixed order). */
  update(p: Float32Array, g0: Float32Array, g1: Float32Array, inv: number, lr: number): void {
    this.step++;
    adamStep(p, g0, g1, this.m, this.v, this.lrMul, inv, lr, 1 - BETA1 ** this.step, 1 - BETA2 ** this.step);
  }
}

/** Kept out of the class and the async loop so V8 optimizes it. */
function adamStep(p: Float32Array, g0: Float32Array, g1: Float32Array, m: Float64Array, v: Float64Array, lrMul: Float32Array, inv: number, lr: number, bc1: number, bc2: number): void {
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const g = (g0[i] + g1[i]) * inv;
    const mi = BETA1 * m[i] + (1 - BETA1) * g;
    const vi = BETA2 * v[i] + (1 - BETA2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr * lrMul[i] * (mi / bc1)) / (Math.sqrt(vi / bc2) + EPS);
  }
}

/**
 * Per-parameter step multiplier: layer inputs are codes in [0, A] (not normalized), so the weights
 * that see them are smaller by the inputs' RMS; Adam's step is divided by it (measured at init).
 */
export function stepMultipliers(cfg: NetConfig, layout: ParamLayout, rmsIn: number[]): Float32Array {
  const lrMul = new Float32Array(layout.total).fill(1);
  for (let l = 0; l < cfg.layers.length; l++) {
    const L = cfg.layers[l];
    lrMul.fill(1 / Math.max(1e-3, rmsIn[l]), layout.w[l], layout.w[l] + L.rows * L.outChannels);
  }
  return lrMul;
}

/** AdamW: decoupled decay of the weights (not biases or thresholds), w *= 1 - lr * decay. */
export function decayWeights(cfg: NetConfig, layout: ParamLayout, p: Float32Array, lr: number, decay: number): void {
  const keep = 1 - lr * decay;
  for (let l = 0; l < cfg.layers.length; l++) {
    const L = cfg.layers[l];
    for (let i = layout.w[l], e = layout.w[l] + L.rows * L.outChannels; i < e; i++) p[i] *= keep;
  }
}

export interface Schedule {
  lr: number;
  lrFloor: number;
  warmupSteps: number;
}

/** Learning rate at step s (0-based) of totalSteps. */
export function learningRate(o: Schedule, totalSteps: number): (s: number) => number {
  return (s) => {
    if (s < o.warmupSteps) return o.lr * (0.1 + (0.9 * s) / o.warmupSteps);
    const p = Math.min(1, (s - o.warmupSteps) / Math.max(1, totalSteps - o.warmupSteps));
    return o.lr * (o.lrFloor + (1 - o.lrFloor) * 0.5 * (1 + Math.cos(Math.PI * p)));
  };
}
