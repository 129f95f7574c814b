/**
 * Deterministic speech-like test clips (no espeak-ng needed): voiced segments (a pulse train at
 * a gliding f0 through three formant resonators), fricative noise bursts, background noise of
 * random colour and level (or digital silence), loudness from a few LSB to clipping.
 */
import { randomStream } from '../../compiler/util/prng.ts';

export function speechLikeClip(seed: number, length = 16000): Int16Array {
  const rand = randomStream(seed);
  const out = new Float64Array(length);
  const segments = 1 + Math.floor(rand() * 4);
  for (let s = 0; s < segments; s++) {
    const start = Math.floor(rand() * length * 0.8);
    const duration = Math.floor(1600 + rand() * 5000);
    const voiced = rand() < 0.7;
    const amplitude = 10 ** (-rand() * 3) * 20000;
    const f0 = 80 + rand() * 220;
    const glide = (rand() - 0.5) * 0.6;
    const formants = [300 + rand() * 600, 900 + rand() * 1500, 2000 + rand() * 1500];
    // Voiced: a glottal pulse train (gliding f0) through three two-pole formant resonators.
    const resonators = formants.map((f) => {
      const r = Math.exp((-Math.PI * 120) / 16000);
      return { a1: 2 * r * Math.cos((2 * Math.PI * f) / 16000), a2: -r * r, y1: 0, y2: 0 };
    });
    let phase = 0;
    for (let i = 0; i < duration && start + i < length; i++) {
      const t = i / duration;
      const envelope = Math.sin(Math.PI * t) ** 2 * amplitude;
      let v: number;
      if (voiced) {
        phase += (f0 * (1 + glide * t)) / 16000;
        const pulse = phase >= 1 ? 1 : 0;
        if (pulse) phase -= 1;
        v = 0;
        for (const res of resonators) {
          const y = pulse + res.a1 * res.y1 + res.a2 * res.y2;
          res.y2 = res.y1;
          res.y1 = y;
          v += y;
        }
        v *= 0.05;
      } else {
        v = (rand() - rand()) * 0.8; // crude high-frequency-rich noise
      }
      out[start + i] += envelope * v;
    }
  }
  const noiseKind = Math.floor(rand() * 4); // 0: silence, 1: white, 2: brown-ish, 3: hum
  const noiseLevel = 10 ** (-rand() * 3.5) * 2000;
  let brown = 0;
  for (let i = 0; i < length; i++) {
    if (noiseKind === 1) out[i] += (rand() - 0.5) * noiseLevel;
    else if (noiseKind === 2) {
      brown = 0.98 * brown + (rand() - 0.5);
      out[i] += brown * noiseLevel * 0.3;
    } else if (noiseKind === 3) out[i] += noiseLevel * Math.sin((2 * Math.PI * 50 * i) / 16000);
  }
  const pcm = new Int16Array(length);
  for (let i = 0; i < length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(out[i])));
  return pcm;
}

/** Clips that stress the fixed-point ranges: full-scale square waves, extremes, impulses, DC. */
export function extremeClips(): Int16Array[] {
  const make = (f: (i: number) => number) => Int16Array.from({ length: 16000 }, (_, i) => f(i));
  return [
    make((i) => (Math.floor(i / 20) % 2 ? 32767 : -32768)),
    make((i) => (i % 2 ? 32767 : -32768)),
    make(() => -32768),
    make(() => 32767),
    make((i) => (i % 997 === 0 ? 32767 : 0)),
    make((i) => Math.round(32767 * Math.sin((2 * Math.PI * 1000 * i) / 16000))),
    make((i) => (i % 3) - 1),
    make(() => 0),
  ];
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}
