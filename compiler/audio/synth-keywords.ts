/**
 * Synthetic keyword set in the Google Speech Commands layout, spoken by Debian's espeak-ng
 * (the real set cannot be downloaded here). Read by `loadSpeechCommands` like the real one.
 *
 * Voices are espeak-ng English accents x voice variants ('en-us+m3', 'en-gb-x-rp+f2', ...).
 * Variants are partitioned between splits first, so a test voice shares neither its variant nor
 * its accent+variant pair with any training voice. Each voice says every keyword
 * `clipsPerWord` times and every unknown word `unknownClipsPerVoice` times, each take with its
 * own speed, pitch and espeak amplitude. One espeak-ng process speaks all of a voice's takes
 * (embedded speed/pitch/amplitude commands, SSML breaks between takes; the output is split at the
 * breaks' silence), `jobs` voices at a time. Every take is then trimmed of silence,
 * resampled 22.05 -> 16 kHz, scaled to a random peak level (-30..-1 dBFS), placed at a random
 * offset in the 1 s clip, and (with probability 0.85) mixed with a cut of one of the background
 * noise files at an SNR drawn from SNRS_DB, cut from the split's own region of the noise file
 * (see NOISE_REGIONS). Silence clips are cut from _background_noise_ by the loader.
 *
 * Deterministic: each clip draws from its own PRNG seeded by (seed, voice, word, take), and
 * espeak-ng's output is deterministic, so completion order does not matter.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { deriveSeed, randomStream, pick, shuffle, uniform, type Random } from '../util/prng.ts';
import { BACKGROUND_DIR, CLIP_SAMPLES, KEYWORDS, NOISE_REGIONS, type SplitName } from './speech-commands.ts';
import { NOISE_KINDS, makeNoise } from './synth-noise.ts';
import { decodeWav, encodeWav, resample } from './wav.ts';
import { UserError } from '../errors.ts';

/** espeak-ng English accents (language voices of espeak-ng 1.51). */
export const ACCENTS = ['en', 'en-us', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbclan', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc'];

/**
 * espeak-ng voice variants (espeak-ng-data/voices/!v), leaving out the robotic, whispered and
 * heavy-echo ones (robosoft*, *Robot, Demonic, whisper*, RicishayMax*).
 */
export const VARIANTS = [
  'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'f1', 'f2', 'f3', 'f4', 'f5',
  'klatt', 'klatt2', 'klatt3', 'klatt4', 'klatt6', 'croak',
  'Alex', 'Alicia', 'Andrea', 'Andy', 'Annie', 'AnxiousAndy', 'Denis', 'Diogo', 'Gene', 'Gene2',
  'Henrique', 'Hugo', 'Jacky', 'Lee', 'Marco', 'Mario', 'Michael', 'Mike', 'Nguyen',
  'Storm', 'Tweaky', 'adam', 'anika', 'announcer',
  'antonio', 'aunty', 'belinda', 'benjamin', 'boris', 'caleb', 'david', 'ed', 'edward', 'edward2',
  'grandma', 'grandpa', 'gustave', 'iven', 'iven2', 'iven3', 'iven4', 'john', 'kaukovalta', 'linda',
  'marcelo', 'max', 'michel', 'miguel', 'norbert', 'pablo', 'paul', 'pedro', 'quincy', 'rob',
  'robert', 'sandro', 'shelby', 'steph', 'steph2', 'steph3', 'travis', 'victor', 'zac',
];

/** Non-keyword words (the real set's auxiliary words plus a few more) for the _unknown_ class. */
export const UNKNOWN_WORDS = [
  'bed', 'bird', 'cat', 'dog', 'happy', 'house', 'marvin', 'sheila', 'tree', 'wow',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'learn', 'follow', 'forward', 'backward', 'visual', 'hello', 'water', 'light', 'music', 'table', 'window',
];

