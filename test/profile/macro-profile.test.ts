// The macro cost model on a hand-sized model, checked figure by figure against a hand computation
// (devices/tempo-cim.json: 128x128-cell arrays, 8 cells per weight -> 16 weights per row; 68.51
// TOPS/W, 0.1956 TOPS/mm2, 0.084 mm2; 15 steps per 4-bit window), and the profile command's output.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMacroDevice } from '../../compiler/macro/device.ts';
import { macroProfile, macroRates } from '../../compiler/profile/macro.ts';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { loadModel } from '../../runtime/index.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

function macroDense(inputs: number, outputs: number, groupRows: number, weight: (r: number, j: number) => number, theta: number): LayerSpec {
  const weights = new Int8Array(inputs * outputs);
  for (let r = 0; r < inputs; r++) for (let j = 0; j < outputs; j++) weights[r * outputs + j] = weight(r, j);
  const groups = Math.ceil(inputs / groupRows);
  return {
    kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: outputs, outBits: 4, leakShift: 0, weightBits: 8,
    weights, thresholds: new Int32Array(outputs).fill(theta), biases: new Int32Array(outputs),
    macro: { groupRows, chargeBound: 4, gains: new Int8Array(groups * outputs) },
  };
}

/** 200 -> 20 -> 10 in macro mode (row groups of 128, C = 4). */
function handModel(): ModelSpec {
  return {
    input: { kind: 'codes', bits: 4, frames: 1, channels: 200 },
    layers: [
      macroDense(200, 20, 128, () => 1, 100),
      // Only neuron 0 of the output layer listens: its lead decides early termination.
      macroDense(20, 10, 20, (_r, j) => (j === 0 ? 1 : 0), 100),
    ],
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
    provenance: {},
  };
}

/** Input A: rows 0..49 at code 3. Input B: rows 150..179 at code 15. */
function handInputs(): Uint8Array[] {
  const a = new Uint8Array(200);
  for (let r = 0; r < 50; r++) a[r] = 3;
  const b = new Uint8Array(200);
  for (let r = 150; r < 180; r++) b[r] = 15;
  return [a, b];
}

