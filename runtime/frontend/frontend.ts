/**
 * Streaming integer audio front-end: 16 kHz int16 PCM -> per-frame log-mel (or cepstral) features
 * -> B-bit codes, bit-identical in every ECMAScript engine (int32 arithmetic and blob tables only).
 *
 * Per frame: pre-emphasis (applied as samples arrive, Q2 result), Q13 window, block-floating-point FFT,
 * power spectrum, mel bands with a per-band block shift, table log2 (Q10), optional integer DCT,
 * per-channel quantization (of each feature, or with window normalization of each feature minus a
 * reference of the window - its peak, or its channel's mean - done when `codes` reads the window). All buffers are allocated in
 * `createAudioFrontend`; `push` and `codes` allocate nothing. Specification: docs/audio-frontend.md.
 *
 * Products are written `a * b` rather than Math.imul: each is bounded below 2^31 by the blob's
 * validated ranges (see docs), so it is an exact integer in every engine, and ToInt32 of an exact
 * product equals Math.imul anyway; XS multiplies small integers without a native call.
 */
import { FEATURE_FRAC_BITS, QUANT_SCALE_BITS, DCT_BITS, NORMALIZE_NONE, NORMALIZE_CHANNEL_MEAN, parseFrontendBlob, type FrontendParams } from './blob.ts';
import { bitReversal, fixedFft, realPowerSpectrum } from './fft.ts';
import { log2Q16 } from './log2.ts';
import { InputError } from '../errors.ts';
import { bytesOf, type NativeFrontendKernels } from '../kernels.ts';

export interface AudioFrontend {
  /** Frames per window (49 by default) and channels per frame (16). */
  readonly frames: number;
  readonly channels: number;
  /** Code bits B: codes are 0 .. 2^B - 1. */
  readonly bits: number;
  readonly sampleRate: number;
  /** Samples per classification window (16000 = 1 s). */
  readonly windowSamples: number;
  /** Frames completed since the last reset (the window is full once this reaches `frames`). */
  readonly frameCount: number;
  /** Forgets all audio: empty frame buffer, pre-emphasis state 0, codes 0. */
  reset(): void;
  /** Consumes `count` samples from `pcm[offset]`, computing every frame they complete; returns how many. */
  push(pcm: Int16Array, offset?: number, count?: number): number;
  /**
   * Writes the codes of the latest `frames` frames, oldest first, frame-major (frames x channels).
   * Frames not yet computed since the reset read as code 0.
   */
  codes(out: Uint8Array): void;
  /**
   * Q10 features of the latest window like `codes`, as the quantizer sees them (with window
   * normalization: minus the window's reference). Only with `keepFeatures`; for calibration and tests.
   */
  features(out: Int32Array): void;
  /**
   * Codes of one clip: reset, then the first `windowSamples` samples of `pcm` (a shorter clip is
   * padded with zeros at the end; samples beyond the first window are ignored), then `codes`.
   */
  computeClip(pcm: Int16Array, out: Uint8Array): void;
}

export interface AudioFrontendOptions {
  /** Also keep the Q10 features of the window (an extra frames x channels Int32Array). */
  keepFeatures?: boolean;
  /**
   * Native kernels (module "tempo-cim-native-frontend"): pre-emphasis, window, FFT, power, mel and
   * log in C, and with window normalization the window's codes; same codes.
   */
  native?: NativeFrontendKernels | null;
}

export function createAudioFrontend(blob: Int32Array, options: AudioFrontendOptions = {}): AudioFrontend {
  return new IntegerFrontend(parseFrontendBlob(blob), options.keepFeatures === true, options.native ?? null);
}

/** Byte views the C kernels read (xsmc passes byte buffers only). */
interface NativeFrame {
  kernels: NativeFrontendKernels;
  params: Uint8Array;
  frame: Uint8Array;
  window: Uint8Array;
  cos: Uint8Array;
  sin: Uint8Array;
  bitrev: Uint8Array;
  re: Uint8Array;
  im: Uint8Array;
  power: Uint8Array;
  mel: Uint8Array;
  log2: Uint8Array;
  features: Uint8Array;
  /** Window normalization only (else null): the window-code kernel's parameter words, feature ring, quantizer and reference. */
  windowParams: Uint8Array | null;
  ring: Uint8Array | null;
  quant: Uint8Array;
  reference: Uint8Array;
}

class IntegerFrontend implements AudioFrontend {
  readonly frames: number;
  readonly channels: number;
  readonly bits: number;
  readonly sampleRate: number;
  readonly windowSamples: number;
  frameCount = 0;

