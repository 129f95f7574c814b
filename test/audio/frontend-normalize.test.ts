/**
 * Window normalization of the integer front-end (blob version 2): codes quantize each feature minus
 * the window's peak (`normalize: 'window-peak'`) or minus its channel's mean over the window
 * (`'channel-mean'`). Checked against the float reference, for gain (and spectral colouring)
 * invariance, streaming, and for blobs without it (version 1) keeping the absolute codes.
 */
import { describe, expect, it } from 'vitest';
import { buildFrontendBlob } from '../../compiler/audio/frontend-config.ts';
import { createFloatFrontend } from '../../compiler/audio/frontend-float.ts';
import { ModelError } from '../../runtime/errors.ts';
import { H_DCT, H_NORMALIZE, H_PEAK_FLOOR, H_VERSION, QUANT_SCALE_BITS, parseFrontendBlob } from '../../runtime/frontend/blob.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { randomStream } from '../../compiler/util/prng.ts';
import { pearson, speechLikeClip } from './speechlike.ts';

const calibration = Array.from({ length: 40 }, (_, i) => speechLikeClip(1000 + i));
const heldOut = Array.from({ length: 30 }, (_, i) => speechLikeClip(5000 + i));
const SIZE = 49 * 16;

/** The clip times `gain`, rounded; null when that would clip int16. */
function scaled(clip: Int16Array, gain: number): Int16Array | null {
  const out = new Int16Array(clip.length);
  for (let i = 0; i < clip.length; i++) {
    const v = Math.round(clip[i] * gain);
    if (v > 32767 || v < -32768) return null;
    out[i] = v;
  }
  return out;
}

/** The documented quantizer applied to features: code = clamp(((f - offset) * scale) >> 16, 0, 2^B - 1). */
function quantizeFeatures(blob: Int32Array, features: Int32Array): Uint8Array {
  const { quant, channels, bits } = parseFrontendBlob(blob);
  const max = (1 << bits) - 1;
  return Uint8Array.from(features, (f, i) => {
    const d = f - quant[2 * (i % channels)];
    return d <= 0 ? 0 : Math.min(max, Math.floor((d * quant[2 * (i % channels) + 1]) / 2 ** QUANT_SCALE_BITS));
  });
}

/** Pushing each of 10 clips in chunks of random sizes gives the codes of computeClip. */
function expectStreamedAsWhole(blob: Int32Array, seed: number): void {
  const rand = randomStream(seed);
  const streaming = createAudioFrontend(blob);
  const whole = createAudioFrontend(blob);
  const a = new Uint8Array(SIZE);
  const b = new Uint8Array(SIZE);
  for (const clip of heldOut.slice(0, 10)) {
    streaming.reset();
    for (let at = 0; at < clip.length;) {
      const count = Math.min(clip.length - at, Math.floor(rand() ** 3 * 2000));
      streaming.push(clip, at, count);
      at += count;
    }
    streaming.codes(a);
    whole.computeClip(clip, b);
    expect(a).toEqual(b);
  }
}

