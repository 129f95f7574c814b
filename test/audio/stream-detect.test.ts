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
    expect(score).toEqual({ keywords: 3, detected: 2, detectionRate: 2 / 3, falseAlarms: 2, hours: 1, falseAlarmsPerHour: 2 });
  });
});