  private readonly p: FrontendParams;
  private readonly maxCode: number;
  private readonly bitrev: Int16Array;
  private readonly frame: Int32Array; // pre-emphasized Q2 samples of the frame being filled
  private readonly re: Int32Array;
  private readonly im: Int32Array;
  private readonly power: Int32Array;
  private readonly melFeatures: Int32Array;
  private readonly channelFeatures: Int32Array;
  /** Per channel: feature - offset at or above which the code saturates (keeps products < 2^25). */
  private readonly saturation: Int32Array;
  private readonly codeRing: Uint8Array;
  /** Q10 features of the window's frames (kept with keepFeatures or window normalization). */
  private readonly featureRing: Int32Array | null;
  private readonly keepFeatures: boolean;
  /** Window normalization: codes are made from the feature ring when the window is read. */
  private readonly normalized: boolean;
  /** Per channel: what the quantizer subtracts from each feature (0 without normalization). */
  private readonly reference: Int32Array;
  /**
   * Channel mean on the TypeScript path (else null): per channel, the sum of the features of the
   * frames heard since the reset that are still in the ring, kept as frames enter and leave it.
   * Int32 wrap-around as in windowReference's accumulator: both are the true sum modulo 2^32.
   */
  private readonly channelSums: Int32Array | null;
  private ringSlot = 0; // next frame slot to write (also the oldest frame)
  private filled = 0;
  private skip = 0; // samples to pass over before the next frame (hop > frame length)
  private previous = 0; // last input sample, for pre-emphasis
  private readonly native: NativeFrame | null;

  constructor(p: FrontendParams, keepFeatures: boolean, native: NativeFrontendKernels | null) {
    this.p = p;
    this.frames = p.frames;
    this.channels = p.channels;
    this.bits = p.bits;
    this.sampleRate = p.sampleRate;
    this.windowSamples = p.windowSamples;
    this.maxCode = (1 << p.bits) - 1;
    this.bitrev = bitReversal(p.fftSize >> 1);
    this.frame = new Int32Array(p.frameLength);
    this.re = new Int32Array(p.fftSize >> 1);
    this.im = new Int32Array(p.fftSize >> 1);
    this.power = new Int32Array((p.fftSize >> 1) + 1);
    this.melFeatures = new Int32Array(p.melBands);
    this.channelFeatures = p.dct ? new Int32Array(p.channels) : this.melFeatures;
    this.saturation = new Int32Array(p.channels);
    for (let c = 0; c < p.channels; c++) {
      const scale = p.quant[2 * c + 1];
      this.saturation[c] = Math.ceil((this.maxCode << QUANT_SCALE_BITS) / scale);
    }
    this.keepFeatures = keepFeatures;
    this.normalized = p.normalize !== NORMALIZE_NONE;
    this.reference = new Int32Array(p.channels);
    this.codeRing = new Uint8Array(this.normalized ? 0 : p.frames * p.channels); // normalized codes come from the feature ring
    this.featureRing = keepFeatures || this.normalized ? new Int32Array(p.frames * p.channels) : null;
    this.channelSums = p.normalize === NORMALIZE_CHANNEL_MEAN && !native ? new Int32Array(p.channels) : null;
    this.native = native ? {
      kernels: native,
      // FRAME_PARAM_*: the TCIM_F_* words of runtime/native/frontend.c, same order.
      params: bytesOf(Int32Array.of(p.frameLength, p.fftSize, p.melBands, p.logFloor, p.melWeightBits, FEATURE_FRAC_BITS)),
      frame: bytesOf(this.frame), window: bytesOf(p.window), cos: bytesOf(p.cos), sin: bytesOf(p.sin),
      bitrev: bytesOf(this.bitrev),
      re: bytesOf(this.re), im: bytesOf(this.im), power: bytesOf(this.power), mel: bytesOf(p.mel), log2: bytesOf(p.log2),
      features: bytesOf(this.melFeatures),
      // WINDOW_PARAM_*: the TCIM_W_* words of runtime/native/frontend.c, same order.
      windowParams: this.normalized ? bytesOf(Int32Array.of(p.frames, p.channels, this.maxCode, p.normalize, p.peakFloor, p.logFloor)) : null,
      ring: this.normalized ? bytesOf(this.featureRing as Int32Array) : null,
      quant: bytesOf(p.quant), reference: bytesOf(this.reference),
    } : null;
    this.reset();
  }

