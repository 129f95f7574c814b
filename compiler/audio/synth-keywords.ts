/**
 * Synthetic keyword set in the Google Speech Commands layout (the real set cannot be downloaded
 * here), spoken by the two speech engines that npm installs (eSpeak NG and GnuSpeech, both WASM
 * builds: no system packages). Read by `loadSpeechCommands` like the real one.
 *
 * Each voice (synth-voices.ts: who speaks, and which split each voice belongs to) says every
 * keyword `clipsPerWord` times and every unknown word `unknownClipsPerVoice` times, each take with
 * its own delivery, level, offset and background noise (synth-speak.ts). Voices are spoken `jobs`
 * at a time in worker threads. Silence clips are cut from _background_noise_ by the loader.
 * Deterministic for a seed, whatever `jobs` is.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '../io/atomic.ts';
import { deriveSeed } from '../util/prng.ts';
import { espeakVariants } from './engines/espeak.ts';
import { SynthError } from './engines/synth-error.ts';
import { BACKGROUND_DIR, KEYWORDS, type SplitName } from './speech-commands.ts';
import { NOISE_KINDS, makeNoise } from './synth-noise.ts';
import { clipJob, speakVoice, type ClipJob, type Noise, type VoiceJob } from './synth-speak.ts';
import { ENGINES, MAX_ESPEAK_VOICES, chooseVoices, type EngineName, type Voice } from './synth-voices.ts';
import { encodeWav } from './wav.ts';

export { SynthError } from './engines/synth-error.ts';
export { splitAtSilence } from './synth-speak.ts';

/** Non-keyword words (the real set's auxiliary words plus a few more) for the _unknown_ class. */
export const UNKNOWN_WORDS = [
  'bed', 'bird', 'cat', 'dog', 'happy', 'house', 'marvin', 'sheila', 'tree', 'wow',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'learn', 'follow', 'forward', 'backward', 'visual', 'hello', 'water', 'light', 'music', 'table', 'window',
];

const NOISE_SECONDS = 60;

/** Voices per engine unless asked otherwise. */
export const DEFAULT_VOICES = 80;

export const ESPEAK_VARIANT_MODES = ['shipped', 'drawn'] as const;
export type EspeakVariantMode = (typeof ESPEAK_VARIANT_MODES)[number];
export const DEFAULT_ESPEAK_VARIANTS: EspeakVariantMode = 'shipped';

export interface GenerateOptions {
  out: string;
  /** Speech engines (default both). */
  engines?: readonly EngineName[];
  /**
   * Voices per engine (default 80; 40 scored 3-4 points lower on eSpeak NG's held-out voices, see
   * docs/training.md); about 10 % go to validation and 10 % to test (at least 1 each).
   */
  voices?: number;
  /**
   * eSpeak NG training voices: 'shipped' speak the package's variants as they are, 'drawn' move
   * each voice's variant file by parameters of its own (synth-voices.ts drawEspeakVariant).
   */
  espeakVariants?: EspeakVariantMode;
  seed?: number;
  /** Takes per keyword per voice (default 25). */
  clipsPerWord?: number;
  /** Takes per unknown word per voice (default 1). */
  unknownClipsPerVoice?: number;
  unknownWords?: readonly string[];
  /** Voices spoken at a time, each in a worker thread (default: available cores; 1 = this thread). */
  jobs?: number;
  /** Replace an existing non-empty output folder. */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  out: string;
  voices: Voice[];
  keywordClips: number;
  unknownClips: number;
  backgroundFiles: string[];
  /** eSpeak NG voices whose batched output did not split into one segment per take (spoken take by take). */
  unbatchedVoices: string[];
  seconds: number;
}

