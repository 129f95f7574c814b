/**
 * A long test stream for keyword spotting as the app runs it: held-out-voice keyword clips separated
 * by unknown words, silence and noise bursts, concatenated into one 16 kHz recording, with the
 * ground truth (which keyword starts and ends where). Built from a Speech Commands folder's
 * validation or test split, so its voices were never heard in training.
 */
import { CLIP_SAMPLES, readClip, selectSpeechCommands, type SplitName } from './speech-commands.ts';
import { makeNoise } from './synth-noise.ts';
import { deriveSeed, randomStream } from '../util/prng.ts';

export interface StreamEvent {
  kind: 'keyword' | 'unknown' | 'silence' | 'noise';
  label: string;
  /** Sample range in the stream. */
  start: number;
  end: number;
  source: string;
}

export interface StreamOptions {
  seconds: number;
  seed?: number;
  split?: SplitName;
  speakerPrefix?: string;
}

export function buildStream(dir: string, options: StreamOptions): { samples: Int16Array; events: StreamEvent[] } {
  const split = options.split ?? 'test';
  const seed = options.seed ?? 1;
  const selection = selectSpeechCommands(dir, { splits: [split], speakerPrefix: options.speakerPrefix });
  const refs = selection[split];
  const keywords = refs.filter((r) => r.label >= 2);
  const unknowns = refs.filter((r) => r.label === 1);
  if (keywords.length === 0) throw new Error(`${dir}: no ${split} keyword clips for a stream`);
  const random = randomStream(deriveSeed(seed, 'stream'));
  const total = Math.round(options.seconds * 16000);
  const out = new Int16Array(total);
  const events: StreamEvent[] = [];
  const noise = makeNoise('pink', 16000 * 4, deriveSeed(seed, 'stream-noise'));
  let at = 0;
  let k = 0;
  const place = (kind: StreamEvent['kind'], label: string, samples: Int16Array, source: string) => {
    const n = Math.min(samples.length, total - at);
    out.set(samples.subarray(0, n), at);
    events.push({ kind, label, start: at, end: at + n, source });
    at += n;
  };
  while (at < total) {
    // A keyword, then a gap: silence (0.5-2 s), an unknown word, or a noise burst (0.5-1.5 s).
    const ref = keywords[k++ % keywords.length];
    place('keyword', selection.labels[ref.label], readClip(selection, ref), ref.source);
    const gap = random();
    if (gap < 0.4 || unknowns.length === 0) {
      place('silence', '_silence_', new Int16Array(Math.round((0.5 + 1.5 * random()) * 16000)), 'silence');
    } else if (gap < 0.7) {
      const u = unknowns[Math.floor(random() * unknowns.length)];
      place('unknown', '_unknown_', readClip(selection, u), u.source);
    } else {
      const n = Math.round((0.5 + random()) * 16000);
      const level = 300 + 3000 * random();
      const from = Math.floor(random() * (noise.length - n));
      place('noise', '_noise_', Int16Array.from(noise.subarray(from, from + n), (v) => Math.round(v * level * 10)), 'pink noise');
    }
    if (at < total && at + CLIP_SAMPLES > total) break; // no keyword cut short at the end
  }
  return { samples: out, events };
}
