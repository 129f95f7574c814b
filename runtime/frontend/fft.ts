/**
 * In-place fixed-point radix-2 decimation-in-time FFT with block floating point.
 *
 * Invariant: at the start of each stage every component is < 2^16 in magnitude; the stage first
 * shifts its inputs right by 0, 1 or 2 bits (rounding) so they are <= 2^14, which keeps every Q15 twiddle
 * product (< 2^29) and every butterfly output (< 2^14 (1 + sqrt 2) < 39553) inside int32.
 * The caller loads the input in bit-reversed order with components < 2^16.
 * Returns the total number of right shifts applied, including a final one that leaves every
 * component < 2^14 so that re^2 + im^2 < 2^29.
 */

/** Bits to shift so that a component bound `maxAbs` (< 2^16) drops below 2^14. */
function headroomShift(maxAbs: number): number {
  return maxAbs >= 32768 ? 2 : maxAbs >= 16384 ? 1 : 0;
}

export function fixedFft(re: Int32Array, im: Int32Array, n: number, cos: Int32Array, sin: Int32Array, maxAbsIn: number): number {
  let totalShift = 0;
  let maxAbs = maxAbsIn;
  for (let size = 2; size <= n; size <<= 1) {
    const shift = headroomShift(maxAbs);
    const round = shift === 0 ? 0 : 1 << (shift - 1);
    totalShift += shift;
    maxAbs = 0;
    const half = size >> 1;
    const step = n / size;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * step];
      const ws = sin[k * step];
      for (let top = k; top < n; top += size) {
        const bottom = top + half;
        const ar = (re[top] + round) >> shift;
        const ai = (im[top] + round) >> shift;
        const br = (re[bottom] + round) >> shift;
        const bi = (im[bottom] + round) >> shift;
        // t = b * exp(-i 2 pi k / size), rounded to nearest (truncation bias would add up coherently)
        const tr = (Math.imul(br, wr) + Math.imul(bi, ws) + 16384) >> 15;
        const ti = (Math.imul(bi, wr) - Math.imul(br, ws) + 16384) >> 15;
        const r0 = ar + tr;
        const i0 = ai + ti;
        const r1 = ar - tr;
        const i1 = ai - ti;
        re[top] = r0;
        im[top] = i0;
        re[bottom] = r1;
        im[bottom] = i1;
        const m = (r0 < 0 ? -r0 : r0) | (i0 < 0 ? -i0 : i0) | (r1 < 0 ? -r1 : r1) | (i1 < 0 ? -i1 : i1);
        if (m > maxAbs) maxAbs = m;
      }
    }
  }
  const last = headroomShift(maxAbs);
  if (last > 0) {
    const round = 1 << (last - 1);
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] + round) >> last;
      im[i] = (im[i] + round) >> last;
    }
  }
  return totalShift + last;
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
