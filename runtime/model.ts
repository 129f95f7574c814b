/**
 * Model loader: validates a .tcm buffer and returns typed-array views straight over it (no copies),
 * so a model kept in flash (Moddable Resource) is executed in place. Every offset, size and
 * dimension is checked before use; a hostile file gets a ModelError, never a crash, hang or huge
 * allocation.
 */
import { crc32 } from './crc32.ts';
import { ModelError } from './errors.ts';
import * as F from './format.ts';
import type { NativeKernels } from './kernels.ts';
import { decodeUtf8 } from './utf8.ts';

export interface ImageInput {
  kind: 'image';
  bits: number;
  frames: 1;
  channels: number;
  srcWidth: number;
  srcHeight: number;
  pool: number;
  mul: number;
  shift: number;
}

export interface AudioInput {
  kind: 'audio';
  bits: number;
  frames: number;
  channels: number;
  /** Front-end parameters and tables (runtime/frontend owns the layout). */
  frontend: Int32Array;
}

export interface CodesInput {
  kind: 'codes';
  bits: number;
  frames: number;
  channels: number;
}

export type ModelInput = ImageInput | AudioInput | CodesInput;

/** A conv2d layer's image geometry (input H x W x C, position-major). */
export interface Grid {
  inHeight: number;
  inWidth: number;
  /** Zero padding on each side. */
  padding: number;
  /** Crossbar output positions before pooling: convHeight x convWidth. */
  convHeight: number;
  convWidth: number;
  /** Spike-time max pooling q x q, stride q (1 = none): outFrames = floor(convHeight/q) * floor(convWidth/q). */
  pool: number;
}

export interface Layer {
  kind: 'dense' | 'conv1d' | 'conv2d';
  macro: boolean;
  /** Input positions (frames; height x width for conv2d) and channels per position. */
  inFrames: number;
  inChannels: number;
  kernel: number;
  stride: number;
  outFrames: number;
  outChannels: number;
  /** Crossbar rows = kernel * inChannels (kernel * kernel * inChannels for conv2d). */
  rows: number;
  /** Positions the crossbar evaluates per inference (before pooling). */
  positions: number;
  /** conv2d geometry, or null for dense and conv1d. */
  grid: Grid | null;
  inBits: number;
  outBits: number;
  /** Largest input code (also the window's time steps) and largest output code. */
  inMax: number;
  outMax: number;
  leakShift: number;
  weightBits: number;
  /** Rows per group (= rows in ideal mode) and group count. */
  groupRows: number;
  groups: number;
  chargeBound: number;
  weights: Int8Array;
  thresholds: Int32Array;
  biases: Int32Array;
  /** groups x outChannels signed shifts (macro mode), or null. */
  gains: Int8Array | null;
}

export interface Model {
  versionMajor: number;
  versionMinor: number;
  fileBytes: number;
  input: ModelInput;
  layers: Layer[];
  labels: string[];
  /** Raw UTF-8 JSON of the training provenance (see readProvenance). */
  provenanceBytes: Uint8Array | null;
  /** Native kernels chosen at load (null: the TypeScript kernels run). */
  native: NativeKernels | null;
}

export interface LoadOptions {
  /** Skip the CRC pass (e.g. on a device after a first verified boot). Structure is still checked. */
  verifyCrc?: boolean;
  /**
   * Native kernels (module "tempo-cim-native" on a device): the CRC and value checks run in C
   * here, and networks created from this model run their layers in C. Results are identical.
   */
  native?: NativeKernels | null;
}

interface Section {
  tag: number;
  offset: number;
  bytes: number;
  index: number;
}

function fail(code: ConstructorParameters<typeof ModelError>[0], message: string): never {
  throw new ModelError(code, message);
}

function checkRange(what: string, value: number, min: number, max: number): number {
  if (!(value >= min && value <= max)) fail('dimension-out-of-range', `${what} is ${value}, outside [${min}, ${max}]`);
  return value;
}

