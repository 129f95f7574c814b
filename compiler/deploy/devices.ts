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
  /** Estimated cycles per instruction (device-time estimates from RV32IMC counts); absent: no estimate. */
  cpi?: { min: number; max: number; basis: string };
  moddable: { platform: string; simulator: string; source: string; creation: CreationSettings };
  flash: { totalBytes: number; dataBudgetBytes: number };
  ram: { sramBytes: number; psramBytes: number; scratchBudgetBytes: number };
  inputs: { display: DisplayInput | null; microphone: MicrophoneInput | null };
  macro: { groupRows: number; chargeBound: number };
}

export const devicesDir = new URL('../../devices/', import.meta.url);

/** A profile file's JSON, validated against devices/profile.schema.json (a board or a CIM macro). */
export interface ProfileFile {
  /** Profile name, or the path when it was given as a file. */
  source: string;
  json: { kind?: string; name: string } & Record<string, unknown>;
}

/** Whether a validated profile describes a compute-in-memory macro rather than a board. */
export function isMacroProfile(file: ProfileFile): boolean {
  return file.json.kind === 'cim-macro';
}

function profileNames(): string[] {
  return readdirSync(devicesDir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Names of the board profiles shipped in devices/ (file names without .json; macros and the schema excluded). */
export function listDevices(): string[] {
  return profileNames().filter((name) => JSON.parse(readFileSync(new URL(`${name}.json`, devicesDir), 'utf8')).kind !== 'cim-macro');
}

/** Names of the compute-in-memory macro profiles shipped in devices/. */
export function listMacroDevices(): string[] {
  const boards = listDevices();
  return profileNames().filter((name) => !boards.includes(name));
}

/**
 * Reads and validates one profile: a name from devices/, or a path to a .json file (a custom
 * profile). Unknown names, unreadable files and invalid profiles are user errors.
 */
export function readProfileFile(nameOrPath: string): ProfileFile {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/');
  if (!isPath && !profileNames().includes(nameOrPath)) {
    throw new UserError(`unknown device '${nameOrPath}'; known devices: ${profileNames().join(', ')}`);
  }
  const where = isPath ? nameOrPath : `devices/${nameOrPath}.json`;
  let json: ProfileFile['json'];
  try {
    json = JSON.parse(readFileSync(isPath ? nameOrPath : new URL(`${nameOrPath}.json`, devicesDir), 'utf8'));
  } catch (error) {
    throw new UserError(`${where}: cannot read the profile (${(error as Error).message})`);
  }
  const problems = loadValidator(deviceSchemaUrl)(json);
  if (problems.length > 0) throw new UserError(`${where} is not a valid profile: ${problems.join('; ')}`);
  if (!isPath && json.name !== nameOrPath) throw new UserError(`${where} names itself '${json.name}'`);
  return { source: where, json };
}

/** Loads and validates one board profile by name (or path); macro profiles and invalid files are user errors. */
export function loadDevice(name: string): DeviceProfile {
  const file = readProfileFile(name);
  if (isMacroProfile(file)) throw new UserError(`'${name}' is a compute-in-memory macro profile, not a board; boards: ${listDevices().join(', ')}`);
  return file.json as unknown as DeviceProfile;
}

/** Bytes of XS chunk heap available to scripts: the static block when the board uses one, else the chunk heap. */
export function chunkHeapBytes(profile: DeviceProfile): number {
  const { creation } = profile.moddable;
  return creation.static > 0 ? creation.static : creation.chunk.initial;
}

/**
 * XS slots (16 bytes each on a 32-bit MCU) the app may take. With a static block (creation.static >
 * 0, the ESP32-C3) Moddable's host allocates chunks and slots in that one block and grows the slot
 * heap into it by `heap.incremental` as needed, so the slots may use the block less the chunk
 * budget for scratch and app buffers; otherwise the slot heap is `heap.initial`.
 */
export function slotBudget(profile: DeviceProfile): number {
  const { creation } = profile.moddable;
  return creation.static > 0 ? Math.floor((creation.static - profile.ram.scratchBudgetBytes) / 16) : creation.heap.initial;
}
