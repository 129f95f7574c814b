/**
 * Integer log2 by table and linear interpolation: returns log2(x) in Q16 for 1 <= x < 2^31.
 * `table[i]` = round(65536 * log2(1 + i / 256)), i = 0..256 (from the blob). Error < 2^-14.
 */
export function log2Q16(x: number, table: Int32Array): number {
  const exponent = 31 - Math.clz32(x); // floor(log2 x), 0..30
  const mantissa = x << (30 - exponent); // in [2^30, 2^31)
  const index = (mantissa >> 22) & 255;
  const frac = (mantissa >> 14) & 255;
  const lo = table[index];
  return (exponent << 16) + lo + ((table[index + 1] - lo) * frac >> 8);
}
