/**
 * Loader for the Google Speech Commands folder layout with the standard 12-class protocol
 * (Warden 2018; TensorFlow's speech_commands example):
 *
 *   DIR/<word>/<speaker>_nohash_<n>.wav   16 kHz mono clips (other formats are converted)
 *   DIR/validation_list.txt               'word/file.wav' lines; testing_list.txt likewise
 *   DIR/_background_noise_/*.wav          long noise recordings
 *
 * Classes: _silence_, _unknown_, yes, no, up, down, left, right, on, off, stop, go.
 * - Keyword clips go to the split their list names (train when in neither list). Without the
 *   lists, the split is the dataset's own hash rule: SHA-1 of the speaker id (the file name
 *   before '_nohash_'), so one speaker's clips always share a split.
 * - _unknown_: every other word folder; per split, a random sample sized `unknownFraction` of
 *   that split's keyword clips (`trainUnknownFraction` for the train split, if given).
 * - _silence_: the same number of 1 s clips cut from the background noise files at a random
 *   gain (log-uniform over 40 dB); train cuts from the first 80 % of each file, validation from
 *   the next 10 %, test from the last 10 %, so no noise sample is shared between splits.
 * Clips are 16000 samples: shorter files are zero-padded at the end, longer ones truncated.
 * Everything random comes from `seed`; file lists are sorted first, so results do not depend on
 * directory listing order.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readWav16k } from './wav.ts';
import { deriveSeed, randomStream, shuffle, type Random } from '../util/prng.ts';
import { UserError } from '../errors.ts';

export const KEYWORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'] as const;
export const SILENCE = '_silence_';
export const UNKNOWN = '_unknown_';
export const KEYWORD_LABELS: readonly string[] = [SILENCE, UNKNOWN, ...KEYWORDS];
export const CLIP_SAMPLES = 16000;
export const BACKGROUND_DIR = '_background_noise_';

export type SplitName = 'train' | 'validation' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'validation', 'test'];
/** Fractions of each background noise file used to cut silence for each split. */
export const NOISE_REGIONS: Record<SplitName, [number, number]> = { train: [0, 0.8], validation: [0.8, 0.9], test: [0.9, 1] };

export interface KeywordClip {
  samples: Int16Array;
  /** Index into `labels`. */
  label: number;
  /** Folder word ('bed' for an unknown clip), or '_silence_'. */
  word: string;
  /** 'word/file.wav', or '_background_noise_/file.wav@offset' for silence. */
  source: string;
}

export interface KeywordDataset {
  labels: string[];
  train: KeywordClip[];
  validation: KeywordClip[];
  test: KeywordClip[];
  /** Background noise recordings (16 kHz), e.g. for training-time augmentation (use the train region). */
  backgroundNoise: Array<{ name: string; samples: Int16Array }>;
  /** Files skipped because they could not be read (only with `onBadFile: 'skip'`), with the reason. */
  skipped: string[];
}

export interface LoadOptions {
  seed?: number;
  /** At most this many clips per class and split (random subset). */
  limitPerClass?: number;
  /** Unknown and silence clips per split, as a fraction of that split's keyword clips (default 0.1 each). */
  unknownFraction?: number;
  silenceFraction?: number;
  /**
   * Unknown clips of the train split only, as a fraction of its keyword clips (default
   * unknownFraction): more negatives to learn from, while validation and test keep the protocol's.
   */
  trainUnknownFraction?: number;
  /** 'error' (default): an unreadable WAV aborts with its name and problem. 'skip': record it and go on. */
  onBadFile?: 'error' | 'skip';
  /** Called as clips are read: (done, total). */
  onProgress?: (done: number, total: number) => void;
  /** Read only these splits (the others come back empty; the selection of each split is unchanged). */
  splits?: readonly SplitName[];
  /**
   * Only word clips whose speaker id (file name before '_nohash_') starts with this, e.g. 'gs-' for
   * the GnuSpeech voices of the synthetic set; silence is sized from the clips kept.
   */
  speakerPrefix?: string;
}

/** A selected clip, not yet read. */
export interface ClipRef {
  label: number;
  word: string;
  /** 'word/file.wav', or '_background_noise_/file.wav@offset' for silence. */
  source: string;
  /** Silence: which noise file, where and how loud. */
  silence?: SilenceCut;
}

