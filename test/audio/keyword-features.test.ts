import { describe, expect, it } from 'vitest';
import { dequantizeCodes } from '../../compiler/audio/frontend-config.ts';
import { keywordFeatures } from '../../compiler/audio/keyword-features.ts';
import { KEYWORD_LABELS, type KeywordClip, type KeywordDataset } from '../../compiler/audio/speech-commands.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { speechLikeClip } from './speechlike.ts';

function split(seed: number, count: number): KeywordClip[] {
  return Array.from({ length: count }, (_, i) => ({ samples: speechLikeClip(seed + i), label: i % 12, word: KEYWORD_LABELS[i % 12], source: `${seed + i}` }));
}

describe('keyword features', () => {
  const data: KeywordDataset = {
    labels: [...KEYWORD_LABELS], train: split(100, 30), validation: split(200, 7), test: split(300, 5), backgroundNoise: [], skipped: [],
  };

  it('codes every clip with the runtime front-end calibrated on training clips', () => {
    const progress: number[] = [];
    const features = keywordFeatures(data, { calibrationClips: 10, onProgress: (done) => progress.push(done) });
    expect([features.frames, features.channels, features.bits]).toEqual([49, 16, 4]);
    expect(features.labels).toEqual(KEYWORD_LABELS);
    expect(progress.at(-1)).toBe(42);
    const frontend = createAudioFrontend(features.blob);
    const expected = new Uint8Array(49 * 16);
    for (const name of ['train', 'validation', 'test'] as const) {
      const coded = features[name];
      expect(coded.count).toBe(data[name].length);
      expect(coded.codes.length).toBe(coded.count * 784);
      data[name].forEach((clip, i) => {
        frontend.computeClip(clip.samples, expected);
        expect(coded.codes.subarray(i * 784, (i + 1) * 784)).toEqual(expected);
        expect(coded.labels[i]).toBe(clip.label);
      });
    }
    // Calibration used training clips only: validation/test clips do not change the blob.
    const other = keywordFeatures({ ...data, validation: split(900, 3), test: split(950, 3) }, { calibrationClips: 10 });
    expect(other.blob).toEqual(features.blob);
    // The codes span the range on the calibration data.
    const values = dequantizeCodes(features.blob, features.train.codes);
    expect(Math.max(...features.train.codes)).toBe(15);
    expect(Math.min(...features.train.codes)).toBe(0);
    expect(values.length).toBe(30 * 784);
  });
});
