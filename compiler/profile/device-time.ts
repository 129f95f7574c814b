/**
 * Device time estimates from RV32IMC instruction counts (device-counts.ts): instructions x CPI /
 * clock, with the clock and the CPI range of the board profile (devices/*.json `clockMHz`, `cpi`).
 * Always an estimate: the counts are of an emulated in-order RV32IMC core (the ESP32-C3's ISA), and
 * CPI on the board depends on flash-cache misses and memory waits the emulator does not model.
 */
import type { DeviceProfile } from '../deploy/devices.ts';
import { PHASE_LABELS, type DeviceMeasurement, type PhaseName } from './device-counts.ts';

export interface CpiRange {
  min: number;
  max: number;
  basis: string;
}

export interface TimeRange {
  minMs: number;
  maxMs: number;
}

/** Milliseconds for `instructions` at `clockMHz`, over the CPI range. */
export function estimateMs(instructions: number, clockMHz: number, cpi: { min: number; max: number }): TimeRange {
  const perMs = clockMHz * 1000;
  return { minMs: (instructions * cpi.min) / perMs, maxMs: (instructions * cpi.max) / perMs };
}

export interface DevicePhaseRow {
  phase: PhaseName | 'boot' | 'perSecondOfAudio';
  label: string;
  instructions: number;
  /** null when the board profile has no CPI range (the host simulator). */
  time: TimeRange | null;
}

export interface DeviceTimeProfile {
  device: string;
  clockMHz: number;
  cpi: CpiRange | null;
  isa: string;
  measurementFile: string;
  staleRuntime: boolean;
  nativeKernels: boolean;
  rows: DevicePhaseRow[];
}

const ORDER: PhaseName[] = ['loadModel', 'createNetwork', 'encodeImage', 'inference', 'audioHop', 'keywordWindow'];

export function deviceTimeProfile(measurement: DeviceMeasurement, device: Pick<DeviceProfile, 'name' | 'clockMHz' | 'cpi'>, measurementFile: string, staleRuntime: boolean): DeviceTimeProfile {
  const cpi = device.cpi ?? null;
  const row = (phase: DevicePhaseRow['phase'], label: string, instructions: number): DevicePhaseRow => ({
    phase, label, instructions, time: cpi ? estimateMs(instructions, device.clockMHz, cpi) : null,
  });
  const rows: DevicePhaseRow[] = [];
  for (const phase of ORDER) {
    const figure = measurement.phases[phase];
    if (figure) rows.push(row(phase, PHASE_LABELS[phase], figure.median));
  }
  rows.push(row('boot', 'boot (loadModel + createNetwork)', measurement.boot));
  if (measurement.perSecondOfAudio !== undefined) rows.push(row('perSecondOfAudio', `per second of audio (hop ${measurement.hopMs} ms)`, measurement.perSecondOfAudio));
  return {
    device: device.name, clockMHz: device.clockMHz, cpi, isa: measurement.isa, measurementFile,
    staleRuntime, nativeKernels: measurement.runtime.nativeSha256 !== null, rows,
  };
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10000 ? 0 : 1)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 2)} ms`;
}

export function formatTimeRange(t: TimeRange): string {
  const lo = formatMs(t.minMs);
  const hi = formatMs(t.maxMs);
  return lo === hi ? lo : `${lo} - ${hi}`;
}

/** Text block for `tempo-cim profile --device`. */
export function formatDeviceTime(p: DeviceTimeProfile): string {
  const head = p.cpi
    ? `estimated time at ${p.clockMHz} MHz, CPI ${p.cpi.min}-${p.cpi.max}`
    : 'no time estimate (profile has no CPI range)';
  const lines = [
    `device instructions (${p.isa}, counted by npm run device-bench, ${p.nativeKernels ? 'native kernels' : 'TypeScript kernels'}; ${p.measurementFile})`,
    `  ${'phase'.padEnd(44)}${'instructions'.padStart(14)}   ${head}`,
  ];
  for (const r of p.rows) {
    lines.push(`  ${r.label.padEnd(44)}${r.instructions.toLocaleString('en-US').padStart(14)}   ${r.time ? formatTimeRange(r.time) : '-'}`);
  }
  if (p.cpi) lines.push(`  estimate only: instructions x CPI / clock; CPI range: ${p.cpi.basis}`);
  if (p.staleRuntime) lines.push('  note: the runtime bundle changed since this measurement; rerun npm run device-bench');
  return lines.join('\n');
}