  reset(): void {
    this.frameCount = 0;
    this.ringSlot = 0;
    this.filled = 0;
    this.skip = 0;
    this.previous = 0;
    this.codeRing.fill(0);
    if (this.featureRing) this.featureRing.fill(this.p.logFloor);
    if (this.channelSums) this.channelSums.fill(0);
  }

  push(pcm: Int16Array, offset = 0, count = pcm.length - offset): number {
    if (!(pcm instanceof Int16Array)) throw new InputError('wrong-type', 'audio samples must be an Int16Array of 16 kHz PCM');
    if (!((offset | 0) === offset && (count | 0) === count && offset >= 0 && count >= 0 && offset + count <= pcm.length)) {
      throw new InputError('out-of-range', `push: samples [${offset}, ${offset + count}) outside 0..${pcm.length}`);
    }
    return this.consume(pcm, offset, offset + count);
  }

  /** Feeds pcm[from..to) (or zeros when pcm is null) through pre-emphasis into frames. */
  private consume(pcm: Int16Array | null, from: number, to: number): number {
    const { frameLength, hop, preemphasis } = this.p;
    const frame = this.frame;
    let previous = this.previous;
    let filled = this.filled;
    let completed = 0;
    let i = from;
    while (i < to) {
      if (this.skip > 0) {
        // hop > frame length: samples between frames only update the pre-emphasis state.
        const n = to - i < this.skip ? to - i : this.skip;
        this.skip -= n;
        i += n;
        previous = pcm === null ? 0 : pcm[i - 1];
        continue;
      }
      const run = i + (to - i < frameLength - filled ? to - i : frameLength - filled);
      // Q2 output: two fraction bits keep the rounding noise of pre-emphasis 12 dB below an LSB.
      if (pcm === null) {
        for (; i < run; i++) {
          frame[filled++] = (4096 - preemphasis * previous) >> 13;
          previous = 0;
        }
      } else if (this.native) {
        previous = this.native.kernels.preemphasize(bytesOf(pcm), i, run, this.native.frame, filled, previous, preemphasis);
        filled += run - i;
        i = run;
      } else {
        for (; i < run; i++) {
          const x = pcm[i];
          frame[filled++] = ((x << 15) - preemphasis * previous + 4096) >> 13;
          previous = x;
        }
      }
      if (filled === frameLength) {
        this.computeFrame();
        completed++;
        if (hop < frameLength) {
          frame.copyWithin(0, hop, frameLength);
          filled = frameLength - hop;
        } else {
          filled = 0;
          this.skip = hop - frameLength;
        }
      }
    }
    this.previous = previous;
    this.filled = filled;
    return completed;
  }

  codes(out: Uint8Array): void {
    if (this.normalized) this.normalizedCodes(out);
    else copyRing(this.codeRing, out, this.ringSlot, this.frames, this.channels);
  }

  features(out: Int32Array): void {
    if (!this.keepFeatures || !this.featureRing) throw new Error('features: front-end created without keepFeatures');
    copyRing(this.featureRing, out, this.ringSlot, this.frames, this.channels);
    if (this.normalized) {
      const reference = this.windowReference();
      const channels = this.channels;
      for (let i = 0; i < out.length; i++) out[i] -= reference[i % channels];
    }
  }

  /** Frames of the window heard since the reset. */
  private heardFrames(): number {
    return this.frameCount < this.frames ? this.frameCount : this.frames;
  }

  /** Feature-ring index of the oldest frame heard since the reset (of `heard` frames). */
  private oldestHeard(heard: number): number {
    return ((this.ringSlot + this.frames - heard) % this.frames) * this.channels;
  }

  /**
   * The normalization reference of each channel. Window peak: the largest feature of the window
   * (frames not heard since the reset hold the log floor, below every feature), or the peak floor
   * if that is higher, for every channel. Channel mean: floor of the mean of the channel's features
   * over the heard frames (a sum below 2^25 divided by at most `frames`: the quotient is exact),
   * from the running sums on the TypeScript path, else summed here.
   */
  private windowReference(): Int32Array {
    const ring = this.featureRing as Int32Array;
    const reference = this.reference;
    const channels = this.channels;
    if (this.p.normalize === NORMALIZE_CHANNEL_MEAN) {
      const heard = this.heardFrames();
      reference.fill(0);
      if (heard === 0) return reference;
      const sums = this.channelSums;
      if (sums) {
        for (let c = 0; c < channels; c++) reference[c] = Math.floor(sums[c] / heard);
        return reference;
      }
      let at = this.oldestHeard(heard);
      for (let f = 0; f < heard; f++) {
        for (let c = 0; c < channels; c++) reference[c] += ring[at + c];
        at += channels;
        if (at === ring.length) at = 0;
      }
      for (let c = 0; c < channels; c++) reference[c] = Math.floor(reference[c] / heard);
      return reference;
    }
    let peak = this.p.peakFloor > this.p.logFloor ? this.p.peakFloor : this.p.logFloor;
    for (let i = 0; i < ring.length; i++) if (ring[i] > peak) peak = ring[i];
    reference.fill(peak);
    return reference;
  }

