/**
 * Simulated chips: a .tcm programmed into the macro's cells with conductance variation and stuck
 * cells (compiler/macro/cells.ts), read back as the integer weights the runtime executes, and each
 * chip evaluated by the runtime itself (Node or XS) on labelled inputs.
 */
import { crc32, loadModel } from '../../runtime/index.ts';
import { quantile } from '../profile/stats.ts';
import { evaluateCodes } from '../train/evaluate.ts';
import { deriveSeed, Rng } from '../util/prng.ts';
import { CellModel, type CellFaults } from './cells.ts';
import type { MacroDevice } from './device.ts';

/** CRC field offset and the first byte it covers (docs/tcm-format.md). */
const CRC_OFFSET = 12;
const CRC_START = 16;

export interface ChipStats {
  /** Share of weights whose integer value differs from the file's. */
  weightsChanged: number;
}

/**
 * The model file as chip `chip` of a population would execute it: a copy of `bytes` whose weight
 * sections hold the read-back weights, CRC updated. Same (seed, chip) -> same bytes.
 */
export function programChip(bytes: Uint8Array, cells: CellModel, seed: number, chip: number): { bytes: Uint8Array; stats: ChipStats } {
  const original = loadModel(bytes);
  const copy = new Uint8Array(new ArrayBuffer(original.fileBytes));
  copy.set(bytes.subarray(0, original.fileBytes));
  const programmed = loadModel(copy, { verifyCrc: false });
  const rng = new Rng(deriveSeed(seed, `chip ${chip}`));
  let changed = 0;
  let total = 0;
  programmed.layers.forEach((layer, k) => {
    const source = original.layers[k].weights;
    cells.program(source, (1 << (layer.weightBits - 1)) - 1, rng, layer.weights);
    for (let i = 0; i < source.length; i++) if (source[i] !== layer.weights[i]) changed++;
    total += source.length;
  });
  new DataView(copy.buffer).setUint32(CRC_OFFSET, crc32(copy, CRC_START, original.fileBytes), true);
  return { bytes: copy, stats: { weightsChanged: changed / total } };
}

export interface RobustnessOptions {
  faults: CellFaults;
  chips: number;
  seed: number;
  engine?: 'node' | 'xs';
  /** Called after each chip with its accuracy. */
  onChip?: (done: number, total: number, accuracy: number) => void;
}

export interface RobustnessReport {
  device: string;
  faults: CellFaults;
  chips: number;
  seed: number;
  engine: 'node' | 'xs';
  samples: number;
  /** The file as written (no non-idealities), by the same runtime on the same inputs. */
  unperturbedAccuracy: number;
  accuracies: number[];
  mean: number;
  min: number;
  /** 5th percentile (nearest rank) of the chips' accuracies. */
  p5: number;
  max: number;
  /** Mean accuracy lost against the unperturbed file, in percentage points. */
  meanLossPoints: number;
  weightsChangedMean: number;
}

export async function evaluateChips(bytes: Uint8Array, device: MacroDevice, codes: Uint8Array[], labels: ArrayLike<number>, options: RobustnessOptions): Promise<RobustnessReport> {
  const engine = options.engine ?? 'node';
  const cells = new CellModel(device, options.faults);
  const base = await evaluateCodes(bytes, codes, labels, { engine });
  const accuracies: number[] = [];
  let changed = 0;
  for (let chip = 0; chip < options.chips; chip++) {
    const programmed = programChip(bytes, cells, options.seed, chip);
    const r = await evaluateCodes(programmed.bytes, codes, labels, { engine });
    accuracies.push(r.accuracy);
    changed += programmed.stats.weightsChanged;
    options.onChip?.(chip + 1, options.chips, r.accuracy);
  }
  const mean = accuracies.reduce((s, a) => s + a, 0) / accuracies.length;
  return {
    device: device.name,
    faults: options.faults,
    chips: options.chips,
    seed: options.seed,
    engine,
    samples: codes.length,
    unperturbedAccuracy: base.accuracy,
    accuracies,
    mean,
    min: Math.min(...accuracies),
    p5: quantile(accuracies, 0.05),
    max: Math.max(...accuracies),
    meanLossPoints: 100 * (base.accuracy - mean),
    weightsChangedMean: changed / options.chips,
  };
}
