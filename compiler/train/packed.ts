/**
 * Two integer partials per float64: the conv forward's partials are exact integer sums far below
 * 2^53, so neurons 2k and 2k + 1 can share one double, w[2k] + w[2k + 1] * 2^26, and one
 * multiply-add serves both. While every partial stays below 2^25 in magnitude (packable) the
 * packed sums are exact and split back into the same integers (the same bits) as two separate
 * sums: the high one is the packed value / 2^26 rounded, the low one what is left.
 */
import type { WindowRuns } from './net.ts';

const LANE = 2 ** 26;

/** Whether partials of `rows` inputs up to maxCode times weights up to wmax fit a lane (|partial| < 2^25). */
export function packable(rows: number, maxCode: number, wmax: number): boolean {
  return rows * maxCode * wmax < 2 ** 25;
}

/** Packed weights: Wp[r * h + k] = W[r * out + 2k] + W[r * out + 2k + 1] * 2^26, h = ceil(out / 2). */
export function packWeights(W: Float32Array, rows: number, out: number, Wp: Float64Array): void {
  const h = (out + 1) >> 1;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < h; k++) {
      const j = r * out + 2 * k;
      Wp[r * h + k] = 2 * k + 1 < out ? W[j] + W[j + 1] * LANE : W[j];
    }
  }
}

/**
 * y[yo..yo+n) += a0 * x[o0..] + a1 * x[o1..] + a2 * x[o2..] + a3 * x[o3..]: four rows in one pass
 * over y; the sums are exact, so the grouping gives the bits of four separate passes.
 */
function axpyPacked4(y: Float64Array, yo: number, a0: number, a1: number, a2: number, a3: number, x: Float64Array, o0: number, o1: number, o2: number, o3: number, n: number): void {
  for (let j = 0; j < n; j++) y[yo + j] += a0 * x[o0 + j] + a1 * x[o1 + j] + a2 * x[o2 + j] + a3 * x[o3 + j];
}

function axpyPacked(y: Float64Array, yo: number, a: number, x: Float64Array, xo: number, n: number): void {
  for (let j = 0; j < n; j++) y[yo + j] += a * x[xo + j];
}

/**
 * Packed partials (G x h) of output position t into Yp: its window's spiking inputs (next: the
 * next-spike index) times the packed weights, four rows per pass. Returns the number of spikes.
 */
export function packedPartials(runs: WindowRuns, t: number, x: Float32Array, next: Int32Array, G: number, R: number, Wp: Float64Array, h: number, Yp: Float64Array, rowCode: Float64Array, rowAt: Int32Array): number {
  Yp.fill(0, 0, G * h);
  let spikes = 0;
  let pending = 0;
  let pendingAt = 0;
  for (let k = runs.first[t], e = runs.first[t + 1]; k < e; k++) {
    const r0 = runs.row[k];
    const i0 = runs.input[k];
    const go = G === 1 ? 0 : Math.floor(r0 / R) * h;
    if (pending > 0 && go !== pendingAt) {
      for (let m = 0; m < pending; m++) axpyPacked(Yp, pendingAt, rowCode[m], Wp, rowAt[m], h);
      pending = 0;
    }
    pendingAt = go;
    for (let i = next[i0], end = i0 + runs.len[k]; i < end; i = next[i + 1]) {
      spikes++;
      rowCode[pending] = x[i];
      rowAt[pending++] = (r0 + i - i0) * h;
      if (pending === 4) {
        axpyPacked4(Yp, go, rowCode[0], rowCode[1], rowCode[2], rowCode[3], Wp, rowAt[0], rowAt[1], rowAt[2], rowAt[3], h);
        pending = 0;
      }
    }
  }
  for (let m = 0; m < pending; m++) axpyPacked(Yp, pendingAt, rowCode[m], Wp, rowAt[m], h);
  return spikes;
}

/** Splits the packed partials Yp (G x h) into P[pb..pb + G * out) (G x out). */
export function unpackPartials(Yp: Float64Array, G: number, h: number, out: number, P: Float64Array, pb: number): void {
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < h; k++) {
      const v = Yp[g * h + k];
      const hi = Math.round(v / LANE) + 0; // + 0: never -0
      const j = pb + g * out + 2 * k;
      P[j] = v - hi * LANE;
      if (2 * k + 1 < out) P[j + 1] = hi;
    }
  }
}
