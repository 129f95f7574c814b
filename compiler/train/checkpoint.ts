/**
 * Training checkpoints: everything needed to continue a run exactly (parameters, Adam moments and
 * step, stall statistics, history), written atomically after every epoch. Layout: magic, header
 * length (u32), JSON header (key, counters, history, array names/types/lengths), then the arrays,
 * each 8-byte aligned. The key names the configuration; resuming under another one is refused.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from '../../runtime/crc32.ts';
import type { ImageInput } from '../../runtime/model.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { EpochRecord, TrainOptions } from './options.ts';

/** Everything that determines the trained model (not how it is run: threads, checkpointing, progress). */
export function checkpointKey(opts: TrainOptions, input: ImageInput, trainCount: number): string {
  const keyed = { ...opts, workers: 0, checkpoint: 0, resume: 0, evalEachEpoch: 0, progress: 0, stopAfterEpochs: 0 } as Record<string, unknown>;
  delete keyed.evalName; // a label only; absent keeps the keys of existing checkpoints
  if (opts.softTargets) keyed.softTargets = crc32(new Uint8Array(opts.softTargets.buffer, opts.softTargets.byteOffset, opts.softTargets.byteLength));
  return JSON.stringify({ v: 1, opts: Object.fromEntries(Object.keys(keyed).sort().map((k) => [k, keyed[k]])), input, n: trainCount });
}

export interface Checkpoint {
  key: string;
  epochsDone: number;
  step: number;
  params: Float32Array;
  m: Float64Array;
  v: Float64Array;
  emaFire: Float64Array;
  emaSat: Float64Array;
  emaClip: Float64Array;
  history: EpochRecord[];
  seconds: number;
}

const CKPT_MAGIC = 'TCMCKPT1';

export function saveCheckpoint(path: string, ck: Checkpoint): void {
  const arrays: [string, Float32Array | Float64Array][] = [
    ['params', ck.params],
    ['m', ck.m],
    ['v', ck.v],
    ['emaFire', ck.emaFire],
    ['emaSat', ck.emaSat],
    ['emaClip', ck.emaClip],
  ];
  const header = JSON.stringify({ key: ck.key, epochsDone: ck.epochsDone, step: ck.step, history: ck.history, seconds: ck.seconds, arrays: arrays.map(([n, a]) => [n, a instanceof Float32Array ? 'f32' : 'f64', a.length]) });
  const hbytes = new TextEncoder().encode(header);
  const hlen = Math.ceil((hbytes.length + 12) / 8) * 8;
  let total = hlen;
  for (const [, a] of arrays) total += a.byteLength + ((8 - (a.byteLength % 8)) % 8);
  const buf = new Uint8Array(total);
  buf.set(new TextEncoder().encode(CKPT_MAGIC), 0);
  new DataView(buf.buffer).setUint32(8, hbytes.length, true);
  buf.set(hbytes, 12);
  let off = hlen;
  for (const [, a] of arrays) {
    buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off += a.byteLength + ((8 - (a.byteLength % 8)) % 8);
  }
  writeFileAtomic(path, buf);
}

export function loadCheckpoint(path: string): Checkpoint {
  const raw = readFileSync(path);
  const buf = new Uint8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (new TextDecoder().decode(buf.subarray(0, 8)) !== CKPT_MAGIC) throw new Error(`${path}: not a tempo-cim training checkpoint`);
  const hl = new DataView(buf.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(buf.subarray(12, 12 + hl)));
  let off = Math.ceil((hl + 12) / 8) * 8;
  const out: Record<string, Float32Array | Float64Array> = {};
  for (const [name, type, len] of header.arrays as [string, string, number][]) {
    const bytes = len * (type === 'f32' ? 4 : 8);
    if (off + bytes > buf.length) throw new Error(`${path}: truncated checkpoint`);
    const copy = buf.slice(off, off + bytes);
    out[name] = type === 'f32' ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
    off += bytes + ((8 - (bytes % 8)) % 8);
  }
  return { key: header.key, epochsDone: header.epochsDone, step: header.step, history: header.history, seconds: header.seconds, params: out.params as Float32Array, m: out.m as Float64Array, v: out.v as Float64Array, emaFire: out.emaFire as Float64Array, emaSat: out.emaSat as Float64Array, emaClip: out.emaClip as Float64Array };
}
