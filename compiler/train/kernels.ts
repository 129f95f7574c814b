/**
 * The training graph's inner loops over one weight row (or one neuron's groups), unrolled by 4.
 * Each typed-array pairing has its own function: one array type per call site keeps V8 monomorphic.
 */

/** y[yo..yo+n) += a * x[xo..xo+n): forward accumulation of partials. */
export function axpy64(y: Float64Array, yo: number, a: number, x: Float32Array, xo: number, n: number): void {
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    y[yo + j] += a * x[xo + j];
    y[yo + j + 1] += a * x[xo + j + 1];
    y[yo + j + 2] += a * x[xo + j + 2];
    y[yo + j + 3] += a * x[xo + j + 3];
  }
  for (; j < n; j++) y[yo + j] += a * x[xo + j];
}

/** y[yo..yo+n) += a * x[xo..xo+n): weight gradient (axpy64's loop with the array types swapped, deliberately). */
export function axpy32(y: Float32Array, yo: number, a: number, x: Float64Array, xo: number, n: number): void {
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    y[yo + j] += a * x[xo + j];
    y[yo + j + 1] += a * x[xo + j + 1];
    y[yo + j + 2] += a * x[xo + j + 2];
    y[yo + j + 3] += a * x[xo + j + 3];
  }
  for (; j < n; j++) y[yo + j] += a * x[xo + j];
}

/** sum_j w[wo + j] * d[d0 + j] in four interleaved partial sums: input gradient. */
export function dot(w: Float32Array, wo: number, d: Float64Array, d0: number, n: number): number {
  const n4 = n & ~3;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j < n4; j += 4) {
    s0 += w[wo + j] * d[d0 + j];
    s1 += w[wo + j + 1] * d[d0 + j + 1];
    s2 += w[wo + j + 2] * d[d0 + j + 2];
    s3 += w[wo + j + 3] * d[d0 + j + 3];
  }
  for (; j < n; j++) s0 += w[wo + j] * d[d0 + j];
  return s0 + s1 + (s2 + s3);
}
