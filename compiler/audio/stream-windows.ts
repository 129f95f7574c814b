/**
 * Training windows cut from a stream, as the keywords app sees them: two training clips one after
 * the other (with digital silence, a background cut or nothing between them) and a 1 s window at a
 * random offset over the pair. A clip alone is always a whole word, but a window sliding over a
 * stream mostly holds parts of words; the model has to learn that those are not keywords, or
 * the app reports a keyword on every word's edges. Each window is labelled from where the words
 * lie (energy extent of each clip's word): a keyword wholly inside (but for 50 ms) with nothing
 * else spoken keeps its label; at most 60% of a word inside, or an unknown word, makes it
 * _unknown_; no speech, _silence_. Windows whose label is not clear (most of a word, a whole
 * keyword beside part of another word, a clip whose word bounds are not clear) are not used.
 */
import { CLIP_SAMPLES, NOISE_REGIONS, readClip, type KeywordSelection } from './speech-commands.ts';
import { deriveSeed, randomStream, type Random } from '../util/prng.ts';

export const SILENCE_LABEL = 0;
export const UNKNOWN_LABEL = 1;
/** A word counts as whole when at most this much of it (samples, 50 ms) is outside the window. */
const WHOLE_TOLERANCE = 800;
/** ... and as a part of a word (not the word) when at most this fraction of it is inside. */
const PARTIAL_MAX = 0.6;
/** Longer energy extents (samples) are not trusted: loud noise, not a word's bounds. */
const LONGEST_WORD = 13600;

/** 10 ms frames of a clip whose energy says speech: [first, last) in samples, or null when none. */
export function wordExtent(clip: Int16Array): [number, number] | null {
  const frame = 160;
  const frames = Math.floor(clip.length / frame);
  if (frames === 0) return null;
  const energy = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let e = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) e += clip[i] * clip[i];
    energy[f] = e / frame;
  }
  const sorted = Float64Array.from(energy).sort();
  const floor = sorted[Math.floor(0.1 * frames)];
  const peak = sorted[frames - 1];
  // Speech: 10 dB over the clip's quietest tenth and within 30 dB of its loudest frame.
  const threshold = Math.max(10 * floor, peak / 1000, 1);
  if (peak < threshold) return null;
  let first = -1;
  let last = -1;
  for (let f = 0; f < frames; f++) {
    if (energy[f] >= threshold) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return [first * frame, (last + 1) * frame];
}

export interface PairClip {
  samples: Int16Array;
  /** Class index (0 silence, 1 unknown, >= 2 keywords). */
  label: number;
}

export interface StreamWindow {
  samples: Int16Array;
  label: number;
}

/**
 * One window over `a`, a gap and `b` (the gap is digital silence or `gapFill`, 0 to 1 s), at a
 * random offset; null when its label would be ambiguous.
 */
export function streamWindow(a: PairClip, b: PairClip, gapFill: Int16Array | null, random: Random): StreamWindow | null {
  const gap = random() < 0.3 ? 0 : Math.floor(random() * CLIP_SAMPLES);
  const pair = new Int16Array(a.samples.length + gap + b.samples.length);
  pair.set(a.samples, 0);
  if (gapFill && gap > 0) {
    const from = Math.floor(random() * Math.max(1, gapFill.length - gap));
    pair.set(gapFill.subarray(from, from + gap), a.samples.length);
  }
  pair.set(b.samples, a.samples.length + gap);
  const offset = Math.floor(random() * (pair.length - CLIP_SAMPLES + 1));
  const words: { label: number; start: number; end: number }[] = [];
  const addWord = (clip: PairClip, at: number): boolean => {
    if (clip.label === SILENCE_LABEL) return true;
    const extent = wordExtent(clip.samples);
    if (!extent || extent[1] - extent[0] > LONGEST_WORD) return false;
    words.push({ label: clip.label, start: at + extent[0], end: at + extent[1] });
    return true;
  };
  if (!addWord(a, 0) || !addWord(b, a.samples.length + gap)) return null;
  const end = offset + CLIP_SAMPLES;
  let whole = -1;
  let wholeCount = 0;
  let partial = false;
  for (const w of words) {
    const inside = Math.min(end, w.end) - Math.max(offset, w.start);
    if (inside <= 0) continue;
    const outside = w.end - w.start - inside;
    if (outside <= WHOLE_TOLERANCE) {
      whole = w.label;
      wholeCount++;
    } else if (inside <= PARTIAL_MAX * (w.end - w.start)) {
      partial = true;
    } else {
      return null; // most of a word: neither clearly the word nor clearly not
    }
  }
  let label: number;
  if (wholeCount === 0) label = partial ? UNKNOWN_LABEL : SILENCE_LABEL;
  else if (wholeCount === 1 && !partial) label = whole;
  else if (whole < 2 && wholeCount === 1) label = UNKNOWN_LABEL; // an unknown word and part of another
  else return null; // two whole words, or a whole keyword beside part of another word
  return { samples: pair.slice(offset, end), label };
}

/**
 * `count` windows over pairs of the selection's training clips, by index, deterministic for the
 * seed (window i draws from its own stream). Half the gaps are digital silence, half a cut of the
 * training region of a background noise file.
 */
export function trainingWindows(selection: KeywordSelection, count: number, seed: number): { count: number; label(i: number): number; read(i: number): Int16Array | null } {
  const refs = selection.train;
  const [from, to] = NOISE_REGIONS.train;
  const fills = selection.backgroundNoise.map((n) => n.samples.subarray(Math.floor(n.samples.length * from), Math.floor(n.samples.length * to)));
  let made: { i: number; window: StreamWindow | null } = { i: -1, window: null };
  const make = (i: number): StreamWindow | null => {
    if (made.i === i) return made.window;
    const random = randomStream(deriveSeed(seed, `stream-window/${i}`));
    let window: StreamWindow | null = null;
    for (let tries = 0; tries < 20 && !window && refs.length > 0; tries++) {
      const a = refs[Math.floor(random() * refs.length)];
      const b = refs[Math.floor(random() * refs.length)];
      const fill = fills.length > 0 && random() < 0.5 ? fills[Math.floor(random() * fills.length)] : null;
      window = streamWindow({ samples: readClip(selection, a), label: a.label }, { samples: readClip(selection, b), label: b.label }, fill, random);
    }
    made = { i, window };
    return window;
  };
  return { count, label: (i) => make(i)?.label ?? SILENCE_LABEL, read: (i) => make(i)?.samples ?? null };
}
