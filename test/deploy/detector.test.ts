/** The keywords app's detection rule (manifests/apps/lib/detector.ts) on hand-made verdicts. */
import { describe, expect, it } from 'vitest';
import { Detector } from '../../manifests/apps/lib/detector.ts';

const labels = ['_silence_', '_unknown_', 'yes', 'no'];
const scores = (...values: number[]) => Int32Array.from(values);

describe('Detector', () => {
  it('sums the scores of the last windows: a one-window fluke loses to the word that keeps winning', () => {
    const detector = new Detector(labels, { hopMs: 250, windows: 2, leadCap: 0, margin: 0, holdMs: 1000 });
    expect(detector.update(scores(900, 0, 100, 0), 0)).toBeNull(); // silence
    // 'no' wins this window alone, but summed with the window before, silence still leads.
    expect(detector.update(scores(100, 0, 0, 700), 250)).toBeNull();
    expect(detector.update(scores(900, 0, 0, 0), 500)).toBeNull();
    expect(detector.update(scores(0, 0, 800, 300), 750)).toBeNull(); // silence 900 vs yes 800
    expect(detector.update(scores(0, 0, 900, 100), 1000)).toEqual({ label: 'yes', score: 1700, runnerUp: 400 });
  });

  it('reports a word only with the margin, then nothing for the hold', () => {
    const detector = new Detector(labels, { hopMs: 250, windows: 1, leadCap: 0, margin: 300, holdMs: 1000 });
    expect(detector.update(scores(0, 0, 500, 300), 0)).toBeNull(); // lead 200 < 300
    expect(detector.update(scores(0, 0, 700, 300), 250)).toEqual({ label: 'yes', score: 700, runnerUp: 300 });
    expect(detector.update(scores(0, 0, 0, 900), 1000)).toBeNull(); // another word, inside the hold
    expect(detector.update(scores(0, 0, 0, 900), 1250)).toEqual({ label: 'no', score: 900, runnerUp: 0 });
    expect(detector.update(scores(0, 900, 0, 100), 2500)).toBeNull(); // _unknown_ never fires
  });

  it('with a cap, sums each verdict lead over its own runner-up, capped: one huge lead cannot carry the sum', () => {
    const rule = { hopMs: 125, windows: 3, leadCap: 2, margin: 4, holdMs: 1000 };
    // Uncapped, one verdict with a lead of 10 would carry three windows; capped at 2 (x unit 100) it adds 200.
    const fluke = new Detector(labels, rule, 100);
    expect(fluke.update(scores(0, 0, 1000, 0), 0)).toBeNull(); // yes leads by 10 units, capped at 2
    expect(fluke.update(scores(0, 0, 0, 100), 125)).toBeNull(); // yes still leads the sum; its own lead here -1
    expect(fluke.update(scores(0, 0, 100, 0), 250)).toBeNull(); // 2 - 1 + 1 = 2 units < 4
    expect(new Detector(labels, { ...rule, leadCap: 0 }, 100).update(scores(0, 0, 1000, 0), 0)).toEqual({ label: 'yes', score: 1000, runnerUp: 0 });
    // A word that leads by 2 units in each of three verdicts reaches 6 >= 4.
    const steady = new Detector(labels, rule, 100);
    expect(steady.update(scores(0, 0, 300, 100), 0)).toBeNull(); // 2 so far
    expect(steady.update(scores(0, 50, 250, 0), 125)).toEqual({ label: 'yes', score: 550, runnerUp: 100 }); // 2 + 2 = 4
  });

  it('keeps the last `windows` verdicts only', () => {
    const detector = new Detector(labels, { hopMs: 125, windows: 2, leadCap: 1, margin: 2, holdMs: 0 }, 100);
    expect(detector.update(scores(0, 0, 0, 500), 0)).toBeNull(); // no: 1 (capped)
    expect(detector.update(scores(0, 0, 0, 500), 125)).toEqual({ label: 'no', score: 1000, runnerUp: 0 });
    expect(detector.update(scores(0, 0, 800, 0), 250)).toBeNull(); // yes leads the sum; its leads: 8 units (capped at 1) and -5 in the older verdict
    expect(detector.update(scores(0, 0, 800, 0), 375)).toEqual({ label: 'yes', score: 1600, runnerUp: 0 }); // the 'no' verdicts are gone
  });
});
