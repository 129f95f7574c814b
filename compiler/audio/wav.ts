/**
 * WAV (RIFF/WAVE) reading and writing for the keyword pipeline.
 *
 * Reads PCM 8 (unsigned), 16, 24 and 32-bit integers and 32/64-bit IEEE floats, plain
 * `fmt ` chunks or WAVE_FORMAT_EXTENSIBLE, any channel count (mixed down to mono by averaging),
 * any sample rate (resampled to 16 kHz, see `resample`). Unknown chunks are skipped.
 * Malformed files throw `WavError` whose message names the file and the problem; sizes are
 * checked against the bytes actually present before anything is allocated.
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';

export class WavError extends UserError {
  override name = 'WavError';
}

export interface WavAudio {
  sampleRate: number;
  /** Channels in the file (before mix-down). */
  channels: number;
  /** Mono samples in [-1, 1) at `sampleRate`. */
  samples: Float32Array;
}

export interface DecodeOptions {
  /**
   * Accept a data chunk whose declared size is a streaming placeholder (>= 0x7FFFF000, as written
   * by `espeak-ng --stdout` and other pipes) and take the samples up to the end of the file.
   */
  allowStreamingSize?: boolean;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 64;
const STREAMING_SIZE = 0x7ffff000;

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

/** Decodes a WAV file held in memory; `name` is used in error messages. */
export function decodeWav(bytes: Uint8Array, name: string, options: DecodeOptions = {}): WavAudio {
  const fail = (problem: string): never => {
    throw new WavError(`${name}: ${problem}`);
  };
  if (bytes.length < 12) fail(`not a WAV file (only ${bytes.length} bytes)`);
  if (ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') fail('not a WAV file (missing RIFF/WAVE header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bitsPerSample = 0;
  let blockAlign = 0;
  let haveFmt = false;
  let data: { start: number; size: number } | undefined;
  let offset = 12;
  // Every chunk advances `offset` by at least 8 bytes, so this loop ends.
  while (offset + 8 <= bytes.length) {
    const id = ascii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const start = offset + 8;
    const available = bytes.length - start;
    if (id === 'fmt ') {
      if (size < 16 || size > available) fail(`bad fmt chunk (size ${size})`);
      haveFmt = true;
      format = view.getUint16(start, true);
      channels = view.getUint16(start + 2, true);
      sampleRate = view.getUint32(start + 4, true);
      blockAlign = view.getUint16(start + 12, true);
      bitsPerSample = view.getUint16(start + 14, true);
      if (format === FORMAT_EXTENSIBLE) {
        if (size < 40) fail('WAVE_FORMAT_EXTENSIBLE fmt chunk too short');
        format = view.getUint16(start + 24, true); // first two bytes of the sub-format GUID
      }
    } else if (id === 'data') {
      if (size > available) {
        if (options.allowStreamingSize && size >= STREAMING_SIZE) data = { start, size: available };
        else fail(`truncated data chunk (declares ${size} bytes, ${available} present)`);
      } else {
        data = { start, size };
      }
      break;
    }
    offset = start + size + (size & 1); // chunks are padded to even sizes
  }
  if (!haveFmt) fail('no fmt chunk');
  if (!data) fail('no data chunk');
  if (channels < 1 || channels > MAX_CHANNELS) fail(`unsupported channel count ${channels}`);
  if (sampleRate < 1000 || sampleRate > 384000) fail(`unsupported sample rate ${sampleRate} Hz`);
  const isFloat = format === FORMAT_FLOAT;
  if (format !== FORMAT_PCM && !isFloat) fail(`unsupported encoding (format tag ${format}); only PCM and IEEE float`);
  const validBits = isFloat ? [32, 64] : [8, 16, 24, 32];
  if (!validBits.includes(bitsPerSample)) {
    fail(`unsupported ${isFloat ? 'float' : 'PCM'} sample size ${bitsPerSample} bits`);
  }
  const bytesPerSample = bitsPerSample / 8;
  const frameBytes = bytesPerSample * channels;
  if (blockAlign !== frameBytes) fail(`block align ${blockAlign} does not match ${channels} x ${bitsPerSample}-bit samples`);

  const { start, size } = data!;
  const frames = Math.floor(size / frameBytes);
  const samples = new Float32Array(frames);
  const read = sampleReader(view, bitsPerSample, isFloat);
  for (let f = 0, at = start; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++, at += bytesPerSample) sum += read(at);
    samples[f] = sum / channels;
  }
  return { sampleRate, channels, samples };
}

function sampleReader(view: DataView, bits: number, isFloat: boolean): (at: number) => number {
  if (isFloat) {
    return bits === 32
      ? (at) => clampUnit(view.getFloat32(at, true))
      : (at) => clampUnit(view.getFloat64(at, true));
  }
  switch (bits) {
    case 8: return (at) => (view.getUint8(at) - 128) / 128;
    case 16: return (at) => view.getInt16(at, true) / 32768;
    case 24: return (at) => ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getInt8(at + 2) << 16)) / 8388608);
    default: return (at) => view.getInt32(at, true) / 2147483648;
  }
}

/** Float files may hold NaN or values outside [-1, 1]; clamp so conversion to int16 is defined. */
function clampUnit(x: number): number {
  if (!(x === x)) return 0;
  return x < -1 ? -1 : x > 1 ? 1 : x;
}

