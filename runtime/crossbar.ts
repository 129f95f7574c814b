/**
 * Crossbar kernels for one output position (one im2col window) of a layer.
 *
 * Accumulators hold one partial charge per (row group, neuron): acc[g * M + j]. In ideal mode there
 * is one group spanning all rows, so acc[j] is the neuron's charge V_j. Rows are the window's
 * inputs in order; row r belongs to group floor(r / groupRows).
 */
import type { Layer } from './model.ts';

export interface OpCounters {
  /** Crossbar rows added (one per input spike). */
  rowAdds: number;
  /** Inputs with code 0 (no spike, no work). */
  zeroInputsSkipped: number;
  /** Inputs never processed because early termination stopped the window. */
  inputsSkippedEarly: number;
  /** Time steps of the window left unsimulated by early termination. */
  stepsSaved: number;
  /** Accumulator updates spent on leak (A steps x groups x neurons per position when leak is on). */
  leakUpdates: number;
  /** Group partials merged, and how many of them hit the charge bound (macro mode). */
  partials: number;
  clippedPartials: number;
}

export function newCounters(): OpCounters {
  return { rowAdds: 0, zeroInputsSkipped: 0, inputsSkippedEarly: 0, stepsSaved: 0, leakUpdates: 0, partials: 0, clippedPartials: 0 };
}

export function resetCounters(c: OpCounters): void {
  c.rowAdds = 0;
  c.zeroInputsSkipped = 0;
  c.inputsSkippedEarly = 0;
  c.stepsSaved = 0;
  c.leakUpdates = 0;
  c.partials = 0;
  c.clippedPartials = 0;
}

/** total += part, field by field. */
export function addCounters(total: OpCounters, part: OpCounters): void {
  total.rowAdds += part.rowAdds;
  total.zeroInputsSkipped += part.zeroInputsSkipped;
  total.inputsSkippedEarly += part.inputsSkippedEarly;
  total.stepsSaved += part.stepsSaved;
  total.leakUpdates += part.leakUpdates;
  total.partials += part.partials;
  total.clippedPartials += part.clippedPartials;
}

/**
 * No leak: V = sum_i W_i a_i exactly, so each spiking input adds its row once, scaled by its code
 * (the number of steps the row stays active). Zero inputs are skipped: the spiking rows are
 * gathered into `order` first, then added in blocks.
 */
export function accumulateDirect(layer: Layer, input: Uint8Array, base: number, acc: Int32Array, order: Int32Array, ops: OpCounters): void {
  const rows = layer.rows;
  acc.fill(0, 0, layer.groups * layer.outChannels);
  let spiking = 0;
  for (let r = 0; r < rows; r++) if (input[base + r] !== 0) order[spiking++] = r;
  addRows(layer, input, base, order, 0, spiking, acc);
  ops.rowAdds += spiking;
  ops.zeroInputsSkipped += rows - spiking;
}

/**
 * acc += a_r * W_r for the rows r = order[from..to), a_r = input[base + r]. Eight rows
 * of one group are summed per accumulator visit, so each accumulator is loaded and stored once per
 * block instead of once per row (in XS about 0.6x the steps of row-at-a-time).
 */
export function addRows(layer: Layer, input: Uint8Array, base: number, order: Int32Array, from: number, to: number, acc: Int32Array): void {
  const { weights, outChannels: m, groupRows, groups } = layer;
  let k = from;
  while (k < to) {
    const r1 = order[k];
    const group = groups === 1 ? 0 : (r1 / groupRows) | 0;
    const t = group * m;
    if (k + 7 < to && (groups === 1 || sameGroup(order, k, groupRows, group))) {
      const r2 = order[k + 1], r3 = order[k + 2], r4 = order[k + 3], r5 = order[k + 4], r6 = order[k + 5], r7 = order[k + 6], r8 = order[k + 7];
      const a1 = input[base + r1], a2 = input[base + r2], a3 = input[base + r3], a4 = input[base + r4];
      const a5 = input[base + r5], a6 = input[base + r6], a7 = input[base + r7], a8 = input[base + r8];
      const w1 = r1 * m, w2 = r2 * m, w3 = r3 * m, w4 = r4 * m, w5 = r5 * m, w6 = r6 * m, w7 = r7 * m, w8 = r8 * m;
      for (let j = 0; j < m; j++) {
        acc[t + j] += a1 * weights[w1 + j] + a2 * weights[w2 + j] + a3 * weights[w3 + j] + a4 * weights[w4 + j] +
          a5 * weights[w5 + j] + a6 * weights[w6 + j] + a7 * weights[w7 + j] + a8 * weights[w8 + j];
      }
      k += 8;
    } else {
      addScaledRow(acc, t, weights, r1 * m, m, input[base + r1]);
      k++;
    }
  }
}

/** Whether the eight rows order[k..k+7] all lie in `group` (they need not be ascending). */
function sameGroup(order: Int32Array, k: number, groupRows: number, group: number): boolean {
  for (let i = 1; i < 8; i++) if (((order[k + i] / groupRows) | 0) !== group) return false;
  return true;
}

