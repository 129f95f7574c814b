/**
 * Noise-aware training (`train --train-variation S`): every training step runs its forward pass on
 * a freshly simulated chip, the step's integer weights programmed into the macro's cells and read
 * back with the same conductance variation and stuck cells as `tempo-cim robustness`
 * (compiler/macro/cells.ts). Gradients still flow to the latent weights (straight through the
 * perturbation). The chip of a step is drawn from the batch's sample indices, so both shards and
 * any thread count see the same chip, and a resumed run draws the same chips.
 */
import { CellModel, type CellFaults } from '../macro/cells.ts';
import type { MacroDevice } from '../macro/device.ts';
import { Rng } from '../util/prng.ts';

export interface TrainNoise {
  device: MacroDevice;
  faults: CellFaults;
  /** Seed of the chips' stream (the run's seed). */
  seed: number;
}

/** Programs per-layer integer weights (in place) into one simulated chip. */
export class ChipNoise {
  private readonly cells: CellModel;
  constructor(readonly noise: TrainNoise) {
    this.cells = new CellModel(noise.device, noise.faults);
  }

  /** The chip of the batch whose sample indices are `batch` (order matters; the full batch, not a shard). */
  rngFor(batch: ArrayLike<number>): Rng {
    let h = 0x811c9dc5;
    for (let i = 0; i < batch.length; i++) h = Math.imul(h ^ batch[i], 0x01000193) >>> 0;
    return new Rng(this.noise.seed, h);
  }

  /** weights[l] (integers in +-wmax) replaced by chip `rng`'s read-back weights. */
  perturb(weights: Float32Array[], wmax: number, rng: Rng): void {
    for (const w of weights) this.cells.program(w, wmax, rng, w);
  }
}
