// The bit-sliced cell model against a plain per-cell simulation, and simulated chips as .tcm files.
import { describe, expect, it } from 'vitest';
import { CellModel, NO_FAULTS } from '../../compiler/macro/cells.ts';
import { loadMacroDevice, type MacroDevice } from '../../compiler/macro/device.ts';
import { programChip } from '../../compiler/macro/robustness.ts';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { loadModel } from '../../runtime/index.ts';

const device = loadMacroDevice('tempo-cim');
const signMagnitude: MacroDevice = { ...device, weights: { ...device.weights, encoding: 'sign-magnitude' } };
const all = Array.from({ length: 255 }, (_, i) => i - 127);

/**
 * Reference: every cell on its own. Bit b of the weight's cells has conductance G_on or G_off
 * (G_on = 1, G_off = 1 / ratio) times (1 + S * eps); the periphery reads (G - G_off) / (G_on - G_off)
 * and merges the columns with weights 2^b (two's complement: the top column counts -2^7).
 */
function perCellRead(w: number, S: number, ratio: number, rng: Rng): number {
  const bits = w & 0xff;
  const gOff = 1 / ratio;
  let value = 0;
  for (let b = 0; b < 8; b++) {
    const g = ((bits >> b) & 1 ? 1 : gOff) * (1 + S * rng.normal());
    value += (b === 7 ? -128 : 2 ** b) * ((g - gOff) / (1 - gOff));
  }
  return Math.max(-127, Math.min(127, Math.round(value)));
}

function moments(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) };
}

describe('cell model', () => {
  it('encodes and decodes every int8 weight in both encodings', () => {
    for (const d of [device, signMagnitude]) {
      const cells = new CellModel(d, NO_FAULTS);
      for (const w of all) expect(cells.decode(cells.encode(w))).toBe(w);
    }
    const twos = new CellModel(device, NO_FAULTS);
    expect(twos.encode(-1)).toBe(0xff);
    expect(new CellModel(signMagnitude, NO_FAULTS).encode(-1)).toBe(0x81);
  });

  it('reads back exactly without faults', () => {
    const out = new Int8Array(all.length);
    new CellModel(device, NO_FAULTS).program(all, 127, new Rng(1), out);
    expect(Array.from(out)).toEqual(all);
  });

  it('draws the same read distribution as a per-cell simulation (two\'s complement, 5% variation)', () => {
    const S = 0.05;
    const cells = new CellModel(device, { variation: S, stuckOn: 0, stuckOff: 0 });
    const n = 20000;
    for (const w of [-1, -100, 3, 77, 127]) {
      const fast = new Int16Array(n);
      cells.program(new Int8Array(n).fill(w), 127, new Rng(7), fast);
      const rng = new Rng(8);
      const slow = Array.from({ length: n }, () => perCellRead(w, S, device.cells.onOffRatio, rng));
      const a = moments(Array.from(fast));
      const b = moments(slow);
      expect(Math.abs(a.mean - b.mean)).toBeLessThan(0.15 + 0.05 * b.std);
      expect(a.std / b.std).toBeGreaterThan(0.95);
      expect(a.std / b.std).toBeLessThan(1.05);
    }
    // Negative weights carry the top column's 128: at 5% their read sigma is about 7 weight units.
    const neg = new Int16Array(n);
    cells.program(new Int8Array(n).fill(-1), 127, new Rng(9), neg);
    expect(moments(Array.from(neg)).std).toBeGreaterThan(6.5);
  });

  it('places stuck cells at the given rates, through the bit slicing', () => {
    expect(Array.from(programOnce(device, { variation: 0, stuckOn: 1, stuckOff: 0 }, [5, -5, 0]))).toEqual([-1, -1, -1]);
    expect(Array.from(programOnce(device, { variation: 0, stuckOn: 0, stuckOff: 1 }, [5, -5, 0]))).toEqual([0, 0, 0]);
    // Sign-magnitude: all cells ON is -127.
    expect(Array.from(programOnce(signMagnitude, { variation: 0, stuckOn: 1, stuckOff: 0 }, [5, -5]))).toEqual([-127, -127]);
    // Weight 0 has 8 OFF cells: only stuck-ON cells change it, each of its cells with p = 1%.
    const n = 200000;
    const out = programOnce(device, { variation: 0, stuckOn: 0.01, stuckOff: 0.01 }, new Array(n).fill(0));
    const changed = out.filter((w) => w !== 0).length;
    const p = 1 - 0.99 ** 8;
    expect(Math.abs(changed - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
  });
});

function programOnce(d: MacroDevice, faults: ConstructorParameters<typeof CellModel>[1], weights: number[]): Int16Array {
  const out = new Int16Array(weights.length);
  new CellModel(d, faults).program(weights, 127, new Rng(3), out);
  return out;
}

describe('simulated chips', () => {
  const bytes = writeModel(syntheticDigitsSpec({ hidden: [16], seed: 2, calibrationImages: 0 }));

  it('an ideal chip is the file itself, byte for byte', () => {
    const chip = programChip(bytes, new CellModel(device, NO_FAULTS), 1, 0);
    expect(chip.bytes).toEqual(bytes);
    expect(chip.stats.weightsChanged).toBe(0);
  });

  it('a chip is a valid model (CRC checked) that depends only on the seed and the chip index', () => {
    const cells = new CellModel(device, { variation: 0.05, stuckOn: 0.001, stuckOff: 0.001 });
    const a = programChip(bytes, cells, 11, 3);
    const b = programChip(bytes, cells, 11, 3);
    const c = programChip(bytes, cells, 11, 4);
    expect(a.bytes).toEqual(b.bytes);
    expect(a.bytes).not.toEqual(c.bytes);
    const model = loadModel(a.bytes);
    const original = loadModel(bytes);
    expect(model.layers[0].weights).not.toEqual(original.layers[0].weights);
    // Only weights change: thresholds, biases and the rest of the file stay as written.
    expect(model.layers[0].thresholds).toEqual(original.layers[0].thresholds);
    expect(a.stats.weightsChanged).toBeGreaterThan(0);
    expect(a.stats.weightsChanged).toBeLessThan(1);
  });
});
