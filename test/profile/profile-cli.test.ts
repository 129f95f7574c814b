// `tempo-cim profile --json` on small models: the documented fields, figures that must agree with
// the file and the runtime, and a model that does not fit the board.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
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
