/**
 * Layout of the audio front-end blob (one Int32Array, stored in its own section of the .tcm file)
 * and its validation. Parsing makes subarray views only; nothing is copied. See
 * docs/audio-frontend.md for the full specification.
 *
 *   header (HEADER_WORDS words, indices below)
 *   window       frameLength      Q13 analysis window, |w| <= 8191
 *   cos          fftSize / 2      Q15 cos(2 pi k / fftSize), |t| <= 32768
 *   sin          fftSize / 2      Q15 sin(2 pi k / fftSize)
 *   mel          melTableWords    per band: firstBin, binCount, binCount weights (Q melWeightBits)
 *   log2         LOG2_TABLE_SIZE  Q16 log2(1 + i / 256), i = 0..256
 *   dct          channels x melBands, Q14, only when dct = 1
 *   quant        channels x 2     (offset Q10, scale Q16) per channel
 *
 * Version 2 gives header words 18 and 19 a meaning (window normalization and its peak floor);
 * version 1 blobs (both words zero) keep loading and give the same codes as before.
 */
import { ModelError } from '../errors.ts';

export const FRONTEND_MAGIC = 0x31454654; // 'TFE1' as little-endian bytes
/** Highest version this runtime reads; the builder writes version 1 unless a version-2 field is used. */
export const FRONTEND_VERSION = 2;

export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_HEADER_WORDS = 2;
export const H_SAMPLE_RATE = 3;
export const H_WINDOW_SAMPLES = 4;
export const H_FRAME_LENGTH = 5;
export const H_HOP = 6;
export const H_FFT_SIZE = 7;
export const H_FRAMES = 8;
export const H_MEL_BANDS = 9;
export const H_CHANNELS = 10;
export const H_DCT = 11;
export const H_BITS = 12;
export const H_PREEMPHASIS = 13;
export const H_LOG_FLOOR = 14;
export const H_MEL_WEIGHT_BITS = 15;
export const H_MEL_TABLE_WORDS = 16;
export const H_TOTAL_WORDS = 17;
/** Version 2: window normalization (NORMALIZE_*); zero in version 1. */
export const H_NORMALIZE = 18;
/** Version 2: the normalization reference is max(window peak, this), Q10 log2; zero without normalization. */
export const H_PEAK_FLOOR = 19;
export const HEADER_WORDS = 20;

/** Codes quantize the features as computed (absolute log2 energies). */
export const NORMALIZE_NONE = 0;
/**
 * Codes quantize each feature minus the window's reference: its peak (the largest feature of the
 * frames read by `codes`, over all channels), or the peak floor if that is higher. The same sound
 * at any gain gives the same codes, as long as its peak is above the floor; a quieter window
 * (digital silence, faint noise) is not raised to full scale.
 */
export const NORMALIZE_WINDOW_PEAK = 1;
/**
 * Codes quantize each feature minus its channel's mean over the window's heard frames
 * (floor(sum / frames), exact in every engine), as cepstral mean normalization does: a fixed
 * gain or spectral colouring (a voice's, a microphone's) shifts a channel's features and its mean
 * alike, so it leaves the codes as they are. The peak floor is zero.
 */
export const NORMALIZE_CHANNEL_MEAN = 2;

/** Features (log2 energies, cepstra) are fixed point with this many fraction bits. */
export const FEATURE_FRAC_BITS = 10;
/** Quantizer scales are Q16: code = ((feature - offset) * scale) >> 16. */
export const QUANT_SCALE_BITS = 16;
export const LOG2_TABLE_BITS = 8;
export const LOG2_TABLE_SIZE = (1 << LOG2_TABLE_BITS) + 1;
export const DCT_BITS = 14;

/** Limits that keep every intermediate within int32 and allocations small (see the spec). */
export const MAX_FFT_SIZE = 4096;
export const MAX_BANDS = 256;
export const MAX_FRAMES = 1024;
export const MAX_MEL_WEIGHT_SUM = 1 << 16;
export const MAX_QUANT_SCALE = 1 << 12;
export const MAX_ABS_FEATURE_PARAM = 1 << 24;

