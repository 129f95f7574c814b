/**
 * Builds the audio front-end blob (layout: runtime/frontend/blob.ts, docs/audio-frontend.md):
 * rounds the float designs to integer tables and calibrates the per-channel quantizer from the
 * integer features of training clips (percentiles), so the codes the device computes are the
 * ones the quantizer was fitted to.
 */
import {
  DCT_BITS, FEATURE_FRAC_BITS, FRONTEND_MAGIC, FRONTEND_VERSION, HEADER_WORDS, H_BITS, H_CHANNELS, H_DCT,
  H_FFT_SIZE, H_FRAMES, H_FRAME_LENGTH, H_HEADER_WORDS, H_HOP, H_LOG_FLOOR, H_MAGIC, H_MEL_BANDS,
  H_MEL_TABLE_WORDS, H_MEL_WEIGHT_BITS, H_PREEMPHASIS, H_SAMPLE_RATE, H_TOTAL_WORDS, H_VERSION,
  H_WINDOW_SAMPLES, H_NORMALIZE, H_PEAK_FLOOR, LOG2_TABLE_BITS, NORMALIZE_NONE, NORMALIZE_WINDOW_PEAK, NORMALIZE_CHANNEL_MEAN, LOG2_TABLE_SIZE, MAX_MEL_WEIGHT_SUM, MAX_QUANT_SCALE,
  QUANT_SCALE_BITS, parseFrontendBlob, type FrontendParams,
} from '../../runtime/frontend/blob.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import {
  channelCount, dctMatrix, frameCount, hannWindow, melFilterbank, resolveFrontendOptions, type FrontendOptions,
} from './frontend-design.ts';

export { DEFAULT_FRONTEND_OPTIONS, type FrontendOptions } from './frontend-design.ts';

const Q = 1 << FEATURE_FRAC_BITS;

export interface CalibrationProgress {
  (done: number, total: number): void;
}

/**
 * Returns the blob for `options` (defaults: 49 frames x 16 log-mel channels, 4-bit codes).
 * With calibration clips (16 kHz int16, typically a sample of the training set), each channel's
 * quantizer spans its [lowPercentile, highPercentile] feature range; without, `defaultRange`.
 */
export function buildFrontendBlob(
  options: Partial<FrontendOptions> = {},
  calibrationClips?: readonly Int16Array[],
  onProgress?: CalibrationProgress,
): Int32Array {
  const o = resolveFrontendOptions(options);
  const channels = channelCount(o);
  const ranges: Array<[number, number]> = calibrationClips && calibrationClips.length > 0
    ? calibrateRanges(o, calibrationClips, onProgress)
    : Array.from({ length: channels }, () => defaultRange(o));
  return packBlob(o, ranges);
}

/**
 * Uncalibrated range (Q10): `defaultRange`; with window-peak normalization a range as wide ending
 * at the peak, with channel-mean normalization one as wide centred on the mean.
 */
function defaultRange(o: FrontendOptions): [number, number] {
  const [lo, hi] = o.defaultRange;
  if (o.normalize === 'window-peak') return [(lo - hi) * Q, 0];
  if (o.normalize === 'channel-mean') return [((lo - hi) / 2) * Q, ((hi - lo) / 2) * Q];
  return [lo * Q, hi * Q];
}

/** Per-channel [lo, hi] feature range (Q10) from the integer features of `clips`. */
function calibrateRanges(o: FrontendOptions, clips: readonly Int16Array[], onProgress?: CalibrationProgress): Array<[number, number]> {
  const provisional = packBlob(o, Array.from({ length: channelCount(o) }, () => [0, Q]));
  const frontend = createAudioFrontend(provisional, { keepFeatures: true });
  const { frames, channels } = frontend;
  const perChannel = Array.from({ length: channels }, () => new Int32Array(clips.length * frames));
  const features = new Int32Array(frames * channels);
  const scratch = new Uint8Array(frames * channels);
  clips.forEach((clip, i) => {
    frontend.computeClip(clip, scratch);
    frontend.features(features);
    for (let f = 0; f < frames; f++) {
      for (let c = 0; c < channels; c++) perChannel[c][i * frames + f] = features[f * channels + c];
    }
    if (onProgress && (i % 256 === 255 || i === clips.length - 1)) onProgress(i + 1, clips.length);
  });
  return perChannel.map((values) => {
    values.sort();
    const at = (pct: number) => values[Math.min(values.length - 1, Math.floor((pct / 100) * values.length))];
    return [at(o.lowPercentile), at(o.highPercentile)];
  });
}

const BLOB_NORMALIZATION: Record<FrontendOptions['normalize'], number> = {
  none: NORMALIZE_NONE,
  'window-peak': NORMALIZE_WINDOW_PEAK,
  'channel-mean': NORMALIZE_CHANNEL_MEAN,
};