/**
 * Band-limited resampling by windowed sinc: Blackman window, 16 zero crossings each side of a
 * low-pass at 0.94 of the lower Nyquist rate (about 70 dB stop-band rejection, flat pass band to
 * 0.9 of it: ample for speech features). Exact pass-through when the rates are equal. For rates
 * whose reduced ratio has at most 4096 output phases (all common rates) the filter is tabulated
 * per phase (polyphase); otherwise it is evaluated at each output instant.
 */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input.slice();
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const cutoff = 0.94 * Math.min(1, toRate / fromRate); // in units of the input Nyquist rate
  const halfWidth = 16 / cutoff; // filter half-width in input samples
  const kernel = (t: number) => {
    if (Math.abs(t) >= halfWidth) return 0;
    const x = Math.PI * cutoff * t;
    const sinc = x === 0 ? 1 : Math.sin(x) / x;
    return cutoff * sinc * (0.42 + 0.5 * Math.cos((Math.PI * t) / halfWidth) + 0.08 * Math.cos((2 * Math.PI * t) / halfWidth));
  };
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor; // output i sits at input position i * down / up
  const down = fromRate / divisor;
  const taps = 2 * Math.ceil(halfWidth) + 1;
  const reach = Math.ceil(halfWidth);
  if (up <= 4096) {
    const table = new Float64Array(up * taps);
    for (let phase = 0; phase < up; phase++) {
      for (let k = 0; k < taps; k++) table[phase * taps + k] = kernel(k - reach - phase / up);
    }
    for (let i = 0; i < outLength; i++) {
      const base = Math.floor((i * down) / up);
      const phase = (i * down) % up;
      const first = base - reach;
      let sum = 0;
      for (let k = first < 0 ? -first : 0; k < taps && first + k < input.length; k++) sum += input[first + k] * table[phase * taps + k];
      out[i] = sum;
    }
    return out;
  }
  for (let i = 0; i < outLength; i++) {
    const center = (i * fromRate) / toRate;
    const lo = Math.max(0, Math.ceil(center - halfWidth));
    const hi = Math.min(input.length - 1, Math.floor(center + halfWidth));
    let sum = 0;
    for (let j = lo; j <= hi; j++) sum += input[j] * kernel(j - center);
    out[i] = sum;
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Rounds [-1, 1) floats to int16 with saturation. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Decodes any supported WAV to 16 kHz mono int16 (mix-down, then resampling if needed). */
export function decodeWav16k(bytes: Uint8Array, name: string, options: DecodeOptions = {}): Int16Array {
  const wav = decodeWav(bytes, name, options);
  return toInt16(resample(wav.samples, wav.sampleRate, 16000));
}

/** Reads a WAV file as 16 kHz mono int16. */
export function readWav16k(path: string): Int16Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new WavError(`${path}: cannot read (${(error as Error).message})`);
  }
  return decodeWav16k(bytes, path);
}

export interface EncodeOptions {
  sampleRate?: number;
  channels?: number;
  /** 8, 16, 24, 32 (PCM) or 'float32' / 'float64'. Default 16. */
  encoding?: 8 | 16 | 24 | 32 | 'float32' | 'float64';
  /** Write a WAVE_FORMAT_EXTENSIBLE fmt chunk. */
  extensible?: boolean;
}

/**
 * Encodes interleaved samples as a WAV file. Int16Array input is taken as int16 PCM values,
 * Float32Array/Float64Array input as [-1, 1) floats; both are converted to `encoding`.
 */
export function encodeWav(samples: Int16Array | Float32Array | Float64Array, options: EncodeOptions = {}): Uint8Array {
  const sampleRate = options.sampleRate ?? 16000;
  const channels = options.channels ?? 1;
  const encoding = options.encoding ?? 16;
  const isFloat = typeof encoding === 'string';
  const bits = encoding === 'float32' ? 32 : encoding === 'float64' ? 64 : (encoding as number);
  const bytesPerSample = bits / 8;
  const fmtSize = options.extensible ? 40 : 16;
  const dataSize = samples.length * bytesPerSample;
  const pad = dataSize & 1;
  const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + dataSize + pad);
  const view = new DataView(bytes.buffer);
  const writeAscii = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) bytes[at + i] = text.charCodeAt(i);
  };
  writeAscii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  writeAscii(8, 'WAVE');
  writeAscii(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  const tag = isFloat ? FORMAT_FLOAT : FORMAT_PCM;
  view.setUint16(20, options.extensible ? FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bits, true);
  if (options.extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bits, true); // valid bits per sample
    view.setUint32(40, 0, true); // channel mask: unspecified
    // Sub-format GUID 0000xxxx-0000-0010-8000-00aa00389b71 with xxxx = format tag.
    const guidTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    view.setUint16(44, tag, true);
    bytes.set(guidTail, 46);
  }
  const dataAt = 20 + fmtSize;
  writeAscii(dataAt, 'data');
  view.setUint32(dataAt + 4, dataSize, true);
  const isIntInput = samples instanceof Int16Array;
  let at = dataAt + 8;
  for (let i = 0; i < samples.length; i++, at += bytesPerSample) {
    const x = isIntInput ? samples[i] / 32768 : samples[i];
    if (encoding === 'float32') view.setFloat32(at, x, true);
    else if (encoding === 'float64') view.setFloat64(at, x, true);
    else writeInt(view, at, bits, x);
  }
  return bytes;
}

function writeInt(view: DataView, at: number, bits: number, x: number): void {
  const full = 2 ** (bits - 1);
  const v = Math.max(-full, Math.min(full - 1, Math.round(x * full)));
  if (bits === 8) view.setUint8(at, v + 128);
  else if (bits === 16) view.setInt16(at, v, true);
  else if (bits === 24) {
    view.setUint8(at, v & 0xff);
    view.setUint8(at + 1, (v >> 8) & 0xff);
    view.setInt8(at + 2, v >> 16);
  } else view.setInt32(at, v, true);
}
