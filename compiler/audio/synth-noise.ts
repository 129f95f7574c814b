/**
 * Background noise for the synthetic keyword set: white, pink, brown and mains hum, 16 kHz float
 * samples at an RMS of about 0.1 full scale, deterministic for a seed.
 */
import { randomStream, type Random } from '../util/prng.ts';

export const NOISE_KINDS = ['white', 'pink', 'brown', 'hum'] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** Standard normal deviate (Box-Muller). */
function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function makeNoise(kind: NoiseKind, samples: number, seed: number): Float32Array {
  const random = randomStream(seed);
  const out = new Float32Array(samples);
  if (kind === 'white') {
    for (let i = 0; i < samples; i++) out[i] = gaussian(random);
  } else if (kind === 'pink') {
    // Paul Kellet's refined pink filter (-3 dB/octave within 0.05 dB above 10 Hz at 16 kHz).
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
    for (let i = 0; i < samples; i++) {
      const w = gaussian(random);
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
      b6 = w * 0.115926;
    }
  } else if (kind === 'brown') {
    // Leaky integrator: -6 dB/octave above ~25 Hz, no DC drift.
    let y = 0;
    for (let i = 0; i < samples; i++) {
      y = 0.99 * y + gaussian(random);
      out[i] = y;
    }
  } else {
    // 50 or 60 Hz mains hum with decaying odd/even harmonics, slow wobble, and a little hiss.
    const f0 = random() < 0.5 ? 50 : 60;
    const phases = Array.from({ length: 10 }, () => 2 * Math.PI * random());
    for (let i = 0; i < samples; i++) {
      const t = i / 16000;
      let v = 0;
      for (let h = 1; h <= 10; h++) v += Math.sin(2 * Math.PI * f0 * h * t + phases[h - 1]) / h ** 1.3;
      out[i] = v * (1 + 0.2 * Math.sin(2 * Math.PI * 0.3 * t)) + 0.02 * gaussian(random);
    }
  }
  let energy = 0;
  for (let i = 0; i < samples; i++) energy += out[i] * out[i];
  const gain = 0.1 / Math.sqrt(energy / samples);
  for (let i = 0; i < samples; i++) out[i] = Math.max(-1, Math.min(1, out[i] * gain));
  return out;
}
