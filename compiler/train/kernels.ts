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

/**
 * The nonzero entries of the G groups of d (G x n) for the sparse kernels: group g's entries are
 * index[bounds[4g] .. bounds[4g + 4]) (offsets j inside the group) with their values in `value`,
 * ordered by dot()'s partial sum (class c = j & 3 for j < n & ~3, class 0 for the tail), ascending j
 * within a class; class c of group g is [bounds[4g + c], bounds[4g + c + 1]). Returns the count.
 */
export function nonzeroByClass(d: Float64Array, G: number, n: number, index: Int32Array, value: Float64Array, bounds: Int32Array): number {
  const n4 = n & ~3;
  let k = 0;
  for (let g = 0; g < G; g++) {
    const go = g * n;
    for (let c = 0; c < 4; c++) {
      bounds[4 * g + c] = k;
      for (let j = c; j < n4; j += 4) {
        const v = d[go + j];
        if (v === 0) continue;
        index[k] = j;
        value[k++] = v;
      }
      if (c === 0) {
        for (let j = n4; j < n; j++) {
          const v = d[go + j];
          if (v === 0) continue;
          index[k] = j;
          value[k++] = v;
        }
      }
    }
  }
  bounds[4 * G] = k;
  return k;
}

/** next[i] = the first index >= i whose input is nonzero (a spike), x.length if none: the window loops visit spikes only. */
export function nextSpikes(x: Float32Array, next: Int32Array): Int32Array {
  let at = x.length;
  next[at] = at;
  for (let i = at - 1; i >= 0; i--) {
    if (x[i] !== 0) at = i;
    next[i] = at;
  }
  return next;
}
