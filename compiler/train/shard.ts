/**
 * One shard of a batch: the unit of work of the data-parallel trainer. Both the main thread and the
 * worker run exactly this code on their half of the batch, each into its own gradient buffer; the
 * main thread then adds shard 0 + shard 1 in that fixed order, so the result does not depend on
 * how many threads ran.
 */
import { encodeImage } from '../../runtime/encode.ts';
import type { ImageInput } from '../../runtime/model.ts';
import { type BatchAugment, MIX_FLOATS, augmentImage, mixImages } from '../data/augment.ts';
import { type TrainPass, labelTarget, trainSample } from './backward.ts';
import { batchedFirstLayer, firstLayerForwardBatch, firstLayerGradBatch } from './batched.ts';
import { ChipNoise } from './cell-noise.ts';
import { type NetConfig, type ParamLayout, type Stats, neuronOffsets, newQLayer, newStats, newWorkspace, quantizeLayer, resetStats } from './net.ts';

export interface ShardData {
  /** Raw training pixels (count x srcW x srcH) and labels. */
  images: Uint8Array;
  labels: Uint8Array;
  input: ImageInput;
  /** Distillation: the teacher's probabilities, count x classes (TrainOptions.softTargets); null = labels only. */
  soft?: Float32Array | null;
}

export class ShardRunner {
  /** The training pass over private copies: typed arrays over SharedArrayBuffer are about 2x slower in V8's hot loops. */
  readonly pass: TrainPass;
  private readonly pixels: Uint8Array;
  /** A mixup partner's augmented pixels. */
  private readonly partnerPixels: Uint8Array;
  /** The current sample's target row and its partner's (distillation, mixup). */
  private readonly target: Float64Array;
  private readonly partnerTarget: Float64Array;
  /** A row of scratch for the spectral perturbation. */
  private readonly spectrumRow: Float32Array;
  private readonly codes: Uint8Array;
  private readonly x: Float32Array;
  /** Batched first layer: the shard's inputs, first-layer partials and first-layer output gradients. */
  private X = new Float32Array(0);
  private Pb = new Float64Array(0);
  private DQ = new Float64Array(0);
  /** Noise-aware training: the simulated chip each step's forward runs on. */
  private readonly chips: ChipNoise | null;

  constructor(
    readonly cfg: NetConfig,
    readonly layout: ParamLayout,
    readonly sharedParams: Float32Array,
    flags: Uint8Array,
    readonly data: ShardData,
  ) {
    this.pass = {
      cfg,
      layout,
      params: new Float32Array(sharedParams.length),
      qs: cfg.layers.map((L) => newQLayer(cfg, L)),
      ws: newWorkspace(cfg),
      grad: new Float32Array(sharedParams.length),
      stats: newStats(cfg),
      flags,
      nOffs: neuronOffsets(cfg).offsets,
    };
    const px = data.input.srcWidth * data.input.srcHeight;
    this.pixels = new Uint8Array(px);
    this.partnerPixels = new Uint8Array(px);
    const classes = cfg.layers[cfg.layers.length - 1].outChannels;
    this.target = new Float64Array(classes);
    this.partnerTarget = new Float64Array(classes);
    this.spectrumRow = new Float32Array(data.input.srcWidth);
    this.codes = new Uint8Array(data.input.channels);
    this.x = new Float32Array(data.input.channels);
    this.chips = cfg.cellNoise && cfg.mode !== 'float' ? new ChipNoise(cfg.cellNoise) : null;
  }

  /** Integer layers from the shared parameters; with cell noise, programmed into the chip of the batch `indices`. */
  quantize(indices: Int32Array | null = null): void {
    const { cfg, layout, params, qs } = this.pass;
    params.set(this.sharedParams);
    if (cfg.mode === 'float') return;
    for (let l = 0; l < cfg.layers.length; l++) quantizeLayer(cfg, layout, params, l, qs[l]);
    if (this.chips && indices) this.chips.perturb(qs.map((q) => q.Wq), (1 << (cfg.weightBits - 1)) - 1, this.chips.rngFor(indices));
  }