export const SNRS_DB = [5, 10, 15, 20, 30, 40];
const NOISE_PROBABILITY = 0.85;
const NOISE_SECONDS = 60;
const ESPEAK_RATE = 22050;

export interface GenerateOptions {
  out: string;
  /** Number of voices (default 40); about 10 % go to validation and 10 % to test (at least 1 each). */
  voices?: number;
  seed?: number;
  /** Takes per keyword per voice (default 25). */
  clipsPerWord?: number;
  /** Takes per unknown word per voice (default 1). */
  unknownClipsPerVoice?: number;
  unknownWords?: readonly string[];
  /** Parallel espeak-ng processes (default: available cores). */
  jobs?: number;
  /** Replace an existing non-empty output folder. */
  force?: boolean;
  /** espeak-ng executable (default 'espeak-ng' on PATH). */
  espeak?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface Voice {
  name: string; // espeak-ng voice argument, e.g. 'en-us+m3'
  id: string; // speaker id used in file names, e.g. 'en-us-m3'
  split: SplitName;
}

export interface GenerateSummary {
  out: string;
  voices: Voice[];
  keywordClips: number;
  unknownClips: number;
  backgroundFiles: string[];
  /** Voices whose batched output did not split into one segment per take (spoken take by take). */
  unbatchedVoices: string[];
  seconds: number;
}

interface ClipJob {
  voice: Voice;
  word: string;
  take: number;
  file: string; // 'word/id_nohash_take.wav'
}

export class SynthError extends UserError {
  override name = 'SynthError';
}

export async function generateKeywordSet(options: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const voiceCount = options.voices ?? 40;
  const clipsPerWord = options.clipsPerWord ?? 25;
  const unknownTakes = options.unknownClipsPerVoice ?? 1;
  const unknownWords = options.unknownWords ?? UNKNOWN_WORDS;
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const espeak = options.espeak ?? 'espeak-ng';
  if (!Number.isInteger(voiceCount) || voiceCount < 3 || voiceCount > ACCENTS.length * VARIANTS.length * 0.7) {
    throw new SynthError(`voices must be an integer from 3 to ${Math.floor(ACCENTS.length * VARIANTS.length * 0.7)}, got ${voiceCount}`);
  }
  if (!Number.isInteger(clipsPerWord) || clipsPerWord < 1) throw new SynthError(`clips per word must be a positive integer, got ${clipsPerWord}`);
  const bad = unknownWords.filter((w) => !/^[a-z]+$/i.test(w));
  if (bad.length) throw new SynthError(`unknown words must be single plain words: ${bad.join(', ')}`);
  const overlap = unknownWords.filter((w) => (KEYWORDS as readonly string[]).includes(w));
  if (overlap.length) throw new SynthError(`unknown words include keywords: ${overlap.join(', ')}`);
  const installed = await installedVariants(espeak);
  const voices = chooseVoices(voiceCount, seed);
  const missing = [...new Set(voices.map((v) => v.name.split('+')[1]))].filter((v) => !installed.has(v));
  if (missing.length) throw new SynthError(`espeak-ng lacks voice variants ${missing.join(', ')} (espeak-ng 1.51 or later ships them)`);
  prepareOutput(options.out, options.force === true);

  const noise = writeBackground(options.out, seed);
  const clipJobs: ClipJob[] = [];
  for (const voice of voices) {
    for (const word of KEYWORDS) for (let t = 0; t < clipsPerWord; t++) clipJobs.push(clipJob(voice, word, t));
    for (const word of unknownWords) for (let t = 0; t < unknownTakes; t++) clipJobs.push(clipJob(voice, word, t));
  }
  for (const word of new Set(clipJobs.map((j) => j.word))) mkdirSync(join(options.out, word), { recursive: true });

  let done = 0;
  let next = 0;
  const unbatchedVoices: string[] = [];
  const worker = async () => {
    while (next < voices.length) {
      const voice = voices[next++];
      const takes = clipJobs.filter((j) => j.voice === voice);
      const speech = await speakVoice(espeak, takes, seed, () => unbatchedVoices.push(voice.name));
      takes.forEach((job, i) => {
        const clip = renderClip(speech[i], noise, job, seed);
        writeFileSync(join(options.out, job.file), encodeWav(clip));
        options.onProgress?.(++done, clipJobs.length);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, voices.length) }, worker));

  const listOf = (split: SplitName) => clipJobs.filter((j) => j.voice.split === split).map((j) => j.file).sort().join('\n') + '\n';
  writeFileAtomic(join(options.out, 'validation_list.txt'), listOf('validation'));
  writeFileAtomic(join(options.out, 'testing_list.txt'), listOf('test'));
  const summary: GenerateSummary = {
    out: options.out,
    voices,
    keywordClips: clipJobs.filter((j) => (KEYWORDS as readonly string[]).includes(j.word)).length,
    unknownClips: clipJobs.filter((j) => !(KEYWORDS as readonly string[]).includes(j.word)).length,
    backgroundFiles: noise.map((n) => n.name),
    unbatchedVoices,
    seconds: (Date.now() - started) / 1000,
  };
  const provenance = { generator: 'tempo-cim data keywords', seed, voiceCount, clipsPerWord, unknownClipsPerVoice: unknownTakes, unknownWords, ...summary };
  writeFileAtomic(join(options.out, 'generation.json'), JSON.stringify(provenance, null, 2) + '\n');
  return summary;
}

function clipJob(voice: Voice, word: string, take: number): ClipJob {
  return { voice, word, take, file: `${word}/${voice.id}_nohash_${take}.wav` };
}

/**
 * Partitions the variants 70/15/15 between train/validation/test, then builds each split's voices
 * from its own variants (distinct variants first, then further accents of them).
 */
export function chooseVoices(count: number, seed: number): Voice[] {
  const random = randomStream(deriveSeed(seed, 'voices'));
  const variants = shuffle([...VARIANTS], random);
  const heldOutVariants = Math.round(variants.length * 0.15);
  const pools: Record<SplitName, string[]> = {
    test: variants.slice(0, heldOutVariants),
    validation: variants.slice(heldOutVariants, 2 * heldOutVariants),
    train: variants.slice(2 * heldOutVariants),
  };
  const heldOut = Math.max(1, Math.round(count * 0.1));
  const counts: Record<SplitName, number> = { train: count - 2 * heldOut, validation: heldOut, test: heldOut };
  const voices: Voice[] = [];
  for (const split of ['train', 'validation', 'test'] as const) {
    const pool = pools[split];
    const accentOrder = pool.map(() => shuffle([...ACCENTS], random));
    for (let j = 0; j < counts[split]; j++) {
      const v = j % pool.length;
      const accent = accentOrder[v][Math.floor(j / pool.length) % ACCENTS.length];
      const name = `${accent}+${pool[v]}`;
      voices.push({ name, id: `${accent}-${pool[v]}`.toLowerCase(), split });
    }
  }
  return voices;
}

/** Variant names espeak-ng has installed (it silently falls back to the default for unknown ones). */
async function installedVariants(espeak: string): Promise<Set<string>> {
  let listing: string;
  try {
    listing = (await run(espeak, ['--voices=variant'])).toString();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new SynthError(`'${espeak}' not found: install espeak-ng (Debian/Ubuntu: sudo apt-get install -y espeak-ng)`);
    }
    throw error;
  }
  return new Set([...listing.matchAll(/!v\/(\S+)/g)].map((m) => m[1]));
}

