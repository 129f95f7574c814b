/**
 * Reads the project's `vectors.bin` data resource in place (no copies): a 32-byte header
 * ('TCVX', version, count, record bytes, kind), one label byte per vector (255 = unlabeled),
 * padded to 4 bytes, then the records (raw image pixels or input codes).
 */
export const KIND_PIXELS = 1;
export const KIND_CODES = 2;
export const UNLABELED = 255;

export interface Vectors {
  count: number;
  kind: number;
  recordBytes: number;
  labels: Uint8Array;
  record(index: number): Uint8Array;
}

export function openVectors(buffer: ArrayBuffer | HostBuffer): Vectors {
  const header = new Uint32Array(buffer as ArrayBuffer, 0, 8);
  if (header[0] !== 0x58564354 || header[1] !== 1) throw new Error('vectors.bin: not a tempo-cim vector file');
  const count = header[2];
  const recordBytes = header[3];
  const kind = header[4];
  const labelBytes = (count + 3) & ~3;
  const labels = new Uint8Array(buffer as ArrayBuffer, 32, count);
  const records = new Uint8Array(buffer as ArrayBuffer, 32 + labelBytes, count * recordBytes);
  return {
    count,
    kind,
    recordBytes,
    labels,
    record: (index: number) => records.subarray(index * recordBytes, (index + 1) * recordBytes),
  };
}
