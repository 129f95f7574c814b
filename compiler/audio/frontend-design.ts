/**
 * Front-end parameters and the float designs of its tables (window, mel filters, DCT), shared by
 * the float reference front-end and the blob builder (which rounds them to integers).
 */

export interface FrontendOptions {
  /** Input rate in Hz (the WAV reader resamples everything to 16 kHz). */
  sampleRate: number;
  /** Samples per classification window (16000 = 1 s). */
  windowSamples: number;
  /** Analysis frame length and hop in samples (480 / 320 = 30 ms / 20 ms -> 49 frames per second). */
  frameLength: number;
  hop: number;
  /** FFT size, a power of two >= frameLength (the frame is zero-padded). */
  fftSize: number;
  melBands: number;
  /** Mel filterbank edges in Hz. */
  fMin: number;
  fMax: number;
  /** Keep this many DCT-II coefficients of the log-mel vector as channels (0 = no DCT: log-mel channels). */
  dctCoefficients: number;
  /** Code bits B (codes 0 .. 2^B - 1). */
  bits: number;
  /** Pre-emphasis coefficient a in y[n] = x[n] - a x[n-1] (0 disables). */
  preemphasis: number;
  /**
   * Features are log2(energy) floored at this value (log2 units; energy in int16 sample units
   * squared). 5 sits at the rounding-noise level of int16 audio in a band, below which the
   * integer front-end (about 66-80 dB of dynamic range per frame) and the float one disagree.
   */
  logFloor: number;
  /** Calibration percentiles mapped to the bottom of code 0 and the top of the highest code. */
  lowPercentile: number;
  highPercentile: number;
  /** Per-channel feature range [lo, hi] in log2 units used when no calibration clips are given. */
  defaultRange: [number, number];
  /**
   * 'window-peak': codes quantize each log-mel feature minus the largest feature of the 1 s
   * window (over all frames and channels), so a sound gives the same codes at any gain; the
   * calibrated ranges and `defaultRange` are then relative to that peak. Log-mel only (no DCT).
   * 'channel-mean': each log-mel feature minus its channel's mean over the window's frames
   * (cepstral mean normalization on log-mel channels): a fixed gain or spectral colouring leaves
   * the codes unchanged; ranges are relative to the channel's mean.
   */
  normalize: FrontendNormalization;
  /**
   * With 'window-peak': the reference is never below this level (log2 units), so a window quieter
   * than it (digital silence, faint noise) keeps low codes instead of being raised to full scale.
   * 20 is below the peak of every word of the synthetic keyword set (lowest 25, 1st percentile 27).
   */
  peakFloor: number;
}

export type FrontendNormalization = 'none' | 'window-peak' | 'channel-mean';
export const FRONTEND_NORMALIZATIONS: readonly FrontendNormalization[] = ['none', 'window-peak', 'channel-mean'];

export const DEFAULT_FRONTEND_OPTIONS: Readonly<FrontendOptions> = Object.freeze({
  sampleRate: 16000,
  windowSamples: 16000,
  frameLength: 480,
  hop: 320,
  fftSize: 512,
  melBands: 16,
  fMin: 20,
  fMax: 8000,
  dctCoefficients: 0,
  bits: 4,
  preemphasis: 0.97,
  logFloor: 5,
  lowPercentile: 1,
  highPercentile: 99.5,
  defaultRange: [6, 34] as [number, number],
  normalize: 'none',
  peakFloor: 20,
});