describe('window-peak normalization', () => {
  const blob = buildFrontendBlob({ normalize: 'window-peak' }, calibration);

  it('is a version 2 blob whose calibrated ranges end at the peak', () => {
    expect(blob[H_VERSION]).toBe(2);
    expect(blob[H_NORMALIZE]).toBe(1);
    expect(blob[H_PEAK_FLOOR]).toBe(20 * 1024);
    const { quant, channels } = parseFrontendBlob(blob);
    for (let c = 0; c < channels; c++) expect(quant[2 * c]).toBeLessThan(0); // offsets below the peak
  });

  it('matches the float reference and quantizes the normalized features', () => {
    const frontend = createAudioFrontend(blob, { keepFeatures: true });
    const reference = createFloatFrontend({ normalize: 'window-peak' });
    const codes = new Uint8Array(SIZE);
    const features = new Int32Array(SIZE);
    const integer: number[] = [];
    const float: number[] = [];
    let quiet = 0;
    for (const clip of heldOut) {
      frontend.computeClip(clip, codes);
      frontend.features(features);
      const peak = Math.max(...features);
      expect(peak).toBeLessThanOrEqual(0); // 0 at the window's peak, unless the peak floor is higher
      if (peak < 0) quiet++;
      expect(codes).toEqual(quantizeFeatures(blob, features));
      const ref = reference.compute(clip);
      for (let i = 0; i < SIZE; i++) {
        integer.push(features[i] / 1024);
        float.push(ref[i]);
      }
    }
    const r = pearson(integer, float);
    console.log(`window-peak features vs float64: r = ${r.toFixed(5)} (${quiet} of ${heldOut.length} clips peak below the floor)`);
    expect(quiet).toBeLessThan(heldOut.length / 2);
    expect(r).toBeGreaterThan(0.999);
  });

  it('gives the same codes at any gain for what lies well above the log floor; absolute codes move', () => {
    const absolute = createAudioFrontend(buildFrontendBlob({}, calibration));
    const normalized = createAudioFrontend(blob, { keepFeatures: true });
    const a = new Uint8Array(SIZE);
    const b = new Uint8Array(SIZE);
    const features = new Int32Array(SIZE);
    let compared = 0;
    let normalizedMoved = 0;
    let absoluteMoved = 0;
    for (const clip of heldOut) {
      if (Math.max(...clip.map(Math.abs)) < 1000) continue; // x0.25 would leave a few LSB of rounding noise
      for (const gain of [0.25, 4]) {
        const other = scaled(clip, gain);
        if (!other) continue;
        // Positions within 12 log2 units (36 dB) of the window's peak in both versions: there the
        // int16 rounding and the log floor do not reach (below, the floor is not gain-invariant).
        normalized.computeClip(clip, a);
        normalized.features(features);
        const near = features.map((f) => (f > -12 * 1024 ? 1 : 0));
        normalized.computeClip(other, b);
        normalized.features(features);
        const moved = () => {
          let n = 0;
          for (let i = 0; i < SIZE; i++) if (near[i] && features[i] > -12 * 1024 && Math.abs(a[i] - b[i]) > 1) n++;
          return n;
        };
        normalizedMoved += moved();
        absolute.computeClip(clip, a);
        absolute.computeClip(other, b);
        absoluteMoved += moved();
        for (let i = 0; i < SIZE; i++) if (near[i] && features[i] > -12 * 1024) compared++;
      }
    }
    // x4 / x0.25 is +-2 log2 units: more than a code step of the absolute quantizer.
    console.log(`codes within 36 dB of the peak moved by more than one step at gain x4 / x0.25: normalized ${normalizedMoved}/${compared}, absolute ${absoluteMoved}/${compared}`);
    expect(compared).toBeGreaterThan(5000);
    expect(normalizedMoved / compared).toBeLessThan(0.01);
    expect(absoluteMoved / compared).toBeGreaterThan(0.2);
  });

  it('keeps windows quieter than the peak floor quiet: digital silence is not raised to full scale', () => {
    const silence = new Int16Array(16000);
    const codes = new Uint8Array(SIZE);
    const other = new Uint8Array(SIZE);
    const features = new Int32Array(SIZE);
    const floored = createAudioFrontend(blob, { keepFeatures: true });
    // Without a floor (0, below the log floor) the reference is the window's own peak.
    const unfloored = createAudioFrontend(buildFrontendBlob({ normalize: 'window-peak', peakFloor: 0 }, calibration));
    floored.computeClip(silence, codes);
    unfloored.computeClip(silence, other);
    expect(codes).toEqual(quantizeFeatures(blob, new Int32Array(SIZE).fill((5 - 20) * 1024))); // logFloor - peakFloor everywhere
    expect(codes.every((c) => c < 10)).toBe(true);
    expect(other.every((c) => c === 15)).toBe(true); // silence read as full scale
    // A speech-like clip turned down until its peak is 2 log2 units below the floor (yet above the log floor).
    let faint = heldOut[3];
    for (let shift = 1; shift < 12; shift++) {
      faint = Int16Array.from(heldOut[3], (v) => Math.round(v / 2 ** shift));
      floored.computeClip(faint, codes);
      floored.features(features);
      if (Math.max(...features) < -2 * 1024) break;
    }
    expect(Math.max(...features)).toBeLessThan(-2 * 1024);
    expect(Math.max(...features)).toBeGreaterThan((5 - 20 + 4) * 1024);
    unfloored.computeClip(faint, other);
    let lower = 0;
    for (let i = 0; i < SIZE; i++) {
      expect(codes[i]).toBeLessThanOrEqual(other[i]);
      if (codes[i] < other[i]) lower++;
    }
    expect(lower).toBeGreaterThan(SIZE / 4);
  });

  it('streams: chunks of any size give computeClip codes; unheard frames are code 0', () => {
    const streaming = createAudioFrontend(blob);
    const a = new Uint8Array(SIZE);
    expectStreamedAsWhole(blob, 11);
    streaming.reset();
    streaming.codes(a);
    expect(a.every((c) => c === 0)).toBe(true);
    streaming.push(heldOut[1], 0, 480 + 4 * 320); // 5 frames
    a.fill(9);
    streaming.codes(a);
    expect(a.subarray(0, 44 * 16).every((c) => c === 0)).toBe(true);
    expect(a.subarray(44 * 16).some((c) => c > 0)).toBe(true);
  });
});

