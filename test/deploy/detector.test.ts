/** The keywords app's detection rule (manifests/apps/lib/detector.ts) on hand-made verdicts. */
import { describe, expect, it } from 'vitest';
import { Detector } from '../../manifests/apps/lib/detector.ts';

const labels = ['_silence_', '_unknown_', 'yes', 'no'];
const scores = (...values: number[]) => Int32Array.from(values);

describe('Detector', () => {
  it('sums the scores of the last windows: a one-window fluke loses to the word that keeps winning', () => {
    const detector = new Detector(labels, { hopMs: 250, windows: 2, margin: 0, holdMs: 1000 });
    expect(detector.update(scores(900, 0, 100, 0), 0)).toBeNull(); // silence
    // 'no' wins this window alone, but summed with the window before, silence still leads.
    expect(detector.update(scores(100, 0, 0, 700), 250)).toBeNull();
    expect(detector.update(scores(900, 0, 0, 0), 500)).toBeNull();
    expect(detector.update(scores(0, 0, 800, 300), 750)).toBeNull(); // silence 900 vs yes 800
    expect(detector.update(scores(0, 0, 900, 100), 1000)).toEqual({ label: 'yes', score: 1700, runnerUp: 400 });
  });

  it('reports a word only with the margin, then nothing for the hold', () => {
    const detector = new Detector(labels, { hopMs: 250, windows: 1, margin: 300, holdMs: 1000 });
    expect(detector.update(scores(0, 0, 500, 300), 0)).toBeNull(); // lead 200 < 300
    expect(detector.update(scores(0, 0, 700, 300), 250)).toEqual({ label: 'yes', score: 700, runnerUp: 300 });
    expect(detector.update(scores(0, 0, 0, 900), 1000)).toBeNull(); // another word, inside the hold
    expect(detector.update(scores(0, 0, 0, 900), 1250)).toEqual({ label: 'no', score: 900, runnerUp: 0 });
    expect(detector.update(scores(0, 900, 0, 100), 2500)).toBeNull(); // _unknown_ never fires
  });
});