export function resolveFrontendOptions(options: Partial<FrontendOptions> = {}): FrontendOptions {
  const o: FrontendOptions = { ...DEFAULT_FRONTEND_OPTIONS, ...options };
  const bad = (what: string) => {
    throw new RangeError(`audio front-end options: ${what}`);
  };
  if (!Number.isInteger(o.frameLength) || o.frameLength < 16 || o.frameLength > o.fftSize) bad(`frameLength ${o.frameLength} must be 16..fftSize`);
  if (!Number.isInteger(o.fftSize) || (o.fftSize & (o.fftSize - 1)) !== 0 || o.fftSize > 4096) bad(`fftSize ${o.fftSize} must be a power of two <= 4096`);
  if (!Number.isInteger(o.hop) || o.hop < 1) bad(`hop ${o.hop}`);
  if (!Number.isInteger(o.windowSamples) || o.windowSamples < o.frameLength) bad(`windowSamples ${o.windowSamples}`);
  if (!Number.isInteger(o.melBands) || o.melBands < 1 || o.melBands > 256) bad(`melBands ${o.melBands}`);
  if (!Number.isInteger(o.dctCoefficients) || o.dctCoefficients < 0 || o.dctCoefficients > o.melBands) bad(`dctCoefficients ${o.dctCoefficients}`);
  if (!Number.isInteger(o.bits) || o.bits < 1 || o.bits > 8) bad(`bits ${o.bits}`);
  if (!(o.preemphasis >= 0 && o.preemphasis < 1)) bad(`preemphasis ${o.preemphasis}`);
  if (!(o.fMin >= 0 && o.fMin < o.fMax && o.fMax <= o.sampleRate / 2)) bad(`mel range ${o.fMin}..${o.fMax} Hz`);
  if (!(o.lowPercentile >= 0 && o.lowPercentile < o.highPercentile && o.highPercentile <= 100)) bad('percentiles');
  if (!FRONTEND_NORMALIZATIONS.includes(o.normalize)) bad(`normalize '${o.normalize}' (one of ${FRONTEND_NORMALIZATIONS.join(', ')})`);
  if (o.normalize !== 'none' && o.dctCoefficients > 0) bad('window normalization applies to log-mel channels, not DCT coefficients');
  if (!(Math.abs(o.peakFloor) < 64)) bad(`peakFloor ${o.peakFloor}`);
  return o;
}

export function frameCount(o: FrontendOptions): number {
  return 1 + Math.floor((o.windowSamples - o.frameLength) / o.hop);
}

export function channelCount(o: FrontendOptions): number {
  return o.dctCoefficients > 0 ? o.dctCoefficients : o.melBands;
}

/** Periodic Hann window (the usual STFT window). */
export function hannWindow(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / length);
  return w;
}

export interface MelBand {
  firstBin: number;
  weights: Float64Array;
}

const hzToMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number) => 700 * (10 ** (mel / 2595) - 1);

/**
 * Triangular filters (peak 1, HTK mel scale) with edges at melBands + 2 points equally spaced in
 * mel between fMin and fMax, over the fftSize / 2 + 1 power bins. A band too narrow to contain
 * a bin gets its nearest bin with weight 1, so no band is constantly empty.
 */
export function melFilterbank(o: FrontendOptions): MelBand[] {
  const bins = o.fftSize / 2 + 1;
  const binHz = o.sampleRate / o.fftSize;
  const lo = hzToMel(o.fMin);
  const step = (hzToMel(o.fMax) - lo) / (o.melBands + 1);
  const bands: MelBand[] = [];
  for (let m = 0; m < o.melBands; m++) {
    const left = melToHz(lo + m * step);
    const center = melToHz(lo + (m + 1) * step);
    const right = melToHz(lo + (m + 2) * step);
    const first = Math.max(0, Math.ceil(left / binHz));
    const last = Math.min(bins - 1, Math.floor(right / binHz));
    const weights: number[] = [];
    for (let k = first; k <= last; k++) {
      const f = k * binHz;
      const w = f <= center ? (f - left) / (center - left) : (right - f) / (right - center);
      weights.push(Math.max(0, w));
    }
    if (!weights.some((w) => w > 0)) {
      bands.push({ firstBin: Math.min(bins - 1, Math.round(center / binHz)), weights: Float64Array.of(1) });
    } else {
      bands.push({ firstBin: first, weights: Float64Array.from(weights) });
    }
  }
  return bands;
}

/** Orthonormal DCT-II rows: out[c] = sum_m in[m] * table[c * bands + m]. */
export function dctMatrix(coefficients: number, bands: number): Float64Array {
  const t = new Float64Array(coefficients * bands);
  for (let c = 0; c < coefficients; c++) {
    const norm = Math.sqrt((c === 0 ? 1 : 2) / bands);
    for (let m = 0; m < bands; m++) t[c * bands + m] = norm * Math.cos((Math.PI / bands) * (m + 0.5) * c);
  }
  return t;
}
