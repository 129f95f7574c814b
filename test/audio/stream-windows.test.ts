/** Training windows over pairs of clips: where the words lie decides the label. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keywordFeaturesStreamed } from '../../compiler/audio/keyword-features.ts';
import { KEYWORDS, selectSpeechCommands } from '../../compiler/audio/speech-commands.ts';
import { streamWindow, trainingWindows, wordExtent, SILENCE_LABEL, UNKNOWN_LABEL } from '../../compiler/audio/stream-windows.ts';
import { encodeWav } from '../../compiler/audio/wav.ts';

/** 1 s clip: faint noise with a 200 Hz burst over [from, to) samples. */
function clip(from: number, to: number, seed = 1): Int16Array {
  const out = new Int16Array(16000);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = ((s >>> 16) % 41) - 20;
    if (i >= from && i < to) out[i] += Math.round(8000 * Math.sin((2 * Math.PI * 200 * i) / 16000));
  }
  return out;
}

/** A random source that returns these draws in turn. */
const scripted = (...draws: number[]) => () => draws.shift() ?? 0;

describe('stream windows', () => {
  it('finds the word in a clip to within a frame, and none in noise', () => {
    const [start, end] = wordExtent(clip(4800, 9600))!;
    expect(Math.abs(start - 4800)).toBeLessThanOrEqual(160);
    expect(Math.abs(end - 9600)).toBeLessThanOrEqual(160);
    expect(wordExtent(new Int16Array(16000))).toBeNull();
  });

  it('labels a window by what it holds: the whole keyword, part of a word, or nothing', () => {
    const yes = { samples: clip(4800, 9600), label: 2 };
    const quiet = { samples: clip(0, 0, 7), label: SILENCE_LABEL };
    // No gap (first draw < 0.3); the second draw places the window over the 32,000-sample pair.
    const at = (offset: number) => streamWindow(yes, quiet, null, scripted(0.1, offset / 16001));
    expect(at(0)!.label).toBe(2); // the clip itself
    expect(at(3000)!.label).toBe(2); // the word still wholly inside
    expect(at(5500)!.label).toBe(2); // all but 44 ms of the word inside
    expect(at(6000)).toBeNull(); // 75% of the word inside: left out, neither answer is right
    expect(at(7000)!.label).toBe(UNKNOWN_LABEL); // 54% of the word inside: part of a word
    expect(at(12000)!.label).toBe(SILENCE_LABEL); // past the word
    const window = at(3000)!.samples;
    expect(window.length).toBe(16000);
    expect(window.subarray(0, 13000)).toEqual(yes.samples.subarray(3000));
    expect(window.subarray(13000)).toEqual(quiet.samples.subarray(0, 3000));
  });

  it('calls an unknown word _unknown_ and leaves out a whole keyword beside part of another word', () => {
    const bed = { samples: clip(2000, 8000), label: UNKNOWN_LABEL };
    const go = { samples: clip(1000, 6000), label: 11 };
    // bed's word at 2000-8000, go's at 17000-22000 in the pair.
    const at = (offset: number) => streamWindow(bed, go, null, scripted(0.1, offset / 16001));
    expect(at(0)!.label).toBe(UNKNOWN_LABEL);
    expect(at(7000)).toBeNull(); // go whole, bed's end cut
    expect(at(9000)!.label).toBe(11);
  });
});

describe('training windows over a Speech Commands folder', () => {
  it('are deterministic for a seed, and the coded train split gains them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempo-cim-windows-'));
    let seed = 1;
    for (const word of [...KEYWORDS, 'bed']) {
      mkdirSync(join(dir, word));
      for (let k = 0; k < 4; k++) writeFileSync(join(dir, word, `v${k}_nohash_0.wav`), encodeWav(clip(2000 + 500 * k, 7000 + 700 * k, seed++), { sampleRate: 16000 }));
    }
    const selection = selectSpeechCommands(dir);
    const a = trainingWindows(selection, 30, 5);
    const b = trainingWindows(selection, 30, 5);
    const labels = Array.from({ length: 30 }, (_, i) => a.label(i));
    expect(labels).toEqual(Array.from({ length: 30 }, (_, i) => b.label(i)));
    expect(a.read(7)).toEqual(b.read(7));
    expect(new Set(labels).has(UNKNOWN_LABEL)).toBe(true);
    expect(labels.some((l) => l >= 2)).toBe(true);
    const plain = keywordFeaturesStreamed(selection);
    const more = keywordFeaturesStreamed(selection, { streamWindows: 30, seed: 5 });
    expect(more.train.count).toBe(plain.train.count + labels.filter((_, i) => a.read(i) !== null).length);
    expect(Array.from(more.train.labels.subarray(plain.train.count))).toEqual(labels.filter((_, i) => a.read(i) !== null));
    // The windows come after the clips, which keep their codes; the front-end is calibrated on the
    // clips alone, so a stream model shares the front-end of the folder's clip models (its teachers).
    expect(more.trainClips).toBe(plain.train.count);
    expect(plain.trainClips).toBe(plain.train.count);
    expect(Array.from(more.blob)).toEqual(Array.from(plain.blob));
    expect(Buffer.from(more.train.codes.subarray(0, plain.train.codes.length)).equals(Buffer.from(plain.train.codes))).toBe(true);
  });
});
