/**
 * One shard of a batch: the unit of work of the data-parallel trainer. Both the main thread and the
 * worker run exactly this code on their half of the batch, each into its own gradient buffer; the
 * main thread then adds shard 0 + shard 1 in that fixed order, so the result does not depend on
 * how many threads ran.
 */
import { encodeImage } from '../../runtime/encode.ts';
import type { ImageInput } from '../../runtime/model.ts';
import { shiftImage, unpackShift } from '../data/augment.ts';
import { type NetConfig, type ParamLayout, type QLayer, type Stats, type Workspace, neuronOffsets, newQLayer, newStats, newWorkspace, quantizeLayer, resetStats, trainSample } from './net.ts';

export interface ShardData {
  /** Raw training pixels (count x srcW x srcH) and labels. */
  images: Uint8Array;
  labels: Uint8Array;
  input: ImageInput;
}

export class ShardRunner {
  readonly qs: QLayer[];
  readonly ws: Workspace;
  readonly stats: Stats;
  readonly nOffs: number[];
  private readonly pixels: Uint8Array;
  private readonly codes: Uint8Array;
  private readonly x: Float32Array;

  constructor(
    readonly cfg: NetConfig,
    readonly layout: ParamLayout,
    readonly params: Float32Array,
    readonly flags: Uint8Array,
    readonly data: ShardData,
  ) {
    this.qs = cfg.layers.map((L) => newQLayer(cfg, L));
    this.ws = newWorkspace(cfg);
    this.stats = newStats(cfg);
    this.nOffs = neuronOffsets(cfg).offsets;
    const px = data.input.srcWidth * data.input.srcHeight;
    this.pixels = new Uint8Array(px);
    this.codes = new Uint8Array(data.input.channels);
    this.x = new Float32Array(data.input.channels);
  }

  quantize(): void {
    if (this.cfg.mode === 'float') return;
    for (let l = 0; l < this.cfg.layers.length; l++) quantizeLayer(this.cfg, this.layout, this.params, l, this.qs[l]);
  }

  /** Encodes sample `index` shifted by `packedShift` into the float input vector. */
  encode(index: number, packedShift: number): Float32Array {
    const { srcWidth: w, srcHeight: h } = this.data.input;
    const px = w * h;
    const src = this.data.images.subarray(index * px, (index + 1) * px);
    const [dx, dy] = unpackShift(packedShift);
    shiftImage(src, this.pixels, w, h, dx, dy);
    encodeImage(this.data.input, this.pixels, this.codes);
    const x = this.x;
    const c = this.codes;
    for (let i = 0; i < c.length; i++) x[i] = c[i];
    return x;
  }

  /** Gradient (summed, not averaged) of samples indices[from..to) into grad; statistics into this.stats. */
  run(indices: Int32Array, shifts: Uint8Array, from: number, to: number, grad: Float32Array): Stats {
    grad.fill(0);
    resetStats(this.stats);
    this.quantize();
    for (let b = from; b < to; b++) {
      const idx = indices[b];
      const x = this.encode(idx, shifts[b]);
      trainSample(this.cfg, this.layout, this.params, this.qs, x, this.data.labels[idx], this.ws, grad, this.stats, this.flags, this.nOffs);
    }
    return this.stats;
  }
}
