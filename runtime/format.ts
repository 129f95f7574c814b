/**
 * The .tcm container layout (docs/tcm-format.md is the spec). Shared by the reader (runtime) and
 * the writer (compiler), so both sides agree by construction.
 */
export const MAGIC = 0x4d494354; // 'TCIM' read as little-endian u32
export const VERSION_MAJOR = 1;
/**
 * 1.0: dense and conv1d layers. 1.1 adds conv2d layers (with fused spike-time pooling); writers
 * stamp 1.1 only on files that use them, so 1.0 readers refuse nothing they could run.
 */
export const VERSION_MINOR = 1;
/** The minor a file needs: 1.0 unless it holds a conv2d layer. */
export const VERSION_MINOR_BASE = 0;
export const HEADER_BYTES = 64;
export const SECTION_ENTRY_BYTES = 16;
/** Every section starts at a multiple of this, so Int32Array views work over a flash-mapped buffer. */
export const SECTION_ALIGN = 8;
/** CRC covers bytes [CRC_START, fileBytes): everything after the CRC field. */
export const CRC_START = 16;
export const GLOBAL_SECTION = 0xffff;

/** Section tags: four ASCII characters read as a little-endian u32. */
export function tag(name: string): number {
  return (name.charCodeAt(0) | (name.charCodeAt(1) << 8) | (name.charCodeAt(2) << 16) | (name.charCodeAt(3) << 24)) >>> 0;
}

export function tagName(value: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = (value >>> (8 * i)) & 0xff;
    s += c >= 32 && c < 127 ? String.fromCharCode(c) : '?';
  }
  return s;
}

export const TAG = Object.freeze({
  input: tag('INPT'),
  labels: tag('LABL'),
  provenance: tag('PROV'),
  frontend: tag('FRNT'),
  layer: tag('LAYR'),
  weights: tag('WGHT'),
  thresholds: tag('THRS'),
  biases: tag('BIAS'),
  gains: tag('GAIN'),
});

/** Int32 words of the INPT section. */
export const INPUT_WORDS = 8;
export const INPUT_KIND_IMAGE = 1;
export const INPUT_KIND_AUDIO = 2;
/** Codes given directly (frames x channels); the application encodes them itself. */
export const INPUT_KIND_CODES = 3;
// INPT word indices
export const IN_KIND = 0;
export const IN_BITS = 1;
export const IN_FRAMES = 2;
export const IN_CHANNELS = 3;
export const IN_SRC_WIDTH = 4;
export const IN_SRC_HEIGHT = 5;
export const IN_POOL = 6;
export const IN_MUL_SHIFT = 7; // image: mul | (shift << 24)

/** Int32 words of a LAYR section. */
export const LAYER_WORDS = 16;
export const LAYER_KIND_DENSE = 0;
export const LAYER_KIND_CONV1D = 1;
export const LAYER_KIND_CONV2D = 2;
export const MODE_IDEAL = 0;
export const MODE_MACRO = 1;
// LAYR word indices
export const L_KIND = 0;
export const L_MODE = 1;
export const L_IN_FRAMES = 2;
export const L_IN_CHANNELS = 3;
export const L_KERNEL = 4;
export const L_STRIDE = 5;
export const L_OUT_CHANNELS = 6;
export const L_OUT_BITS = 7;
export const L_LEAK_SHIFT = 8;
export const L_WEIGHT_BITS = 9;
export const L_GROUP_ROWS = 10;
export const L_CHARGE_BOUND = 11;
// conv2d only (zero for dense and conv1d); L_IN_FRAMES holds the input height there.
export const L_IN_WIDTH = 12;
/** Zero padding on each side (0 = valid, (k - 1) / 2 = same). */
export const L_PADDING = 13;
/** Fused spike-time max pooling q x q, stride q (1 = none). */
export const L_POOL = 14;

/** Limits a file must respect; they bound parse time, scratch memory and inference time. */
export const LIMITS = Object.freeze({
  maxSections: 512,
  maxLayers: 32,
  maxFrames: 4096,
  maxChannels: 65536,
  maxOutChannels: 4096,
  maxKernel: 64,
  maxPool: 16,
  maxRows: 1 << 20,
  /** Output codes per layer (outFrames * outChannels). */
  maxLayerOutputs: 1 << 20,
  /** Accumulator cells per position (groups * outChannels). */
  maxAccumulators: 1 << 20,
  /** Crossbar cell visits per inference, summed over layers (and leak steps). */
  maxWorkPerInference: 1 << 28,
  maxThreshold: 1 << 24,
  maxAbsBias: 1 << 28,
  maxChargeBound: 64,
  maxGainShift: 15,
  maxLeakShift: 16,
  maxLabels: 4096,
  maxLabelBytes: 255,
  /** |V| must stay inside int32 so shifts and Int32Array accumulators are exact on every engine. */
  maxAbsCharge: 0x7fffffff,
});
