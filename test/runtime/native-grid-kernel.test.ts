/**
 * The native conv2d kernel (xs_tcim_grid, runtime/native/crossbar.c) called directly in the XS
 * test host: a hand-checked result, and a RangeError, never a stray read or write, for every
 * inconsistent geometry or short buffer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeHostPath } from '../../compiler/xs/native-host.ts';
import { XsWorker } from '../../compiler/xs/worker.ts';

// 4x4x1 image of ones, 3x3 kernel, stride 1, padding 1 -> 4x4 map, max pool 2 -> 2x2, two channels
// (ideal mode, no leak, thresholds 1 and 2, all weights 1): a position's charge is the number of its
// patch rows inside the image (4 at a corner, 6 on an edge, 9 inside); every pooling window holds
// one inside position, so the pooled codes are 9 and floor(9 / 2) = 4.
const HARNESS = `
globalThis.handleCommand = function (message) {
  const c = JSON.parse(String.fromCharCode(...new Uint8Array(message)));
  const w32 = (v) => new Uint8Array(Int32Array.from(v).buffer);
  const out = new Uint8Array(c.out ?? 8);
  let text;
  try {
    TempoCIMNative.grid(w32([9, 2, 9, 1, 0, 15, 15, 0, 0]), new Int8Array(18).fill(1), w32([1, 2]), w32([0, 0]), new Int8Array(0),
      w32(c.geometry), new Uint8Array(c.input ?? 16).fill(c.code ?? 1), out, new Uint8Array(c.patch ?? 9), new Uint8Array(c.map ?? 32),
      new Uint8Array(4 * 30), new Uint8Array(16), new Uint8Array(28));
    text = 'ok ' + Array.from(out).join(',');
  } catch (e) {
    text = e.name + ': ' + e.message;
  }
  return new Uint8Array(Array.from(text, (ch) => ch.charCodeAt(0))).buffer;
};`;

const GOOD = [4, 4, 1, 3, 1, 1, 4, 4, 2];

describe('native conv2d kernel (grid) in XS', () => {
  let xs: XsWorker;
  beforeAll(async () => {
    xs = await XsWorker.start({ stdout: 'ignore', binary: nativeHostPath('release') });
    await xs.evaluate(HARNESS);
  });
  afterAll(async () => {
    await xs?.close();
  });

  const call = async (c: Record<string, unknown>) => Buffer.from((await xs.command(Buffer.from(JSON.stringify(c)))).reply).toString('latin1');
  const with_ = (word: number, value: number) => GOOD.map((v, i) => (i === word ? value : v));

  it('computes the hand-checked pooled codes', async () => {
    expect(await call({ geometry: GOOD })).toBe('ok 9,4,9,4,9,4,9,4');
    // Without pooling the map is the output: corners 4, edges 6, inside 9 (channel 0).
    const unpooled = await call({ geometry: with_(8, 1), out: 32 });
    expect(unpooled.slice(3).split(',').filter((_, i) => i % 2 === 0).join(',')).toBe('4,6,6,4,6,9,9,6,6,9,9,6,4,6,6,4');
  });

  it.each([
    ['a kernel that does not match the rows', { geometry: with_(3, 2) }, /inconsistent conv2d geometry/],
    ['a map height that does not follow', { geometry: with_(6, 5) }, /inconsistent conv2d geometry/],
    ['a map width that does not follow', { geometry: with_(7, 3) }, /inconsistent conv2d geometry/],
    ['padding as large as the kernel', { geometry: with_(5, 3) }, /inconsistent conv2d geometry/],
    ['zero stride', { geometry: with_(4, 0) }, /inconsistent conv2d geometry/],
    ['a pool larger than the map', { geometry: with_(8, 5) }, /inconsistent conv2d geometry/],
    ['zero pool', { geometry: with_(8, 0) }, /inconsistent conv2d geometry/],
    ['too few geometry words', { geometry: [4, 4, 1] }, /conv2d geometry: 9 words needed/],
    ['a short input', { geometry: GOOD, input: 15 }, /input: 15 codes/],
    ['a short output', { geometry: GOOD, out: 7 }, /output: 7 codes/],
    ['a short patch', { geometry: GOOD, patch: 8 }, /patch: 8 bytes/],
    ['a short pre-pool map', { geometry: GOOD, map: 31 }, /map: 31 codes/],
    ['an input code above the maximum', { geometry: GOOD, code: 16 }, /input code 16 above the layer maximum 15/],
  ])('refuses %s with a RangeError', async (_name, c, message) => {
    const text = await call(c);
    expect(text).toMatch(/^RangeError: /);
    expect(text).toMatch(message);
  });
});
