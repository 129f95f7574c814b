/**
 * The window-code kernel (windowCodes, xs_tcim_window_codes in runtime/native/frontend.c): a
 * window-normalized front-end's codes made in C equal the TypeScript ones bit for bit. In the XS
 * test host, a front-end with the native kernels and one with the TypeScript kernels stream the
 * same audio (eSpeak NG speech, speech-like clips, noise, silence, extreme clips) with resets and
 * pushes of random sizes, reading the codes after every push (so the first, partially heard
 * windows after each reset too); Node's TypeScript front-end, with its running channel sums and
 * with the summing loop, gives the expected codes. Then feature rings with arbitrary int32
 * contents (wrapping sums, negative means) and extreme quantizers; a hand-checked case; and a
 * RangeError for every bad argument.
 */
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontendBlob } from '../../compiler/audio/frontend-config.ts';
import type { FrontendOptions } from '../../compiler/audio/frontend-design.ts';
import { EspeakVoice, ESPEAK_RATE } from '../../compiler/audio/engines/espeak.ts';
import { resample, toInt16 } from '../../compiler/audio/wav.ts';
import { randomStream } from '../../compiler/util/prng.ts';
import { nativeHostPath } from '../../compiler/xs/native-host.ts';
import { XsWorker } from '../../compiler/xs/worker.ts';
import { createAudioFrontend, type AudioFrontend } from '../../runtime/frontend/frontend.ts';
import { extremeClips, speechLikeClip } from './speechlike.ts';
import { xsMessage } from '../helpers/xs-message.ts';

const ENTRY = new URL('../../runtime/frontend/frontend.ts', import.meta.url).pathname;

// 'P' pcm -> keep it; 'B' blob -> front-ends [native, TypeScript]; 'S' Int32 steps (n >= 0: push
// the next n samples, -1: reset), then the codes of both after every step; 'X' Int32 states
// (slot, frame count, feature ring) poked into fresh front-ends (summing loop), codes of both;
// 'K' JSON -> one direct windowCodes call, 'ok codes|reference' or the error.
const HARNESS = `
function make(blob) {
  return [TempoFrontend.createAudioFrontend(blob, { native: TempoCIMNative }), TempoFrontend.createAudioFrontend(blob)];
}
globalThis.handleCommand = function (message) {
  const op = new Uint8Array(message, 0, 1)[0];
  const body = message.slice(4);
  if (op === 0x50) {
    globalThis.pcm = new Int16Array(body);
    return new ArrayBuffer(0);
  }
  if (op === 0x42) {
    globalThis.blob = new Int32Array(body);
    globalThis.fes = make(blob);
    globalThis.size = fes[0].frames * fes[0].channels;
    return new ArrayBuffer(0);
  }
  if (op === 0x53) {
    const steps = new Int32Array(body);
    const out = new Uint8Array(steps.length * 2 * size);
    let at = 0;
    for (let k = 0; k < steps.length; k++) {
      const n = steps[k];
      for (let j = 0; j < 2; j++) {
        if (n < 0) fes[j].reset();
        else fes[j].push(pcm, at, n);
        fes[j].codes(out.subarray((2 * k + j) * size, (2 * k + j + 1) * size));
      }
      if (n > 0) at += n;
    }
    return out.buffer;
  }
  if (op === 0x58) {
    const words = new Int32Array(body);
    const stride = 2 + size;
    const count = words.length / stride;
    const out = new Uint8Array(count * 2 * size);
    const poked = make(blob);
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < 2; j++) {
        const fe = poked[j];
        fe.featureRing.set(words.subarray(k * stride + 2, (k + 1) * stride));
        fe.ringSlot = words[k * stride];
        fe.frameCount = words[k * stride + 1];
        fe.channelSums = null;
        fe.codes(out.subarray((2 * k + j) * size, (2 * k + j + 1) * size));
      }
    }
    return out.buffer;
  }
  const c = JSON.parse(String.fromCharCode(...new Uint8Array(body)));
  const w32 = (v, offset) => {
    const bytes = new Uint8Array(4 * v.length + (offset ? 4 : 0));
    const view = new Uint8Array(bytes.buffer, offset || 0, 4 * v.length);
    view.set(new Uint8Array(Int32Array.from(v).buffer));
    return view;
  };
  const out = new Uint8Array(c.out);
  const reference = w32(new Array(c.reference).fill(12345));
  let text;
  try {
    TempoCIMNative.windowCodes(w32(c.params), w32(c.ring, c.misaligned), w32(c.quant), reference, out, c.slot, c.heard);
    text = 'ok ' + Array.from(out).join(',') + '|' + Array.from(new Int32Array(reference.buffer)).join(',');
  } catch (e) {
    text = e.name + ': ' + e.message;
  }
  return new Uint8Array(Array.from(text, (ch) => ch.charCodeAt(0))).buffer;
};`;


