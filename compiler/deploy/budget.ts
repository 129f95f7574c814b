/**
 * What a generated project needs from a board, checked against its profile before anything is
 * written: flash for the data resources and the runtime module, RAM (XS chunk heap) for the
 * network's scratch plus the app's own buffers, and XS slots for the network and one inference
 * (measured in XS; `tempo-cim profile` checks the same).
 */
import type { DeviceProfile } from './devices.ts';
import { chunkHeapBytes, slotBudget } from './devices.ts';
import { UserError } from '../errors.ts';

export interface FlashItem {
  name: string;
  bytes: number;
}

export interface BudgetReport {
  flashBytes: number;
  flashBudget: number;
  flashItems: FlashItem[];
  ramBytes: number;
  ramBudget: number;
  scratchBytes: number;
  appBufferBytes: number;
  chunkHeapBytes: number;
  /** XS slots the loaded network keeps plus those one inference allocates, against the slot heap. */
  slots: XsSlots | null;
  slotBudget: number;
  problems: string[];
}

export interface XsSlots {
  network: number;
  inference: number;
}

export class BudgetError extends UserError {
  override name = 'BudgetError';
  readonly report: BudgetReport;
  constructor(report: BudgetReport) {
    super(report.problems.join('; '));
    this.report = report;
  }
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

export function checkBudget(profile: DeviceProfile, flashItems: FlashItem[], scratchBytes: number, appBufferBytes: number, slots: XsSlots | null = null): BudgetReport {
  const flashBytes = flashItems.reduce((sum, item) => sum + item.bytes, 0);
  const ramBytes = scratchBytes + appBufferBytes;
  const report: BudgetReport = {
    flashBytes,
    flashBudget: profile.flash.dataBudgetBytes,
    flashItems,
    ramBytes,
    ramBudget: profile.ram.scratchBudgetBytes,
    scratchBytes,
    appBufferBytes,
    chunkHeapBytes: chunkHeapBytes(profile),
    slots,
    slotBudget: slotBudget(profile),
    problems: [],
  };
  if (flashBytes > report.flashBudget) {
    const parts = flashItems.map((i) => `${i.name} ${kib(i.bytes)}`).join(' + ');
    report.problems.push(`needs ${kib(flashBytes)} of flash (${parts}) but device '${profile.name}' has ${kib(report.flashBudget)} for data`);
  }
  if (ramBytes > report.ramBudget) {
    report.problems.push(
      `needs ${kib(ramBytes)} of RAM (network scratch ${kib(scratchBytes)} + app buffers ${kib(appBufferBytes)}) but device '${profile.name}' allows ${kib(report.ramBudget)} of its ${kib(report.chunkHeapBytes)} XS chunk heap`,
    );
  }
  if (slots && slots.network + slots.inference > report.slotBudget) {
    report.problems.push(`needs ${slots.network + slots.inference} XS slots (network ${slots.network} + one inference ${slots.inference}) but device '${profile.name}' has ${report.slotBudget}`);
  }
  return report;
}

export function formatBudget(report: BudgetReport): string {
  const pct = (used: number, budget: number) => (budget > 0 ? `${((100 * used) / budget).toFixed(1)}%` : 'n/a');
  return [
    `flash: ${kib(report.flashBytes)} of ${kib(report.flashBudget)} (${pct(report.flashBytes, report.flashBudget)}): ${report.flashItems.map((i) => `${i.name} ${kib(i.bytes)}`).join(', ')}`,
    `RAM:   ${kib(report.ramBytes)} of ${kib(report.ramBudget)} (${pct(report.ramBytes, report.ramBudget)}): scratch ${kib(report.scratchBytes)}, app buffers ${kib(report.appBufferBytes)}`,
    ...(report.slots ? [`slots: ${report.slots.network + report.slots.inference} of ${report.slotBudget} (${pct(report.slots.network + report.slots.inference, report.slotBudget)}): network ${report.slots.network}, one inference ${report.slots.inference} (measured in XS)`] : []),
  ].join('\n');
}
