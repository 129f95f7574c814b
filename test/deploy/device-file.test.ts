// The file a device carries holds no training history: it is the model the writer makes from the
// same spec without `history`, byte for byte; `build` puts that file in the project and counts it
// against the flash budget, and `inspect` and `profile` report its size.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { buildProject } from '../../compiler/deploy/project.ts';
import { loadDevice } from '../../compiler/deploy/devices.ts';
import { profileModel } from '../../compiler/profile/profile.ts';
import { deviceModelBytes } from '../../compiler/tcm/device-file.ts';
import type { ModelSpec } from '../../compiler/tcm/spec.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { loadModel, readProvenance } from '../../runtime/index.ts';
import { tempDir } from './fixtures.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

/** A small digits model whose provenance records `epochs` epochs, as the trainer writes them. */
function trained(epochs: number): { spec: ModelSpec; bare: ModelSpec } {
  const model = syntheticDigitsSpec({ hidden: [24], seed: 4, calibrationImages: 8 });
  const history = Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, loss: 0.4 / (i + 1), trainAccuracy: 0.9 + i / 1000, testAccuracy: 0.91 + i / 1000 }));
  // Key order as the trainer writes it: history second.
  const spec = { ...model, provenance: { tool: 'tempo-cim train', history, dataset: 'mnist', epochs } };
  const bare = { ...model, provenance: { tool: 'tempo-cim train', dataset: 'mnist', epochs } };
  return { spec, bare };
}

describe('device model file', () => {
  it('is the same model written without the history, and leaves a model without history as it is', () => {
    const { spec, bare } = trained(30);
    const host = writeModel(spec);
    const device = deviceModelBytes(host);
    expect(Buffer.from(device).equals(Buffer.from(writeModel(bare)))).toBe(true);
    expect(host.length - device.length).toBeGreaterThan(30 * 70);
    expect(readProvenance(loadModel(device))).toEqual(bare.provenance);
    expect(deviceModelBytes(device)).toBe(device);
  });

  it('is what build writes and budgets, and what inspect and profile report', async () => {
    const dir = tempDir('device-file');
    const { spec } = trained(30);
    const file = join(dir, 'model.tcm');
    const host = writeModel(spec);
    writeFileSync(file, host);
    const device = deviceModelBytes(host);

    const record = await buildProject({ modelPath: file, device: 'esp32', app: 'bench', outDir: join(dir, 'proj'), count: 4 });
    expect(Buffer.from(readFileSync(join(dir, 'proj', 'model.tcm'))).equals(Buffer.from(device))).toBe(true);
    expect(record.budget.flashItems.find((item) => item.name === 'model.tcm')?.bytes).toBe(device.length);

    const inspected = JSON.parse(execFileSync(process.execPath, [bin, 'inspect', file, '--json'], { encoding: 'utf8' }));
    expect(inspected.bytes).toBe(host.length);
    expect(inspected.deviceBytes).toBe(device.length);
    expect(inspected.provenance.history).toHaveLength(30);

    const { profile } = await profileModel(host, loadDevice('esp32'), { limit: 4, xsLimit: 2, wallSamples: 1, wallReps: 1 });
    expect(profile.modelBytes).toBe(device.length);
    expect(profile.historyBytes).toBe(host.length - device.length);
    expect(profile.fit.flash.used).toBe(device.length + profile.runtimeBytes);
    expect((profile.provenance as { history: unknown[] }).history).toHaveLength(30);
  });
});
