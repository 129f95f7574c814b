/**
 * Stall statistics and threshold adaptation. Per neuron, exponential moving averages over batches
 * of how often it fires (code > 0), saturates (code = A) and has a harmful clip (split mode). They
 * set the stall flags the backward pass's penalty reads (silent: fires on < 1% of its positions;
 * saturated: at the rail on > 90%) and, after every optimizer step, nudge thresholds up (log units)
 * for saturated hidden neurons and for neurons that clip more often than `clipTarget`.
 * All inputs are integer counts summed in a fixed shard order, so the result is deterministic.
 */
import { STALL_SATURATED, STALL_SILENT } from './backward.ts';
import { type NetConfig, type ParamLayout, type Stats, groupCount, neuronOffsets } from './net.ts';

export class StallMonitor {
  readonly emaFire: Float64Array;
  readonly emaSat: Float64Array;
  readonly emaClip: Float64Array;
  private readonly nOffs: number[];
  /** Neurons of the hidden layers (the output layer's come after them and never stall: scores, not codes). */
  private readonly hidden: number;
  /** Output positions (frames) of each neuron's layer. */
  private readonly frames: Float64Array;

  constructor(
    private readonly cfg: NetConfig,
    private readonly layout: ParamLayout,
    /** Shared with the shards' backward passes. */
    readonly flags: Uint8Array,
    private readonly adapt: { adaptRate: number; clipTarget: number },
  ) {
    const { offsets, total } = neuronOffsets(cfg);
    this.nOffs = offsets;
    this.hidden = offsets[offsets.length - 1];
    this.emaFire = new Float64Array(total).fill(0.5);
    this.emaSat = new Float64Array(total);
    this.emaClip = new Float64Array(total);
    this.frames = new Float64Array(total);
    cfg.layers.forEach((L, l) => this.frames.fill(L.outFrames, offsets[l], offsets[l] + L.outChannels));
  }

  /** Adds one batch's statistics (shard a + shard c). */
  observe(a: Stats, c: Stats): void {
    const samples = a.samples + c.samples;
    for (let i = 0; i < this.emaFire.length; i++) {
      if (i < this.hidden) {
        const cnt = samples * this.frames[i];
        this.emaFire[i] = 0.9 * this.emaFire[i] + (0.1 * (a.fired[i] + c.fired[i])) / cnt;
        this.emaSat[i] = 0.9 * this.emaSat[i] + (0.1 * (a.saturated[i] + c.saturated[i])) / cnt;
      }
      const ps = a.partialsSeen[i] + c.partialsSeen[i];
      if (ps > 0) this.emaClip[i] = 0.9 * this.emaClip[i] + (0.1 * (a.clipped[i] + c.clipped[i])) / ps;
    }
  }

  updateFlags(): void {
    const { flags, emaFire, emaSat } = this;
    for (let i = 0; i < flags.length; i++) flags[i] = i >= this.hidden ? 0 : emaFire[i] < 0.01 ? STALL_SILENT : emaSat[i] > 0.9 ? STALL_SATURATED : 0;
  }

  /** Raises thresholds (tau, log units) in the parameters p of saturated or often-clipping neurons, then updates the flags (integer modes). */
  adaptThresholds(p: Float32Array): void {
    const cfg = this.cfg;
    if (cfg.mode === 'float') return;
    const eta = this.adapt.adaptRate;
    for (let l = 0; l < cfg.layers.length; l++) {
      const to = this.layout.tau[l];
      const last = l === cfg.layers.length - 1;
      const G = groupCount(cfg, cfg.layers[l]);
      for (let j = 0; j < cfg.layers[l].outChannels; j++) {
        const i = this.nOffs[l] + j;
        let d = 0;
        // Saturated on most samples: raise the threshold (silent neurons are revived by the bias penalty).
        if (!last && this.emaSat[i] > 0.9) d += eta;
        if (cfg.mode === 'split' && G > 1 && this.emaClip[i] > this.adapt.clipTarget) d += eta;
        if (d !== 0) p[to + j] += d;
      }
    }
    this.updateFlags();
  }
}
