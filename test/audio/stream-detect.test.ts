/** Scoring detections on a long stream against its ground truth. */
import { describe, expect, it } from 'vitest';
import { scoreStream } from '../../compiler/audio/stream-detect.ts';
import type { StreamEvent } from '../../compiler/audio/synth-stream.ts';

const event = (kind: StreamEvent['kind'], label: string, start: number): StreamEvent => ({ kind, label, start, end: start + 16000, source: '' });

describe('stream scoring', () => {
  it('counts a keyword once when its label is heard during its clip or within 1 s after; the rest are false alarms', () => {
    const events = [event('keyword', 'yes', 0), event('silence', '_silence_', 16000), event('keyword', 'no', 48000), event('keyword', 'go', 96000)];
    const heard = [
      { label: 'yes', at: 12000 }, // hit
      { label: 'yes', at: 20000 }, // a second report of the same word: false alarm
      { label: 'no', at: 80001 }, // more than 1 s after 'no' ended: false alarm, 'no' missed
      { label: 'go', at: 100000 }, // hit
    ];
    const score = scoreStream(heard, events, 16000 * 3600);
    // The window of the 20000 report mostly heard 'yes' (12000 samples, 4000 of silence); that of 80001 nothing.
    const falseAlarmsDuring = { keyword: 1, unknown: 0, noise: 0, silence: 0, gap: 1 };
    expect(score).toEqual({ keywords: 3, detected: 2, detectionRate: 2 / 3, falseAlarms: 2, hours: 1, falseAlarmsPerHour: 2, falseAlarmsDuring });
  });

  it('puts each false alarm on what its window mostly heard', () => {
    const events = [event('unknown', 'bed', 0), event('noise', '_noise_', 40000)];
    const heard = [{ label: 'yes', at: 14000 }, { label: 'no', at: 54000 }, { label: 'go', at: 200000 }];
    expect(scoreStream(heard, events, 16000 * 3600).falseAlarmsDuring).toEqual({ keyword: 0, unknown: 1, noise: 1, silence: 0, gap: 1 });
  });
});
