/**
 * The backward pass through conv2d windows (zero padding, stride) and max pooling (gradient to the
 * winner) against finite differences of the loss, in float mode where the graph is differentiable
 * almost everywhere (ReLU kinks and pooling ties are measure-zero for random weights).
 */
import { describe, expect, it } from 'vitest';
import { type TrainPass, trainSample } from '../../compiler/train/backward.ts';
import { type NetConfig, conv2dShape, denseShape, initParams, netOf, neuronOffsets, newStats, paramLayout } from '../../compiler/train/net.ts';
import { Rng } from '../../compiler/util/prng.ts';

function lossAndGrad(cfg: NetConfig, params: Float32Array, x: Float32Array, label: number): { loss: number; grad: Float32Array } {
  const layout = paramLayout(cfg);
  const { offsets, total } = neuronOffsets(cfg);
  const pass: TrainPass = { ...netOf(cfg, layout, params), grad: new Float32Array(layout.total), stats: newStats(cfg), flags: new Uint8Array(total), nOffs: offsets };
  trainSample(pass, x, label);
  return { loss: pass.stats.loss, grad: pass.grad };
}

describe('conv2d + pooling backward == finite differences (float mode)', () => {
  it('weights and biases of both conv layers and the classifier', () => {
    const rng = new Rng(14, 2);
    let checked = 0;
    let agree = 0;
    for (let m = 0; m < 6; m++) {
      const c1 = conv2dShape(7, 6, 2, 3, 1, 1, 2, 3); // 7x6x2 -> same padding -> 7x6 map -> pooled 3x3x3
      const c2 = conv2dShape(3, 3, 3, 2, 1, m % 2, 1, 4); // 3x3x3 -> 2x2 or 4x4 maps (valid / padding 1), no pooling
      const layers = [c1, c2, denseShape(c2.outFrames * 4, 5)];
      const cfg: NetConfig = { layers, mode: 'float', inputBits: 4, actBits: 4, weightBits: 8, groupRows: 128, chargeBound: 4, maxGainShift: 0, perNeuronScale: true, stallPenalty: 0, clipPenalty: 0 };
      const layout = paramLayout(cfg);
      const params = new Float32Array(layout.total);
      initParams(cfg, layout, params, rng);
      for (let l = 0; l < layers.length; l++) for (let j = 0; j < layers[l].outChannels; j++) params[layout.c[l] + j] = 0.3 * rng.normal();
      const x = Float32Array.from({ length: 7 * 6 * 2 }, () => (rng.next() < 0.6 ? rng.int(1, 15) / 15 : 0));
      const label = rng.int(0, 4);
      const { grad } = lossAndGrad(cfg, params, x, label);
      for (let k = 0; k < 40; k++) {
        const i = rng.int(0, layout.total - 1);
        if (layout.tau.some((t, l) => i >= t && i < t + layers[l].outChannels)) continue; // float mode ignores tau
        const eps = 1e-3;
        const p = Float32Array.from(params);
        p[i] = params[i] + eps;
        const up = lossAndGrad(cfg, p, x, label).loss;
        p[i] = params[i] - eps;
        const down = lossAndGrad(cfg, p, x, label).loss;
        const numeric = (up - down) / (2 * eps);
        checked++;
        if (Math.abs(numeric - grad[i]) <= 2e-3 + 2e-2 * Math.abs(numeric)) agree++;
      }
    }
    expect(checked).toBeGreaterThan(150);
    // A kink or a pooling tie inside +-eps can break a few comparisons; a routing or index bug breaks most.
    expect(agree / checked).toBeGreaterThan(0.97);
  });
});
