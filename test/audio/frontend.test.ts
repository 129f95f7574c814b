import { describe, expect, it } from 'vitest';
import { buildFrontendBlob, dequantizeCodes } from '../../compiler/audio/frontend-config.ts';
import { createFloatFrontend } from '../../compiler/audio/frontend-float.ts';
import { InputError, ModelError } from '../../runtime/errors.ts';
import { HEADER_WORDS, H_FFT_SIZE, H_FRAMES, H_MEL_TABLE_WORDS, H_TOTAL_WORDS } from '../../runtime/frontend/blob.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { randomStream } from '../../compiler/util/prng.ts';
import { extremeClips, pearson, speechLikeClip } from './speechlike.ts';

const calibration = Array.from({ length: 80 }, (_, i) => speechLikeClip(1000 + i));
const heldOut = Array.from({ length: 60 }, (_, i) => speechLikeClip(5000 + i));

describe('integer front-end against the float reference', () => {
  for (const options of [{}, { dctCoefficients: 13 }]) {
    const label = options.dctCoefficients ? '13 DCT coefficients' : '16 log-mel bands';
    it(`${label}: features and dequantized codes correlate with float64`, () => {
      const blob = buildFrontendBlob(options, calibration);
      const frontend = createAudioFrontend(blob, { keepFeatures: true });
      const reference = createFloatFrontend(options);
      expect([frontend.frames, frontend.channels, frontend.bits]).toEqual([49, options.dctCoefficients ?? 16, 4]);
      const size = frontend.frames * frontend.channels;
      const codes = new Uint8Array(size);
      const features = new Int32Array(size);
      const integer: number[] = [];
      const dequantized: number[] = [];
      const float: number[] = [];
      for (const clip of heldOut) {
        frontend.computeClip(clip, codes);
        frontend.features(features);
        const ref = reference.compute(clip);
        const deq = dequantizeCodes(blob, codes);
        for (let i = 0; i < size; i++) {
          integer.push(features[i] / 1024);
          dequantized.push(deq[i]);
          float.push(ref[i]);
        }
      }
      const featureCorrelation = pearson(integer, float);
      const codeCorrelation = pearson(dequantized, float);
      console.log(`${label}: feature correlation ${featureCorrelation.toFixed(5)}, dequantized codes ${codeCorrelation.toFixed(5)}`);
      expect(featureCorrelation).toBeGreaterThan(0.999);
      expect(codeCorrelation).toBeGreaterThan(0.99);
    });
  }

  // Odd FFT stage counts (128- and 512-point complex), hops longer than a frame, 40 bands.
  const framings = [
    { frameLength: 400, hop: 160, fftSize: 1024, melBands: 40 },
    { frameLength: 256, hop: 320, fftSize: 256, melBands: 20, fMin: 60, fMax: 7600 },
    { frameLength: 64, hop: 64, fftSize: 64, melBands: 8, preemphasis: 0 },
  ];
  for (const options of framings) {
    it(`framing ${JSON.stringify(options)}: matches float64 and streams exactly`, () => {
      const blob = buildFrontendBlob(options, calibration.slice(0, 20));
      const frontend = createAudioFrontend(blob, { keepFeatures: true });
      const reference = createFloatFrontend(options);
      expect(frontend.frames).toBe(1 + Math.floor((16000 - options.frameLength) / options.hop));
      expect(frontend.channels).toBe(options.melBands);
      const size = frontend.frames * frontend.channels;
      const features = new Int32Array(size);
      const whole = new Uint8Array(size);
      const streamed = new Uint8Array(size);
      const integer: number[] = [];
      const float: number[] = [];
      const rand = randomStream(options.frameLength);
      for (const clip of heldOut.slice(0, 10)) {
        frontend.computeClip(clip, whole);
        frontend.features(features);
        integer.push(...Array.from(features, (v) => v / 1024));
        float.push(...reference.compute(clip));
        frontend.reset();
        for (let at = 0; at < clip.length;) {
          const count = Math.min(clip.length - at, Math.floor(rand() * 700));
          frontend.push(clip, at, count);
          at += count;
        }
        frontend.codes(streamed);
        expect(streamed).toEqual(whole);
      }
      expect(pearson(integer, float)).toBeGreaterThan(0.999);
    });
  }

  it('keeps the dominant band of full-scale and pathological signals exact (no int32 overflow)', () => {
    const blob = buildFrontendBlob({});
    const frontend = createAudioFrontend(blob, { keepFeatures: true });
    const reference = createFloatFrontend();
    const codes = new Uint8Array(49 * 16);
    const features = new Int32Array(49 * 16);
    for (const clip of extremeClips()) {
      frontend.computeClip(clip, codes);
      frontend.features(features);
      const ref = reference.compute(clip);
      for (let f = 0; f < 49; f++) {
        let top = f * 16;
        for (let c = 1; c < 16; c++) if (ref[f * 16 + c] > ref[top]) top = f * 16 + c;
        // Near-silent frames (an impulse where the window is ~0) are below integer resolution.
        if (ref[top] > 10) expect(Math.abs(features[top] / 1024 - ref[top])).toBeLessThan(0.1);
      }
      expect(Math.max(...codes)).toBeLessThanOrEqual(15);
    }
  });

  it('calibration spreads every channel over the code range', () => {
    const blob = buildFrontendBlob({}, calibration);
    const frontend = createAudioFrontend(blob);
    const counts = Array.from({ length: 16 }, () => new Array<number>(16).fill(0));
    const codes = new Uint8Array(49 * 16);
    for (const clip of calibration) {
      frontend.computeClip(clip, codes);
      codes.forEach((code, i) => counts[i % 16][code]++);
    }
    for (const histogram of counts) {
      expect(histogram.filter((n) => n > 0).length).toBeGreaterThanOrEqual(14);
      const total = histogram.reduce((a, b) => a + b, 0);
      // The top code holds the last step below the 99.5th percentile plus everything above it.
      expect(histogram[15] / total).toBeGreaterThan(0.005);
      expect(histogram[15] / total).toBeLessThan(0.1);
    }
  });
});