/**
 * Accepts any ArrayBufferLike (ArrayBuffer; with Moddable's typings also HostBuffer, e.g. a flash
 * Resource read in place) or a Uint8Array over part of one.
 */
function asBytes(source: ArrayBufferLike | Uint8Array): Uint8Array {
  if (source instanceof Uint8Array) return source;
  return new Uint8Array(source);
}

export function loadModel(source: ArrayBufferLike | Uint8Array, options: LoadOptions = {}): Model {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) fail('unsupported-host', 'the runtime needs a little-endian host');
  const bytes = asBytes(source);
  const native = options.native ?? null;
  if (bytes.byteOffset % F.SECTION_ALIGN !== 0) fail('misaligned', `model buffer starts at byte offset ${bytes.byteOffset}, not a multiple of ${F.SECTION_ALIGN}`);
  if (bytes.length < F.HEADER_BYTES) fail('truncated', `file has ${bytes.length} bytes, less than the ${F.HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (view.getUint32(0, true) !== F.MAGIC) fail('bad-magic', 'not a tempo-cim model (magic is not "TCIM")');
  const versionMajor = view.getUint16(4, true);
  const versionMinor = view.getUint16(6, true);
  if (versionMajor !== F.VERSION_MAJOR) fail('unsupported-version', `model format version ${versionMajor}.${versionMinor} is not supported (this runtime reads ${F.VERSION_MAJOR}.x)`);
  const fileBytes = view.getUint32(8, true);
  if (fileBytes > bytes.length) fail('truncated', `header says ${fileBytes} bytes but only ${bytes.length} are present`);
  if (fileBytes < F.HEADER_BYTES) fail('bad-section', `header file size ${fileBytes} is smaller than the header`);
  if (options.verifyCrc !== false) {
    const stored = view.getUint32(12, true);
    const actual = native ? native.crc32(bytes, F.CRC_START, fileBytes) : crc32(bytes, F.CRC_START, fileBytes);
    if (stored !== actual) fail('crc-mismatch', `CRC32 mismatch: stored ${hex(stored)}, computed ${hex(actual)} (file corrupted)`);
  }
  const sectionCount = view.getUint16(16, true);
  const layerCount = view.getUint16(18, true);
  const tableOffset = view.getUint32(20, true);
  checkRange('section count', sectionCount, 1, F.LIMITS.maxSections);
  checkRange('layer count', layerCount, 1, F.LIMITS.maxLayers);
  const tableEnd = tableOffset + sectionCount * F.SECTION_ENTRY_BYTES;
  if (tableOffset < F.HEADER_BYTES || tableEnd > fileBytes) fail('truncated', `section table [${tableOffset}, ${tableEnd}) does not fit in ${fileBytes} bytes`);

  const sections = readSectionTable(view, tableOffset, sectionCount, tableEnd, fileBytes, layerCount);
  const find = (tagValue: number, index: number, required: boolean): Section | null => {
    for (const s of sections) if (s.tag === tagValue && s.index === index) return s;
    if (required) fail('missing-section', `missing ${F.tagName(tagValue)} section${index === F.GLOBAL_SECTION ? '' : ` of layer ${index}`}`);
    return null;
  };
  const int32s = (s: Section, count: number, what: string): Int32Array => {
    if (s.bytes !== count * 4) fail('bad-section', `${what} section has ${s.bytes} bytes, expected ${count * 4}`);
    return new Int32Array(bytes.buffer, bytes.byteOffset + s.offset, count);
  };
  const int8s = (s: Section, count: number, what: string): Int8Array => {
    if (s.bytes !== count) fail('bad-section', `${what} section has ${s.bytes} bytes, expected ${count}`);
    return new Int8Array(bytes.buffer, bytes.byteOffset + s.offset, count);
  };

  const input = readInput(find(F.TAG.input, F.GLOBAL_SECTION, true)!, int32s, find);
  const layers: Layer[] = [];
  let inFramesPrev = input.frames;
  let inChannelsPrev = input.channels;
  let inBits = input.bits;
  let work = 0;
  for (let index = 0; index < layerCount; index++) {
    const layer = readLayer(index, find, int32s, int8s, inBits, native);
    if (layer.inFrames * layer.inChannels !== inFramesPrev * inChannelsPrev) {
      fail('dimension-out-of-range', `layer ${index} takes ${layer.inFrames}x${layer.inChannels} inputs but receives ${inFramesPrev}x${inChannelsPrev}`);
    }
    work += layer.positions * layer.rows * layer.outChannels + (layer.leakShift > 0 ? layer.positions * layer.inMax * layer.groups * layer.outChannels : 0);
    if (work > F.LIMITS.maxWorkPerInference) fail('dimension-out-of-range', `inference would visit more than ${F.LIMITS.maxWorkPerInference} crossbar cells`);
    layers.push(layer);
    inFramesPrev = layer.outFrames;
    inChannelsPrev = layer.outChannels;
    inBits = layer.outBits;
  }
  const last = layers[layers.length - 1];
  if (last.outFrames !== 1) fail('dimension-out-of-range', `the last layer must produce one frame of scores, not ${last.outFrames}`);
  if (last.grid) fail('dimension-out-of-range', 'the last layer must be dense or conv1d (its charges are the scores)');

  const labelSection = find(F.TAG.labels, F.GLOBAL_SECTION, true)!;
  const labels = readLabels(bytes.subarray(labelSection.offset, labelSection.offset + labelSection.bytes));
  if (labels.length !== last.outChannels) fail('bad-section', `${labels.length} labels for ${last.outChannels} output neurons`);
  const prov = find(F.TAG.provenance, F.GLOBAL_SECTION, false);
  const provenanceBytes = prov ? bytes.subarray(prov.offset, prov.offset + prov.bytes) : null;
  return { versionMajor, versionMinor, fileBytes, input, layers, labels, provenanceBytes, native };
}

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16).padStart(8, '0');
}

function readSectionTable(view: DataView, tableOffset: number, count: number, tableEnd: number, fileBytes: number, layerCount: number): Section[] {
  const sections: Section[] = [];
  for (let i = 0; i < count; i++) {
    const at = tableOffset + i * F.SECTION_ENTRY_BYTES;
    const s: Section = {
      tag: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      bytes: view.getUint32(at + 8, true),
      index: view.getUint16(at + 12, true),
    };
    const name = F.tagName(s.tag);
    if (s.offset % F.SECTION_ALIGN !== 0) fail('misaligned', `section ${name} starts at ${s.offset}, not a multiple of ${F.SECTION_ALIGN}`);
    if (s.offset < tableEnd || s.offset + s.bytes > fileBytes) fail('truncated', `section ${name} [${s.offset}, ${s.offset + s.bytes}) lies outside the data area [${tableEnd}, ${fileBytes})`);
    if (s.index !== F.GLOBAL_SECTION && s.index >= layerCount) fail('bad-section', `section ${name} names layer ${s.index} of ${layerCount}`);
    sections.push(s);
  }
  // Sections must not overlap (insertion sort by offset: the table is small and usually sorted).
  const sorted = sections.slice();
  for (let i = 1; i < sorted.length; i++) {
    const s = sorted[i];
    let j = i - 1;
    while (j >= 0 && sorted[j].offset > s.offset) {
      sorted[j + 1] = sorted[j];
      j--;
    }
    sorted[j + 1] = s;
  }
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.offset + prev.bytes > sorted[i].offset) fail('bad-section', `sections ${F.tagName(prev.tag)} and ${F.tagName(sorted[i].tag)} overlap`);
  }
  for (let i = 0; i < sections.length; i++) {
    for (let j = 0; j < i; j++) {
      if (sections[j].tag === sections[i].tag && sections[j].index === sections[i].index) fail('bad-section', `duplicate ${F.tagName(sections[i].tag)} section`);
    }
  }
  return sections;
}

type Finder = (tagValue: number, index: number, required: boolean) => Section | null;
type Int32Reader = (s: Section, count: number, what: string) => Int32Array;
type Int8Reader = (s: Section, count: number, what: string) => Int8Array;

function readInput(section: Section, int32s: Int32Reader, find: Finder): ModelInput {
  const w = int32s(section, F.INPUT_WORDS, 'INPT');
  const bits = checkRange('input bits', w[F.IN_BITS], 1, 8);
  if (w[F.IN_KIND] === F.INPUT_KIND_IMAGE) {
    const srcWidth = checkRange('image width', w[F.IN_SRC_WIDTH], 1, 4096);
    const srcHeight = checkRange('image height', w[F.IN_SRC_HEIGHT], 1, 4096);
    const pool = checkRange('image pool factor', w[F.IN_POOL], 1, 16);
    if (srcWidth % pool !== 0 || srcHeight % pool !== 0) fail('dimension-out-of-range', `image ${srcWidth}x${srcHeight} is not divisible by pool ${pool}`);
    const channels = checkRange('input size', (srcWidth / pool) * (srcHeight / pool), 1, F.LIMITS.maxChannels);
    if (w[F.IN_FRAMES] !== 1 || w[F.IN_CHANNELS] !== channels) fail('dimension-out-of-range', `image input declares ${w[F.IN_FRAMES]}x${w[F.IN_CHANNELS]} codes, expected 1x${channels}`);
    const mul = checkRange('image scale multiplier', w[F.IN_MUL_SHIFT] & 0xffffff, 1, 0xffffff);
    const shift = checkRange('image scale shift', w[F.IN_MUL_SHIFT] >>> 24, 1, 30);
    return { kind: 'image', bits, frames: 1, channels, srcWidth, srcHeight, pool, mul, shift };
  }
  if (w[F.IN_KIND] === F.INPUT_KIND_CODES) {
    const frames = checkRange('input frames', w[F.IN_FRAMES], 1, F.LIMITS.maxFrames);
    const channels = checkRange('input channels', w[F.IN_CHANNELS], 1, F.LIMITS.maxChannels);
    return { kind: 'codes', bits, frames, channels };
  }
  if (w[F.IN_KIND] === F.INPUT_KIND_AUDIO) {
    const frames = checkRange('audio frames', w[F.IN_FRAMES], 1, F.LIMITS.maxFrames);
    const channels = checkRange('audio channels', w[F.IN_CHANNELS], 1, 1024);
    const fe = find(F.TAG.frontend, F.GLOBAL_SECTION, true)!;
    const frontend = int32s(fe, fe.bytes >>> 2, 'FRNT');
    return { kind: 'audio', bits, frames, channels, frontend };
  }
  return fail('bad-section', `unknown input kind ${w[F.IN_KIND]}`);
}

function readLayer(index: number, find: Finder, int32s: Int32Reader, int8s: Int8Reader, inBits: number, native: NativeKernels | null): Layer {
  const w = int32s(find(F.TAG.layer, index, true)!, F.LAYER_WORDS, `LAYR ${index}`);
  const at = `layer ${index}`;
  const kindCode = w[F.L_KIND];
  if (kindCode !== F.LAYER_KIND_DENSE && kindCode !== F.LAYER_KIND_CONV1D && kindCode !== F.LAYER_KIND_CONV2D) fail('bad-section', `${at} has unknown kind ${kindCode}`);
  const mode = w[F.L_MODE];
  if (mode !== F.MODE_IDEAL && mode !== F.MODE_MACRO) fail('bad-section', `${at} has unknown mode ${mode}`);
  const inChannels = checkRange(`${at} input channels`, w[F.L_IN_CHANNELS], 1, F.LIMITS.maxChannels);
  const outChannels = checkRange(`${at} output channels`, w[F.L_OUT_CHANNELS], 1, F.LIMITS.maxOutChannels);
  const stride = checkRange(`${at} stride`, w[F.L_STRIDE], 1, F.LIMITS.maxKernel);
  let inFrames: number;
  let kernel: number;
  let rows: number;
  let positions: number;
  let outFrames: number;
  let grid: Grid | null = null;
  if (kindCode === F.LAYER_KIND_CONV2D) {
    const inHeight = checkRange(`${at} input height`, w[F.L_IN_FRAMES], 1, F.LIMITS.maxFrames);
    const inWidth = checkRange(`${at} input width`, w[F.L_IN_WIDTH], 1, F.LIMITS.maxFrames);
    inFrames = checkRange(`${at} input positions`, inHeight * inWidth, 1, F.LIMITS.maxLayerOutputs);
    const padding = checkRange(`${at} padding`, w[F.L_PADDING], 0, F.LIMITS.maxKernel - 1);
    kernel = checkRange(`${at} kernel`, w[F.L_KERNEL], padding + 1, Math.min(F.LIMITS.maxKernel, inHeight + 2 * padding, inWidth + 2 * padding));
    const pool = checkRange(`${at} pool`, w[F.L_POOL], 1, F.LIMITS.maxPool);
    const convHeight = Math.floor((inHeight + 2 * padding - kernel) / stride) + 1;
    const convWidth = Math.floor((inWidth + 2 * padding - kernel) / stride) + 1;
    if (convHeight < pool || convWidth < pool) fail('dimension-out-of-range', `${at} pools ${pool}x${pool} over a ${convHeight}x${convWidth} map`);
    rows = checkRange(`${at} crossbar rows`, kernel * kernel * inChannels, 1, F.LIMITS.maxRows);
    positions = checkRange(`${at} positions`, convHeight * convWidth, 1, F.LIMITS.maxLayerOutputs);
    checkRange(`${at} positions`, positions * outChannels, 1, F.LIMITS.maxLayerOutputs);
    outFrames = Math.floor(convHeight / pool) * Math.floor(convWidth / pool);
    grid = { inHeight, inWidth, padding, convHeight, convWidth, pool };
  } else {
    inFrames = checkRange(`${at} input frames`, w[F.L_IN_FRAMES], 1, F.LIMITS.maxFrames);
    kernel = checkRange(`${at} kernel`, w[F.L_KERNEL], 1, Math.min(F.LIMITS.maxKernel, inFrames));
    if (kindCode === F.LAYER_KIND_DENSE && (inFrames !== 1 || kernel !== 1 || stride !== 1)) fail('dimension-out-of-range', `${at} is dense but has ${inFrames} frames, kernel ${kernel}, stride ${stride}`);
    if (w[F.L_IN_WIDTH] !== 0 || w[F.L_PADDING] !== 0 || w[F.L_POOL] !== 0) fail('bad-section', `${at} sets conv2d fields but is not conv2d`);
    rows = checkRange(`${at} crossbar rows`, kernel * inChannels, 1, F.LIMITS.maxRows);
    outFrames = Math.floor((inFrames - kernel) / stride) + 1;
    positions = outFrames;
  }
  const outBits = checkRange(`${at} output bits`, w[F.L_OUT_BITS], 1, 8);
  const leakShift = checkRange(`${at} leak shift`, w[F.L_LEAK_SHIFT], 0, F.LIMITS.maxLeakShift);
  const weightBits = checkRange(`${at} weight bits`, w[F.L_WEIGHT_BITS], 2, 8);
  checkRange(`${at} outputs`, outFrames * outChannels, 1, F.LIMITS.maxLayerOutputs);
  const macro = mode === F.MODE_MACRO;
  const groupRows = macro ? checkRange(`${at} group rows`, w[F.L_GROUP_ROWS], 1, rows) : rows;
  const groups = Math.ceil(rows / groupRows);
  checkRange(`${at} accumulators`, groups * outChannels, 1, F.LIMITS.maxAccumulators);
  const chargeBound = macro ? checkRange(`${at} charge bound`, w[F.L_CHARGE_BOUND], 1, F.LIMITS.maxChargeBound) : 0;

  const weights = int8s(find(F.TAG.weights, index, true)!, rows * outChannels, `${at} WGHT`);
  const thresholds = int32s(find(F.TAG.thresholds, index, true)!, outChannels, `${at} THRS`);
  const biases = int32s(find(F.TAG.biases, index, true)!, outChannels, `${at} BIAS`);
  const gainSection = find(F.TAG.gains, index, macro);
  if (!macro && gainSection) fail('bad-section', `${at} is in ideal mode but has gains`);
  const gains = macro ? int8s(gainSection!, groups * outChannels, `${at} GAIN`) : null;

  const wmax = (1 << (weightBits - 1)) - 1;
  const badWeight = firstOutside(weights, wmax, native);
  if (badWeight >= 0) fail('value-out-of-range', `${at} weight ${badWeight} is ${weights[badWeight]}, outside ${weightBits}-bit range ±${wmax}`);
  let maxTheta = 1;
  let maxBias = 0;
  for (let j = 0; j < outChannels; j++) {
    const t = thresholds[j];
    if (!(t >= 1 && t <= F.LIMITS.maxThreshold)) fail('value-out-of-range', `${at} threshold ${j} is ${t}, outside [1, ${F.LIMITS.maxThreshold}]`);
    const b = biases[j];
    if (b > F.LIMITS.maxAbsBias || b < -F.LIMITS.maxAbsBias) fail('value-out-of-range', `${at} bias ${j} is ${b}, outside ±${F.LIMITS.maxAbsBias}`);
    if (t > maxTheta) maxTheta = t;
    if (Math.abs(b) > maxBias) maxBias = Math.abs(b);
  }
  const badGain = gains ? firstOutside(gains, F.LIMITS.maxGainShift, native) : -1;
  if (badGain >= 0) fail('value-out-of-range', `${at} gain ${badGain} is ${gains![badGain]}, outside ±${F.LIMITS.maxGainShift}`);
  // Worst-case charge must stay inside int32 on every engine.
  const inMax = (1 << inBits) - 1;
  const groupCharge = groupRows * wmax * inMax;
  const worst = macro ? groups * chargeBound * maxTheta + maxBias : rows * wmax * inMax + maxBias;
  if (groupCharge > F.LIMITS.maxAbsCharge || worst > F.LIMITS.maxAbsCharge) fail('dimension-out-of-range', `${at} could accumulate a charge beyond int32 (${worst})`);

  return {
    kind: kindCode === F.LAYER_KIND_DENSE ? 'dense' : kindCode === F.LAYER_KIND_CONV1D ? 'conv1d' : 'conv2d',
    macro, inFrames, inChannels, kernel, stride, outFrames, outChannels, rows, positions, grid,
    inBits, outBits, inMax, outMax: (1 << outBits) - 1, leakShift, weightBits,
    groupRows, groups, chargeBound, weights, thresholds, biases, gains,
  };
}

/** Index of the first value outside [-max, max], or -1 (in C when native kernels are given). */
function firstOutside(values: Int8Array, max: number, native: NativeKernels | null): number {
  if (native) return native.checkInt8Range(values, max);
  for (let i = 0; i < values.length; i++) if (values[i] > max || values[i] < -max) return i;
  return -1;
}

function readLabels(bytes: Uint8Array): string[] {
  if (bytes.length < 2) fail('truncated', 'labels section is empty');
  const count = bytes[0] | (bytes[1] << 8);
  checkRange('label count', count, 1, F.LIMITS.maxLabels);
  const labels: string[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    if (at >= bytes.length) fail('truncated', `labels section ends before label ${i}`);
    const length = bytes[at++];
    if (at + length > bytes.length) fail('truncated', `label ${i} runs past the labels section`);
    labels.push(decodeUtf8(bytes.subarray(at, at + length)));
    at += length;
  }
  return labels;
}

/** Decodes the training provenance JSON (host-side display; not needed for inference). */
export function readProvenance(model: Model): Record<string, unknown> | null {
  if (!model.provenanceBytes) return null;
  try {
    const value = JSON.parse(decodeUtf8(model.provenanceBytes));
    return value !== null && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}
