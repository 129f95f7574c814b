/** Board profiles (devices/*.json): loaded, checked against devices/profile.schema.json, and typed. */
import { readdirSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { deviceSchemaUrl, loadValidator } from './schema.ts';

export interface GrowthSetting {
  initial: number;
  incremental: number;
}

export interface CreationSettings {
  static: number;
  chunk: GrowthSetting;
  heap: GrowthSetting;
  stack: number;
}

export interface DisplayInput {
  width: number;
  height: number;
  touch: boolean;
  driver: string;
}

export interface MicrophoneInput {
  builtin: boolean;
  description: string;
  defines?: Record<string, unknown>;
}

export interface DeviceProfile {
  name: string;
  description: string;
  chip: string;
  clockMHz: number;
  moddable: { platform: string; simulator: string; source: string; creation: CreationSettings };
  flash: { totalBytes: number; dataBudgetBytes: number };
  ram: { sramBytes: number; psramBytes: number; scratchBudgetBytes: number };
  inputs: { display: DisplayInput | null; microphone: MicrophoneInput | null };
  macro: { groupRows: number; chargeBound: number };
}

export const devicesDir = new URL('../../devices/', import.meta.url);

/** Names of the profiles shipped in devices/ (file names without .json, schema excluded). */
export function listDevices(): string[] {
  return readdirSync(devicesDir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Loads and validates one profile by name; unknown names and invalid files are user errors. */
export function loadDevice(name: string): DeviceProfile {
  const known = listDevices();
  if (!known.includes(name)) {
    throw new UserError(`unknown device '${name}'; known devices: ${known.join(', ')}`);
  }
  const profile = JSON.parse(readFileSync(new URL(`${name}.json`, devicesDir), 'utf8')) as DeviceProfile;
  const problems = loadValidator(deviceSchemaUrl)(profile);
  if (problems.length > 0) throw new UserError(`devices/${name}.json is not a valid profile: ${problems.join('; ')}`);
  if (profile.name !== name) throw new UserError(`devices/${name}.json names itself '${profile.name}'`);
  return profile;
}

/** Bytes of XS chunk heap available to scripts: the static block when the board uses one, else the chunk heap. */
export function chunkHeapBytes(profile: DeviceProfile): number {
  const { creation } = profile.moddable;
  return creation.static > 0 ? creation.static : creation.chunk.initial;
}
