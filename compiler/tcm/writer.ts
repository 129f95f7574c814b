/**
 * Serializes a ModelSpec into the .tcm container (docs/tcm-format.md). The layout constants and
 * the CRC come from the runtime, the single source of truth for the format.
 */
import { crc32 } from '../../runtime/crc32.ts';
import * as F from '../../runtime/format.ts';
import type { LayerSpec, ModelSpec } from './spec.ts';

export interface PendingSection {
  tag: number;
  index: number;
  data: Uint8Array;
}

function bytesOf(array: Int8Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

function words(values: number[], count: number): Uint8Array {
  const out = new Int32Array(count);
  values.forEach((v, i) => (out[i] = v));
  return bytesOf(out);
}

function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function labelBytes(labels: string[]): Uint8Array {
  const encoded = labels.map((label) => {
    const b = encodeUtf8(label);
    if (b.length > F.LIMITS.maxLabelBytes) throw new Error(`label '${label}' is longer than ${F.LIMITS.maxLabelBytes} bytes`);
    return b;
  });
  const out = new Uint8Array(2 + encoded.reduce((n, b) => n + 1 + b.length, 0));
  out[0] = labels.length & 0xff;
  out[1] = labels.length >> 8;
  let at = 2;
  for (const b of encoded) {
    out[at++] = b.length;
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function layerWords(layer: LayerSpec): Uint8Array {
  const w: number[] = [];
  w[F.L_KIND] = layer.kind === 'dense' ? F.LAYER_KIND_DENSE : layer.kind === 'conv1d' ? F.LAYER_KIND_CONV1D : F.LAYER_KIND_CONV2D;
  w[F.L_MODE] = layer.macro ? F.MODE_MACRO : F.MODE_IDEAL;
  w[F.L_IN_FRAMES] = layer.inFrames;
  if (layer.kind === 'conv2d') {
    if (!layer.grid || layer.grid.inHeight * layer.grid.inWidth !== layer.inFrames) throw new Error('conv2d layer needs a grid whose height x width is its inFrames');
    w[F.L_IN_FRAMES] = layer.grid.inHeight;
    w[F.L_IN_WIDTH] = layer.grid.inWidth;
    w[F.L_PADDING] = layer.grid.padding;
    w[F.L_POOL] = layer.grid.pool;
  }
  w[F.L_IN_CHANNELS] = layer.inChannels;
  w[F.L_KERNEL] = layer.kernel;
  w[F.L_STRIDE] = layer.stride;
  w[F.L_OUT_CHANNELS] = layer.outChannels;
  w[F.L_OUT_BITS] = layer.outBits;
  w[F.L_LEAK_SHIFT] = layer.leakShift;
  w[F.L_WEIGHT_BITS] = layer.weightBits;
  w[F.L_GROUP_ROWS] = layer.macro ? layer.macro.groupRows : 0;
  w[F.L_CHARGE_BOUND] = layer.macro ? layer.macro.chargeBound : 0;
  return words(w.map((v) => v ?? 0), F.LAYER_WORDS);
}

function inputWords(spec: ModelSpec): Uint8Array {
  const input = spec.input;
  const w: number[] = new Array(F.INPUT_WORDS).fill(0);
  w[F.IN_BITS] = input.bits;
  if (input.kind === 'image') {
    w[F.IN_KIND] = F.INPUT_KIND_IMAGE;
    w[F.IN_FRAMES] = 1;
    w[F.IN_CHANNELS] = (input.srcWidth / input.pool) * (input.srcHeight / input.pool);
    w[F.IN_SRC_WIDTH] = input.srcWidth;
    w[F.IN_SRC_HEIGHT] = input.srcHeight;
    w[F.IN_POOL] = input.pool;
    w[F.IN_MUL_SHIFT] = (input.mul & 0xffffff) | (input.shift << 24);
  } else {
    w[F.IN_KIND] = input.kind === 'audio' ? F.INPUT_KIND_AUDIO : F.INPUT_KIND_CODES;
    w[F.IN_FRAMES] = input.frames;
    w[F.IN_CHANNELS] = input.channels;
  }
  return words(w, F.INPUT_WORDS);
}

export function writeModel(spec: ModelSpec): Uint8Array {
  const sections: PendingSection[] = [];
  const add = (name: number, data: Uint8Array, index = F.GLOBAL_SECTION) => sections.push({ tag: name, index, data });
  add(F.TAG.input, inputWords(spec));
  if (spec.input.kind === 'audio') add(F.TAG.frontend, bytesOf(spec.input.frontend));
  add(F.TAG.labels, labelBytes(spec.labels));
  spec.layers.forEach((layer, i) => {
    add(F.TAG.layer, layerWords(layer), i);
    add(F.TAG.weights, bytesOf(layer.weights), i);
    add(F.TAG.thresholds, bytesOf(layer.thresholds), i);
    add(F.TAG.biases, bytesOf(layer.biases), i);
    if (layer.macro) add(F.TAG.gains, bytesOf(layer.macro.gains), i);
  });
  add(F.TAG.provenance, encodeUtf8(JSON.stringify(spec.provenance)));
  // 1.1 only where needed, so files without conv2d stay byte-identical 1.0 files.
  const minor = spec.layers.some((l) => l.kind === 'conv2d') ? F.VERSION_MINOR : F.VERSION_MINOR_BASE;
  return assemble(sections, spec.layers.length, minor);
}

/** Lays sections out in the given order (each 8-aligned after the table), writes the header and
 * the table, and seals the CRC. */
export function assemble(sections: PendingSection[], layerCount: number, versionMinor: number): Uint8Array {
  const align = (n: number) => Math.ceil(n / F.SECTION_ALIGN) * F.SECTION_ALIGN;
  const tableEnd = F.HEADER_BYTES + sections.length * F.SECTION_ENTRY_BYTES;
  let offset = align(tableEnd);
  const placed = sections.map((s) => {
    const at = offset;
    offset = align(at + s.data.length);
    return at;
  });
  const fileBytes = offset;
  const out = new Uint8Array(fileBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, F.MAGIC, true);
  view.setUint16(4, F.VERSION_MAJOR, true);
  view.setUint16(6, versionMinor, true);
  view.setUint32(8, fileBytes, true);
  view.setUint16(16, sections.length, true);
  view.setUint16(18, layerCount, true);
  view.setUint32(20, F.HEADER_BYTES, true);
  sections.forEach((s, i) => {
    const at = F.HEADER_BYTES + i * F.SECTION_ENTRY_BYTES;
    view.setUint32(at, s.tag, true);
    view.setUint32(at + 4, placed[i], true);
    view.setUint32(at + 8, s.data.length, true);
    view.setUint16(at + 12, s.index, true);
    out.set(s.data, placed[i]);
  });
  view.setUint32(12, crc32(out, F.CRC_START, fileBytes), true);
  return out;
}

/** Re-seals a (possibly edited) model buffer with a fresh CRC; used by tests and fuzzers. */
export function resealCrc(bytes: Uint8Array): Uint8Array {
  if (bytes.length < F.CRC_START) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(view.getUint32(8, true), bytes.length);
  if (end > F.CRC_START) view.setUint32(12, crc32(bytes, F.CRC_START, end), true);
  return bytes;
}
