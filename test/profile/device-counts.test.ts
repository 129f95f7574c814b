// The pure parts of the device-instruction harness (npm run device-bench itself needs apt packages
// and minutes of emulation, so it is not part of npm test): reading the plugin's marks, turning them
// into phases, the time estimate, and the marker ids the device driver actually uses.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_MARK, derivedFigures, findMeasurement, parsePluginOutput, PHASE_MARKS, phaseSamples, sha256, summarize,
  type DeviceMeasurement,
} from '../../compiler/profile/device-counts.ts';
import { deviceSection, formatDeviceSection } from '../../compiler/profile/device-section.ts';
import { deviceTimeProfile, estimateMs, formatDeviceTime } from '../../compiler/profile/device-time.ts';
import { loadDevice } from '../../compiler/deploy/devices.ts';

const pluginText = ['mark 1 1000', 'mark 2 1040', 'mark 10 5000', 'mark 11 905040', 'mark 12 905100', 'mark 13 915140',
  'mark 22 920000', 'mark 23 1020040', 'mark 22 1030000', 'mark 23 1130140', 'mark 22 1140000', 'mark 23 1290040', 'total 1300000', ''].join('\n');

describe('device instruction counts', () => {
  it('reads marks and the total, and rejects anything else', () => {
    const out = parsePluginOutput(pluginText);
    expect(out.total).toBe(1300000);
    expect(out.marks).toHaveLength(12);
    expect(out.marks[3]).toEqual({ id: 11, instructions: 905040 });
    expect(() => parsePluginOutput('mark 1 5\nbogus\ntotal 9')).toThrow(/line 2/);
    expect(() => parsePluginOutput('mark 1 5\nmark 2 9\n')).toThrow(/no total/);
  });

  it('pairs begin and end markers and subtracts the empty phase', () => {
    const { markerOverhead, phases } = phaseSamples(parsePluginOutput(pluginText).marks);
    expect(markerOverhead).toBe(40);
    expect(phases.loadModel).toEqual([900000]);
    expect(phases.createNetwork).toEqual([10000]);
    expect(phases.inference).toEqual([100000, 100100, 150000]);
    expect(phases.encodeImage).toBeUndefined();
  });

  it('refuses marks out of order', () => {
    expect(() => phaseSamples([{ id: 10, instructions: 1 }, { id: 11, instructions: 2 }])).toThrow(/calibration/);
    const noEnd = [{ id: 1, instructions: 0 }, { id: 2, instructions: 5 }, { id: 22, instructions: 9 }, { id: 12, instructions: 20 }];
    expect(() => phaseSamples(noEnd)).toThrow(/inference has no end/);
    const stray = [{ id: 1, instructions: 0 }, { id: 2, instructions: 5 }, { id: 7, instructions: 9 }, { id: 8, instructions: 20 }];
    expect(() => phaseSamples(stray)).toThrow(/marker 7/);
  });

  it('summarizes samples and derives boot and per-second figures', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, samples: 3 });
    expect(summarize([4, 1, 3, 10]).median).toBe(4);
    const phases = { loadModel: summarize([900]), createNetwork: summarize([100]), audioHop: summarize([2000]), keywordWindow: summarize([3000]) };
    expect(derivedFigures(phases)).toEqual({ boot: 1000 });
    expect(derivedFigures(phases, 250)).toEqual({ boot: 1000, perSecondOfAudio: 20000 });
  });

  it('uses the marker ids of the device driver', () => {
    const driver = readFileSync(join(import.meta.dirname, '../../bench/device/driver.js'), 'utf8');
    const used = new Set([...driver.matchAll(/deviceMark\((\d+)\)/g)].map((m) => Number(m[1])));
    const expected = new Set([CALIBRATION_MARK, CALIBRATION_MARK + 1, ...Object.values(PHASE_MARKS).flatMap((id) => [id, id + 1])]);
    expect(used).toEqual(expected);
  });
});

describe('device time estimate', () => {
  it('is instructions x CPI / clock', () => {
    expect(estimateMs(1_600_000, 160, { min: 1, max: 1.5 })).toEqual({ minMs: 10, maxMs: 15 });
  });

  const measurement: DeviceMeasurement = {
    format: 'tempo-cim-device-bench/1', isa: 'RV32IMC', model: { file: 'm.tcm', sha256: sha256('model'), input: 'image' },
    runtime: { bundleSha256: 'b', nativeSha256: null }, toolchain: { compiler: 'gcc', emulator: 'qemu', cflags: '-Os' },
    inputs: 'x', earlyExit: true, markerOverhead: 40,
    phases: { loadModel: summarize([16_000_000]), createNetwork: summarize([160_000]), inference: summarize([1_600_000]) },
    boot: 16_160_000, classesMatchNode: true,
  };

  it('gives each board its clock and CPI range, and none without a range', () => {
    const c3 = loadDevice('esp32c3');
    expect(c3.cpi).toBeDefined();
    const p = deviceTimeProfile(measurement, c3, 'm.rv32.json', false);
    const inference = p.rows.find((r) => r.phase === 'inference')!;
    expect(inference.instructions).toBe(1_600_000);
    expect(inference.time!.minMs).toBeCloseTo((1_600_000 * c3.cpi!.min) / (c3.clockMHz * 1000));
    expect(p.rows.map((r) => r.phase)).toEqual(['loadModel', 'createNetwork', 'inference', 'boot']);
    const text = formatDeviceTime(p);
    expect(text).toContain('1,600,000');
    expect(text).toContain('estimate only');
    const none = deviceTimeProfile(measurement, { name: 'host', clockMHz: 1000 }, 'm.rv32.json', true);
    expect(none.rows.every((r) => r.time === null)).toBe(true);
    expect(formatDeviceTime(none)).toContain('runtime bundle changed');
  });

  it('finds the measurement of these model bytes only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-device-'));
    try {
      const model = join(dir, 'm.tcm');
      expect(findMeasurement(model, new TextEncoder().encode('model'), null).status).toBe('missing');
      writeFileSync(join(dir, 'm.rv32.json'), JSON.stringify(measurement));
      const found = findMeasurement(model, new TextEncoder().encode('model'), 'b');
      expect(found.status).toBe('found');
      expect(found.status === 'found' && found.staleRuntime).toBe(false);
      const stale = findMeasurement(model, new TextEncoder().encode('model'), 'c');
      expect(stale.status === 'found' && stale.staleRuntime).toBe(true);
      expect(findMeasurement(model, new TextEncoder().encode('other'), 'b').status).toBe('other-model');
      const section = deviceSection(model, new TextEncoder().encode('model'), loadDevice('esp32c3'));
      expect(section.status).toBe('measured');
      expect(formatDeviceSection(section)).toContain('one inference');
      const other = deviceSection(model, new TextEncoder().encode('other'), loadDevice('esp32c3'));
      expect(formatDeviceSection(other)).toMatch(/not measured; its measurement is of another model .*npm run device-bench -- --model/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