/** A first-order high-pass (y[n] = x[n] - 0.5 x[n-1]): a fixed spectral colouring, cutting the lows by up to ~10 dB. */
function coloured(clip: Int16Array): Int16Array {
  return Int16Array.from(clip, (v, i) => Math.round(v - 0.5 * (i > 0 ? clip[i - 1] : 0)));
}

describe('channel-mean normalization', () => {
  const blob = buildFrontendBlob({ normalize: 'channel-mean' }, calibration);

  it('is a version 2 blob without a peak floor, whose ranges straddle the channel mean', () => {
    expect([blob[H_VERSION], blob[H_NORMALIZE], blob[H_PEAK_FLOOR]]).toEqual([2, 2, 0]);
    const { quant, channels } = parseFrontendBlob(blob);
    for (let c = 0; c < channels; c++) expect(quant[2 * c]).toBeLessThan(0); // below the mean
    const uncalibrated = parseFrontendBlob(buildFrontendBlob({ normalize: 'channel-mean' }));
    expect(Array.from(uncalibrated.quant.subarray(0, 1))).toEqual([-14 * 1024]); // defaultRange [6, 34]: 28 wide about the mean
  });

  it('matches the float reference; each channel of the features sums to about zero', () => {
    const frontend = createAudioFrontend(blob, { keepFeatures: true });
    const reference = createFloatFrontend({ normalize: 'channel-mean' });
    const codes = new Uint8Array(SIZE);
    const features = new Int32Array(SIZE);
    const integer: number[] = [];
    const float: number[] = [];
    for (const clip of heldOut) {
      frontend.computeClip(clip, codes);
      frontend.features(features);
      expect(codes).toEqual(quantizeFeatures(blob, features));
      for (let c = 0; c < 16; c++) {
        let sum = 0;
        for (let f = 0; f < 49; f++) sum += features[f * 16 + c];
        expect(sum).toBeGreaterThanOrEqual(0); // floor(mean) is subtracted: 0 <= sum < 49
        expect(sum).toBeLessThan(49);
      }
      const ref = reference.compute(clip);
      for (let i = 0; i < SIZE; i++) {
        integer.push(features[i] / 1024);
        float.push(ref[i]);
      }
    }
    const r = pearson(integer, float);
    console.log(`channel-mean features vs float64: r = ${r.toFixed(5)}`);
    expect(r).toBeGreaterThan(0.999);
  });

  it('keeps the codes under a gain or a fixed spectral colouring that moves absolute codes', () => {
    const absolute = createAudioFrontend(buildFrontendBlob({}, calibration));
    const normalized = createAudioFrontend(blob);
    const a = new Uint8Array(SIZE);
    const b = new Uint8Array(SIZE);
    let compared = 0;
    let normalizedMoved = 0;
    let absoluteMoved = 0;
    const movedBy = (x: Uint8Array, y: Uint8Array) => x.reduce((n, v, i) => n + (Math.abs(v - y[i]) > 1 ? 1 : 0), 0);
    for (const clip of heldOut) {
      if (Math.max(...clip.map(Math.abs)) < 4000) continue; // loud enough that x0.25 stays far above the log floor
      for (const other of [scaled(clip, 0.25), coloured(clip)]) {
        if (!other) continue;
        normalized.computeClip(clip, a);
        normalized.computeClip(other, b);
        normalizedMoved += movedBy(a, b);
        absolute.computeClip(clip, a);
        absolute.computeClip(other, b);
        absoluteMoved += movedBy(a, b);
        compared += SIZE;
      }
    }
    console.log(`codes moved by more than one step (gain x0.25, high-pass): channel-mean ${normalizedMoved}/${compared}, absolute ${absoluteMoved}/${compared}`);
    expect(compared).toBeGreaterThan(10 * SIZE);
    expect(normalizedMoved / compared).toBeLessThan(0.02);
    expect(absoluteMoved / compared).toBeGreaterThan(10 * (normalizedMoved / compared));
  });

  it('streams: chunks of any size give computeClip codes; the mean is over the heard frames only', () => {
    expectStreamedAsWhole(blob, 12);
    const streaming = createAudioFrontend(blob, { keepFeatures: true });
    const whole = createAudioFrontend(blob);
    const a = new Uint8Array(SIZE);
    const b = new Uint8Array(SIZE);
    // Past the first window the ring wraps: the codes are those of the last 49 frames alone.
    const long = new Int16Array(24000);
    long.set(heldOut[2]);
    long.set(heldOut[4].subarray(0, 8000), 16000);
    long[7999] = 0; // the last 49 frames start at sample 8000: the same pre-emphasis as a clip's start
    streaming.reset();
    streaming.push(long);
    streaming.codes(a);
    whole.computeClip(long.subarray(8000), b);
    expect(a).toEqual(b);
    // Five frames heard: codes of those frames normalized by their own means, the rest code 0.
    streaming.reset();
    streaming.push(heldOut[1], 0, 480 + 4 * 320);
    a.fill(9);
    streaming.codes(a);
    expect(a.subarray(0, 44 * 16).every((c) => c === 0)).toBe(true);
    const features = new Int32Array(SIZE);
    streaming.features(features);
    for (let c = 0; c < 16; c++) {
      let sum = 0;
      for (let f = 44; f < 49; f++) sum += features[f * 16 + c];
      expect(sum >= 0 && sum < 5).toBe(true);
    }
    expect(a.subarray(44 * 16)).toEqual(quantizeFeatures(blob, features).subarray(44 * 16));
  });
});

