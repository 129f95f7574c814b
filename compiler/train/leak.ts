/**
 * Leaky integration in the training graph. The runtime integrates a window step by step:
 * I += rows that spike now; V = V - (V >> L) + I. An input with code a spikes with a steps left,
 * so (ignoring the floor of the shift, under one charge unit per step) it adds W * act(a) to V,
 * act(a) = sum_{i<a} (1 - 2^-L)^i = (1 - (1 - 2^-L)^a) / 2^-L: the window's leak turns each code
 * into an "activity" that grows ever more slowly with a. Without leak act(a) = a. The training
 * graph multiplies weights by act(a) instead of a, and passes gradients to the code through the
 * slope act(a) - act(a - 1).
 */

export interface LeakTables {
  /** act(a) for a = 0..A. */
  activity: Float64Array;
  /** act(a) - act(a - 1) for a = 1..A; slope[0] = 1 (a silent input's straight-through slope). */
  slope: Float64Array;
}

export function leakTables(maxCode: number, leakShift: number): LeakTables {
  const activity = new Float64Array(maxCode + 1);
  const slope = new Float64Array(maxCode + 1);
  const keep = leakShift > 0 ? 1 - 2 ** -leakShift : 1;
  slope[0] = 1;
  for (let a = 1; a <= maxCode; a++) {
    slope[a] = keep ** (a - 1);
    activity[a] = activity[a - 1] + slope[a];
  }
  return { activity, slope };
}
