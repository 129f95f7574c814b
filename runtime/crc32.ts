/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as used by zip and PNG. */

/**
 * Builds the 256-entry table; called per checksum so no mutable table lives at module level (frozen
 * on device). Int32 entries: XS keeps int32 values as integers, while uint32 values above 2^31
 * become doubles and slow every step.
 */
function makeTable(): Int32Array {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const table = makeTable();
  let crc = -1;
  for (let i = start; i < end; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ ((crc >> 8) & 0xffffff);
  return ~crc >>> 0;
}
