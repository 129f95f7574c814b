/**
 * One voice's takes, spoken and written as 1 s clips: the engine speaks each take with its own
 * delivery (speed/tempo, pitch, level), the take is trimmed of silence, resampled to 16 kHz, scaled
 * to a random peak level (-30..-1 dBFS), placed at a random offset in the clip and (with
 * probability 0.85) mixed with a cut of a background noise at an SNR from SNRS_DB, cut from the
 * split's own region of the noise (NOISE_REGIONS).
 *
 * Deterministic: every draw comes from a PRNG seeded by (seed, voice, word, take), and every voice
 * gets a fresh engine instance, so a voice's files do not depend on which thread spoke it or when.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSeed, randomStream, pick, uniform, type Random } from '../util/prng.ts';
import { ESPEAK_RATE, EspeakVoice, type EspeakTake } from './engines/espeak.ts';
import { GnuspeechVoice, type GnuspeechProsody } from './engines/gnuspeech.ts';
import { CLIP_SAMPLES, NOISE_REGIONS } from './speech-commands.ts';
import type { Voice } from './synth-voices.ts';
import { encodeWav, resample } from './wav.ts';

export const SNRS_DB = [5, 10, 15, 20, 30, 40];
const NOISE_PROBABILITY = 0.85;

export interface ClipJob {
  word: string;
  take: number;
  file: string; // 'word/id_nohash_take.wav'
}

export interface VoiceJob {
  voice: Voice;
  takes: ClipJob[];
  seed: number;
  out: string;
}

export type Noise = ReadonlyArray<{ samples: Float32Array }>;

export function clipJob(voice: Voice, word: string, take: number): ClipJob {
  return { word, take, file: `${word}/${voice.id}_nohash_${take}.wav` };
}

/**
 * Speaks and writes every take of `job.voice`; `onClip` after each file. Returns false when an
 * eSpeak NG batch did not split into one segment per take (the takes were then spoken one by one).
 */
export async function speakVoice(job: VoiceJob, noise: Noise, onClip: () => void): Promise<boolean> {
  const { voice, takes, seed } = job;
  let batched = true;
  let speech: Float32Array[];
  if (voice.engine === 'espeak') {
    const engine = await EspeakVoice.create(voice.name, voice.espeak);
    const deliveries = takes.map((t) => espeakTake(voice, t, seed));
    const segments = splitAtSilence(engine.speakBatch(deliveries, BREAK_MS));
    if (segments.length === takes.length) {
      speech = segments.map((s) => toClip(s, ESPEAK_RATE));
    } else {
      batched = false;
      // A fresh instance: the failed batch changed the engine's state.
      const single = await EspeakVoice.create(voice.name, voice.espeak);
      speech = deliveries.map((d) => toClip(single.speakTake(d), ESPEAK_RATE));
    }
  } else {
    const engine = await GnuspeechVoice.create(voice.gnuspeech!, [...new Set(takes.map((t) => t.word))]);
    speech = takes.map((t) => {
      const { samples, sampleRate } = engine.speak(t.word, gnuspeechProsody(voice, t, seed));
      return toClip(samples, sampleRate);
    });
  }
  takes.forEach((take, i) => {
    writeFileSync(join(job.out, take.file), encodeWav(renderClip(speech[i], noise, voice, take, seed)));
    onClip();
  });
  return batched;
}

function takeRandom(voice: Voice, take: ClipJob, seed: number, purpose: string): Random {
  return randomStream(deriveSeed(seed, `${purpose}/${voice.name}/${voice.id}/${take.word}/${take.take}`));
}

function espeakTake(voice: Voice, take: ClipJob, seed: number): EspeakTake {
  const random = takeRandom(voice, take, seed, 'voice');
  return {
    word: take.word,
    speed: Math.round(uniform(random, 120, 210)),
    pitch: Math.round(uniform(random, 15, 85)),
    amplitude: Math.round(uniform(random, 70, 140)),
  };
}

function gnuspeechProsody(voice: Voice, take: ClipJob, seed: number): GnuspeechProsody {
  const random = takeRandom(voice, take, seed, 'voice');
  return {
    tempo: uniform(random, 0.75, 1.35),
    pitchOffset: uniform(random, -7, -1),
    notionalPitch: uniform(random, 0, 4),
    tonicRange: uniform(random, -10, -5),
  };
}

const BREAK_MS = 1500;
/** Silences at least this long separate batched takes (eSpeak's own pauses inside a word are < 60 ms). */
const SPLIT_SAMPLES = Math.round(0.25 * ESPEAK_RATE);

/**
 * Splits at runs of at least SPLIT_SAMPLES near-silent samples (below 5e-4 of the batch peak:
 * breathy variants such as f2/f3 leave faint noise in the breaks instead of exact zeros).
 */
export function splitAtSilence(samples: Float32Array): Float32Array[] {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
  const quiet = peak * 5e-4;
  const segments: Float32Array[] = [];
  let start = -1;
  let silent = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) > quiet) {
      if (start < 0) start = i;
      silent = 0;
    } else if (start >= 0 && ++silent >= SPLIT_SAMPLES) {
      segments.push(samples.subarray(start, i - silent + 1));
      start = -1;
    }
  }
  if (start >= 0) segments.push(samples.subarray(start, samples.length - silent));
  return segments;
}

function toClip(speech: Float32Array, rate: number): Float32Array {
  return trimSilence(resample(speech, rate, 16000));
}

/** Drops leading and trailing samples below 1 % of the peak (both engines pad words with silence). */
function trimSilence(samples: Float32Array): Float32Array {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  const threshold = peak * 0.01;
  let first = 0;
  let last = samples.length - 1;
  while (first < last && Math.abs(samples[first]) < threshold) first++;
  while (last > first && Math.abs(samples[last]) < threshold) last--;
  return samples.subarray(first, last + 1);
}

/** Level, time shift and background noise for one take -> 1 s int16 clip. */
function renderClip(speech: Float32Array, noise: Noise, voice: Voice, take: ClipJob, seed: number): Int16Array {
  const random = takeRandom(voice, take, seed, 'mix');
  const length = Math.min(speech.length, CLIP_SAMPLES);
  let peak = 1e-9;
  let energy = 0;
  for (let i = 0; i < length; i++) {
    peak = Math.max(peak, Math.abs(speech[i]));
    energy += speech[i] * speech[i];
  }
  const gain = 10 ** (uniform(random, -30, -1) / 20) / peak;
  const speechRms = Math.sqrt(energy / Math.max(1, length)) * gain;
  const offset = Math.floor(random() * (CLIP_SAMPLES - length + 1));
  const clip = new Float64Array(CLIP_SAMPLES);
  for (let i = 0; i < length; i++) clip[offset + i] = speech[i] * gain;
  if (random() < NOISE_PROBABILITY) {
    const source = pick(random, noise).samples;
    const snr = pick(random, SNRS_DB);
    const [from, to] = NOISE_REGIONS[voice.split];
    const lo = Math.floor(source.length * from);
    const hi = Math.floor(source.length * to) - CLIP_SAMPLES;
    const start = lo + Math.floor(random() * Math.max(1, hi - lo));
    const noiseGain = speechRms / 10 ** (snr / 20) / 0.1; // noise files have RMS 0.1
    for (let i = 0; i < CLIP_SAMPLES; i++) clip[i] += source[start + i] * noiseGain;
  }
  const pcm = new Int16Array(CLIP_SAMPLES);
  for (let i = 0; i < CLIP_SAMPLES; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(clip[i] * 32768)));
  return pcm;
}
