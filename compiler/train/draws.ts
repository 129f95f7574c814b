/**
 * The trainer's augmentation draws: for every batch slot, from the epoch's random stream, a shift
 * or an affine warp, then a mask if masks are on, then a spectral perturbation, a time stretch, a
 * gain contour and a mixup partner if those are on, into
 * the shared buffers both shards apply (compiler/data/augment.ts augmentImage). Draw order is part of the byte-identity contract: a
 * draw that is off takes nothing from the stream, so configurations without it keep their bytes.
 */
import type { ImageInput } from '../../runtime/model.ts';
import { type BatchAugment, type DistortOptions, type SpectrumOptions, GAIN_KNOTS, MASK_BYTES, MIX_FLOATS, SPECTRUM_FLOATS, TEMPO_FLOATS, WARP_FLOATS, drawGainContour, drawMask, drawMix, drawShift, drawSpectrum, drawTempo, drawWarp } from '../data/augment.ts';
import type { TrainOptions } from './options.ts';
import { shared } from './parallel.ts';

/** Packed shift of an unshifted sample (dx = dy = 0). */
const NO_SHIFT = 0x88;

export class AugmentDraws {
  readonly batch: BatchAugment;
  private readonly warp: DistortOptions | null;
  private readonly spectrum: SpectrumOptions | null;

  /** `count`: training samples (mixup partners are drawn among them). */
  constructor(private readonly opts: TrainOptions, private readonly input: ImageInput, private readonly count: number) {
    const o = opts;
    this.warp = (o.rotate ?? 0) > 0 || (o.zoom ?? 0) > 0 ? { shift: o.shift, shiftX: o.shiftX ?? o.shift, rotate: o.rotate ?? 0, zoom: o.zoom ?? 0 } : null;
    const masked = (o.maskRows ?? 0) > 0 || (o.maskCols ?? 0) > 0;
    this.spectrum = (o.spectrumWarp ?? 0) > 0 || (o.spectrumTilt ?? 0) > 0 ? { warp: o.spectrumWarp ?? 0, tilt: o.spectrumTilt ?? 0 } : null;
    this.batch = {
      shifts: shared(Uint8Array, o.batch),
      warps: this.warp ? shared(Float32Array, o.batch * WARP_FLOATS) : null,
      masks: masked ? shared(Uint8Array, o.batch * MASK_BYTES) : null,
      spectra: this.spectrum ? shared(Float32Array, o.batch * SPECTRUM_FLOATS) : null,
      tempos: (o.timeWarp ?? 0) > 0 && !this.warp ? shared(Float32Array, o.batch * TEMPO_FLOATS) : null,
      gains: (o.gainContour ?? 0) > 0 ? shared(Float32Array, o.batch * GAIN_KNOTS) : null,
      mixes: (o.mixup ?? 0) > 0 ? shared(Float32Array, o.batch * MIX_FLOATS) : null,
    };
  }

  /** Draws batch slot `slot`'s augmentation from `next` (uniform in [0, 1)). */
  draw(next: () => number, slot: number): void {
    const { opts, input, batch } = this;
    if (this.warp && batch.warps) drawWarp(next, this.warp, input.srcWidth, input.srcHeight, batch.warps, slot * WARP_FLOATS);
    else batch.shifts[slot] = opts.shift > 0 ? drawShift(next, opts.shift, opts.shiftX ?? opts.shift) : NO_SHIFT;
    if (batch.masks) drawMask(next, opts.maskRows ?? 0, opts.maskCols ?? 0, input.srcWidth, input.srcHeight, batch.masks, slot * MASK_BYTES);
    if (this.spectrum && batch.spectra) drawSpectrum(next, this.spectrum, batch.spectra, slot * SPECTRUM_FLOATS);
    if (batch.tempos) drawTempo(next, opts.timeWarp ?? 0, batch.tempos, slot * TEMPO_FLOATS);
    if (batch.gains) drawGainContour(next, opts.gainContour ?? 0, batch.gains, slot * GAIN_KNOTS);
    if (batch.mixes) drawMix(next, opts.mixup ?? 0, this.count, batch.mixes, slot * MIX_FLOATS);
  }
}