/** A TypeScript front-end that sums the window in windowReference (no running sums): the plain reference. */
function summingFrontend(blob: Int32Array): AudioFrontend {
  const fe = createAudioFrontend(blob);
  (fe as unknown as { channelSums: Int32Array | null }).channelSums = null;
  return fe;
}

type Internals = { featureRing: Int32Array; ringSlot: number; frameCount: number };

/** About 12 s of eSpeak NG speech at 16 kHz (spoken words with pauses, three voices and levels). */
async function speech(): Promise<Int16Array[]> {
  const out: Int16Array[] = [];
  for (const [voice, gain] of [['en-us', 1], ['en-gb-scotland+f2', 0.3], ['en+m3', 0.05]] as const) {
    const engine = await EspeakVoice.create(voice);
    const samples = resample(engine.speak('yes. no. stop, go: left right up down. seven eight nine zero. on off.'), ESPEAK_RATE, 16000);
    for (let i = 0; i < samples.length; i++) samples[i] *= gain;
    out.push(toInt16(samples));
  }
  return out;
}

function whiteNoise(seed: number, length: number, amplitude: number): Int16Array {
  const rand = randomStream(seed);
  return Int16Array.from({ length }, () => Math.round((rand() * 2 - 1) * amplitude));
}

const CONFIGS: Array<[string, Partial<FrontendOptions>, boolean]> = [
  ['channel mean (4-bit, calibrated)', { normalize: 'channel-mean' }, true],
  ['channel mean (8-bit, default ranges)', { normalize: 'channel-mean', bits: 8 }, false],
  ['window peak (4-bit, calibrated)', { normalize: 'window-peak' }, true],
  ['window peak (2-bit, peak floor below the log floor)', { normalize: 'window-peak', bits: 2, peakFloor: -30 }, false],
];

