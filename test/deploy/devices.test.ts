import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chunkHeapBytes, devicesDir, listDevices, listMacroDevices, loadDevice } from '../../compiler/deploy/devices.ts';
import { loadMacroDevice } from '../../compiler/macro/device.ts';
import { deviceSchemaUrl, loadValidator } from '../../compiler/deploy/schema.ts';

describe('device profiles', () => {
  it('ships esp32, esp32s3, esp32c3 and sim', () => {
    expect(listDevices()).toEqual(['esp32', 'esp32c3', 'esp32s3', 'sim']);
  });

  it.each(listDevices())('%s validates against devices/profile.schema.json', (name) => {
    const raw = JSON.parse(readFileSync(new URL(`${name}.json`, devicesDir), 'utf8'));
    expect(loadValidator(deviceSchemaUrl)(raw)).toEqual([]);
    const profile = loadDevice(name);
    expect(profile.macro.groupRows).toBe(128);
    expect(profile.ram.scratchBudgetBytes).toBeLessThan(chunkHeapBytes(profile));
  });

  it('records the XS creation settings of the Moddable board manifests', () => {
    // build/devices/esp32/targets/{m5stack_core2,m5stack_cores3}/manifest.json and .../esp32c3/manifest.json
    for (const name of ['esp32', 'esp32s3']) {
      expect(loadDevice(name).moddable.creation).toEqual({ static: 0, chunk: { initial: 78848, incremental: 0 }, heap: { initial: 4928, incremental: 0 }, stack: 512 });
    }
    expect(loadDevice('esp32c3').moddable.creation.static).toBe(94208);
    expect(loadDevice('esp32').moddable.platform).toBe('esp32/m5stack_core2');
  });

  it('rejects a profile that breaks the schema', () => {
    const broken = JSON.parse(readFileSync(new URL('esp32.json', devicesDir), 'utf8'));
    broken.macro.chargeBound = 0;
    delete broken.flash;
    const problems = loadValidator(deviceSchemaUrl)(broken);
    expect(problems.some((p) => p.includes('flash'))).toBe(true);
    expect(problems.some((p) => p.includes('/macro/chargeBound'))).toBe(true);
  });

  it('refuses unknown device names with the list of known ones', () => {
    expect(() => loadDevice('esp8266')).toThrow(/unknown device 'esp8266'; known devices: esp32, esp32c3, esp32s3, sim/);
  });

  it('ships the tempo-cim macro profile, validated by the same schema, and keeps it out of the boards', () => {
    expect(listMacroDevices()).toEqual(['tempo-cim']);
    const raw = JSON.parse(readFileSync(new URL('tempo-cim.json', devicesDir), 'utf8'));
    expect(loadValidator(deviceSchemaUrl)(raw)).toEqual([]);
    const macro = loadMacroDevice('tempo-cim');
    // 16 Kb = 128 rows x 128 binary cells = 128 rows x 16 eight-bit weights.
    expect(macro.array.rows * macro.array.columns).toBe(16 * 1024);
    expect(macro.array.columns / macro.weights.cellsPerWeight).toBe(16);
    expect(macro.macro).toEqual({ groupRows: 128, chargeBound: 4 });
    expect(() => loadDevice('tempo-cim')).toThrow(/'tempo-cim' is a compute-in-memory macro profile, not a board/);
    expect(() => loadMacroDevice('esp32')).toThrow(/'esp32' is a board profile/);
    const broken = { ...raw, array: { rows: 128 }, published: { ...raw.published, topsPerWatt: -1 } };
    const problems = loadValidator(deviceSchemaUrl)(broken);
    expect(problems).toContain("/array must have required property 'columns'");
    expect(problems).toContain('/published/topsPerWatt must be > 0');
  });
});