function packBlob(o: FrontendOptions, ranges: ReadonlyArray<[number, number]>): Int32Array {
  const channels = channelCount(o);
  const bands = melFilterbank(o);
  // Largest weight precision (<= 12 bits) keeping every band's rounded weight sum <= 2^16 (see blob.ts).
  const roundedSum = (bits: number) => Math.max(...bands.map((b) => b.weights.reduce((s, w) => s + Math.round(w * 2 ** bits), 0)));
  let melWeightBits = 12;
  while (melWeightBits > 0 && roundedSum(melWeightBits) > MAX_MEL_WEIGHT_SUM) melWeightBits--;
  const melTable: number[] = [];
  for (const band of bands) {
    melTable.push(band.firstBin, band.weights.length);
    for (const w of band.weights) melTable.push(Math.round(w * 2 ** melWeightBits));
  }
  const window = hannWindow(o.frameLength).map((w) => Math.min(8191, Math.round(w * 8192)));
  const half = o.fftSize / 2;
  const cos = new Float64Array(half).map((_, k) => Math.round(32768 * Math.cos((2 * Math.PI * k) / o.fftSize)));
  const sin = new Float64Array(half).map((_, k) => Math.round(32768 * Math.sin((2 * Math.PI * k) / o.fftSize)));
  const log2 = new Float64Array(LOG2_TABLE_SIZE).map((_, i) => Math.round(65536 * Math.log2(1 + i / (1 << LOG2_TABLE_BITS))));
  const dct = o.dctCoefficients > 0
    ? dctMatrix(o.dctCoefficients, o.melBands).map((v) => Math.round(v * (1 << DCT_BITS)))
    : new Float64Array(0);
  const levels = 1 << o.bits;
  const quant: number[] = [];
  for (const [lo, hi] of ranges) {
    // Codes split [lo, hi] into 2^B equal steps: code = floor((x - lo) * 2^B / (hi - lo)), clamped.
    const span = Math.max(1, hi - lo);
    const scale = Math.max(1, Math.min(MAX_QUANT_SCALE, Math.round((levels * 2 ** QUANT_SCALE_BITS) / span)));
    quant.push(Math.round(lo), scale);
  }

  const header = new Int32Array(HEADER_WORDS);
  header[H_MAGIC] = FRONTEND_MAGIC;
  // Version 1 unless a version-2 field is set: a blob without normalization is what older runtimes read.
  const normalize = BLOB_NORMALIZATION[o.normalize];
  header[H_VERSION] = normalize === NORMALIZE_NONE ? 1 : FRONTEND_VERSION;
  header[H_NORMALIZE] = normalize;
  header[H_PEAK_FLOOR] = normalize === NORMALIZE_WINDOW_PEAK ? Math.round(o.peakFloor * Q) : 0;
  header[H_HEADER_WORDS] = HEADER_WORDS;
  header[H_SAMPLE_RATE] = o.sampleRate;
  header[H_WINDOW_SAMPLES] = o.windowSamples;
  header[H_FRAME_LENGTH] = o.frameLength;
  header[H_HOP] = o.hop;
  header[H_FFT_SIZE] = o.fftSize;
  header[H_FRAMES] = frameCount(o);
  header[H_MEL_BANDS] = o.melBands;
  header[H_CHANNELS] = channels;
  header[H_DCT] = o.dctCoefficients > 0 ? 1 : 0;
  header[H_BITS] = o.bits;
  header[H_PREEMPHASIS] = Math.round(o.preemphasis * 32768);
  header[H_LOG_FLOOR] = Math.round(o.logFloor * Q);
  header[H_MEL_WEIGHT_BITS] = melWeightBits;
  header[H_MEL_TABLE_WORDS] = melTable.length;
  const parts: ArrayLike<number>[] = [header, window, cos, sin, melTable, log2, dct, quant];
  const total = parts.reduce((n, part) => n + part.length, 0);
  header[H_TOTAL_WORDS] = total;
  const blob = new Int32Array(total);
  let at = 0;
  for (const part of parts) {
    blob.set(part, at);
    at += part.length;
  }
  parseFrontendBlob(blob); // the builder must never emit a blob the runtime rejects
  return blob;
}

/** Parameters and table views of a blob (validated). */
export function describeFrontendBlob(blob: Int32Array): FrontendParams {
  return parseFrontendBlob(blob);
}

/**
 * Maps codes (frames x channels) back to features in log2 units: the centre of each code's step,
 * lo + (code + 0.5) (hi - lo) / 2^B. For tests and diagnostics.
 */
export function dequantizeCodes(blob: Int32Array, codes: Uint8Array): Float64Array {
  const { quant, channels } = parseFrontendBlob(blob);
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = i % channels;
    out[i] = (quant[2 * c] + ((codes[i] + 0.5) * 2 ** QUANT_SCALE_BITS) / quant[2 * c + 1]) / Q;
  }
  return out;
}
