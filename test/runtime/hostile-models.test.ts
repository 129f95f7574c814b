// Corrupted, truncated, oversized and hostile model files get a typed ModelError naming the problem,
// in Node and in XS, and never a crash, hang or huge allocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../compiler/tcm/spec.ts';
import { resealCrc, writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';
import * as F from '../../runtime/format.ts';
import { createNetwork, InputError, loadModel, ModelError } from '../../runtime/index.ts';
import { randomConv2dModel, randomModel } from '../../compiler/fuzz/random-model.ts';

const base: ModelSpec = randomModel(new Rng(1), { macro: true, conv: false, leak: false });
const good = writeModel(base);

/** Finds the section table entry for a tag (and layer index). */
function entryOf(bytes: Uint8Array, tagName: string, index = F.GLOBAL_SECTION): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const count = view.getUint16(16, true);
  for (let i = 0; i < count; i++) {
    const at = F.HEADER_BYTES + i * F.SECTION_ENTRY_BYTES;
    if (view.getUint32(at, true) === F.tag(tagName) && view.getUint16(at + 12, true) === index) return at;
  }
  throw new Error(`no ${tagName} section`);
}

function edit(mutate: (view: DataView, bytes: Uint8Array) => void, reseal = true): Uint8Array {
  const bytes = good.slice();
  mutate(new DataView(bytes.buffer), bytes);
  return reseal ? resealCrc(bytes) : bytes;
}

function layerWordAt(bytes: Uint8Array, layer: number, word: number): number {
  const view = new DataView(bytes.buffer);
  return view.getUint32(entryOf(bytes, 'LAYR', layer) + 4, true) + 4 * word;
}

// conv2d fields (format 1.1): a valid conv2d model whose first layer's geometry is edited.
const conv2d = writeModel(randomConv2dModel(new Rng(5), { macro: false, leak: false }));
function editConv2d(word: number, value: number, layer = 0): Uint8Array {
  const bytes = conv2d.slice();
  new DataView(bytes.buffer).setInt32(layerWordAt(bytes, layer, word), value, true);
  return resealCrc(bytes);
}
// A conv2d layer that produces one position could pass the one-frame check; it must still be refused.
const conv2dLast = writeModel({
  input: { kind: 'codes', bits: 2, frames: 1, channels: 9 },
  layers: [{
    kind: 'conv2d', inFrames: 9, inChannels: 1, kernel: 3, stride: 1, outChannels: 2, outBits: 2, leakShift: 0, weightBits: 8,
    grid: { inHeight: 3, inWidth: 3, padding: 0, pool: 1 },
    weights: new Int8Array(18), thresholds: Int32Array.from([1, 1]), biases: new Int32Array(2),
  }],
  labels: ['a', 'b'],
  provenance: {},
});

