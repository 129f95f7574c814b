/** Waveform augmentation before the front-end: each transform does what it says, draws are seeded. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoiseBank, augmentWave, defaultWaveAugment, reverberate, stretch, type WaveAugmentRecipe } from '../../compiler/audio/augment-wave.ts';
import { PcmCache } from '../../compiler/audio/pcm-cache.ts';
import { buildFrontendBlob } from '../../compiler/audio/frontend-config.ts';
import { waveAugmentEpochs } from '../../compiler/pipelines/keyword-augment.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { randomStream } from '../../compiler/util/prng.ts';

/** A 400 ms tone burst at `hz` in the middle of a 1 s clip. */
function burst(hz: number, amplitude = 8000): Int16Array {
  const pcm = new Int16Array(16000);
  for (let i = 6000; i < 12400; i++) pcm[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 16000));
  return pcm;
}

const none: WaveAugmentRecipe = { probability: 1, speeds: [1], pitches: [1], gainDb: [0, 0], shift: 0, noiseProbability: 0, snrsDb: [10], reverbProbability: 0, rt60: [0.3, 0.3] };
const quietBank = new NoiseBank([], 1);
const active = (pcm: Int16Array) => pcm.filter((v) => Math.abs(v) > 200).length;
/** The strongest frequency (Hz, 5 Hz steps from 300 to 800) of the clip, by direct DFT. */
const peakHz = (pcm: Int16Array) => {
  let best = 0;
  let bestPower = -1;
  for (let hz = 300; hz <= 800; hz += 5) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < pcm.length; i++) {
      re += pcm[i] * Math.cos((2 * Math.PI * hz * i) / 16000);
      im += pcm[i] * Math.sin((2 * Math.PI * hz * i) / 16000);
    }
    if (re * re + im * im > bestPower) [best, bestPower] = [hz, re * re + im * im];
  }
  return best;
};

