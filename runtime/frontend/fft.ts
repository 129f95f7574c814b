/**
 * Fixed-point FFT of a real frame: an n/2-point complex FFT of the even/odd samples packed as
 * re/im (radix-2 decimation in time, two stages fused per pass), then the split step that yields
 * the power of bins 0..n/2.
 *
 * Block floating point: at the start of each pass every component is <= 2^14 (magnitude
 * < 2^14.5). A pass of two stages at most quadruples magnitudes; every twiddle product sum is
 * bounded by |b| 2^15 < 2^31 (|b| < 2^16 after the first stage), and outputs stay below
 * 4 * 2^14.5 < 2^17. The next pass first shifts its inputs right by 0..3 bits (rounding),
 * decided from an OR of |v| - 1 over the previous outputs (a cheap upper bound), to restore
 * the invariant. Products are exact integers below 2^31, so `a * b` equals Math.imul.
 */

/** Bits to shift so that components with |v| - 1 <= bound (< 2^17) become <= 2^14. */
function headroomShift(bound: number): number {
  return bound >= 65536 ? 3 : bound >= 32768 ? 2 : bound >= 16384 ? 1 : 0;
}

/**
 * In-place complex FFT of size n over bit-reversed input (components <= 2^14, bound as for
 * headroomShift). `cos`/`sin` hold cos/sin(2 pi k / (2 * cos.length)); n may be any power of two
 * <= 2 * cos.length. Returns the number of right shifts applied; on return every component is
 * <= 2^14.
 */
export function fixedFft(re: Int32Array, im: Int32Array, n: number, cos: Int32Array, sin: Int32Array, bound: number): number {
  const tableSize = cos.length << 1;
  let totalShift = 0;
  let size = 1; // length of the sub-transforms done so far
  let stages = 0;
  while (1 << stages < n) stages++;
  if (stages & 1) {
    // An odd stage count starts with one radix-2 stage of size 2 (twiddle 1).
    const shift = headroomShift(bound);
    const round = shift === 0 ? 0 : 1 << (shift - 1);
    totalShift += shift;
    bound = 0;
    for (let top = 0; top < n; top += 2) {
      const ar = (re[top] + round) >> shift;
      const ai = (im[top] + round) >> shift;
      const br = (re[top + 1] + round) >> shift;
      const bi = (im[top + 1] + round) >> shift;
      const r0 = ar + br;
      const i0 = ai + bi;
      const r1 = ar - br;
      const i1 = ai - bi;
      re[top] = r0;
      im[top] = i0;
      re[top + 1] = r1;
      im[top + 1] = i1;
      bound |= (r0 ^ (r0 >> 31)) | (i0 ^ (i0 >> 31)) | (r1 ^ (r1 >> 31)) | (i1 ^ (i1 >> 31));
    }
    size = 2;
  }
  for (; size < n; size <<= 2) {
    // Stage A has butterflies of span `size` (twiddle W_2size^k), stage B of span 2 size
    // (twiddle W_4size^k, and W_4size^k * -i for the second half).
    const shift = headroomShift(bound);
    const round = shift === 0 ? 0 : 1 << (shift - 1);
    totalShift += shift;
    bound = 0;
    const block = size << 2;
    const stepA = tableSize / (size << 1);
    const stepB = tableSize / block;
    for (let k = 0; k < size; k++) {
      const ar = cos[k * stepA];
      const as = sin[k * stepA];
      const br = cos[k * stepB];
      const bs = sin[k * stepB];
      for (let i0 = k; i0 < n; i0 += block) {
        const i1 = i0 + size;
        const i2 = i1 + size;
        const i3 = i2 + size;
        const x0r = (re[i0] + round) >> shift;
        const x0i = (im[i0] + round) >> shift;
        const x1r = (re[i1] + round) >> shift;
        const x1i = (im[i1] + round) >> shift;
        const x2r = (re[i2] + round) >> shift;
        const x2i = (im[i2] + round) >> shift;
        const x3r = (re[i3] + round) >> shift;
        const x3i = (im[i3] + round) >> shift;
        // Stage A: (x0, x1) and (x2, x3) with t = b * exp(-i 2 pi k / 2size), rounded.
        const t1r = (x1r * ar + x1i * as + 16384) >> 15;
        const t1i = (x1i * ar - x1r * as + 16384) >> 15;
        const t3r = (x3r * ar + x3i * as + 16384) >> 15;
        const t3i = (x3i * ar - x3r * as + 16384) >> 15;
        const a0r = x0r + t1r;
        const a0i = x0i + t1i;
        const a1r = x0r - t1r;
        const a1i = x0i - t1i;
        const a2r = x2r + t3r;
        const a2i = x2i + t3i;
        const a3r = x2r - t3r;
        const a3i = x2i - t3i;
        // Stage B: (a0, a2) with u = a2 * exp(-i 2 pi k / 4size); (a1, a3) with v = a3 * that * -i.
        const ur = (a2r * br + a2i * bs + 16384) >> 15;
        const ui = (a2i * br - a2r * bs + 16384) >> 15;
        const vr = (a3i * br - a3r * bs + 16384) >> 15;
        const vi = -((a3r * br + a3i * bs + 16384) >> 15);
        const r0 = a0r + ur;
        const j0 = a0i + ui;
        const r2 = a0r - ur;
        const j2 = a0i - ui;
        const r1 = a1r + vr;
        const j1 = a1i + vi;
        const r3 = a1r - vr;
        const j3 = a1i - vi;
        re[i0] = r0;
        im[i0] = j0;
        re[i1] = r1;
        im[i1] = j1;
        re[i2] = r2;
        im[i2] = j2;
        re[i3] = r3;
        im[i3] = j3;
        bound |= (r0 ^ (r0 >> 31)) | (j0 ^ (j0 >> 31)) | (r1 ^ (r1 >> 31)) | (j1 ^ (j1 >> 31))
          | (r2 ^ (r2 >> 31)) | (j2 ^ (j2 >> 31)) | (r3 ^ (r3 >> 31)) | (j3 ^ (j3 >> 31));
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
