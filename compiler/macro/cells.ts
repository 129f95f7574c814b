/**
 * RRAM non-idealities through the macro's bit slicing: each integer weight is written as bits into
 * `cellsPerWeight` binary cells; a cell may be stuck ON or OFF, and every cell's conductance varies
 * from its target (relative sigma S, Gaussian, independent per cell). The column periphery reads a
 * cell as (G - G_off) / (G_on - G_off) and merges the bit columns with their weights 2^b, so a chip
 * holds real-valued weights; rounded to the nearest integer and clamped to the layer's weight range
 * they are the integer weights the runtime executes.
 *
 * Per weight the read error is a sum of independent Gaussians, so it is drawn as one Gaussian whose
 * sigma depends on the (possibly faulted) bit pattern: exact in distribution, one draw per weight.
 * Stuck cells are rare: their positions are drawn by geometric skips over the cell stream.
 * The same sampler serves the robustness command (one draw per simulated chip) and noise-aware
 * training (a fresh draw per training step).
 */
import type { MacroDevice } from './device.ts';

/** Non-idealities of one simulated chip population. */
export interface CellFaults {
  /** Relative conductance sigma of every cell (0.05 = 5%). */
  variation: number;
  /** Probability that a cell is stuck ON (reads as G_on) / stuck OFF (reads as G_off). */
  stuckOn: number;
  stuckOff: number;
}

/** A uniform [0, 1) source and a standard-normal source (compiler/util/prng.ts Rng fits). */
export interface RandomSource {
  next(): number;
  normal(): number;
}

export const NO_FAULTS: CellFaults = { variation: 0, stuckOn: 0, stuckOff: 0 };

export function isIdeal(f: CellFaults): boolean {
  return f.variation === 0 && f.stuckOn === 0 && f.stuckOff === 0;
}

/** The bit-sliced cell model of a device: encoding, decoding and per-pattern read sigma. */
export class CellModel {
  readonly cells: number;
  readonly faults: CellFaults;
  private readonly twos: boolean;
  /** Read sigma (in weight units) per bit pattern, for the device's encoding. */
  private readonly sigma: Float64Array;

  constructor(device: MacroDevice, faults: CellFaults) {
    this.cells = device.weights.cellsPerWeight;
    this.faults = faults;
    this.twos = device.weights.encoding === 'twos-complement';
    const r = device.cells.onOffRatio;
    // Normalized read noise of one cell: ON reads 1 + S eps r/(r-1), OFF reads S eps/(r-1).
    const on = (faults.variation * r) / (r - 1);
    const off = faults.variation / (r - 1);
    const patterns = 1 << this.cells;
    this.sigma = new Float64Array(patterns);
    // Sign-magnitude: the sign cell steers the magnitude slices (read digitally), so only they add noise.
    const analogBits = this.twos ? this.cells : this.cells - 1;
    for (let p = 0; p < patterns; p++) {
      let v = 0;
      for (let b = 0; b < analogBits; b++) {
        const s = ((p >> b) & 1 ? on : off) * 2 ** b;
        v += s * s;
      }
      this.sigma[p] = Math.sqrt(v);
    }
  }

  /** The cells' bit pattern (bit b = cell b, least significant first) of integer weight w. */
  encode(w: number): number {
    const mask = (1 << this.cells) - 1;
    if (this.twos) return w & mask;
    const signBit = 1 << (this.cells - 1);
    return w < 0 ? signBit | (-w & (signBit - 1)) : w & (signBit - 1);
  }

  /** The weight an ideal read of bit pattern p gives. */
  decode(p: number): number {
    const signBit = 1 << (this.cells - 1);
    if (this.twos) return p & signBit ? p - (1 << this.cells) : p;
    const magnitude = p & (signBit - 1);
    return p & signBit ? -magnitude : magnitude;
  }

  /**
   * Programs `weights` (integers within +-wmax) into cells and reads them back: out[i] = the integer
   * weight the chip's cells give, rounded and clamped to +-wmax. Faults are placed independently in
   * each call's cell stream. With no faults out equals weights.
   */
  program(weights: ArrayLike<number>, wmax: number, rng: RandomSource, out: { [i: number]: number; length: number }): void {
    const { variation, stuckOn, stuckOff } = this.faults;
    const pFault = stuckOn + stuckOff;
    const cells = this.cells;
    const totalCells = weights.length * cells;
    let nextFault = pFault > 0 ? nextFaultAfter(-1, pFault, rng) : totalCells;
    const signBit = 1 << (cells - 1);
    for (let i = 0; i < weights.length; i++) {
      let p = this.encode(weights[i]);
      const end = (i + 1) * cells;
      while (nextFault < end) {
        const bit = 1 << (nextFault - i * cells);
        p = rng.next() * pFault < stuckOn ? p | bit : p & ~bit;
        nextFault = nextFaultAfter(nextFault, pFault, rng);
      }
      let w: number;
      if (variation === 0) {
        w = this.decode(p);
      } else if (this.twos) {
        w = Math.round(this.decode(p) + this.sigma[p] * rng.normal());
      } else {
        const magnitude = Math.max(0, Math.round((p & (signBit - 1)) + this.sigma[p] * rng.normal()));
        w = p & signBit ? -magnitude : magnitude;
      }
      out[i] = w > wmax ? wmax : w < -wmax ? -wmax : w;
    }
  }
}

/** Index of the next faulty cell after `at` when each cell is faulty with probability p (geometric skip). */
function nextFaultAfter(at: number, p: number, rng: RandomSource): number {
  if (p >= 1) return at + 1;
  const u = 1 - rng.next(); // (0, 1]
  return at + 1 + Math.floor(Math.log(u) / Math.log1p(-p));
}