/**
 * acc[to + j] += a * weights[from + j] for j < m: the crossbar's row add, the innermost loop.
 * Unrolled by 8: in XS this spends about a quarter fewer steps per weight than the plain loop.
 */
export function addScaledRow(acc: Int32Array, to: number, weights: Int8Array, from: number, m: number, a: number): void {
  let j = 0;
  for (; j + 7 < m; j += 8) {
    const t = to + j;
    const f = from + j;
    acc[t] += a * weights[f];
    acc[t + 1] += a * weights[f + 1];
    acc[t + 2] += a * weights[f + 2];
    acc[t + 3] += a * weights[f + 3];
    acc[t + 4] += a * weights[f + 4];
    acc[t + 5] += a * weights[f + 5];
    acc[t + 6] += a * weights[f + 6];
    acc[t + 7] += a * weights[f + 7];
  }
  for (; j < m; j++) acc[to + j] += a * weights[from + j];
}

/**
 * Orders the window's non-zero inputs by descending code (= ascending spike time) with a counting
 * sort. levelEnd[a] is one past the last entry of code a in `order`; code a's entries start at
 * levelEnd[a + 1] (levelEnd[max + 1] = 0). Returns the number of spiking inputs.
 */
export function sortBySpikeTime(input: Uint8Array, base: number, rows: number, max: number, order: Int32Array, levelEnd: Int32Array): number {
  levelEnd.fill(0, 0, max + 2);
  for (let r = 0; r < rows; r++) levelEnd[input[base + r]]++;
  // Turn counts into start offsets, highest code first; code 0 is not placed.
  let pos = 0;
  for (let a = max; a >= 1; a--) {
    const count = levelEnd[a];
    levelEnd[a] = pos;
    pos += count;
  }
  for (let r = 0; r < rows; r++) {
    const a = input[base + r];
    if (a !== 0) order[levelEnd[a]++] = r;
  }
  levelEnd[max + 1] = 0;
  return pos;
}

/**
 * Leaky integration, step by step through the window: at step s the inputs with code A - s spike
 * and their rows join the current I (they stay active to the window's end); then every
 * accumulator integrates V = V - (V >> L) + I. Requires sortBySpikeTime first.
 */
export function accumulateLeaky(layer: Layer, order: Int32Array, levelEnd: Int32Array, acc: Int32Array, current: Int32Array, ops: OpCounters): void {
  const { weights, outChannels: m, groupRows, leakShift, inMax } = layer;
  const cells = layer.groups * m;
  acc.fill(0, 0, cells);
  current.fill(0, 0, cells);
  for (let a = inMax; a >= 1; a--) {
    for (let k = levelEnd[a + 1]; k < levelEnd[a]; k++) {
      const r = order[k];
      addScaledRow(current, ((r / groupRows) | 0) * m, weights, r * m, m, 1);
    }
    ops.rowAdds += levelEnd[a] - levelEnd[a + 1];
    for (let c = 0; c < cells; c++) acc[c] = acc[c] - (acc[c] >> leakShift) + current[c];
    ops.leakUpdates += cells;
  }
}

/**
 * Merges group partials into one charge per neuron (macro mode: gain shift, then clamp to
 * +-C*theta_j, the bounded charge pump) and writes charge + bias to `charge`.
 */
export function mergeCharges(layer: Layer, acc: Int32Array, charge: Float64Array, ops: OpCounters): void {
  const { outChannels: m, biases } = layer;
  if (!layer.macro) {
    for (let j = 0; j < m; j++) charge[j] = acc[j] + biases[j];
    return;
  }
  const { groups, gains, thresholds, chargeBound } = layer;
  let clipped = 0;
  for (let j = 0; j < m; j++) {
    const bound = chargeBound * thresholds[j];
    let v = 0;
    for (let g = 0; g < groups; g++) {
      const c = g * m + j;
      const shift = gains![c];
      let p = shift >= 0 ? acc[c] * (1 << shift) : acc[c] >> -shift;
      if (p > bound) {
        p = bound;
        clipped++;
      } else if (p < -bound) {
        p = -bound;
        clipped++;
      }
      v += p;
    }
    charge[j] = v + biases[j];
  }
  ops.partials += groups * m;
  ops.clippedPartials += clipped;
}

/** Output codes: a_j = clamp(floor((V_j + b_j) / theta_j), 0, A_out). */
export function fire(layer: Layer, charge: Float64Array, out: Uint8Array, outBase: number): void {
  const { outChannels: m, thresholds, outMax } = layer;
  for (let j = 0; j < m; j++) {
    const x = charge[j];
    const theta = thresholds[j];
    // For 0 < x < 2^53 and integer theta, floor of the double quotient is exact.
    const code = x < theta ? 0 : Math.floor(x / theta);
    out[outBase + j] = code > outMax ? outMax : code;
  }
}