describe('streaming', () => {
  const blob = buildFrontendBlob({}, calibration.slice(0, 20));

  it('push in random chunk sizes gives the same codes as computeClip', () => {
    const rand = randomStream(7);
    const streaming = createAudioFrontend(blob);
    const whole = createAudioFrontend(blob);
    const a = new Uint8Array(49 * 16);
    const b = new Uint8Array(49 * 16);
    for (const clip of heldOut.slice(0, 15)) {
      streaming.reset();
      let frames = 0;
      for (let at = 0; at < clip.length;) {
        const count = Math.min(clip.length - at, Math.floor(rand() ** 3 * 2000)); // many tiny chunks, some empty
        frames += streaming.push(clip, at, count);
        at += count;
      }
      expect(frames).toBe(49);
      expect(streaming.frameCount).toBe(49);
      streaming.codes(a);
      whole.computeClip(clip, b);
      expect(a).toEqual(b);
    }
  });

  it('a rolling window equals the clip it covers (no pre-emphasis carry-over)', () => {
    const flat = buildFrontendBlob({ preemphasis: 0 }, calibration.slice(0, 20));
    const stream = new Int16Array(48000);
    for (let s = 0; s < 3; s++) stream.set(heldOut[s], s * 16000);
    const rolling = createAudioFrontend(flat);
    const fresh = createAudioFrontend(flat);
    const a = new Uint8Array(49 * 16);
    const b = new Uint8Array(49 * 16);
    let pushed = 0;
    for (const k of [0, 1, 7, 26, 49, 50, 99]) {
      const end = k * 320 + 15840; // last sample of the window's 49th frame
      rolling.push(stream, pushed, end - pushed);
      pushed = end;
      expect(rolling.frameCount).toBe(k + 49);
      rolling.codes(a);
      fresh.computeClip(stream.subarray(k * 320, k * 320 + 16000), b);
      expect(a).toEqual(b);
    }
  });

  it('zero-pads short clips at the end and uses the first second of long ones', () => {
    const frontend = createAudioFrontend(blob);
    const a = new Uint8Array(49 * 16);
    const b = new Uint8Array(49 * 16);
    const clip = heldOut[3];
    const padded = new Int16Array(16000);
    padded.set(clip.subarray(0, 9000));
    frontend.computeClip(clip.subarray(0, 9000), a);
    frontend.computeClip(padded, b);
    expect(a).toEqual(b);
    const long = new Int16Array(24000);
    long.set(clip);
    long.set(heldOut[4].subarray(0, 8000), 16000);
    frontend.computeClip(long, a);
    frontend.computeClip(clip, b);
    expect(a).toEqual(b);
  });

  it('reports frames not yet heard as code 0 and rejects bad ranges', () => {
    const frontend = createAudioFrontend(blob);
    const codes = new Uint8Array(49 * 16).fill(9);
    expect(frontend.push(heldOut[0], 0, 480 + 320)).toBe(2);
    frontend.codes(codes);
    expect(codes.subarray(0, 47 * 16).every((c) => c === 0)).toBe(true);
    expect(() => frontend.push(heldOut[0], 15990, 20)).toThrow(InputError);
    expect(() => frontend.push(heldOut[0], 0.5, 20)).toThrow(InputError);
    expect(() => frontend.push(new Float32Array(20) as unknown as Int16Array)).toThrow(/Int16Array/);
    expect(() => frontend.codes(new Uint8Array(10))).toThrow(InputError);
  });
});