describe('macro cost model (hand computation)', () => {
  const device = loadMacroDevice('tempo-cim');
  const bytes = writeModel(handModel());
  const p = macroProfile(loadModel(bytes), device, handInputs(), 'two hand-made inputs');

  it('derives the time step and energy per op from the published figures', () => {
    const r = macroRates(device);
    // 0.1956 TOPS/mm2 x 0.084 mm2 = 16.4304 GOPS per macro; 1 / 68.51 TOPS/W = 14.596 fJ per op.
    expect(r.macroOpsPerSecond).toBeCloseTo(16.4304e9, -3);
    expect(r.joulesPerOp).toBeCloseTo(1.45964e-14, 18);
    expect(r.macroWatts).toBeCloseTo(16.4304e9 / 68.51e12, 9); // ~0.24 mW
    // One full-array window: 128 rows x 16 weights x 2 ops = 4096 ops -> 249.3 ns, / 15 steps = 16.62 ns.
    expect(r.opsPerFullWindow).toBe(4096);
    expect(r.windowSeconds).toBeCloseTo(4096 / 16.4304e9, 15);
    expect(r.stepSeconds).toBeCloseTo(4096 / 16.4304e9 / 15, 15);
  });

  it('maps each layer onto row groups x column tiles', () => {
    // 200 rows -> 2 row groups; 20 columns -> 2 tiles of 16 weights: 4 arrays, 32,000 of 65,536 cells.
    expect(p.layers[0]).toMatchObject({ rows: 200, outChannels: 20, rowGroups: 2, columnTiles: 2, arrays: 4, firstArray: 0, cellsUsed: 32000, cellsAvailable: 65536 });
    expect(p.layers[0].utilisation).toBeCloseTo(32000 / 65536, 12);
    // 20 rows, 10 columns: one array, 1,600 of 16,384 cells.
    expect(p.layers[1]).toMatchObject({ rowGroups: 1, columnTiles: 1, arrays: 1, firstArray: 4, cellsUsed: 1600, cellsAvailable: 16384 });
    expect(p.arrays).toBe(5);
    expect(p.utilisation).toBeCloseTo(33600 / 81920, 12);
    expect(p.areaMm2).toBeCloseTo(5 * 0.084, 12);
    expect(p.runsAsTrained).toBe(true);
  });

  it('counts time steps, latency and energy per inference', () => {
    const step = 4096 / 16.4304e9 / 15;
    const joules = 1 / 68.51e12;
    expect(p.timeSteps).toBe(30);
    expect(p.latencySeconds).toBeCloseTo(30 * step, 15);
    // Input A spikes 50 rows, B 30: 40 on average. Every hidden neuron sums the codes: A gives 150 ->
    // code 1; B gives 450 in row group 1, clipped to 4 x 100 -> code 4. So all 20 hidden rows spike.
    expect(p.layers.map((l) => l.spikingRows)).toEqual([40, 20]);
    expect(p.layers.map((l) => l.denseOps)).toEqual([2 * 200 * 20, 2 * 20 * 10]);
    expect(p.layers.map((l) => l.spikingOps)).toEqual([2 * 40 * 20, 2 * 20 * 10]);
    expect(p.energyDenseJ).toBeCloseTo(8400 * joules, 20);
    expect(p.energySpikingJ).toBeCloseTo(2000 * joules, 20);
    // Early termination in the output layer (8-row blocks, one code level): A's codes are 1, so
    // nothing is left to save; B's are 4: after 16 of 20 rows the lead 64 exceeds the 16 left,
    // saving 4 - 1 = 3 steps. Mean 1.5.
    expect(p.earlyTerminationSteps).toBe(1.5);
    expect(p.latencyEarlySeconds).toBeCloseTo(28.5 * step, 15);
  });

  it('maps a conv layer by im2col and notes where a file is not the macro\'s arithmetic', () => {
    const conv: LayerSpec = {
      kind: 'conv1d', inFrames: 10, inChannels: 30, kernel: 5, stride: 2, outChannels: 40, outBits: 4, leakShift: 0, weightBits: 8,
      weights: new Int8Array(150 * 40).fill(1), thresholds: new Int32Array(40).fill(50), biases: new Int32Array(40),
    };
    const head = macroDense(120, 3, 120, () => 1, 50);
    head.macro!.chargeBound = 8;
    const spec: ModelSpec = { input: { kind: 'codes', bits: 4, frames: 10, channels: 30 }, layers: [conv, head], labels: ['a', 'b', 'c'], provenance: {} };
    const q = macroProfile(loadModel(writeModel(spec)), device, [new Uint8Array(300).fill(1)], 'ones');
    // 5 x 30 = 150 rows -> 2 row groups; 40 columns -> 3 tiles; (10 - 5) / 2 + 1 = 3 windows of 15 steps.
    expect(q.layers[0]).toMatchObject({ rows: 150, rowGroups: 2, columnTiles: 3, arrays: 6, windows: 3, timeSteps: 45, denseOps: 2 * 3 * 150 * 40 });
    expect(q.layers[0].spikingRows).toBe(3 * 150);
    expect(q.layers[0].note).toMatch(/ideal mode: the macro would split its 150 rows into 2 row groups/);
    expect(q.layers[1].note).toMatch(/charge bound C = 8, the macro's is 4/);
    expect(q.runsAsTrained).toBe(false);
  });
});

describe('tempo-cim profile --device tempo-cim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tcm-macro-'));
  const file = join(dir, 'hand.tcm');
  writeFileSync(file, writeModel(handModel()));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the mapping and labelled estimates, and JSON with the same figures', () => {
    const text = execFileSync('node', [bin, 'profile', file, '--device', 'tempo-cim', '--limit', '20'], { encoding: 'utf8' });
    expect(text).toContain('estimates scaled from the published macro figures');
    expect(text).toMatch(/0 dense 200->20\s+200 x 20\s+2 x 2\s+4\s+0-3/);
    expect(text).toMatch(/area: 5 macros/);
    const json = JSON.parse(execFileSync('node', [bin, 'profile', file, '--device', 'tempo-cim', '--limit', '20', '--json'], { encoding: 'utf8' }));
    expect(json).toMatchObject({ device: 'tempo-cim', kind: 'cim-macro', arrays: 5, timeSteps: 30, inputs: { samples: 20 } });
  });

  it('puts a board and the macro side by side', () => {
    const json = JSON.parse(execFileSync('node', [bin, 'profile', file, '--device', 'esp32,tempo-cim', '--limit', '5', '--json'], { encoding: 'utf8' }));
    expect(json.targets.map((t: { device: string }) => t.device)).toEqual(['esp32', 'tempo-cim']);
    expect(json.targets[0].xsComputeMedian).toBeGreaterThan(0);
    expect(json.targets[1].arrays).toBe(5);
    const text = execFileSync('node', [bin, 'profile', file, '--device', 'esp32,tempo-cim', '--limit', '5'], { encoding: 'utf8' });
    expect(text).toMatch(/^\s+esp32\s+tempo-cim$/m);
    expect(text).toMatch(/^energy \/ inference\s+not modelled\s+\S+ [pn]J spiking rows/m);
    expect(text).toMatch(/^area\s+the board\s+0\.420 mm2 of macros/m);
  });

  it('refuses bad device lists and malformed profiles with one line and exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', kind: 'cim-macro', description: 'x' }));
    const inconsistent = join(dir, 'inconsistent.json');
    const profile = JSON.parse(readFileSync(join(import.meta.dirname, '../../devices/tempo-cim.json'), 'utf8'));
    profile.weights.cellsPerWeight = 4;
    writeFileSync(inconsistent, JSON.stringify(profile));
    for (const [device, message] of [
      ['tempo-cim,esp8266', /unknown device 'esp8266'/],
      [bad, /is not a valid profile: \/ must have required property 'process'/],
      [inconsistent, /cellsPerWeight \(4\) x cells.bitsPerCell \(1\) must equal weights.bits \(8\)/],
    ] as const) {
      const r = await cliInProcess(['profile', file, '--device', device]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