export async function generateKeywordSet(options: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const seed = options.seed ?? 1;
  const engines = options.engines ?? ENGINES;
  const voiceCount = options.voices ?? DEFAULT_VOICES;
  const clipsPerWord = options.clipsPerWord ?? 25;
  const unknownTakes = options.unknownClipsPerVoice ?? 1;
  const unknownWords = options.unknownWords ?? UNKNOWN_WORDS;
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  if (engines.length === 0 || engines.some((e) => !ENGINES.includes(e))) {
    throw new SynthError(`engines must be some of ${ENGINES.join(', ')}, got '${engines.join(',')}'`);
  }
  if (!Number.isInteger(voiceCount) || voiceCount < 3 || voiceCount > MAX_ESPEAK_VOICES) {
    throw new SynthError(`voices must be an integer from 3 to ${MAX_ESPEAK_VOICES}, got ${voiceCount}`);
  }
  if (!Number.isInteger(clipsPerWord) || clipsPerWord < 1) throw new SynthError(`clips per word must be a positive integer, got ${clipsPerWord}`);
  const bad = unknownWords.filter((w) => !/^[a-z]+$/i.test(w));
  if (bad.length) throw new SynthError(`unknown words must be single plain words: ${bad.join(', ')}`);
  const overlap = unknownWords.filter((w) => (KEYWORDS as readonly string[]).includes(w));
  if (overlap.length) throw new SynthError(`unknown words include keywords: ${overlap.join(', ')}`);
  const espeakMode = options.espeakVariants ?? DEFAULT_ESPEAK_VARIANTS;
  if (!ESPEAK_VARIANT_MODES.includes(espeakMode)) throw new SynthError(`eSpeak NG variants must be ${ESPEAK_VARIANT_MODES.join(' or ')}, got '${espeakMode}'`);
  const voices = chooseVoices(engines, voiceCount, seed, espeakMode === 'drawn');
  if (engines.includes('espeak')) {
    const installed = await espeakVariants();
    const missing = [...new Set(voices.filter((v) => v.engine === 'espeak').map((v) => v.name.split('+')[1]))].filter((v) => !installed.has(v));
    if (missing.length) throw new SynthError(`the eSpeak NG package lacks voice variants ${missing.join(', ')}`);
  }
  prepareOutput(options.out, options.force === true);

  const noise = writeBackground(options.out, seed);
  const voiceJobs: VoiceJob[] = voices.map((voice) => {
    const takes: ClipJob[] = [];
    for (const word of KEYWORDS) for (let t = 0; t < clipsPerWord; t++) takes.push(clipJob(voice, word, t));
    for (const word of unknownWords) for (let t = 0; t < unknownTakes; t++) takes.push(clipJob(voice, word, t));
    return { voice, takes, seed, out: options.out };
  });
  const allTakes = voiceJobs.flatMap((j) => j.takes.map((t) => ({ voice: j.voice, take: t })));
  for (const word of new Set(allTakes.map((t) => t.take.word))) mkdirSync(join(options.out, word), { recursive: true });

  let done = 0;
  const onClip = () => options.onProgress?.(++done, allTakes.length);
  const unbatchedVoices = await speakAll(voiceJobs, noise, Math.min(jobs, voices.length), onClip);

  const listOf = (split: SplitName) => allTakes.filter((t) => t.voice.split === split).map((t) => t.take.file).sort().join('\n') + '\n';
  writeFileAtomic(join(options.out, 'validation_list.txt'), listOf('validation'));
  writeFileAtomic(join(options.out, 'testing_list.txt'), listOf('test'));
  const isKeyword = (word: string) => (KEYWORDS as readonly string[]).includes(word);
  const summary: GenerateSummary = {
    out: options.out,
    voices,
    keywordClips: allTakes.filter((t) => isKeyword(t.take.word)).length,
    unknownClips: allTakes.filter((t) => !isKeyword(t.take.word)).length,
    backgroundFiles: noise.map((n) => n.name),
    unbatchedVoices,
    seconds: (Date.now() - started) / 1000,
  };
  const provenance = {
    generator: 'tempo-cim data keywords', seed, engines, voicesPerEngine: voiceCount, espeakVariants: espeakMode, clipsPerWord,
    unknownClipsPerVoice: unknownTakes, unknownWords, ...summary,
  };
  writeFileAtomic(join(options.out, 'generation.json'), JSON.stringify(provenance, null, 2) + '\n');
  return summary;
}

/** Speaks every voice, `jobs` at a time (worker threads; 1: in this thread). Returns the unbatched voices. */
async function speakAll(voiceJobs: VoiceJob[], noise: Noise, jobs: number, onClip: () => void): Promise<string[]> {
  const unbatched = new Set<string>();
  if (jobs <= 1) {
    for (const job of voiceJobs) if (!(await speakVoice(job, noise, onClip))) unbatched.add(job.voice.name);
  } else {
    let next = 0;
    let failed = false;
    const thread = async () => {
      const worker = new Worker(new URL('./synth-worker-boot.mjs', import.meta.url), { workerData: { noise: noise.map((n) => ({ samples: n.samples })) } });
      try {
        while (next < voiceJobs.length && !failed) {
          const job = voiceJobs[next++];
          const batched = await new Promise<boolean>((resolve, reject) => {
            const onMessage = (msg: { clip?: boolean; done?: boolean; batched?: boolean; error?: { name: string; message: string } }) => {
              if (msg.clip) return onClip();
              worker.off('message', onMessage);
              worker.off('error', reject);
              if (msg.error) reject(msg.error.name === 'SynthError' ? new SynthError(msg.error.message) : new Error(msg.error.message));
              else resolve(msg.batched!);
            };
            worker.on('message', onMessage);
            worker.once('error', reject);
            worker.postMessage(job);
          });
          if (!batched) unbatched.add(job.voice.name);
        }
      } catch (error) {
        failed = true; // the other threads stop after their current voice
        throw error;
      } finally {
        await worker.terminate();
      }
    };
    await Promise.all(Array.from({ length: jobs }, thread));
  }
  // Completion order varies with threads; the report does not.
  return voiceJobs.map((j) => j.voice.name).filter((name) => unbatched.has(name));
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