function prepareOutput(out: string, force: boolean): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!force) throw new SynthError(`${out} is not empty (use --force to replace it)`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(join(out, BACKGROUND_DIR), { recursive: true });
}

function writeBackground(out: string, seed: number): Array<{ name: string; samples: Float32Array }> {
  return NOISE_KINDS.map((kind) => {
    const samples = makeNoise(kind, NOISE_SECONDS * 16000, deriveSeed(seed, `noise/${kind}`));
    const name = `${kind}_noise.wav`;
    writeFileAtomic(join(out, BACKGROUND_DIR, name), encodeWav(samples));
    return { name, samples };
  });
}

function run(command: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) {
      child.stdin!.on('error', () => {}); // a failing espeak-ng is reported by its exit code below
      child.stdin!.end(input);
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new SynthError(`${command} ${args.join(' ')} failed (exit ${code}): ${Buffer.concat(err).toString().trim()}`));
    });
  });
}

interface Prosody {
  speed: number; // words per minute (espeak default 175)
  pitch: number; // 0..99 (default 50)
  amplitude: number; // 0..200 (default 100)
}

function prosody(job: ClipJob, seed: number): Prosody {
  const random = takeRandom(job, seed, 'voice');
  return {
    speed: Math.round(uniform(random, 120, 210)),
    pitch: Math.round(uniform(random, 15, 85)),
    amplitude: Math.round(uniform(random, 70, 140)),
  };
}

