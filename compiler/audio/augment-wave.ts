/**
 * Waveform augmentation for keyword training, applied to 16 kHz PCM before the integer front-end
 * (so the network sees what the front-end makes of a faster, lower, louder, noisier, echoing take):
 *
 * - speed: resampling by s (tempo and pitch together, as Kaldi's speed perturbation);
 * - pitch: resampling by p, then a WSOLA time stretch back to the length (pitch alone);
 * - reverberation: a synthetic room impulse response (direct path plus a sparse tail of
 *   reflections decaying to -60 dB at RT60), mixed wet/dry;
 * - gain: a level change in dB;
 * - time shift: the take moved by up to +-shift samples (zeros fill);
 * - additive noise at an SNR from the recipe's list: a cut of a background recording (the
 *   dataset's _background_noise_, train region only) or a generated noise (white, pink, brown, hum).
 *
 * Each clip's parameters are drawn from the random stream it is given (the caller seeds it per
 * clip and epoch), so an epoch's augmented set is a function of (seed, epoch, clip).
 */
import { NOISE_REGIONS } from './speech-commands.ts';
import { NOISE_KINDS, makeNoise } from './synth-noise.ts';
import { resample } from './wav.ts';
import type { Random } from '../util/prng.ts';

export interface WaveAugmentRecipe {
  /** Probability that a clip is augmented at all in an epoch (the rest stay clean). */
  probability: number;
  /** Speed factors to pick from (1 = unchanged). */
  speeds: readonly number[];
  /** Pitch factors to pick from (1 = unchanged). */
  pitches: readonly number[];
  /** Gain range in dB. */
  gainDb: [number, number];
  /** Maximum time shift in samples. */
  shift: number;
  /** Probability of additive noise, and the SNRs (dB) to pick from. */
  noiseProbability: number;
  snrsDb: readonly number[];
  /** Probability of reverberation, and the RT60 range in seconds. */
  reverbProbability: number;
  rt60: [number, number];
}

export const defaultWaveAugment: WaveAugmentRecipe = {
  probability: 0.5,
  speeds: [0.9, 0.95, 1, 1.05, 1.1],
  pitches: [0.9, 0.95, 1, 1.05, 1.1],
  gainDb: [-12, 6],
  shift: 1600,
  noiseProbability: 0.6,
  snrsDb: [0, 5, 10, 20],
  reverbProbability: 0.3,
  rt60: [0.1, 0.6],
};

/** Noise to mix in: background recordings (int16, 16 kHz) plus generated noises. */
export class NoiseBank {
  readonly sources: Float32Array[];
  constructor(background: ReadonlyArray<{ samples: Int16Array }>, seed: number, generatedSeconds = 20) {
    // Background recordings contribute only their training region (validation/test cut silence from the rest).
    const [from, to] = NOISE_REGIONS.train;
    const recorded = background
      .filter((b) => b.samples.length >= 16000 * 10)
      .map((b) => Float32Array.from(b.samples.subarray(Math.floor(b.samples.length * from), Math.floor(b.samples.length * to)), (v) => v / 32768));
    const generated = NOISE_KINDS.map((kind, k) => makeNoise(kind, generatedSeconds * 16000, seed + 7919 * (k + 1)));
    this.sources = [...recorded, ...generated];
  }
}

/** One clip's augmentation: `samples` (1 s int16) -> a new 1 s int16 clip. */
export function augmentWave(samples: Int16Array, recipe: WaveAugmentRecipe, noise: NoiseBank, random: Random): Int16Array {
  const n = samples.length;
  let x: Float32Array = Float32Array.from(samples, (v) => v / 32768);
  const speed = recipe.speeds[Math.floor(random() * recipe.speeds.length)];
  if (speed !== 1) x = resample(x, Math.round(16000 * speed), 16000);
  const pitch = recipe.pitches[Math.floor(random() * recipe.pitches.length)];
  if (pitch !== 1) x = stretch(resample(x, Math.round(16000 * pitch), 16000), pitch);
  if (random() < recipe.reverbProbability) x = reverberate(x, recipe.rt60[0] + random() * (recipe.rt60[1] - recipe.rt60[0]), random);
  const gain = 10 ** ((recipe.gainDb[0] + random() * (recipe.gainDb[1] - recipe.gainDb[0])) / 20);
  // Fit to the clip: centre the (possibly longer or shorter) take, then shift it.
  const shift = Math.round((random() * 2 - 1) * recipe.shift);
  const offset = Math.floor((n - x.length) / 2) + shift;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i - offset;
    if (j >= 0 && j < x.length) out[i] = x[j] * gain;
  }
  if (random() < recipe.noiseProbability && noise.sources.length) {
    const source = noise.sources[Math.floor(random() * noise.sources.length)];
    const snr = recipe.snrsDb[Math.floor(random() * recipe.snrsDb.length)];
    const start = Math.floor(random() * Math.max(1, source.length - n));
    let speech = 0;
    let power = 0;
    for (let i = 0; i < n; i++) {
      speech += out[i] * out[i];
      const v = source[(start + i) % source.length];
      power += v * v;
    }
    // Scale to the SNR against the clip's energy; a silent clip gets the noise at -40 dBFS RMS.
    const target = speech > 0 ? speech / 10 ** (snr / 10) : n * 1e-4;
    const noiseGain = power > 0 ? Math.sqrt(target / power) : 0;
    for (let i = 0; i < n; i++) out[i] += source[(start + i) % source.length] * noiseGain;
  }
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(out[i] * 32768);
    pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return pcm;
}

