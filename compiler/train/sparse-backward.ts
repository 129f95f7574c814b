/**
 * The backward of one output position when most of its dq is zero (a pooled conv layer: each
 * channel's gradient goes to one position in q x q): loops over dq's nonzero entries outside and
 * the window's rows inside, instead of a short sparse loop per row. Every accumulator receives the
 * same terms in the same order as in axpy32 / dot (one term per position for a weight gradient; for
 * an input gradient, dot()'s four partial sums over ascending j), minus terms that are exact zeros.
 */
import { nonzeroByClass } from './kernels.ts';

/** Per layer scratch: dq's nonzero entries, the rows with a spiking input, and the rows whose input's gate is open. */
export interface SparseScratch {
  /** nonzeroByClass output. */
  index: Int32Array;
  value: Float64Array;
  bounds: Int32Array;
  /** Rows with a nonzero input: weight offset and the input's activity; group g's rows are [startA[g], startA[g + 1]). */
  rowA: Int32Array;
  actA: Float64Array;
  startA: Int32Array;
  /** Rows whose input's straight-through gate is open: weight offset, input index, slope; per group in startG. */
  rowG: Int32Array;
  inG: Int32Array;
  slopeG: Float64Array;
  startG: Int32Array;
  /** dot()'s four partial sums per gated row. */
  s: Float64Array[];
}

export function newSparseScratch(rows: number, groups: number, out: number): SparseScratch {
  return {
    index: new Int32Array(groups * out),
    value: new Float64Array(groups * out),
    bounds: new Int32Array(groups * 4 + 1),
    rowA: new Int32Array(rows),
    actA: new Float64Array(rows),
    startA: new Int32Array(groups + 1),
    rowG: new Int32Array(rows),
    inG: new Int32Array(rows),
    slopeG: new Float64Array(rows),
    startG: new Int32Array(groups + 1),
    s: [0, 1, 2, 3].map(() => new Float64Array(rows)),
  };
}

/** Collects dq's (G x out) nonzero entries; returns whether they are few enough (at most half) for the sparse path. */
export function sparseEnough(sc: SparseScratch, dq: Float64Array, G: number, out: number): boolean {
  return nonzeroByClass(dq, G, out, sc.index, sc.value, sc.bounds) * 2 <= G * out;
}

/** grad[rowA[m] + j] += actA[m] * dq[j] over dq's nonzero entries j and the rows m of their group. */
export function sparseWeightGradient(grad: Float32Array, sc: SparseScratch, G: number): void {
  const { index, value, bounds, rowA, actA, startA } = sc;
  for (let g = 0; g < G; g++) {
    const m0 = startA[g];
    const m1 = startA[g + 1];
    if (m0 === m1) continue;
    for (let k = bounds[4 * g], e = bounds[4 * g + 4]; k < e; k++) {
      const j = index[k];
      const v = value[k];
      for (let m = m0; m < m1; m++) grad[rowA[m] + j] += actA[m] * v;
    }
  }
}

/** dx[inG[m]] += dot(w row rowG[m], dq) * slopeG[m] for the gated rows m, dot() as four partial sums. */
export function sparseInputGradient(w: Float32Array, dx: Float32Array, sc: SparseScratch, G: number): void {
  const { index, value, bounds, rowG, inG, slopeG, startG, s } = sc;
  const [s0, s1, s2, s3] = s;
  for (let g = 0; g < G; g++) {
    const m0 = startG[g];
    const m1 = startG[g + 1];
    if (m0 === m1) continue;
    s0.fill(0, m0, m1);
    s1.fill(0, m0, m1);
    s2.fill(0, m0, m1);
    s3.fill(0, m0, m1);
    for (let c = 0; c < 4; c++) {
      const acc = s[c];
      for (let k = bounds[4 * g + c], e = bounds[4 * g + c + 1]; k < e; k++) {
        const j = index[k];
        const v = value[k];
        for (let m = m0; m < m1; m++) acc[m] += w[rowG[m] + j] * v;
      }
    }
    for (let m = m0; m < m1; m++) dx[inG[m]] += (s0[m] + s1[m] + (s2[m] + s3[m])) * slopeG[m];
  }
}
