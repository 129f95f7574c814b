// `tempo-cim profile --json` on small models: the documented fields, figures that must agree with
// the file and the runtime, and a model that does not fit the board.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticConvDigitsSpec } from '../../bench/synthetic-conv-model.ts';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { loadDevice } from '../../compiler/deploy/devices.ts';
import { formatProfile } from '../../compiler/profile/format.ts';
import { profileModel } from '../../compiler/profile/profile.ts';
import type { LayerSpec, ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { scratchBytesFor, loadModel } from '../../runtime/index.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
const runtimeBundle = join(import.meta.dirname, '../../dist/tempo-cim-runtime.js');

function profileJson(spec: ModelSpec, limit: number): { json: Record<string, any>; bytes: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'tcm-profile-'));
  const file = join(dir, 'model.tcm');
  const bytes = writeModel(spec);
  writeFileSync(file, bytes);
  try {
    const out = execFileSync('node', [bin, 'profile', file, '--device', 'esp32', '--json', '--limit', String(limit)], { encoding: 'utf8' });
    return { json: JSON.parse(out), bytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dense(rng: Rng, inputs: number, outputs: number): LayerSpec {
  const weights = new Int8Array(inputs * outputs);
  for (let i = 0; i < weights.length; i++) weights[i] = rng.int(-60, 60);
  return {
    kind: 'dense', inFrames: 1, inChannels: inputs, kernel: 1, stride: 1, outChannels: outputs, outBits: 4, leakShift: 0, weightBits: 8,
    weights, thresholds: new Int32Array(outputs).fill(300), biases: new Int32Array(outputs),
  };
}

describe('tempo-cim profile', () => {
  it('reports sizes, XS memory and compute, per-layer ops and fit for a small digits model', () => {
    const spec = syntheticDigitsSpec({ hidden: [24], seed: 3, calibrationImages: 16 });
    const { json, bytes } = profileJson(spec, 12);
    expect(json.modelBytes).toBe(bytes.length);
    expect(json.runtimeBytes).toBe(statSync(runtimeBundle).size);
    expect(json.runtimeMinifiedBytes).toBeLessThan(json.runtimeBytes);
    expect(json.weights).toBe(784 * 24 + 24 * 10);
    expect(json.inputs).toMatchObject({ samples: 12, xsSamples: 12 });
    expect(json.inputs.source).toContain('MNIST');
    // The typed arrays the network keeps alive in XS are exactly the scratch the runtime declares.
    expect(json.scratchBytes).toBe(scratchBytesFor(loadModel(bytes)));
    expect(json.xsMemory.networkChunkBytes).toBe(json.scratchBytes);
    expect(json.xsMemory.inferenceChunkBytes).toBe(0);
    expect(json.xsMemory.networkSlots).toBeGreaterThan(0);
    expect(json.xsComputeMedian).toBeGreaterThan(0);
    expect(json.xsComputeP99).toBeGreaterThanOrEqual(json.xsComputeMedian);
    expect(json.xsHostMsMedian).toBeGreaterThan(0);
    expect(json.enginesAgree).toBe(true);
    expect(json.deviceEstimate).toBeNull();
    // Every input of a layer is either added, skipped as zero, or skipped by early termination.
    for (const layer of json.layers) {
      expect(layer.ops.rowAdds + layer.ops.zeroInputsSkipped + layer.ops.inputsSkippedEarly).toBeCloseTo(layer.rows, 6);
    }
    expect(json.layers[0].stall.neurons).toBe(24);
    expect(json.layers[1].stall).toBeNull();
    expect(json.fits).toBe(true);
    expect(json.fit.flash.used).toBe(json.modelBytes + json.runtimeBytes);
  });

  it('counts a conv2d layer\'s positions, crossbar ops, im2col gather and pooling', async () => {
    const spec = syntheticConvDigitsSpec({ channels: 4, kernel: 3, pool: 2, hidden: 12, seed: 5, calibrationImages: 16 });
    const { profile } = await profileModel(writeModel(spec), loadDevice('esp32'), { limit: 8, xsLimit: 4, wallSamples: 1, wallReps: 1 });
    expect(profile.enginesAgree).toBe(true);
    const [conv, hidden, out] = profile.layers;
    expect(conv).toMatchObject({
      kind: 'conv2d', shape: '14x14x1->7x7x4 k3s1p1 pool2', rows: 9, outChannels: 4, positions: 196, outputs: 7 * 7 * 4,
      grid: { inHeight: 14, inWidth: 14, padding: 1, convHeight: 14, convWidth: 14, pool: 2 },
      denseMacs: 196 * 9 * 4, gatherCodes: 196 * 9, poolReads: 7 * 7 * 4 * 2 * 2,
    });
    expect(conv.stall!.neurons).toBe(7 * 7 * 4);
    expect(hidden).toMatchObject({ positions: 1, grid: null, denseMacs: 196 * 12, gatherCodes: 0, poolReads: 0 });
    expect(out.positions).toBe(1);
    // At every position each patch row is added, skipped as zero, or skipped by early termination.
    for (const layer of profile.layers) {
      expect(layer.ops.rowAdds + layer.ops.zeroInputsSkipped + layer.ops.inputsSkippedEarly).toBeCloseTo(layer.rows * layer.positions, 6);
    }
    expect(conv.ops.rowAdds).toBeGreaterThan(0);
    const text = formatProfile(profile, 'conv.tcm').split('\n');
    const header = text.findIndex((line) => line.trimStart().startsWith('layer '));
    const [head, ...rows] = text.slice(header, header + 4);
    expect(rows[0].startsWith('  0 conv2d 14x14x1->7x7x4 k3s1p1 pool2 ')).toBe(true);
    // The columns line up though the conv2d label is long: every number ends where its heading does.
    for (const column of ['positions', 'dense MACs', 'row adds', 'clipped']) {
      const end = head.indexOf(column) + column.length;
      for (const row of rows) expect([row[end - 1] !== ' ', row[end]]).toEqual([true, ' ']);
    }
    expect(rows.map((row) => row.slice(0, head.indexOf('positions') + 9).trim().split(' ').pop())).toEqual(['196', '1', '1']);
    expect(text).toContain('  conv2d layer 0: 14x14 positions x 9 rows (14x14 input, padding 1) x 4 channels; im2col gathers 1,764 codes; spike-time max pool 2x2 reads 784 codes -> 196');
  });

  it('says a model whose scratch exceeds the board\'s RAM budget does not fit', () => {
    const rng = new Rng(9);
    const spec: ModelSpec = {
      input: { kind: 'codes', bits: 4, frames: 1, channels: 16 },
      layers: [dense(rng, 16, 4000), dense(rng, 4000, 4)],
      labels: ['a', 'b', 'c', 'd'],
      provenance: {},
    };
    const { json } = profileJson(spec, 3);
    expect(json.inputs.source).toContain('synthetic');
    expect(json.scratchBytes).toBeGreaterThan(49152);
    expect(json.fit.ram.fits).toBe(false);
    expect(json.fits).toBe(false);
    expect(json.fit.problems.join(' ')).toMatch(/RAM/);
  });
});