describe('waveform augmentation', () => {
  it('with nothing drawn, the clip is unchanged', () => {
    const pcm = burst(500);
    expect(augmentWave(pcm, none, quietBank, randomStream(1))).toEqual(pcm);
  });

  it('speed changes tempo and pitch together; pitch changes pitch alone', () => {
    const pcm = burst(500);
    const fast = augmentWave(pcm, { ...none, speeds: [1.1] }, quietBank, randomStream(1));
    expect(active(fast) / active(pcm)).toBeCloseTo(1 / 1.1, 1);
    expect(peakHz(pcm)).toBe(500);
    expect(peakHz(fast)).toBe(550);
    const high = augmentWave(pcm, { ...none, pitches: [1.1] }, quietBank, randomStream(1));
    expect(active(high) / active(pcm)).toBeCloseTo(1, 1);
    expect(peakHz(high)).toBe(550);
    expect(stretch(new Float32Array(1000), 1.25)).toHaveLength(1250);
  });

  it('gain and time shift', () => {
    const pcm = burst(500, 4000);
    const louder = augmentWave(pcm, { ...none, gainDb: [6, 6] }, quietBank, randomStream(1));
    expect(Math.max(...louder) / Math.max(...pcm)).toBeCloseTo(10 ** (6 / 20), 2);
    const shifted = augmentWave(pcm, { ...none, shift: 800 }, quietBank, randomStream(2));
    const first = (a: Int16Array) => a.findIndex((v) => v !== 0);
    const moved = first(shifted) - first(pcm);
    expect(Math.abs(moved)).toBeLessThanOrEqual(800);
    expect(moved).not.toBe(0);
    expect(Array.from(shifted.subarray(first(shifted), first(shifted) + 500))).toEqual(Array.from(pcm.subarray(first(pcm), first(pcm) + 500)));
  });

  it('adds noise at the drawn SNR, from the training region of the background recordings only', () => {
    const background = new Int16Array(16000 * 20);
    const region = Math.floor(background.length * 0.8);
    const rand = randomStream(3);
    for (let i = 0; i < background.length; i++) background[i] = i < region ? Math.round((rand() - 0.5) * 2000) : 30000;
    const bank = new NoiseBank([{ samples: background }], 1);
    expect(bank.sources[0].length).toBe(region);
    expect(bank.sources[0].every((v) => Math.abs(v) < 0.04)).toBe(true);
    const pcm = burst(500);
    for (const snr of [0, 10, 20]) {
      const noisy = augmentWave(pcm, { ...none, noiseProbability: 1, snrsDb: [snr] }, bank, randomStream(snr));
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < pcm.length; i++) {
        signal += pcm[i] * pcm[i];
        noise += (noisy[i] - pcm[i]) ** 2;
      }
      expect(10 * Math.log10(signal / noise)).toBeCloseTo(snr, 0);
    }
  });

  it('reverberation leaves a decaying tail after the sound stops', () => {
    const x = new Float32Array(16000);
    x[1000] = 1;
    const y = reverberate(x, 0.3, randomStream(4));
    const tail = (from: number, to: number) => y.subarray(from, to).reduce((a, v) => a + v * v, 0);
    expect(tail(1041, 1000 + 0.3 * 16000)).toBeGreaterThan(0);
    expect(tail(1000 + 0.3 * 16000 + 1, 16000)).toBe(0);
    expect(tail(1041, 1000 + 0.1 * 16000)).toBeGreaterThan(tail(1000 + 0.2 * 16000, 1000 + 0.3 * 16000));
  });

  it('is a function of the random stream', () => {
    const pcm = burst(700);
    const bank = new NoiseBank([], 5);
    const recipe = { ...defaultWaveAugment, probability: 1, noiseProbability: 1, reverbProbability: 1 };
    expect(augmentWave(pcm, recipe, bank, randomStream(9))).toEqual(augmentWave(pcm, recipe, bank, randomStream(9)));
    expect(augmentWave(pcm, recipe, bank, randomStream(10))).not.toEqual(augmentWave(pcm, recipe, bank, randomStream(9)));
  });

  it('per epoch: clips are re-coded from the disk cache, the same for an epoch, different across epochs; or drawn from K takes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wave-augment-'));
    try {
      const clips = [burst(400), burst(900), burst(1500)];
      const blob = buildFrontendBlob({}, clips);
      const frontend = createAudioFrontend(blob);
      const size = frontend.frames * frontend.channels;
      const clean = new Uint8Array(clips.length * size);
      const cache = new PcmCache(join(dir, 'train.pcm'), 16000);
      clips.forEach((c, i) => {
        frontend.computeClip(c, clean.subarray(i * size, (i + 1) * size));
        cache.write(i, c);
      });
      expect(cache.read(1)).toEqual(clips[1]);
      const epochs = waveAugmentEpochs(cache, clean, clips.length, blob, { ...defaultWaveAugment, probability: 1 }, new NoiseBank([], 1), 7);
      const run = (epoch: number) => {
        const images = new Uint8Array(clean.length);
        epochs(epoch, images);
        return images;
      };
      expect(run(3)).toEqual(run(3));
      expect(run(3)).not.toEqual(run(4));
      expect(run(3)).not.toEqual(clean);
      const off = waveAugmentEpochs(cache, clean, clips.length, blob, { ...defaultWaveAugment, probability: 0 }, new NoiseBank([], 1), 7);
      const images = new Uint8Array(clean.length);
      off(0, images);
      expect(images).toEqual(clean);
      // With K takes a clip, its augmented codes across epochs are one of K, made once each.
      const variants = waveAugmentEpochs(cache, clean, clips.length, blob, { ...defaultWaveAugment, probability: 1 }, new NoiseBank([], 1), 7, 2);
      const seen = clips.map(() => new Set<string>());
      for (let epoch = 0; epoch < 12; epoch++) {
        const images = new Uint8Array(clean.length);
        variants(epoch, images);
        clips.forEach((_, i) => seen[i].add(images.subarray(i * size, (i + 1) * size).join()));
      }
      expect(seen.map((s) => s.size)).toEqual([2, 2, 2]);
      expect(seen.some((s, i) => s.has(clean.subarray(i * size, (i + 1) * size).join()))).toBe(false);
      cache.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