describe('blobs without normalization (version 1)', () => {
  it('keep version 1 and the absolute codes: each frame quantized as computed', () => {
    const blob = buildFrontendBlob({}, calibration);
    expect([blob[H_VERSION], blob[H_NORMALIZE]]).toEqual([1, 0]);
    const frontend = createAudioFrontend(blob, { keepFeatures: true });
    const codes = new Uint8Array(SIZE);
    const features = new Int32Array(SIZE);
    for (const clip of heldOut.slice(0, 10)) {
      frontend.computeClip(clip, codes);
      frontend.features(features);
      expect(codes).toEqual(quantizeFeatures(blob, features));
    }
  });

  it('reject version-2 fields they do not have and normalization values the runtime does not know', () => {
    const v1 = buildFrontendBlob({});
    const v2 = buildFrontendBlob({ normalize: 'window-peak' });
    const edit = (blob: Int32Array, at: number, value: number) => {
      const copy = blob.slice();
      copy[at] = value;
      return copy;
    };
    const fails = (blob: Int32Array, pattern: RegExp) => {
      expect(() => createAudioFrontend(blob)).toThrow(ModelError);
      expect(() => createAudioFrontend(blob)).toThrow(pattern);
    };
    fails(edit(v1, H_NORMALIZE, 1), /reserved header words 18 and 19/);
    fails(edit(v1, H_PEAK_FLOOR, 1), /reserved header words 18 and 19/);
    fails(edit(v2, H_NORMALIZE, 3), /window normalization 3 outside/);
    fails(edit(v2, H_NORMALIZE, -1), /window normalization -1 outside/);
    fails(edit(edit(v2, H_NORMALIZE, 0), H_PEAK_FLOOR, 5), /peak floor set without window-peak normalization/);
    fails(edit(edit(v2, H_NORMALIZE, 2), H_PEAK_FLOOR, 5), /peak floor set without window-peak normalization/);
    fails(edit(v2, H_PEAK_FLOOR, 1 << 20), /peak floor 1048576 outside/);
    fails(edit(v2, H_VERSION, 3), /unsupported version 3/);
    fails(edit(v2, H_DCT, 1), /DCT|channels/);
    expect(() => createAudioFrontend(edit(edit(v2, H_NORMALIZE, 0), H_PEAK_FLOOR, 0))).not.toThrow(); // version 2, normalization off
    expect(() => buildFrontendBlob({ normalize: 'window-peak', dctCoefficients: 13 })).toThrow(/DCT/);
    expect(() => buildFrontendBlob({ normalize: 'cepstral' as never })).toThrow(/normalize/);
  });
});