export interface FrontendParams {
  sampleRate: number;
  windowSamples: number;
  frameLength: number;
  hop: number;
  fftSize: number;
  frames: number;
  melBands: number;
  channels: number;
  dct: boolean;
  bits: number;
  preemphasis: number;
  logFloor: number;
  melWeightBits: number;
  /** NORMALIZE_NONE, NORMALIZE_WINDOW_PEAK or NORMALIZE_CHANNEL_MEAN. */
  normalize: number;
  /** Q10 log2: the lowest normalization reference. */
  peakFloor: number;
  window: Int32Array;
  cos: Int32Array;
  sin: Int32Array;
  mel: Int32Array;
  log2: Int32Array;
  dctTable: Int32Array;
  quant: Int32Array;
}

function fail(message: string): never {
  throw new ModelError('bad-frontend', `audio front-end: ${message}`);
}

function checkRange(name: string, value: number, lo: number, hi: number): number {
  if (!(value >= lo && value <= hi)) fail(`${name} ${value} outside [${lo}, ${hi}]`);
  return value;
}

function checkTable(name: string, table: Int32Array, lo: number, hi: number): void {
  for (let i = 0; i < table.length; i++) {
    const v = table[i];
    if (v < lo || v > hi) fail(`${name}[${i}] = ${v} outside [${lo}, ${hi}]`);
  }
}