interface SilenceCut {
  file: number;
  offset: number;
  gain: number;
}

export interface KeywordSelection {
  dir: string;
  labels: string[];
  train: ClipRef[];
  validation: ClipRef[];
  test: ClipRef[];
  backgroundNoise: Array<{ name: string; samples: Int16Array }>;
}

export class DatasetError extends UserError {
  override name = 'DatasetError';
}

interface FileEntry {
  word: string;
  path: string; // 'word/file.wav'
  split: SplitName;
}

/** Which clips make up each split (no samples read yet, except the background noise). */
export function selectSpeechCommands(dir: string, options: LoadOptions = {}): KeywordSelection {
  const seed = options.seed ?? 1;
  const unknownFraction = options.unknownFraction ?? 0.1;
  const silenceFraction = options.silenceFraction ?? 0.1;
  const limit = options.limitPerClass ?? Infinity;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DatasetError(`${dir}: no such directory`);

  const words = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('_') && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  const missing = KEYWORDS.filter((k) => !words.includes(k));
  if (missing.length === KEYWORDS.length) {
    throw new DatasetError(`${dir}: not a Speech Commands folder (no keyword folders such as yes/, no/, stop/)`);
  }
  const lists = readSplitLists(dir);
  const entries: FileEntry[] = [];
  for (const word of words) {
    const files = readdirSync(join(dir, word)).filter((f) => f.toLowerCase().endsWith('.wav')).sort();
    for (const file of files) {
      if (options.speakerPrefix !== undefined && !file.startsWith(options.speakerPrefix)) continue;
      const path = `${word}/${file}`;
      entries.push({ word, path, split: lists ? lists.get(path) ?? 'train' : hashSplit(file) });
    }
  }

  // Choose every split's clips first (cheap); the caller reads only those files.
  const backgroundNoise = readBackground(dir);
  const selection: KeywordSelection = { dir, labels: [...KEYWORD_LABELS], train: [], validation: [], test: [], backgroundNoise };
  for (const split of SPLITS) {
    if (options.splits && !options.splits.includes(split)) continue;
    const random = randomStream(deriveSeed(seed, `select/${split}`));
    const inSplit = entries.filter((e) => e.split === split);
    const refs = selection[split];
    let keywordCount = 0;
    KEYWORDS.forEach((keyword, k) => {
      const clips = shuffle(inSplit.filter((e) => e.word === keyword), random).slice(0, limit);
      keywordCount += clips.length;
      for (const entry of clips) refs.push({ label: 2 + k, word: entry.word, source: entry.path });
    });
    const unknownPool = shuffle(inSplit.filter((e) => !(KEYWORDS as readonly string[]).includes(e.word)), random);
    const fraction = split === 'train' ? options.trainUnknownFraction ?? unknownFraction : unknownFraction;
    const unknownCount = Math.min(limit, unknownPool.length, Math.ceil(keywordCount * fraction));
    for (const entry of unknownPool.slice(0, unknownCount)) refs.push({ label: 1, word: entry.word, source: entry.path });
    const silenceCount = Math.min(limit, Math.ceil(keywordCount * silenceFraction));
    const silenceRandom = randomStream(deriveSeed(seed, `silence/${split}`));
    for (let i = 0; i < silenceCount; i++) refs.push(silenceRef(backgroundNoise, split, silenceRandom));
    shuffle(refs, randomStream(deriveSeed(seed, `order/${split}`)));
  }
  return selection;
}

/** Reads one selected clip: its WAV file fitted to 1 s, or its cut of background noise. */
export function readClip(selection: KeywordSelection, ref: ClipRef): Int16Array {
  if (ref.silence) return cutSilence(selection.backgroundNoise, ref.silence);
  return fitClip(readWav16k(join(selection.dir, ref.source)));
}

/**
 * The 12-class selection with every clip's samples in memory (32 KB a clip: for Speech Commands
 * scale, code clips one at a time from `selectSpeechCommands` instead).
 */