/**
 * WSOLA time stretch by `factor` (output length = input length x factor): 25 ms Hann windows at
 * 50 % overlap, each taken within +-5 ms of its nominal input position where it best continues the
 * previous window (cross-correlation, searched coarse-to-fine), so periodic sounds keep their phase
 * and pitch.
 */
export function stretch(x: Float32Array, factor: number): Float32Array {
  const win = 400;
  const hop = win / 2;
  const tolerance = 80;
  const outLength = Math.round(x.length * factor);
  const out = new Float32Array(outLength);
  const norm = new Float32Array(outLength);
  // x with zeros around it, so the search and overlap-add index it without bounds checks (hot loop).
  const pad = win + hop + tolerance;
  const padded = new Float32Array(x.length + 2 * pad);
  padded.set(x, pad);
  let previous = 0; // input position of the previous window
  for (let k = 0; k * hop < outLength; k++) {
    let from = Math.round((k * hop) / factor);
    if (k > 0) {
      // The natural continuation of the previous window starts at previous + hop.
      const target = pad + previous + hop;
      const correlation = (at: number) => {
        let c = 0;
        for (let i = 0; i < hop; i++) c += padded[pad + at + i] * padded[target + i];
        return c;
      };
      // Coarse search every 4 samples, then the 3 on each side of the coarse best.
      let best = -Infinity;
      let bestFrom = from;
      for (let d = -tolerance; d <= tolerance; d += 4) {
        const c = correlation(from + d);
        if (c > best) [best, bestFrom] = [c, from + d];
      }
      const coarse = bestFrom;
      for (let d = -3; d <= 3; d++) {
        if (d === 0 || Math.abs(coarse + d - from) > tolerance) continue;
        const c = correlation(coarse + d);
        if (c > best) [best, bestFrom] = [c, coarse + d];
      }
      from = bestFrom;
    }
    previous = from;
    for (let i = 0; i < win; i++) {
      const o = k * hop + i;
      if (o >= outLength) break;
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win);
      out[o] += padded[pad + from + i] * w;
      norm[o] += w;
    }
  }
  for (let i = 0; i < outLength; i++) if (norm[i] > 1e-3) out[i] /= norm[i];
  return out;
}

/**
 * Convolution with a synthetic room response: the direct path, then 48 reflections at random delays
 * up to RT60 with random signs and an exponential envelope reaching -60 dB at RT60; mixed so the
 * reverberant part carries 30-70 % of the output level.
 */
export function reverberate(x: Float32Array, rt60: number, random: Random): Float32Array {
  const taps = 48;
  const maxDelay = Math.round(rt60 * 16000);
  const delays = new Int32Array(taps);
  const weights = new Float32Array(taps);
  let energy = 0;
  for (let t = 0; t < taps; t++) {
    const d = 40 + Math.floor(random() * (maxDelay - 40));
    delays[t] = d;
    weights[t] = (random() < 0.5 ? -1 : 1) * 10 ** ((-3 * d) / maxDelay);
    energy += weights[t] * weights[t];
  }
  const wet = 0.3 + random() * 0.4;
  const scale = wet / Math.sqrt(Math.max(energy, 1e-9));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (1 - wet) * x[i];
  for (let t = 0; t < taps; t++) {
    const d = delays[t];
    const w = weights[t] * scale;
    for (let i = d; i < x.length; i++) out[i] += w * x[i - d];
  }
  return out;
}