  /** Encodes sample `index` into the float input vector, augmented as batch slot `slot` of `aug` (null: as is). */
  encode(index: number, aug: BatchAugment | null = null, slot = 0): Float32Array {
    const { srcWidth: w, srcHeight: h } = this.data.input;
    const px = w * h;
    const images = this.data.images;
    augmentImage(images.subarray(index * px, (index + 1) * px), this.pixels, w, h, aug, slot, this.spectrumRow);
    const partner = aug?.mixes ? aug.mixes[slot * MIX_FLOATS] : -1;
    if (aug && partner >= 0) {
      augmentImage(images.subarray(partner * px, (partner + 1) * px), this.partnerPixels, w, h, aug, slot, this.spectrumRow);
      mixImages(this.pixels, this.partnerPixels, px, aug.mixes![slot * MIX_FLOATS + 1]);
    }
    encodeImage(this.data.input, this.pixels, this.codes);
    const x = this.x;
    const c = this.codes;
    for (let i = 0; i < c.length; i++) x[i] = c[i];
    return x;
  }

  /** Training sample `index`'s target row into `out`: its label's, mixed with the teacher's probabilities when distilling. */
  private targetOf(index: number, out: Float64Array): Float64Array {
    const { cfg } = this.pass;
    labelTarget(cfg, this.data.labels[index], out);
    const soft = this.data.soft;
    const w = cfg.distillWeight ?? 0;
    if (soft && w > 0) for (let j = 0; j < out.length; j++) out[j] = (1 - w) * out[j] + w * soft[index * out.length + j];
    return out;
  }

  /** The target row of batch slot `slot` (sample `index`), or null when it is the label's (no distillation, not mixed). */
  private sampleTarget(index: number, aug: BatchAugment, slot: number): Float64Array | null {
    const partner = aug.mixes ? aug.mixes[slot * MIX_FLOATS] : -1;
    if (!(this.data.soft && this.pass.cfg.distillWeight) && partner < 0) return null;
    const target = this.targetOf(index, this.target);
    if (partner >= 0) {
      const share = aug.mixes![slot * MIX_FLOATS + 1];
      const other = this.targetOf(partner, this.partnerTarget);
      for (let j = 0; j < target.length; j++) target[j] = share * target[j] + (1 - share) * other[j];
    }
    return target;
  }

  /**
   * Gradient (summed, not averaged) of samples indices[from..to) into out; statistics returned.
   * `aug` holds the batch's augmentation, indexed like `indices`.
   */
  run(indices: Int32Array, aug: BatchAugment, from: number, to: number, out: Float32Array): Stats {
    const pass = this.pass;
    pass.grad.fill(0);
    resetStats(pass.stats);
    this.quantize(indices);
    const labels = this.data.labels;
    if (!batchedFirstLayer(pass)) {
      for (let b = from; b < to; b++) trainSample(pass, this.encode(indices[b], aug, b), labels[indices[b]], null, null, this.sampleTarget(indices[b], aug, b));
      out.set(pass.grad);
      return pass.stats;
    }
    const count = to - from;
    const n = this.x.length;
    const cell = (pass.cfg.mode === 'float' ? 1 : pass.qs[0].groups) * pass.cfg.layers[0].outChannels;
    if (this.X.length < count * n) this.X = new Float32Array(count * n);
    if (this.Pb.length < count * cell) {
      this.Pb = new Float64Array(count * cell);
      this.DQ = new Float64Array(count * cell);
    }
    for (let s = 0; s < count; s++) this.X.set(this.encode(indices[from + s], aug, from + s), s * n);
    firstLayerForwardBatch(pass, this.X, count, this.Pb);
    for (let s = 0; s < count; s++) {
      trainSample(pass, this.X.subarray(s * n, (s + 1) * n), labels[indices[from + s]], this.Pb.subarray(s * cell, (s + 1) * cell), this.DQ.subarray(s * cell, (s + 1) * cell), this.sampleTarget(indices[from + s], aug, from + s));
    }
    firstLayerGradBatch(pass, this.X, count, this.DQ, pass.grad);
    out.set(pass.grad);
    return pass.stats;
  }
}