const BREAK_MS = 1500;
/** Silences at least this long separate takes (espeak's own pauses inside a word are < 60 ms). */
const SPLIT_SAMPLES = Math.round(0.25 * ESPEAK_RATE);

/**
 * All takes of one voice from a single espeak-ng process, as 16 kHz trimmed float clips. Each
 * take is '<ctrl-A>speed S <ctrl-A>pitch P <ctrl-A>amplitude A word.' followed by an SSML break;
 * the output is split at the breaks' silence. If the split does not give one segment per take,
 * the voice's takes are spoken one process each instead.
 */
async function speakVoice(espeak: string, takes: ClipJob[], seed: number, onUnbatched: () => void): Promise<Float32Array[]> {
  const voice = takes[0].voice.name;
  const text = takes.map((job) => {
    const p = prosody(job, seed);
    return `\x01${p.speed}S\x01${p.pitch}P\x01${p.amplitude}A ${job.word}. <break time="${BREAK_MS}ms"/>`;
  });
  const args = ['-m', '-v', voice, '--stdout'];
  const bytes = await run(espeak, args, `<speak>${text.join('\n')}</speak>`);
  const segments = splitAtSilence(decodeEspeak(bytes, `espeak-ng ${args.join(' ')}`));
  if (segments.length === takes.length) return segments.map(toClip);
  onUnbatched();
  const single: Float32Array[] = [];
  for (const job of takes) {
    const p = prosody(job, seed);
    const one = ['-v', voice, '-s', String(p.speed), '-p', String(p.pitch), '-a', String(p.amplitude), '--stdout', job.word];
    single.push(toClip(decodeEspeak(await run(espeak, one), `espeak-ng ${one.join(' ')}`)));
  }
  return single;
}

function decodeEspeak(bytes: Uint8Array, name: string): Float32Array {
  const wav = decodeWav(bytes, name, { allowStreamingSize: true });
  if (wav.sampleRate !== ESPEAK_RATE) throw new SynthError(`${name} produced ${wav.sampleRate} Hz, expected ${ESPEAK_RATE}`);
  return wav.samples;
}

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

function toClip(speech22k: Float32Array): Float32Array {
  return trimSilence(resample(speech22k, ESPEAK_RATE, 16000));
}

function takeRandom(job: ClipJob, seed: number, purpose: string): Random {
  return randomStream(deriveSeed(seed, `${purpose}/${job.voice.name}/${job.word}/${job.take}`));
}

/** Drops leading and trailing samples below 1 % of the peak (espeak pads words with silence). */
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
function renderClip(speech: Float32Array, noise: ReadonlyArray<{ samples: Float32Array }>, job: ClipJob, seed: number): Int16Array {
  const random = takeRandom(job, seed, 'mix');
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
    const [from, to] = NOISE_REGIONS[job.voice.split];
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
