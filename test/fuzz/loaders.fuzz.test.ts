// Property test: mutated WAV, PNG, PGM and IDX files are either decoded or rejected with an
// UserError whose message names the file; no other exception escapes the loaders.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../compiler/audio/wav.ts';
import { decodePgm, decodePng } from '../../compiler/data/image.ts';
import { parseIdx } from '../../compiler/data/mnist.ts';
import { concatBytes, PNG_SIGNATURE, pngChunk } from '../helpers/png.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { UserError } from '../../compiler/errors.ts';

/** A valid 8-bit grayscale PNG (filter 0 on every row). */
function pngOf(width: number, height: number, rng: Rng): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = rng.int(0, 255);
  return concatBytes([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', new Uint8Array(0))]);
}

function pgmOf(width: number, height: number, rng: Rng): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height);
  out.set(header);
  for (let i = header.length; i < out.length; i++) out[i] = rng.int(0, 255);
  return out;
}

function idxOf(count: number, rng: Rng): Uint8Array {
  const out = new Uint8Array(16 + count * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0803);
  view.setUint32(4, count);
  view.setUint32(8, 2);
  view.setUint32(12, 2);
  for (let i = 16; i < out.length; i++) out[i] = rng.int(0, 255);
  return out;
}

function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice();
  switch (rng.int(0, 3)) {
    case 0:
      for (let k = rng.int(1, 6); k > 0; k--) out[rng.int(0, out.length - 1)] ^= 1 << rng.int(0, 7);
      return out;
    case 1:
      return out.slice(0, rng.int(0, out.length - 1));
    case 2: {
      // Absurd 32-bit field somewhere in the first 48 bytes (sizes, counts, dimensions).
      const at = rng.int(0, Math.max(0, Math.min(44, out.length - 4)));
      new DataView(out.buffer).setUint32(at, rng.pick([0, 1, 0x7fffffff, 0xffffffff, 0x10000000]), rng.next() < 0.5);
      return out;
    }
    default:
      return Uint8Array.from([...out, ...Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255))]);
  }
}

function expectDecodedOrNamedError(decode: () => unknown, name: string): 'ok' | 'rejected' {
  try {
    decode();
    return 'ok';
  } catch (error) {
    const e = error as Error;
    expect(e, `${e.name}: ${e.message}`).toBeInstanceOf(UserError);
    expect(e.message).toContain(name);
    return 'rejected';
  }
}

describe('loaders reject malformed files with a message naming the file', () => {
  const rng = new Rng(42);
  const cases: [string, Uint8Array, (bytes: Uint8Array, name: string) => unknown][] = [
    ['clip.wav', encodeWav(Int16Array.from({ length: 800 }, () => rng.int(-3000, 3000)), { sampleRate: 16000 }), (b, n) => decodeWav(b, n)],
    ['stereo.wav', encodeWav(Float32Array.from({ length: 600 }, () => rng.next() - 0.5), { sampleRate: 22050, channels: 2, encoding: 'float32', extensible: true }), (b, n) => decodeWav(b, n)],
    ['digit.png', pngOf(9, 7, rng), (b, n) => decodePng(b, n)],
    ['digit.pgm', pgmOf(9, 7, rng), (b, n) => decodePgm(b, n)],
    ['train-images-idx3-ubyte', idxOf(5, rng), (b, n) => parseIdx(b, n, 3)],
  ];
  for (const [name, valid, decode] of cases) {
    it(`${name}: 400 mutants`, () => {
      expect(expectDecodedOrNamedError(() => decode(valid, name), name)).toBe('ok');
      const outcomes = { ok: 0, rejected: 0 };
      for (let i = 0; i < 400; i++) outcomes[expectDecodedOrNamedError(() => decode(mutate(valid, rng), name), name)]++;
      expect(outcomes.rejected).toBeGreaterThan(40);
    });
  }
});
