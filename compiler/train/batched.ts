/**
 * A dense first layer over a whole shard at once: its weight matrix is the largest (784 rows for
 * digits), so rows go outer and samples inner, and each weight row is read once per shard. Per
 * (sample, neuron) the additions happen in the same order as the per-sample kernels, so the
 * results are bit-identical to forward.ts / backward.ts.
 */
import { axpy32, axpy64 } from './kernels.ts';
import type { Net } from './net.ts';

/** Whether layer 0 can use the batched kernels (a dense first layer: one output position). */
export function batchedFirstLayer(net: Pick<Net, 'cfg'>): boolean {
  return net.cfg.layers[0].outFrames === 1 && !net.cfg.layers[0].grid;
}

/** Partials (groups x out per sample) of the first layer for `count` samples X (count x rows codes); float mode: z with the bias. */
export function firstLayerForwardBatch(net: Net, X: Float32Array, count: number, Pb: Float64Array): void {
  const { cfg, layout, params } = net;
  const q = net.qs[0];
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
  const activity = net.ws.leak ? net.ws.leak[0].activity : null;
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
      axpy64(Pb, s * stride + go, activity ? activity[a] : a, W, ro, out);
    }
  }
}

/**
 * Weight gradient of the first layer: grad_W[r] += X[s][r] * DQ[s][group(r)], samples in order.
 * Its loops are firstLayerForwardBatch's with the other kernel: a deliberate copy (one kernel per loop keeps V8 monomorphic).
 */
export function firstLayerGradBatch(net: Net, X: Float32Array, count: number, DQ: Float64Array, grad: Float32Array): void {
  const { cfg, layout } = net;
  const L = cfg.layers[0];
  const out = L.outChannels;
  const rows = L.rows;
  const float = cfg.mode === 'float';
  const G = float ? 1 : net.qs[0].groups;
  const R = float ? rows : net.qs[0].groupRows;
  const stride = G * out;
  const wo = layout.w[0];
  const activity = net.ws.leak ? net.ws.leak[0].activity : null;
  for (let r = 0; r < rows; r++) {
    const go = G === 1 ? 0 : Math.floor(r / R) * out;
    const ro = wo + r * out;
    for (let s = 0; s < count; s++) {
      const a = X[s * rows + r];
      if (a === 0) continue;
      axpy32(grad, ro, activity ? activity[a] : a, DQ, s * stride + go, out);
    }
  }
}
