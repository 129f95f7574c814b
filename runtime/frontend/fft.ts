/**
 * Fixed-point FFT of a real frame: an n/2-point complex radix-2 FFT of the even/odd samples
 * packed as re/im, then the split step that yields the power of bins 0..n/2.
 *
 * Block floating point: at the start of each stage every component is < 2^16 in magnitude and the
 * stage first shifts its inputs right by 0, 1 or 2 bits (rounding) so they are <= 2^14. That keeps
 * every Q15 twiddle product below 2^29 and every butterfly output below 2^14 (1 + sqrt 2) < 39553,
 * inside int32. Stage outputs are tracked by OR-ing |v| - 1 (v ^ (v >> 31)), a cheap upper bound.
 */

/** Bits to shift so that components bounded by `bound` (|v| - 1 <= bound < 2^16) become <= 2^14. */
function headroomShift(bound: number): number {
  return bound >= 32768 ? 2 : bound >= 16384 ? 1 : 0;
}

/**
 * In-place complex FFT of size n over bit-reversed input (components <= 2^14). `cos`/`sin` hold
 * cos/sin(2 pi k / (2 * cos.length)); n may be any power of two <= 2 * cos.length.
 * Returns the number of right shifts applied; on return every component is <= 2^14.
 */
export function fixedFft(re: Int32Array, im: Int32Array, n: number, cos: Int32Array, sin: Int32Array, bound: number): number {
  const tableSize = cos.length << 1;
  let totalShift = 0;
  for (let size = 2; size <= n; size <<= 1) {
    const shift = headroomShift(bound);
    const round = shift === 0 ? 0 : 1 << (shift - 1);
    totalShift += shift;
    bound = 0;
    const half = size >> 1;
    const step = tableSize / size;
    // k = 0: the twiddle is 1, no products (a quarter of all butterflies).
    for (let top = 0; top < n; top += size) {
      const bottom = top + half;
      const ar = (re[top] + round) >> shift;
      const ai = (im[top] + round) >> shift;
      const br = (re[bottom] + round) >> shift;
      const bi = (im[bottom] + round) >> shift;
      const r0 = ar + br;
      const i0 = ai + bi;
      const r1 = ar - br;
      const i1 = ai - bi;
      re[top] = r0;
      im[top] = i0;
      re[bottom] = r1;
      im[bottom] = i1;
      bound |= (r0 ^ (r0 >> 31)) | (i0 ^ (i0 >> 31)) | (r1 ^ (r1 >> 31)) | (i1 ^ (i1 >> 31));
    }
    for (let k = 1; k < half; k++) {
      const wr = cos[k * step];
      const ws = sin[k * step];
      for (let top = k; top < n; top += size) {
        const bottom = top + half;
        const ar = (re[top] + round) >> shift;
        const ai = (im[top] + round) >> shift;
        const br = (re[bottom] + round) >> shift;
        const bi = (im[bottom] + round) >> shift;
        // t = b * exp(-i 2 pi k / size), rounded to nearest (truncation bias would add up coherently)
        const tr = (br * wr + bi * ws + 16384) >> 15;
        const ti = (bi * wr - br * ws + 16384) >> 15;
        const r0 = ar + tr;
        const i0 = ai + ti;
        const r1 = ar - tr;
        const i1 = ai - ti;
        re[top] = r0;
        im[top] = i0;
        re[bottom] = r1;
        im[bottom] = i1;
        bound |= (r0 ^ (r0 >> 31)) | (i0 ^ (i0 >> 31)) | (r1 ^ (r1 >> 31)) | (i1 ^ (i1 >> 31));
      }
    }
  }
  const last = headroomShift(bound);
  if (last > 0) {
    const round = 1 << (last - 1);
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] + round) >> last;
      im[i] = (im[i] + round) >> last;
    }
  }
  return totalShift + last;
}

/**
 * Power spectrum of a real frame of n = 2m samples from Z = FFT_m(x[2j] + i x[2j+1]) (components
 * <= 2^14, as `fixedFft` leaves them): power[k] = |X[k] / 2|^2 for k = 0..m, each < 2^30.
 *   X[k] = E + W^k O,  E = (Z[k] + conj Z[m-k]) / 2,  O = (Z[k] - conj Z[m-k]) / 2i,  W = e^(-2 pi i / n)
 * E and O are computed halved (>> 2), which is where the extra factor 1/2 comes from.
 */
export function realPowerSpectrum(re: Int32Array, im: Int32Array, m: number, cos: Int32Array, sin: Int32Array, power: Int32Array): void {
  const mask = m - 1;
  const step = (cos.length << 1) / (m << 1);
  for (let k = 0; k <= m; k++) {
    const j = k & mask;
    const l = (m - k) & mask;
    const a = re[j];
    const b = im[j];
    const c = re[l];
    const d = im[l];
    const er = (a + c + 2) >> 2;
    const ei = (b - d + 2) >> 2;
    const or = (b + d + 2) >> 2;
    const oi = (c - a + 2) >> 2;
    let xr: number;
    let xi: number;
    if (k < m) {
      const wr = cos[k * step];
      const ws = sin[k * step];
      xr = er + ((or * wr + oi * ws + 16384) >> 15);
      xi = ei + ((oi * wr - or * ws + 16384) >> 15);
    } else {
      xr = er - or; // W^m = -1
      xi = ei - oi;
    }
    power[k] = xr * xr + xi * xi;
  }
}

/** Bit-reversal permutation of 0..n-1 (n a power of two). */
export function bitReversal(n: number): Int16Array {
  const table = new Int16Array(n);
  let bits = 0;
  while (1 << bits < n) bits++;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    table[i] = r;
  }
  return table;
}
