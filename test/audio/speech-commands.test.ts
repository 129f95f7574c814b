import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYWORD_LABELS, KEYWORDS, hashSplit, loadSpeechCommands, selectSpeechCommands, type ClipRef, type KeywordDataset } from '../../compiler/audio/speech-commands.ts';
import { keywordFeatures, keywordFeaturesStreamed } from '../../compiler/audio/keyword-features.ts';
import { encodeWav } from '../../compiler/audio/wav.ts';

/**
 * Fixture in the Speech Commands layout: 10 keywords + 3 other words, 6 speakers (s0, s1 in the
 * validation list, s2 in the testing list), one clip per (word, speaker) whose first sample
 * encodes the word and speaker so tests can check what was loaded. Some clips are short, one is
 * 8 kHz stereo float, one is 44.1 kHz 24-bit. Two background noise files.
 */
const OTHER_WORDS = ['bed', 'cat', 'tree'];
const SPEAKERS = ['s0', 's1', 's2', 's3', 's4', 's5'];
const WORDS = [...KEYWORDS, ...OTHER_WORDS];

function clipFor(wordIndex: number, speaker: number, length: number): Int16Array {
  const pcm = new Int16Array(length);
  pcm[0] = 1000 + wordIndex * 10 + speaker; // marker
  for (let i = 1; i < length; i++) pcm[i] = Math.round(3000 * Math.sin(i * (0.05 + wordIndex * 0.01)));
  return pcm;
}

function writeFixture(dir: string, withLists = true): void {
  const validation: string[] = [];
  const testing: string[] = [];
  WORDS.forEach((word, w) => {
    mkdirSync(join(dir, word), { recursive: true });
    SPEAKERS.forEach((speaker, s) => {
      const name = `${speaker}_nohash_0.wav`;
      const length = s === 3 ? 12000 : 16000; // speaker s3 speaks short clips
      writeFileSync(join(dir, word, name), encodeWav(clipFor(w, s, length)));
      if (s < 2) validation.push(`${word}/${name}`);
      else if (s === 2) testing.push(`${word}/${name}`);
    });
  });
  // Other formats, resampled/mixed on load: 8 kHz stereo float and 44.1 kHz 24-bit.
  const stereo = new Float32Array(16000);
  for (let i = 0; i < 8000; i++) stereo[2 * i] = stereo[2 * i + 1] = 0.25 * Math.sin(i * 0.3);
  writeFileSync(join(dir, 'yes', 's5_nohash_1.wav'), encodeWav(stereo, { sampleRate: 8000, channels: 2, encoding: 'float32' }));
  const hifi = new Float32Array(44100).map((_, i) => 0.1 * Math.sin(i * 0.01));
  writeFileSync(join(dir, 'no', 's5_nohash_1.wav'), encodeWav(hifi, { sampleRate: 44100, encoding: 24 }));
  if (withLists) {
    writeFileSync(join(dir, 'validation_list.txt'), validation.join('\n') + '\n');
    writeFileSync(join(dir, 'testing_list.txt'), testing.join('\r\n'));
  }
  mkdirSync(join(dir, '_background_noise_'));
  const white = new Int16Array(16000 * 12).map((_, i) => ((i * 7919) % 2001) - 1000);
  const hum = new Int16Array(16000 * 15).map((_, i) => Math.round(2000 * Math.sin((2 * Math.PI * 50 * i) / 16000)));
  writeFileSync(join(dir, '_background_noise_', 'white_noise.wav'), encodeWav(white));
  writeFileSync(join(dir, '_background_noise_', 'hum.wav'), encodeWav(hum));
  writeFileSync(join(dir, '_background_noise_', 'README.md'), 'noise');
}