describe('native window-code kernel (windowCodes) in XS', () => {
  let xs: XsWorker;
  let pcm: Int16Array;
  const calibration = Array.from({ length: 24 }, (_, i) => speechLikeClip(7000 + i));

  beforeAll(async () => {
    const bundle = await build({ entryPoints: [ENTRY], bundle: true, format: 'iife', globalName: 'TempoFrontend', footer: { js: 'globalThis.TempoFrontend = TempoFrontend;' }, write: false, target: 'es2020' });
    xs = await XsWorker.start({ stdout: 'ignore', binary: nativeHostPath('release') });
    await xs.evaluate(bundle.outputFiles[0].text);
    await xs.evaluate(HARNESS);
    const parts = [
      ...(await speech()),
      new Int16Array(24000), // 1.5 s of digital silence
      speechLikeClip(31), speechLikeClip(32),
      whiteNoise(1, 8000, 30000), whiteNoise(2, 8000, 300), whiteNoise(3, 8000, 2),
      ...extremeClips(),
    ];
    pcm = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      pcm.set(p, at);
      at += p.length;
    }
    await xs.command(xsMessage('P', pcm));
  }, 120_000);

  afterAll(async () => {
    await xs?.close();
  });

  it.each(CONFIGS)('%s: streamed windows give the TypeScript codes bit for bit', async (_label, options, calibrated) => {
    const blob = buildFrontendBlob(options, calibrated ? calibration : undefined);
    await xs.command(xsMessage('B', blob));
    // Steps: resets, and pushes of random sizes (mostly small: many partially heard windows).
    const rand = randomStream(4242);
    const steps: number[] = [];
    const tail = [-1, 0, 479, 1, 320, 320, 320, 560];
    for (let left = pcm.length - 2000; left > 0;) {
      if (rand() < 0.04) {
        steps.push(-1);
        continue;
      }
      const n = Math.min(left, Math.floor(rand() ** 3 * 3000));
      steps.push(n);
      left -= n;
    }
    steps.push(...tail); // a reset, then the last 2,000 samples a frame at a time
    const running = createAudioFrontend(blob);
    const summing = summingFrontend(blob);
    const size = running.frames * running.channels;
    const expected = new Uint8Array(size);
    const check = new Uint8Array(size);
    const all = (await xs.command(xsMessage('S', Int32Array.from(steps)))).reply;
    expect(all.length).toBe(steps.length * 2 * size);
    let at = 0;
    let native = 0;
    let typescript = 0;
    let partial = 0;
    let empty = 0;
    const values = new Set<number>();
    steps.forEach((n, k) => {
      for (const fe of [running, summing]) {
        if (n < 0) fe.reset();
        else fe.push(pcm, at, n);
      }
      if (n > 0) at += n;
      summing.codes(expected);
      running.codes(check);
      expect(check).toEqual(expected);
      if (running.frameCount === 0) empty++;
      else if (running.frameCount < running.frames) partial++;
      for (const v of expected) values.add(v);
      if (all.subarray(2 * k * size, (2 * k + 1) * size).every((v, i) => v === expected[i])) native++;
      if (all.subarray((2 * k + 1) * size, (2 * k + 2) * size).every((v, i) => v === expected[i])) typescript++;
    });
    console.log(`${_label}: ${steps.length} windows (${partial} partially heard, ${empty} empty), native ${native}, TypeScript in XS ${typescript} identical; ${values.size} code values`);
    expect(native).toBe(steps.length);
    expect(typescript).toBe(steps.length);
    expect(partial).toBeGreaterThan(100);
    expect(empty).toBeGreaterThan(5);
    expect(values.size).toBeGreaterThan(1);
  }, 300_000);

  it.each(CONFIGS)('%s: arbitrary feature rings and quantizers give the TypeScript codes bit for bit', async (_label, options) => {
    const blob = buildFrontendBlob(options);
    const rand = randomStream(99);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    // Extreme quantizers within the blob's limits: offsets up to 2^24, scales 1..4096.
    const probe = createAudioFrontend(blob);
    const { frames, channels } = probe;
    const quant = blob.subarray(blob.length - 2 * channels);
    for (let c = 0; c < channels; c++) {
      quant[2 * c] = [0, 1 << 24, -(1 << 24), int(-20000, 20000)][c % 4];
      quant[2 * c + 1] = [1, 4096, int(1, 4096), quant[2 * c + 1]][(c >> 2) % 4];
    }
    const size = frames * channels;
    const edges = [-(2 ** 31), 2 ** 31 - 1, -(2 ** 31) + 1, 2 ** 30, -(2 ** 30), -1, 0, 1, 5120, -65536, 65535, 1 << 24, -(1 << 24)];
    const kinds: Array<() => number> = [
      () => rand() * 2 ** 32 | 0, // any int32: channel sums wrap around
      () => edges[int(0, edges.length - 1)],
      () => int(-(1 << 20), -1), // negative sums: floor, not truncation
      () => int(-65536, 65535),
      () => int(5000, 40000), // log-mel-like
    ];
    const states = 240;
    const words = new Int32Array(states * (2 + size));
    const expected = new Uint8Array(states * size);
    const fe = summingFrontend(blob);
    const internals = fe as unknown as Internals;
    const out = new Uint8Array(size);
    for (let k = 0; k < states; k++) {
      const kind = kinds[k % kinds.length];
      const slot = int(0, frames - 1);
      const frameCount = [0, 1, int(2, frames - 1), frames, int(frames + 1, 5 * frames)][int(0, 4)];
      const base = k * (2 + size);
      words[base] = slot;
      words[base + 1] = frameCount;
      for (let i = 0; i < size; i++) words[base + 2 + i] = rand() < 0.05 ? -65536 : kind();
      internals.featureRing.set(words.subarray(base + 2, base + 2 + size));
      internals.ringSlot = slot;
      internals.frameCount = frameCount;
      fe.codes(out);
      expected.set(out, k * size);
    }
    await xs.command(xsMessage('B', blob));
    const all = (await xs.command(xsMessage('X', words))).reply;
    expect(all.length).toBe(states * 2 * size);
    let native = 0;
    let typescript = 0;
    for (let k = 0; k < states; k++) {
      const want = expected.subarray(k * size, (k + 1) * size);
      if (all.subarray(2 * k * size, (2 * k + 1) * size).every((v, i) => v === want[i])) native++;
      if (all.subarray((2 * k + 1) * size, (2 * k + 2) * size).every((v, i) => v === want[i])) typescript++;
    }
    expect(new Set(expected).size).toBeGreaterThan(1);
    expect(native).toBe(states);
    expect(typescript).toBe(states);
  }, 120_000);

  const call = async (c: Record<string, unknown>) => Buffer.from((await xs.command(xsMessage('K', Buffer.from(JSON.stringify(c))))).reply).toString('latin1');
  // 3 frames x 2 channels, 4-bit codes; slot 2 with 2 frames heard: frames 0 and 1 (slot 2 not heard).
  const GOOD = {
    params: [3, 2, 15, 2, 0, 5120], ring: [-3, 100, 0, 50, 999, 999], quant: [-46, 4096, 0, 4096], reference: 2, out: 6, slot: 2, heard: 2,
  };

  it('computes hand-checked codes for both normalizations', async () => {
    // Channel mean: channel 0 sums to -3 over 2 frames, floor(-3 / 2) = -2 (truncation would give -1);
    // d = f + 2 + 46 = 45, 48 -> codes (d * 4096) >> 16 = 2, 3. Channel 1: mean 75, d = 25, -25 -> 1, 0.
    // The unheard frame comes first, code 0.
    expect(await call(GOOD)).toBe('ok 0,0,2,1,3,0|-2,75');
    // Nothing heard: every code 0, reference 0.
    expect(await call({ ...GOOD, heard: 0 })).toBe('ok 0,0,0,0,0,0|0,0');
    // Window peak over the whole ring, unheard slot included (999), above max(peak floor, log floor) = 500:
    // d = 0 - 999 + 1015 = 16 -> 1; 0 - 999 + 1240 = 241 >= ceil(15 * 65536 / 4096) = 240 -> 15.
    expect(await call({ ...GOOD, params: [3, 2, 15, 1, 500, 100], ring: [0, 0, 0, 0, 999, 999], quant: [-1015, 4096, -1240, 4096] }))
      .toBe('ok 0,0,1,15,1,15|999,999');
    // A ring no higher than the floor (the log floor 50 here, then the peak floor 60): the floor is the reference.
    const low = { ...GOOD, ring: [50, 40, 30, 50, 0, -100], quant: [-16, 4096, -250, 4096], heard: 3, slot: 0 };
    expect(await call({ ...low, params: [3, 2, 15, 1, -100, 50] })).toBe('ok 1,15,0,15,0,6|50,50');
    expect(await call({ ...low, params: [3, 2, 15, 1, 60, 50] })).toBe('ok 0,14,0,15,0,5|60,60');
  });

  it.each([
    ['too few parameter words', { params: [3, 2, 15, 2, 0] }, /window parameters: 6 words needed/],
    ['no normalization', { params: [3, 2, 15, 0, 0, 5120] }, /inconsistent window parameters/],
    ['an unknown normalization', { params: [3, 2, 15, 3, 0, 5120] }, /inconsistent window parameters/],
    ['zero frames', { params: [0, 2, 15, 2, 0, 5120] }, /inconsistent window parameters/],
    ['zero channels', { params: [3, 0, 15, 2, 0, 5120] }, /inconsistent window parameters/],
    ['a zero maximum code', { params: [3, 2, 0, 2, 0, 5120] }, /inconsistent window parameters/],
    ['a maximum code above 255', { params: [3, 2, 256, 2, 0, 5120] }, /inconsistent window parameters/],
    ['a short feature ring', { ring: [1, 2, 3, 4, 5] }, /feature ring: 6 words needed, 5 given/],
    ['a misaligned feature ring', { misaligned: 1 }, /feature ring: misaligned/],
    ['a short quantizer', { quant: [0, 4096, 0] }, /quantizer: 4 words needed, 3 given/],
    ['a zero quantizer scale', { quant: [0, 4096, 0, 0] }, /quantizer scale of channel 1 is 0/],
    ['a quantizer scale above 4096', { quant: [0, 4097, 0, 1] }, /quantizer scale of channel 0 is 4097/],
    ['a short reference', { reference: 1 }, /reference: 2 words needed, 1 given/],
    ['a short output', { out: 5 }, /codes: 6 bytes needed, 5 given/],
    ['a slot past the ring', { slot: 3 }, /ring slot is 3, outside \[0, 2\]/],
    ['a negative slot', { slot: -1 }, /ring slot is -1/],
    ['more frames heard than the window has', { heard: 4 }, /heard frames is 4, outside \[0, 3\]/],
  ])('refuses %s with a RangeError', async (_name, c, pattern) => {
    const text = await call({ ...GOOD, ...c });
    expect(text).toMatch(/^RangeError: /);
    expect(text).toMatch(pattern);
  });
});
