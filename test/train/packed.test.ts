/** Two partials per double (packed.ts): the packed sums split back into the exact integer partials, up to the lane bound. */
import { describe, expect, it } from 'vitest';
import { nextSpikes } from '../../compiler/train/kernels.ts';
import { conv2dShape, windowIndex, windowRuns } from '../../compiler/train/net.ts';
import { packWeights, packable, packedPartials, unpackPartials } from '../../compiler/train/packed.ts';
import { Rng } from '../../compiler/util/prng.ts';

/** Integer partials of every position and group, summed directly from the window index. */
function directPartials(L: ReturnType<typeof conv2dShape>, x: Float32Array, W: Float32Array, groupRows: number): Float64Array[] {
  const index = windowIndex(L)!;
  const G = Math.ceil(L.rows / groupRows);
  const out = L.outChannels;
  const P: Float64Array[] = [];
  for (let t = 0; t < index.length / L.rows; t++) {
    const p = new Float64Array(G * out);
    for (let r = 0; r < L.rows; r++) {
      const i = index[t * L.rows + r];
      if (i < 0) continue;
      for (let j = 0; j < out; j++) p[Math.floor(r / groupRows) * out + j] += x[i] * W[r * out + j];
    }
    P.push(p);
  }
  return P;
}

function packedAll(L: ReturnType<typeof conv2dShape>, x: Float32Array, W: Float32Array, groupRows: number): Float64Array[] {
  const G = Math.ceil(L.rows / groupRows);
  const out = L.outChannels;
  const h = (out + 1) >> 1;
  const Wp = new Float64Array(L.rows * h);
  packWeights(W, L.rows, out, Wp);
  const runs = windowRuns(L, groupRows);
  const next = nextSpikes(x, new Int32Array(x.length + 1));
  const Yp = new Float64Array(G * h);
  const P: Float64Array[] = [];
  for (let t = 0; t < runs.first.length - 1; t++) {
    const p = new Float64Array(G * out);
    packedPartials(runs, t, x, next, G, groupRows, Wp, h, Yp, new Float64Array(4), new Int32Array(4));
    unpackPartials(Yp, G, h, out, p, 0);
    P.push(p);
  }
  return P;
}

describe('packed partials', () => {
  it('random codes and weights, odd channel count, groups cutting runs: the same integers as direct sums', () => {
    const rng = new Rng(11, 0);
    const L = conv2dShape(9, 8, 3, 3, 1, 1, 2, 7);
    for (let trial = 0; trial < 8; trial++) {
      const x = Float32Array.from({ length: 9 * 8 * 3 }, () => (rng.next() < 0.4 ? Math.floor(rng.next() * 16) : 0));
      const W = Float32Array.from({ length: L.rows * 7 }, () => Math.round((rng.next() * 2 - 1) * 127));
      const groupRows = trial % 2 ? 10 : L.rows;
      expect(packedAll(L, x, W, groupRows)).toEqual(directPartials(L, x, W, groupRows));
    }
  });

  it('partials at the lane bound, of both signs in both lanes, split back exactly (and zeros are +0)', () => {
    // The largest fan-in packable() accepts for 4-bit codes and int8 weights, all inputs at 15.
    const C = Math.floor((2 ** 25 - 1) / (15 * 127) / 9);
    expect(packable(9 * C, 15, 127)).toBe(true);
    expect(packable(9 * C + 2 ** 10, 15, 127)).toBe(false);
    const L = conv2dShape(3, 3, C, 3, 1, 0, 1, 4);
    const x = new Float32Array(9 * C).fill(15);
    // Lanes 0, 1: -max, +max; lanes 2, 3: +-127 alternating by row (the odd row out 0), summing to zero.
    const W = new Float32Array(L.rows * 4);
    for (let r = 0; r < L.rows; r++) {
      const s = r === L.rows - 1 && L.rows % 2 ? 0 : r % 2 ? 127 : -127;
      W.set([-127, 127, s, -s], r * 4);
    }
    const [p] = packedAll(L, x, W, L.rows);
    const bound = 9 * C * 15 * 127;
    expect(Array.from(p.subarray(0, 2))).toEqual([-bound, bound]);
    expect(Object.is(p[2], 0) && Object.is(p[3], 0)).toBe(true);
  });
});
