/**
 * Whether a profiled model fits a board: flash (model + runtime module, against the profile's data
 * budget, as `tempo-cim build` checks it), RAM (the larger of the runtime's declared scratch and the
 * typed-array bytes measured in XS, plus the input codes buffer, against the scratch budget), and
 * XS slots (network + one inference's garbage, against the board's slot heap).
 */
import { checkBudget, type BudgetReport } from '../deploy/budget.ts';
import type { DeviceProfile } from '../deploy/devices.ts';

export interface FitInput {
  modelBytes: number;
  runtimeBytes: number;
  scratchBytes: number;
  measuredChunkBytes: number;
  inputCodes: number;
  networkSlots: number;
  inferenceSlots: number;
}

export interface Fit {
  fits: boolean;
  flash: { used: number; budget: number; fits: boolean };
  ram: { used: number; budget: number; fits: boolean };
  slots: { used: number; budget: number; fits: boolean };
  problems: string[];
}

export function checkFit(device: DeviceProfile, m: FitInput): Fit {
  const budget: BudgetReport = checkBudget(
    device,
    [{ name: 'model', bytes: m.modelBytes }, { name: 'runtime module', bytes: m.runtimeBytes }],
    Math.max(m.scratchBytes, m.measuredChunkBytes),
    m.inputCodes,
    { network: m.networkSlots, inference: m.inferenceSlots },
  );
  const slotBudget = budget.slotBudget;
  const slotsUsed = m.networkSlots + m.inferenceSlots;
  const problems = budget.problems;
  const flash = { used: budget.flashBytes, budget: budget.flashBudget, fits: budget.flashBytes <= budget.flashBudget };
  const ram = { used: budget.ramBytes, budget: budget.ramBudget, fits: budget.ramBytes <= budget.ramBudget };
  const slots = { used: slotsUsed, budget: slotBudget, fits: slotsUsed <= slotBudget };
  return { fits: flash.fits && ram.fits && slots.fits, flash, ram, slots, problems };
}
