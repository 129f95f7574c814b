/**
 * The device-instructions part of `tempo-cim profile --device BOARD` (and of the report's profile):
 * the RV32IMC counts `npm run device-bench` wrote next to the model (MODEL.rv32.json), with time
 * estimates for the board. The profile only reads that file: measuring takes minutes of emulation
 * and Debian packages, so it stays a separate, explicit step.
 */
import { fileURLToPath } from 'node:url';
import type { DeviceProfile } from '../deploy/devices.ts';
import { deviceBundleText, findMeasurement, sha256 } from './device-counts.ts';
import { deviceTimeProfile, formatDeviceTime, type DeviceTimeProfile } from './device-time.ts';

const distDir = fileURLToPath(new URL('../../dist/', import.meta.url));

export type DeviceSection =
  | ({ status: 'measured' } & DeviceTimeProfile)
  | { status: 'not-measured'; measurementFile: string; hint: string };

export function deviceSection(modelPath: string, modelBytes: Uint8Array, board: Pick<DeviceProfile, 'name' | 'clockMHz' | 'cpi'>): DeviceSection {
  const text = deviceBundleText(distDir);
  const bundle = text === null ? null : sha256(text);
  const found = findMeasurement(modelPath, modelBytes, bundle);
  if (found.status !== 'found') {
    const why = found.status === 'missing' ? 'no measurement' : 'its measurement is of another model';
    return { status: 'not-measured', measurementFile: found.path, hint: `${why} (${found.path}): run npm run device-bench -- --model ${modelPath}` };
  }
  return { status: 'measured', ...deviceTimeProfile(found.measurement, board, found.path, found.staleRuntime) };
}

export function formatDeviceSection(section: DeviceSection): string {
  if (section.status === 'measured') return formatDeviceTime(section);
  return `device instructions (RV32IMC): not measured; ${section.hint}`;
}