  /** Window normalization: each feature minus the window's reference, quantized; frames not heard since the reset are code 0. */
  private normalizedCodes(out: Uint8Array): void {
    const { frames, channels } = this;
    const ring = this.featureRing as Int32Array;
    const total = frames * channels;
    if (out.length !== total) throw new InputError('wrong-length', `output holds ${out.length} values, the window has ${total}`);
    const heard = this.heardFrames();
    const native = this.native;
    if (native) {
      native.kernels.windowCodes(native.windowParams as Uint8Array, native.ring as Uint8Array, native.quant, native.reference, out, this.ringSlot, heard);
      return;
    }
    const reference = this.windowReference();
    const unheard = (frames - heard) * channels;
    out.fill(0, 0, unheard);
    // quantizeFrame's arithmetic a channel at a time, its constants in locals. f - reference - offset
    // is exact, so f - (reference + offset) is the same d; d < saturation keeps d * scale below
    // maxCode << QUANT_SCALE_BITS, so the code needs no clamp.
    const { quant } = this.p;
    const { maxCode, saturation } = this;
    const oldest = this.oldestHeard(heard);
    for (let c = 0; c < channels; c++) {
      const base = reference[c] + quant[2 * c];
      const scale = quant[2 * c + 1];
      const limit = saturation[c];
      let at = oldest + c;
      for (let o = unheard + c; o < total; o += channels) {
        const d = ring[at] - base;
        out[o] = d >= limit ? maxCode : d > 0 ? d * scale >> QUANT_SCALE_BITS : 0;
        at += channels;
        if (at >= total) at -= total;
      }
    }
  }

  computeClip(pcm: Int16Array, out: Uint8Array): void {
    if (!(pcm instanceof Int16Array)) throw new InputError('wrong-type', 'audio samples must be an Int16Array of 16 kHz PCM');
    this.reset();
    const used = pcm.length < this.windowSamples ? pcm.length : this.windowSamples;
    this.consume(pcm, 0, used);
    this.consume(null, used, this.windowSamples);
    this.codes(out);
  }

  private computeFrame(): void {
    const p = this.p;
    const native = this.native;
    if (native) {
      native.kernels.frontendFrame(native.params, native.frame, native.window, native.cos, native.sin, native.bitrev,
        native.re, native.im, native.power, native.mel, native.log2, native.features);
      this.finishFrame();
      return;
    }
    const { frameLength, fftSize, window } = p;
    const frame = this.frame;
    const re = this.re;
    const im = this.im;
    const bitrev = this.bitrev;

    // Q2 samples (|y| < 2^18) times the Q13 window (|w| < 2^13) fit int32; then normalize below 2^14.
    let maxAbs = 0;
    for (let i = 0; i < frameLength; i++) {
      const v = frame[i] * window[i];
      const a = v < 0 ? -v : v;
      if (a > maxAbs) maxAbs = a;
    }
    const mel = this.melFeatures;
    if (maxAbs === 0) {
      mel.fill(p.logFloor);
    } else {
      const normShift = 18 - Math.clz32(maxAbs); // bit length - 14; negative shifts left
      const round = normShift > 0 ? 1 << (normShift - 1) : 0;
      // Pack even samples as real and odd samples as imaginary parts, in bit-reversed order.
      const half = fftSize >> 1;
      let bound = 0;
      for (let j = 0; j < half; j++) {
        let even = 0;
        let odd = 0;
        const i = j << 1;
        if (i < frameLength) {
          even = frame[i] * window[i];
          even = normShift >= 0 ? (even + round) >> normShift : even << -normShift;
          if (i + 1 < frameLength) {
            odd = frame[i + 1] * window[i + 1];
            odd = normShift >= 0 ? (odd + round) >> normShift : odd << -normShift;
          }
        }
        const target = bitrev[j];
        re[target] = even;
        im[target] = odd;
        bound |= (even ^ (even >> 31)) | (odd ^ (odd >> 31));
      }
      const fftShift = fixedFft(re, im, half, p.cos, p.sin, bound);
      realPowerSpectrum(re, im, half, p.cos, p.sin, this.power);
      // Z components are Z_true * 2^(15 - normShift - fftShift) (Q2 samples x Q13 window = Q15);
      // power holds |X / 2|^2 at that scale.
      this.melLog(2 * normShift + 2 * fftShift - 28 - p.melWeightBits);
    }
    this.finishFrame();
  }

