/**
 * Compute-in-memory macro profiles (devices/<name>.json with kind 'cim-macro'): the array, its bit
 * slicing, the macro-mode arithmetic (row groups, charge bound) and the published figures the cost
 * model scales. The schema checks each field; this file checks how the fields fit together.
 */
import { UserError } from '../errors.ts';
import { isMacroProfile, listMacroDevices, readProfileFile } from '../deploy/devices.ts';

export interface MacroDevice {
  name: string;
  kind: 'cim-macro';
  description: string;
  process: { nodeNm: number; memory: string };
  /** Word lines (rows) and bit lines (cell columns) of one array. */
  array: { rows: number; columns: number };
  cells: { bitsPerCell: number; onOffRatio: number };
  /** Bit slicing: `cellsPerWeight` adjacent cells of a row hold one `bits`-bit weight. */
  weights: { bits: number; cellsPerWeight: number; encoding: 'twos-complement' | 'sign-magnitude' };
  inputs: { bits: number; timeStepsPerWindow: number };
  macro: { groupRows: number; chargeBound: number };
  published: { topsPerWatt: number; topsPerMm2: number; areaMm2: number; inputBits: number; weightBits: number; opsPerMac: number; source: string };
}

/** Loads a macro profile by name or path; boards, invalid files and inconsistent fields are user errors. */
export function loadMacroDevice(nameOrPath: string): MacroDevice {
  const file = readProfileFile(nameOrPath);
  if (!isMacroProfile(file)) throw new UserError(`'${nameOrPath}' is a board profile, not a compute-in-memory macro; macros: ${listMacroDevices().join(', ')}`);
  const device = file.json as unknown as MacroDevice;
  const problem = inconsistency(device);
  if (problem) throw new UserError(`${file.source} is not a valid profile: ${problem}`);
  return device;
}

function inconsistency(d: MacroDevice): string | null {
  const { array, cells, weights, inputs, macro } = d;
  if (weights.cellsPerWeight * cells.bitsPerCell !== weights.bits) {
    return `weights.cellsPerWeight (${weights.cellsPerWeight}) x cells.bitsPerCell (${cells.bitsPerCell}) must equal weights.bits (${weights.bits})`;
  }
  if (cells.bitsPerCell !== 1) return 'only binary cells (cells.bitsPerCell = 1) are modelled';
  if (array.columns % weights.cellsPerWeight !== 0) return `array.columns (${array.columns}) is not a multiple of weights.cellsPerWeight (${weights.cellsPerWeight})`;
  if (macro.groupRows > array.rows) return `macro.groupRows (${macro.groupRows}) exceeds array.rows (${array.rows}): a row group is read by one array`;
  if (inputs.timeStepsPerWindow < (1 << inputs.bits) - 1) {
    return `inputs.timeStepsPerWindow (${inputs.timeStepsPerWindow}) is shorter than the ${(1 << inputs.bits) - 1} spike times of ${inputs.bits}-bit codes`;
  }
  return null;
}

/** Weights one array row holds side by side. */
export function weightsPerRow(d: MacroDevice): number {
  return d.array.columns / d.weights.cellsPerWeight;
}