describe('Speech Commands loader', () => {
  let dir: string;
  let data: KeywordDataset;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'speech-commands-'));
    writeFixture(dir);
    data = loadSpeechCommands(dir, { seed: 3 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const marker = (clip: { samples: Int16Array }) => clip.samples[0];

  it('uses the 12-class protocol labels', () => {
    expect(data.labels).toEqual(['_silence_', '_unknown_', 'yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go']);
    expect(KEYWORD_LABELS).toEqual(data.labels);
  });

  it('splits keyword clips by the validation and testing lists', () => {
    const speakersOf = (split: KeywordDataset['train']) =>
      new Set(split.filter((c) => c.label >= 2).map((c) => c.source.split('/')[1].split('_')[0]));
    expect([...speakersOf(data.validation)].sort()).toEqual(['s0', 's1']);
    expect([...speakersOf(data.test)]).toEqual(['s2']);
    expect([...speakersOf(data.train)].sort()).toEqual(['s3', 's4', 's5']);
    expect(data.train.filter((c) => c.label >= 2)).toHaveLength(10 * 3 + 2); // + the two s5 extras
    expect(data.validation.filter((c) => c.label >= 2)).toHaveLength(20);
    expect(data.test.filter((c) => c.label >= 2)).toHaveLength(10);
  });

  it('labels keywords by folder and loads the right file', () => {
    for (const split of [data.train, data.validation, data.test]) {
      for (const clip of split.filter((c) => c.label >= 2 && c.source.endsWith('_nohash_0.wav'))) {
        const w = WORDS.indexOf(clip.word);
        const s = SPEAKERS.indexOf(clip.source.split('/')[1].split('_')[0]);
        expect(data.labels[clip.label]).toBe(clip.word);
        expect(marker(clip)).toBe(1000 + w * 10 + s);
      }
    }
  });

  it('samples unknown words at 10 % of the keyword clips, from the same split', () => {
    const unknown = data.train.filter((c) => c.label === 1);
    expect(unknown).toHaveLength(Math.ceil(32 * 0.1));
    for (const clip of unknown) {
      expect(OTHER_WORDS).toContain(clip.word);
      expect(['s3', 's4', 's5']).toContain(clip.source.split('/')[1].split('_')[0]);
    }
    expect(data.test.filter((c) => c.label === 1)).toHaveLength(1);
  });

  it('takes more unknown words for training with trainUnknownFraction, leaving validation and test as they were', () => {
    const plain = selectSpeechCommands(dir, { seed: 3 });
    const more = selectSpeechCommands(dir, { seed: 3, trainUnknownFraction: 0.5 });
    const unknowns = (refs: ClipRef[]) => refs.filter((r) => r.label === 1).map((r) => r.source);
    expect(unknowns(more.train)).toHaveLength(Math.min(Math.ceil(32 * 0.5), 3 * OTHER_WORDS.length));
    expect(unknowns(more.train).length).toBeGreaterThan(unknowns(plain.train).length);
    for (const split of ['validation', 'test'] as const) expect(more[split]).toEqual(plain[split]);
  });

  it('cuts silence from the split\'s own region of the background noise', () => {
    const silence = data.train.filter((c) => c.label === 0);
    expect(silence).toHaveLength(Math.ceil(32 * 0.1));
    expect(data.backgroundNoise.map((n) => n.name)).toEqual(['hum.wav', 'white_noise.wav']);
    for (const [split, lo, hi] of [[data.train, 0, 0.8], [data.validation, 0.8, 0.9], [data.test, 0.9, 1]] as const) {
      for (const clip of split.filter((c) => c.label === 0)) {
        const [, file, offset] = /^_background_noise_\/(.+)@(\d+)$/.exec(clip.source)!;
        const length = data.backgroundNoise.find((n) => n.name === file)!.samples.length;
        expect(Number(offset)).toBeGreaterThanOrEqual(Math.floor(length * lo));
        expect(Number(offset) + 16000).toBeLessThanOrEqual(Math.floor(length * hi));
        expect(clip.samples.some((v) => v !== 0)).toBe(true);
      }
    }
  });

  it('returns 1 s clips: zero-pads short files, converts other rates and stereo', () => {
    for (const clip of [...data.train, ...data.validation, ...data.test]) expect(clip.samples).toHaveLength(16000);
    const short = data.train.find((c) => c.source === 'up/s3_nohash_0.wav')!;
    expect(short.samples.subarray(12000).every((v) => v === 0)).toBe(true);
    expect(short.samples[11999]).not.toBe(0);
    const stereo = data.train.find((c) => c.source === 'yes/s5_nohash_1.wav')!;
    // 8000 samples at 8 kHz -> 16000 at 16 kHz, amplitude 0.25 kept.
    const peak = Math.max(...stereo.samples.subarray(1000, 15000).map(Math.abs));
    expect(peak).toBeGreaterThan(0.24 * 32768);
    expect(peak).toBeLessThan(0.26 * 32768);
  });

  it('is deterministic for a seed and varies with it', () => {
    const again = loadSpeechCommands(dir, { seed: 3 });
    const order = (d: KeywordDataset) => d.train.map((c) => c.source);
    expect(order(again)).toEqual(order(data));
    expect(order(loadSpeechCommands(dir, { seed: 4 }))).not.toEqual(order(data));
  });

  it('coding clips one at a time from the selection gives the codes of the in-memory dataset', () => {
    const options = { calibrationClips: 20 };
    const inMemory = keywordFeatures(data, options);
    const streamed = keywordFeaturesStreamed(selectSpeechCommands(dir, { seed: 3 }), options);
    expect(streamed.blob).toEqual(inMemory.blob);
    for (const split of ['train', 'validation', 'test'] as const) {
      expect(streamed[split].count).toBe(data[split].length);
      expect(streamed[split].labels).toEqual(inMemory[split].labels);
      expect(streamed[split].codes).toEqual(inMemory[split].codes);
    }
    expect(inMemory.train.codes.some((c) => c > 0)).toBe(true);
  });

  it('limits clips per class and reports progress', () => {
    const seen: number[] = [];
    const limited = loadSpeechCommands(dir, { limitPerClass: 1, onProgress: (done, total) => seen.push(done, total) });
    for (let label = 2; label < 12; label++) expect(limited.train.filter((c) => c.label === label)).toHaveLength(1);
    expect(limited.train.filter((c) => c.label === 1)).toHaveLength(1);
    expect(seen.slice(-2)).toEqual([limited.train.length + limited.validation.length + limited.test.length - 3, seen.at(-1)]);
  });

  it('rejects a malformed WAV naming the file, or skips it when asked', () => {
    const bad = mkdtempSync(join(tmpdir(), 'speech-commands-bad-'));
    try {
      writeFixture(bad);
      const path = join(bad, 'stop', 's4_nohash_0.wav');
      writeFileSync(path, encodeWav(new Int16Array(16000)).subarray(0, 2000));
      expect(() => loadSpeechCommands(bad)).toThrow(`${path}: truncated data chunk`);
      const skipping = loadSpeechCommands(bad, { onBadFile: 'skip' });
      expect(skipping.skipped).toEqual([`${path}: truncated data chunk (declares 32000 bytes, 1956 present)`]);
      expect(skipping.train.some((c) => c.source === 'stop/s4_nohash_0.wav')).toBe(false);
      const skipped: string[] = [];
      const streamed = keywordFeaturesStreamed(selectSpeechCommands(bad), { calibrationClips: 20, onBadFile: 'skip', skipped });
      expect(skipped).toEqual(skipping.skipped);
      expect(streamed.train.count).toBe(skipping.train.length);
      expect(() => keywordFeaturesStreamed(selectSpeechCommands(bad), { calibrationClips: 20 })).toThrow(`${path}: truncated data chunk`);
      writeFileSync(path, 'RIFX....WAVE');
      expect(() => loadSpeechCommands(bad)).toThrow(/s4_nohash_0\.wav: not a WAV file/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('falls back to the hash split without lists and refuses non-dataset folders', () => {
    const plain = mkdtempSync(join(tmpdir(), 'speech-commands-plain-'));
    try {
      writeFixture(plain, false);
      const loaded = loadSpeechCommands(plain);
      for (const split of ['train', 'validation', 'test'] as const) {
        for (const clip of loaded[split].filter((c) => c.label >= 2)) expect(hashSplit(clip.source.split('/')[1])).toBe(split);
      }
      expect(() => loadSpeechCommands(join(plain, 'bed'))).toThrow(/not a Speech Commands folder/);
      expect(() => loadSpeechCommands(join(plain, 'nothing'))).toThrow(/no such directory/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('hash split matches the reference implementation', () => {
    // Expected values computed with Python hashlib using TensorFlow's input_data.which_set formula.
    const expected: Record<string, string> = {
      '0a7c2a8d_nohash_0.wav': 'train',
      'c1d39ce8_nohash_2.wav': 'train',
      '00000002_nohash_0.wav': 'test',
      '00000002_nohash_7.wav': 'test',
      '00000007_nohash_0.wav': 'validation',
      '00000009_nohash_0.wav': 'train',
    };
    for (const [file, split] of Object.entries(expected)) expect(hashSplit(file)).toBe(split);
  });
});