  /** Mel features to channel features (DCT), codes, and the next ring slot. */
  private finishFrame(): void {
    const p = this.p;
    const features = p.dct ? this.applyDct() : this.melFeatures;
    this.quantize(features);
    this.ringSlot = this.ringSlot + 1 === this.frames ? 0 : this.ringSlot + 1;
    this.frameCount++;
  }

  /** Log2 (Q10) of each mel band's energy; log2(energy) = log2(acc) + bandShift + exponent. */
  private melLog(exponent: number): void {
    const { mel: table, melBands, log2, logFloor } = this.p;
    const power = this.power;
    const out = this.melFeatures;
    let at = 0;
    for (let m = 0; m < melBands; m++) {
      const first = table[at];
      const count = table[at + 1];
      const weights = at + 2;
      at = weights + count;
      let peak = 0;
      for (let i = 0; i < count; i++) {
        const v = power[first + i];
        if (v > peak && table[weights + i] !== 0) peak = v;
      }
      // Shift the band's bins below 2^15; weights sum to <= 2^16, so acc < 2^31.
      const shift = peak >= 1 << 15 ? 17 - Math.clz32(peak) : 0;
      let acc = 0;
      for (let i = 0; i < count; i++) acc += (power[first + i] >> shift) * table[weights + i];
      let feature = logFloor;
      if (acc > 0) {
        const value = (log2Q16(acc, log2) + ((shift + exponent) << 16)) >> (16 - FEATURE_FRAC_BITS);
        if (value > feature) feature = value;
      }
      out[m] = feature;
    }
  }

  /** Integer DCT-II of the mel features (Q14 table), each term rounded down to Q10. */
  private applyDct(): Int32Array {
    const { dctTable, melBands, channels } = this.p;
    const mel = this.melFeatures;
    const out = this.channelFeatures;
    for (let c = 0, row = 0; c < channels; c++, row += melBands) {
      let sum = 0;
      for (let m = 0; m < melBands; m++) sum += mel[m] * dctTable[row + m] >> DCT_BITS;
      out[c] = sum;
    }
    return out;
  }

  /** One frame into the rings: its codes (absolute codes only; normalized ones are made when read) and, if kept, its features. */
  private quantize(features: Int32Array): void {
    const base = this.ringSlot * this.channels;
    if (!this.normalized) this.quantizeFrame(features, 0, this.reference, this.codeRing, base);
    const featureRing = this.featureRing;
    if (!featureRing) return;
    const sums = this.channelSums;
    if (sums) {
      // The slot's frame leaves the window (if it was heard since the reset) as this one enters.
      const leaving = this.frameCount >= this.frames;
      for (let c = 0; c < this.channels; c++) {
        const f = features[c];
        sums[c] += leaving ? f - featureRing[base + c] : f;
        featureRing[base + c] = f;
      }
    } else {
      for (let c = 0; c < this.channels; c++) featureRing[base + c] = features[c];
    }
  }

  /**
   * The quantizer: codes of one frame's channels, `features[from + c] - reference[c]`, into
   * `out[to + c]`. Feature - reference stays within 2^17 and |offset| <= 2^24; d < saturation keeps
   * d * scale < 2^31.
   */
  private quantizeFrame(features: Int32Array, from: number, reference: Int32Array, out: Uint8Array, to: number): void {
    const { quant, channels } = this.p;
    const { maxCode, saturation } = this;
    for (let c = 0; c < channels; c++) {
      const d = features[from + c] - reference[c] - quant[2 * c];
      let code = 0;
      if (d >= saturation[c]) code = maxCode;
      else if (d > 0) {
        code = d * quant[2 * c + 1] >> QUANT_SCALE_BITS;
        if (code > maxCode) code = maxCode;
      }
      out[to + c] = code;
    }
  }
}

function copyRing<T extends Uint8Array | Int32Array>(ring: T, out: T, oldest: number, frames: number, channels: number): void {
  const total = frames * channels;
  if (out.length !== total) throw new InputError('wrong-length', `output holds ${out.length} values, the window has ${total}`);
  const split = oldest * channels;
  let o = 0;
  for (let i = split; i < total; i++) out[o++] = ring[i];
  for (let i = 0; i < split; i++) out[o++] = ring[i];
}