export function loadSpeechCommands(dir: string, options: LoadOptions = {}): KeywordDataset {
  const selection = selectSpeechCommands(dir, options);
  // Progress counts the files read (silence is cut from noise already in memory).
  const total = SPLITS.reduce((n, s) => n + selection[s].filter((r) => !r.silence).length, 0);
  let done = 0;
  const skipped: string[] = [];
  const result: KeywordDataset = { labels: selection.labels, train: [], validation: [], test: [], backgroundNoise: selection.backgroundNoise, skipped };
  for (const split of SPLITS) {
    for (const ref of selection[split]) {
      let samples: Int16Array;
      try {
        samples = readClip(selection, ref);
      } catch (error) {
        if (options.onBadFile !== 'skip') throw error;
        skipped.push((error as Error).message);
        continue;
      } finally {
        if (!ref.silence) done++;
        if (!ref.silence && options.onProgress && (done % 500 === 0 || done === total)) options.onProgress(done, total);
      }
      result[split].push({ samples, label: ref.label, word: ref.word, source: ref.source });
    }
  }
  return result;
}

/** Reads validation_list.txt / testing_list.txt into path -> split, or null when neither exists. */
function readSplitLists(dir: string): Map<string, SplitName> | null {
  const map = new Map<string, SplitName>();
  let found = false;
  for (const [file, split] of [['validation_list.txt', 'validation'], ['testing_list.txt', 'test']] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    found = true;
    for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
      const name = line.trim();
      if (name) map.set(name, split);
    }
  }
  return found ? map : null;
}

/** The speaker id in a clip's file name: the part before '_nohash_'. */
function speakerId(fileName: string): string {
  return fileName.replace(/_nohash_.*$/, '');
}

/** Speaker id of a clip; null for silence cut from the noise files. */
export function speakerOf(ref: ClipRef): string | null {
  return ref.silence ? null : speakerId(ref.source.slice(ref.source.lastIndexOf('/') + 1));
}

/** The dataset's own rule (README of Speech Commands): SHA-1 of the speaker id -> 10 % validation, 10 % test. */
export function hashSplit(fileName: string): SplitName {
  const speaker = speakerId(fileName);
  const maxPerClass = 2 ** 27 - 1;
  const hash = BigInt(`0x${createHash('sha1').update(speaker).digest('hex')}`);
  const percent = Number(hash % BigInt(maxPerClass + 1)) * (100 / maxPerClass);
  return percent < 10 ? 'validation' : percent < 20 ? 'test' : 'train';
}

function fitClip(samples: Int16Array): Int16Array {
  if (samples.length === CLIP_SAMPLES) return samples;
  const out = new Int16Array(CLIP_SAMPLES);
  out.set(samples.subarray(0, CLIP_SAMPLES));
  return out;
}

function readBackground(dir: string): Array<{ name: string; samples: Int16Array }> {
  const noiseDir = join(dir, BACKGROUND_DIR);
  if (!existsSync(noiseDir)) return [];
  return readdirSync(noiseDir)
    .filter((f) => f.toLowerCase().endsWith('.wav'))
    .sort()
    .map((name) => ({ name, samples: readWav16k(join(noiseDir, name)) }));
}

/** Draws a 1 s cut from the split's region of a random noise file at a random gain (digital silence if there is no noise). */
function silenceRef(noise: KeywordSelection['backgroundNoise'], split: SplitName, random: Random): ClipRef {
  const usable = noise.map((n, i) => ({ n, i })).filter(({ n }) => n.samples.length >= CLIP_SAMPLES * 10);
  if (usable.length === 0) return { label: 0, word: SILENCE, source: 'digital silence', silence: { file: -1, offset: 0, gain: 0 } };
  const { n: file, i } = usable[Math.floor(random() * usable.length)];
  const [from, to] = NOISE_REGIONS[split];
  const lo = Math.floor(file.samples.length * from);
  const hi = Math.floor(file.samples.length * to) - CLIP_SAMPLES;
  const offset = lo + Math.floor(random() * Math.max(1, hi - lo));
  const gain = 10 ** (-2 * random());
  return { label: 0, word: SILENCE, source: `${BACKGROUND_DIR}/${file.name}@${offset}`, silence: { file: i, offset, gain } };
}

function cutSilence(noise: KeywordSelection['backgroundNoise'], cut: SilenceCut): Int16Array {
  const samples = new Int16Array(CLIP_SAMPLES);
  if (cut.file < 0) return samples;
  const source = noise[cut.file].samples;
  for (let i = 0; i < CLIP_SAMPLES; i++) samples[i] = Math.round(source[cut.offset + i] * cut.gain);
  return samples;
}