const hostile: [string, Uint8Array, string][] = [
  ['conv2d: kernel larger than the padded image', editConv2d(F.L_KERNEL, 60), 'dimension-out-of-range'],
  ['conv2d: padding as large as the kernel', editConv2d(F.L_PADDING, 30), 'dimension-out-of-range'],
  ['conv2d: pool beyond the limit', editConv2d(F.L_POOL, 1000), 'dimension-out-of-range'],
  ['conv2d: zero pool', editConv2d(F.L_POOL, 0), 'dimension-out-of-range'],
  ['conv2d: absurd width', editConv2d(F.L_IN_WIDTH, 1 << 30), 'dimension-out-of-range'],
  ['conv2d fields on a dense layer', edit((v, b) => v.setInt32(layerWordAt(b, 0, F.L_POOL), 2, true)), 'bad-section'],
  ['conv2d as the last layer', conv2dLast, 'dimension-out-of-range'],
  ['empty file', new Uint8Array(0), 'truncated'],
  ['wrong magic', edit((v) => v.setUint32(0, 0x464c457f, true)), 'bad-magic'],
  ['future major version', edit((v) => v.setUint16(4, 2, true)), 'unsupported-version'],
  ['flipped weight bit', edit((_, b) => (b[b.length - 40] ^= 0x10), false), 'crc-mismatch'],
  ['truncated file', good.slice(0, good.length - 24), 'truncated'],
  ['header only', good.slice(0, F.HEADER_BYTES), 'truncated'],
  ['section past end of file', edit((v, b) => v.setUint32(entryOf(b, 'WGHT', 0) + 8, 0x7fffffff, true)), 'truncated'],
  ['offset overflow', edit((v, b) => v.setUint32(entryOf(b, 'WGHT', 0) + 4, 0xfffffff8, true)), 'truncated'],
  ['misaligned section', edit((v, b) => v.setUint32(entryOf(b, 'THRS', 0) + 4, v.getUint32(entryOf(b, 'THRS', 0) + 4, true) + 2, true)), 'misaligned'],
  ['overlapping sections', edit((v, b) => v.setUint32(entryOf(b, 'BIAS', 0) + 4, v.getUint32(entryOf(b, 'THRS', 0) + 4, true), true)), 'bad-section'],
  ['absurd section count', edit((v) => v.setUint16(16, 60000, true)), 'dimension-out-of-range'],
  ['absurd layer count', edit((v) => v.setUint16(18, 5000, true)), 'dimension-out-of-range'],
  ['absurd output channels', edit((v, b) => v.setInt32(layerWordAt(b, 0, F.L_OUT_CHANNELS), 1 << 30, true)), 'dimension-out-of-range'],
  ['negative input channels', edit((v, b) => v.setInt32(layerWordAt(b, 0, F.L_IN_CHANNELS), -5, true)), 'dimension-out-of-range'],
  ['weights size disagrees with dims', edit((v, b) => v.setInt32(layerWordAt(b, 0, F.L_OUT_CHANNELS), base.layers[0].outChannels + 1, true)), 'bad-section'],
  ['zero threshold', edit((v, b) => v.setInt32(v.getUint32(entryOf(b, 'THRS', 0) + 4, true), 0, true)), 'value-out-of-range'],
  ['missing layer section', edit((v, b) => v.setUint32(entryOf(b, 'LAYR', 0), F.tag('XXXX'), true)), 'missing-section'],
  ['layer index beyond count', edit((v, b) => v.setUint16(entryOf(b, 'GAIN', 0) + 12, 40, true)), 'bad-section'],
  ['label count lies', edit((v, b) => v.setUint16(v.getUint32(entryOf(b, 'LABL') + 4, true), 4000, true)), 'truncated'],
];

describe('hostile model files', () => {
  it('a valid file loads in both engines (control)', () => {
    expect(() => loadModel(good)).not.toThrow();
  });

  for (const [name, bytes, code] of hostile) {
    it(`Node: ${name} -> ${code}`, () => {
      let error: unknown;
      try {
        createNetwork(loadModel(bytes));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelError);
      expect((error as ModelError).code).toBe(code);
      expect((error as ModelError).message.length).toBeGreaterThan(10);
    });
  }

  for (const engine of ['TypeScript', 'native'] as const) {
    describe(`in XS (${engine} kernels)`, () => {
      let xs: XsRuntime;
      beforeAll(async () => {
        xs = await XsRuntime.start(engine === 'native' ? { native: 'release' } : {});
      });
      afterAll(async () => xs?.close());

      it('rejects each hostile file with the same typed error', async () => {
        expect((await xs.load(good)).ok).toBe(true);
        for (const [name, bytes, code] of hostile) {
          const info = await xs.load(bytes);
          expect(info.ok, name).toBe(false);
          expect(info.name, name).toBe('ModelError');
          expect(info.code, name).toBe(code);
        }
      });
    });
  }
});

describe('scratch budget', () => {
  it('refuses a network whose scratch exceeds the budget and says what it needs', () => {
    const model = loadModel(good);
    expect(() => createNetwork(model, { budgetBytes: 16 })).toThrow(/needs \d+ bytes of scratch, budget is 16/);
    expect(createNetwork(model, { budgetBytes: 1 << 20 }).scratchBytes).toBeGreaterThan(16);
  });
});

describe('runtime input validation', () => {
  const network = createNetwork(loadModel(good));
  const expectInputError = (codes: unknown, code: string) => {
    let error: unknown;
    try {
      network.infer(codes as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(code);
  };
  it('rejects wrong length, wrong type and out-of-range codes', () => {
    expectInputError(new Uint8Array(network.inputLength + 1), 'wrong-length');
    expectInputError(Array.from({ length: network.inputLength }, () => 0), 'wrong-type');
    const tooBig = new Uint8Array(network.inputLength);
    expect(base.input.bits).toBeLessThan(8);
    tooBig[0] = 1 << base.input.bits;
    expectInputError(tooBig, 'out-of-range');
  });
});
