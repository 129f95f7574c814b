/**
 * Test vectors stored in a generated project as the `vectors.bin` data resource.
 * Layout (little-endian, read on the device by the app's app/vectors.ts):
 *   0  u32 magic 'TCVX'     4  u32 version (1)     8  u32 count     12 u32 record bytes
 *   16 u32 kind (1 = raw image pixels, 2 = input codes)              20..31 reserved (0)
 *   32 count label bytes (255 = unlabeled), padded to a multiple of 4, then count records.
 */
import { UserError } from '../errors.ts';
import { loadMnist } from '../data/mnist.ts';
import type { ModelInput } from '../../runtime/model.ts';

export const VECTORS_MAGIC = 0x58564354; // 'TCVX'
export const VECTORS_HEADER_BYTES = 32;
export const KIND_PIXELS = 1;
export const KIND_CODES = 2;
export const UNLABELED = 255;

export interface VectorSet {
  kind: typeof KIND_PIXELS | typeof KIND_CODES;
  recordBytes: number;
  labels: Uint8Array;
  records: Uint8Array;
}

export function encodeVectors(set: VectorSet): Uint8Array {
  const count = set.labels.length;
  if (set.records.length !== count * set.recordBytes) throw new Error(`vector records hold ${set.records.length} bytes, expected ${count} x ${set.recordBytes}`);
  const labelBytes = (count + 3) & ~3;
  const out = new Uint8Array(VECTORS_HEADER_BYTES + labelBytes + set.records.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, VECTORS_MAGIC, true);
  view.setUint32(4, 1, true);
  view.setUint32(8, count, true);
  view.setUint32(12, set.recordBytes, true);
  view.setUint32(16, set.kind, true);
  out.set(set.labels, VECTORS_HEADER_BYTES);
  out.set(set.records, VECTORS_HEADER_BYTES + labelBytes);
  return out;
}

export function decodeVectors(bytes: Uint8Array, name: string): VectorSet {
  const fail = (why: string): never => {
    throw new UserError(`${name}: not a tempo-cim vector file (${why})`);
  };
  if (bytes.length < VECTORS_HEADER_BYTES) fail('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== VECTORS_MAGIC) fail('bad magic');
  if (view.getUint32(4, true) !== 1) fail(`version ${view.getUint32(4, true)}`);
  const count = view.getUint32(8, true);
  const recordBytes = view.getUint32(12, true);
  const kind = view.getUint32(16, true);
  if (kind !== KIND_PIXELS && kind !== KIND_CODES) fail(`kind ${kind}`);
  const labelBytes = (count + 3) & ~3;
  const expected = VECTORS_HEADER_BYTES + labelBytes + count * recordBytes;
  if (bytes.length !== expected) fail(`${bytes.length} bytes, header says ${expected}`);
  return {
    kind: kind as VectorSet['kind'],
    recordBytes,
    labels: bytes.subarray(VECTORS_HEADER_BYTES, VECTORS_HEADER_BYTES + count),
    records: bytes.subarray(VECTORS_HEADER_BYTES + labelBytes),
  };
}

/** Bytes of one stored record the model consumes: raw pixels for image models, codes for audio models. */
export function recordBytesFor(input: ModelInput): number {
  return input.kind === 'image' ? input.srcWidth * input.srcHeight : input.frames * input.channels;
}

/** The model's test vectors cannot come from MNIST: the caller must supply a vector file. */
export class VectorFileNeeded extends UserError {
  override name = 'VectorFileNeeded';
}

/** The first `count` MNIST test images, for image models whose raw input is MNIST-sized. */
export function mnistVectors(input: ModelInput, count: number): VectorSet {
  if (input.kind !== 'image') throw new VectorFileNeeded('this model takes audio: its test vectors must come from a tempo-cim vector file of input codes');
  const test = loadMnist().test;
  if (input.srcWidth !== test.cols || input.srcHeight !== test.rows) {
    throw new VectorFileNeeded(`model expects ${input.srcWidth}x${input.srcHeight} images but MNIST is ${test.cols}x${test.rows}, so its test vectors must come from a tempo-cim vector file`);
  }
  const n = Math.min(count, test.count);
  const px = test.rows * test.cols;
  return { kind: KIND_PIXELS, recordBytes: px, labels: test.labels.slice(0, n), records: test.images.slice(0, n * px) };
}

/** Checks that a vector set fits the model it will be fed to, and trims it to `count`. */
export function fitVectors(set: VectorSet, input: ModelInput, count: number, name: string): VectorSet {
  const wantKind = input.kind === 'image' ? KIND_PIXELS : KIND_CODES;
  if (set.kind !== wantKind) throw new UserError(`${name} holds ${set.kind === KIND_PIXELS ? 'image pixels' : 'input codes'}, but this model takes ${input.kind === 'image' ? 'image pixels' : 'input codes'}`);
  if (set.recordBytes !== recordBytesFor(input)) throw new UserError(`${name} records are ${set.recordBytes} bytes, the model's input is ${recordBytesFor(input)}`);
  const n = Math.min(count, set.labels.length);
  return { ...set, labels: set.labels.subarray(0, n), records: set.records.subarray(0, n * set.recordBytes) };
}