describe('blob validation', () => {
  const blob = buildFrontendBlob({});

  function expectModelError(bad: Int32Array, pattern: RegExp): void {
    let error: (Error & { code?: string }) | undefined;
    try {
      createAudioFrontend(bad);
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error).toBeInstanceOf(ModelError);
    expect(error?.name).toBe('ModelError');
    expect(error?.code).toBe('bad-frontend');
    expect(error?.message).toMatch(pattern);
  }

  it('names the problem', () => {
    const edit = (at: number, value: number) => {
      const copy = blob.slice();
      copy[at] = value;
      return copy;
    };
    expectModelError(blob.subarray(0, 10), /header needs 20/);
    expectModelError(blob.subarray(0, blob.length - 1), /does not match its header/);
    expectModelError(edit(0, 0), /bad magic/);
    expectModelError(edit(H_FFT_SIZE, 384), /not a power of two/);
    expectModelError(edit(H_FFT_SIZE, 1 << 30), /FFT size/);
    expectModelError(edit(H_FRAMES, 50), /framing gives 49/);
    expectModelError(edit(H_MEL_TABLE_WORDS, 0x7fffffff), /mel table words/);
    expectModelError(edit(H_TOTAL_WORDS, -1), /does not match/);
    expectModelError(edit(HEADER_WORDS, 40000), /window\[0\]/);
    const melAt = HEADER_WORDS + 480 + 512;
    expectModelError(edit(melAt, 300), /mel band 0 covers bins outside/);
    expectModelError(edit(melAt + 2, 70000), /mel band 0 weight/);
    expectModelError(edit(blob.length - 1, 0), /quant scale\[15\]/);
    expectModelError(new Int32Array(0), /header needs/);
    expectModelError(new Uint8Array(100) as unknown as Int32Array, /not an Int32Array/);
  });

  it.each([['version 1', blob], ['version 2 (window-peak)', buildFrontendBlob({ normalize: 'window-peak' })]])('random corruption of a %s blob either fails as ModelError or yields a working front-end', (_, original) => {
    const rand = randomStream(99);
    const codes = new Uint8Array(1 << 16);
    let accepted = 0;
    for (let trial = 0; trial < 400; trial++) {
      const bad = original.slice();
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = rand() < 0.5 ? Math.floor(rand() * HEADER_WORDS) : Math.floor(rand() * bad.length);
        const kind = rand();
        bad[at] = kind < 0.3 ? bad[at] + 1 : kind < 0.6 ? -bad[at] : kind < 0.8 ? Math.floor(rand() * 2 ** 32) | 0 : 0;
      }
      try {
        const frontend = createAudioFrontend(bad);
        accepted++;
        frontend.computeClip(heldOut[trial % heldOut.length], codes.subarray(0, frontend.frames * frontend.channels));
        const max = (1 << frontend.bits) - 1;
        expect(codes.subarray(0, frontend.frames * frontend.channels).every((c) => c <= max)).toBe(true);
      } catch (e) {
        expect((e as Error).name).toBe('ModelError');
      }
    }
    expect(accepted).toBeGreaterThan(50); // table edits within range are legitimate blobs
  });
});