/** Validates a blob and returns its parameters with views over its tables. Throws ModelError 'bad-frontend'. */
export function parseFrontendBlob(blob: Int32Array): FrontendParams {
  if (!(blob instanceof Int32Array)) fail('blob is not an Int32Array');
  if (blob.length < HEADER_WORDS) fail(`blob has ${blob.length} words, header needs ${HEADER_WORDS}`);
  if (blob[H_MAGIC] !== FRONTEND_MAGIC) fail('bad magic');
  const version = blob[H_VERSION];
  if (version !== 1 && version !== 2) fail(`unsupported version ${version}`);
  if (blob[H_HEADER_WORDS] !== HEADER_WORDS) fail(`header size ${blob[H_HEADER_WORDS]}, expected ${HEADER_WORDS}`);
  if (blob[H_TOTAL_WORDS] !== blob.length) fail(`blob length ${blob.length} does not match its header (${blob[H_TOTAL_WORDS]})`);

  const sampleRate = checkRange('sample rate', blob[H_SAMPLE_RATE], 8000, 48000);
  const windowSamples = checkRange('window samples', blob[H_WINDOW_SAMPLES], 16, 10 * sampleRate);
  const fftSize = checkRange('FFT size', blob[H_FFT_SIZE], 16, MAX_FFT_SIZE);
  if ((fftSize & (fftSize - 1)) !== 0) fail(`FFT size ${fftSize} is not a power of two`);
  const frameLength = checkRange('frame length', blob[H_FRAME_LENGTH], 16, Math.min(fftSize, windowSamples));
  const hop = checkRange('hop', blob[H_HOP], 1, windowSamples);
  const frames = blob[H_FRAMES];
  const expectedFrames = 1 + Math.floor((windowSamples - frameLength) / hop);
  if (frames !== expectedFrames) fail(`frame count ${frames}, framing gives ${expectedFrames}`);
  checkRange('frame count', frames, 1, MAX_FRAMES);
  const melBands = checkRange('mel bands', blob[H_MEL_BANDS], 1, MAX_BANDS);
  const dctFlag = checkRange('dct flag', blob[H_DCT], 0, 1);
  const channels = checkRange('channels', blob[H_CHANNELS], 1, melBands);
  if (!dctFlag && channels !== melBands) fail(`channels ${channels} must equal mel bands ${melBands} without DCT`);
  const bits = checkRange('code bits', blob[H_BITS], 1, 8);
  const preemphasis = checkRange('pre-emphasis', blob[H_PREEMPHASIS], 0, 32767);
  const logFloor = checkRange('log floor', blob[H_LOG_FLOOR], -(1 << 16), (1 << 16) - 1);
  const melWeightBits = checkRange('mel weight bits', blob[H_MEL_WEIGHT_BITS], 0, 16);
  const melTableWords = checkRange('mel table words', blob[H_MEL_TABLE_WORDS], 2 * melBands, 2 * melBands + melBands * (fftSize / 2 + 1));
  if (version === 1 && (blob[H_NORMALIZE] !== 0 || blob[H_PEAK_FLOOR] !== 0)) fail('reserved header words 18 and 19 are not zero in a version 1 blob');
  const normalize = checkRange('window normalization', blob[H_NORMALIZE], NORMALIZE_NONE, NORMALIZE_CHANNEL_MEAN);
  if (normalize !== NORMALIZE_NONE && dctFlag) fail('window normalization applies to log-mel channels, not DCT coefficients');
  if (normalize !== NORMALIZE_WINDOW_PEAK && blob[H_PEAK_FLOOR] !== 0) fail('peak floor set without window-peak normalization');
  const peakFloor = checkRange('peak floor', blob[H_PEAK_FLOOR], -(1 << 16), (1 << 16) - 1);

  const dctWords = dctFlag ? channels * melBands : 0;
  const expectedLength = HEADER_WORDS + frameLength + fftSize + melTableWords + LOG2_TABLE_SIZE + dctWords + 2 * channels;
  if (blob.length !== expectedLength) fail(`blob length ${blob.length}, the header implies ${expectedLength}`);

  let at = HEADER_WORDS;
  const take = (n: number) => blob.subarray(at, (at += n));
  const window = take(frameLength);
  const cos = take(fftSize / 2);
  const sin = take(fftSize / 2);
  const mel = take(melTableWords);
  const log2 = take(LOG2_TABLE_SIZE);
  const dctTable = take(dctWords);
  const quant = take(2 * channels);

  checkTable('window', window, -8191, 8191);
  checkTable('cos', cos, -32768, 32768);
  checkTable('sin', sin, -32768, 32768);
  checkTable('log2', log2, 0, 1 << 16);
  checkTable('dct', dctTable, -(1 << DCT_BITS), 1 << DCT_BITS);
  checkMelTable(mel, melBands, fftSize / 2 + 1);
  for (let c = 0; c < channels; c++) {
    checkRange(`quant offset[${c}]`, quant[2 * c], -MAX_ABS_FEATURE_PARAM, MAX_ABS_FEATURE_PARAM);
    checkRange(`quant scale[${c}]`, quant[2 * c + 1], 1, MAX_QUANT_SCALE);
  }
  return {
    sampleRate, windowSamples, frameLength, hop, fftSize, frames, melBands, channels,
    dct: dctFlag === 1, bits, preemphasis, logFloor, melWeightBits, normalize, peakFloor,
    window, cos, sin, mel, log2, dctTable, quant,
  };
}

/** Each band: first bin, bin count, then weights in [0, 2^16] summing to at most 2^16, inside the spectrum. */
function checkMelTable(mel: Int32Array, bands: number, bins: number): void {
  let at = 0;
  for (let m = 0; m < bands; m++) {
    if (at + 2 > mel.length) fail(`mel table ends inside band ${m}`);
    const first = mel[at];
    const count = mel[at + 1];
    if (first < 0 || count < 0 || first + count > bins) fail(`mel band ${m} covers bins outside [0, ${bins})`);
    if (at + 2 + count > mel.length) fail(`mel table ends inside band ${m}`);
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const w = mel[at + 2 + i];
      if (w < 0 || w > MAX_MEL_WEIGHT_SUM) fail(`mel band ${m} weight ${w} out of range`);
      sum += w;
    }
    if (sum > MAX_MEL_WEIGHT_SUM) fail(`mel band ${m} weights sum to ${sum} > ${MAX_MEL_WEIGHT_SUM}`);
    at += 2 + count;
  }
  if (at !== mel.length) fail(`mel table has ${mel.length - at} trailing words`);
}
