/**
 * Model-file mutations for fuzzing the loader: byte flips, truncations, absurd header and layer
 * fields, section offsets that overflow, overlap or break alignment. Most mutants get a fresh CRC
 * so they reach the structural checks instead of stopping at the checksum.
 */
import * as F from '../../runtime/format.ts';
import { resealCrc } from '../tcm/writer.ts';
import type { Rng } from '../util/prng.ts';

const ABSURD = [0, 1, 2, 3, 7, 8, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

export type MutationKind = 'flip' | 'truncate' | 'header' | 'section' | 'layer' | 'extend' | 'splice';
export const MUTATION_KINDS: MutationKind[] = ['flip', 'truncate', 'header', 'section', 'layer', 'extend', 'splice'];

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at, true);
}

function setU32(bytes: Uint8Array, at: number, value: number): void {
  if (at + 4 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value >>> 0, true);
}

function sectionEntries(bytes: Uint8Array): number[] {
  if (bytes.length < F.HEADER_BYTES) return [];
  const count = Math.min(bytes[16] | (bytes[17] << 8), 64);
  const entries: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = F.HEADER_BYTES + i * F.SECTION_ENTRY_BYTES;
    if (at + F.SECTION_ENTRY_BYTES <= bytes.length) entries.push(at);
  }
  return entries;
}

/** Returns a mutated copy of `model` (8-byte aligned buffer) and the kind of mutation applied. */
export function mutateModel(model: Uint8Array, rng: Rng): { bytes: Uint8Array; kind: MutationKind } {
  const kind = rng.pick(MUTATION_KINDS);
  let bytes = model.slice();
  const entries = sectionEntries(bytes);
  switch (kind) {
    case 'flip': {
      const flips = rng.int(1, 8);
      for (let i = 0; i < flips; i++) bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
      break;
    }
    case 'truncate':
      bytes = bytes.slice(0, rng.int(0, bytes.length - 1));
      break;
    case 'header':
      setU32(bytes, rng.pick([4, 8, 16, 20, 24]), rng.pick(ABSURD));
      break;
    case 'section': {
      if (entries.length === 0) break;
      const at = rng.pick(entries) + rng.pick([0, 4, 8, 12]);
      const choice = rng.int(0, 3);
      if (choice === 0) setU32(bytes, at, rng.pick(ABSURD));
      else if (choice === 1) setU32(bytes, at, u32(bytes, at) + rng.int(1, 7)); // misalign / resize
      else if (choice === 2) setU32(bytes, at, u32(bytes, rng.pick(entries) + 4)); // overlap another
      else setU32(bytes, at, (u32(bytes, at) + rng.pick([8, 16, 1 << 20, 0x7ffffff8])) >>> 0);
      break;
    }
    case 'layer': {
      const layers = entries.filter((at) => u32(bytes, at) === F.TAG.layer);
      if (layers.length === 0) break;
      const offset = u32(bytes, rng.pick(layers) + 4);
      const word = rng.int(0, F.LAYER_WORDS - 1);
      setU32(bytes, offset + 4 * word, rng.next() < 0.5 ? rng.pick(ABSURD) : rng.int(-3, 300));
      break;
    }
    case 'extend': {
      const grown = new Uint8Array(bytes.length + 8 * rng.int(1, 64));
      grown.set(bytes);
      for (let i = bytes.length; i < grown.length; i++) grown[i] = rng.int(0, 255);
      if (rng.next() < 0.5) setU32(grown, 8, grown.length);
      bytes = grown;
      break;
    }
    case 'splice': {
      // Copy one region over another (duplicated sections, shifted tables).
      const length = rng.int(1, Math.min(64, bytes.length));
      const from = rng.int(0, bytes.length - length);
      const to = rng.int(0, bytes.length - length);
      bytes.copyWithin(to, from, from + length);
      break;
    }
  }
  if (rng.next() < 0.85) resealCrc(bytes);
  return { bytes, kind };
}
