/** Gradient checks: float layers against finite differences; the STE layers against the straight-through formulas. */
import { describe, expect, it } from 'vitest';
import { trainSample } from '../../compiler/train/backward.ts';
import { forwardSample } from '../../compiler/train/forward.ts';
import { type NetConfig, conv1dShape, denseShape, initParams, neuronOffsets, newStats, newWorkspace, paramLayout, quantizeAll } from '../../compiler/train/net.ts';
import { Rng } from '../../compiler/util/prng.ts';

function config(layers: NetConfig['layers'], mode: NetConfig['mode']): NetConfig {
  return { layers, mode, inputBits: 4, actBits: 4, weightBits: 8, groupRows: 4, chargeBound: 4, maxGainShift: 0, perNeuronScale: true, stallPenalty: 0, clipPenalty: 0 };
}

function gradOf(cfg: NetConfig, params: Float32Array, x: Float32Array, label: number) {
  const layout = paramLayout(cfg);
  const grad = new Float32Array(layout.total);
  const stats = newStats(cfg);
  const qs = quantizeAll(cfg, layout, params);
  trainSample({ cfg, layout, params, qs, ws: newWorkspace(cfg), grad, stats, flags: new Uint8Array(neuronOffsets(cfg).total), nOffs: neuronOffsets(cfg).offsets }, x, label);
  return { grad, loss: stats.loss, qs, layout };
}

describe('gradients', () => {
  for (const [name, layers] of [
    ['dense', [denseShape(7, 6), denseShape(6, 5), denseShape(5, 3)]],
    ['conv1d + dense', [conv1dShape(6, 3, 3, 1, 4), conv1dShape(4, 4, 2, 2, 3), denseShape(6, 3)]],
  ] as const) {
    it(`float ${name}: analytic == finite differences`, () => {
      const cfg = config([...layers], 'float');
      const layout = paramLayout(cfg);
      const p = new Float32Array(layout.total);
      initParams(cfg, layout, p, new Rng(5));
      for (let i = 0; i < p.length; i++) p[i] += 0.05;
      const n = layers[0].inFrames * layers[0].inChannels;
      const x = Float32Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : (i * 7) % 16));
      const { grad } = gradOf(cfg, p, x, 1);
      for (let i = 0; i < layout.total; i++) {
        if (layout.tau.some((t, l) => i >= t && i < t + layers[l].outChannels)) continue; // no thresholds in float mode
        const q = Float32Array.from(p);
        const h = 1e-2;
        q[i] = p[i] + h;
        const a = gradOf(cfg, q, x, 1).loss;
        q[i] = p[i] - h;
        const b = gradOf(cfg, q, x, 1).loss;
        expect(Math.abs((a - b) / (2 * h) - grad[i])).toBeLessThan(2e-3);
      }
    });
  }

  it('QAT straight-through gradients follow z = (sum w a + c) / T with the quantized activations', () => {
    const cfg = config([denseShape(8, 6), denseShape(6, 3)], 'qat');
    const layout = paramLayout(cfg);
    const p = new Float32Array(layout.total);
    initParams(cfg, layout, p, new Rng(9));
    for (let j = 0; j < 6; j++) p[layout.tau[0] + j] = Math.log(2);
    const x = Float32Array.from([0, 3, 15, 7, 0, 1, 9, 12]);
    const label = 2;
    const { grad, qs } = gradOf(cfg, p, x, label);
    const ws = newWorkspace(cfg);
    forwardSample({ cfg, layout, params: p, qs, ws }, x);
    const h = ws.act[0];
    const z = ws.z[0];
    const s = qs[1].unit[0];
    const logits = Array.from(ws.act[1], (v) => v * s);
    const m = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    const dl = e.map((v, j) => v / sum - (j === label ? 1 : 0));
    let active = 0;
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 3; j++) expect(grad[layout.w[1] + i * 3 + j]).toBeCloseTo(h[i] * dl[j], 5);
      const dh = dl.reduce((acc, d, j) => acc + p[layout.w[1] + i * 3 + j] * d, 0);
      const gate = z[i] >= 0 && z[i] < 16 ? 1 : 0;
      active += gate;
      const T = Math.exp(p[layout.tau[0] + i]);
      const dz = dh * gate;
      expect(grad[layout.c[0] + i]).toBeCloseTo(dz / T, 4);
      expect(grad[layout.tau[0] + i]).toBeCloseTo(-dz * z[i], 4);
      for (let r = 0; r < 8; r++) expect(grad[layout.w[0] + r * 6 + i]).toBeCloseTo((x[r] * dz) / T, 3);
    }
    expect(active).toBeGreaterThan(0);
  });

  it('split mode: clipped groups pass no task gradient', () => {
    const cfg = { ...config([denseShape(8, 4), denseShape(4, 3)], 'split'), chargeBound: 1 };
    const layout = paramLayout(cfg);
    const p = new Float32Array(layout.total);
    initParams(cfg, layout, p, new Rng(2));
    for (let j = 0; j < 4; j++) p[layout.tau[0] + j] = Math.log(0.05);
    const x = Float32Array.from([15, 15, 15, 15, 0, 1, 0, 1]);
    const { grad, qs } = gradOf(cfg, p, x, 0);
    const ws = newWorkspace(cfg);
    forwardSample({ cfg, layout, params: p, qs, ws }, x);
    let clipped = 0;
    for (let j = 0; j < 4; j++) {
      if (ws.clip[0][j] !== 0) {
        clipped++;
        for (let r = 0; r < 4; r++) expect(grad[layout.w[0] + r * 4 + j]).toBe(0); // clipPenalty = 0
      }
    }
    expect(clipped).toBeGreaterThan(0);
  });
});
