/**
 * Fuzzes the model loader and interpreter in Node: every mutant must be rejected with a typed
 * ModelError or load and then run an inference within the loader's work limits.
 */
import { createNetwork, InputError, loadModel, ModelError } from '../../runtime/index.ts';
import type { Rng } from '../util/prng.ts';
import { mutateModel } from './mutate.ts';

export interface FuzzTally {
  cases: number;
  /** Outcome -> count: 'accepted', 'rejected:<code>' or 'crash'. */
  outcomes: Record<string, number>;
  /** Mutants that threw something other than a typed error (bugs). */
  crashes: { kind: string; error: string }[];
}

export function newTally(): FuzzTally {
  return { cases: 0, outcomes: {}, crashes: [] };
}

/**
 * Loads `bytes`, builds a network and runs one inference on random codes. Returns 'accepted',
 * 'rejected:<code>' for a typed error, or throws what anything else threw.
 */
export function verdict(bytes: Uint8Array, rng: Rng): string {
  try {
    const aligned = new Uint8Array(bytes.length);
    aligned.set(bytes);
    const network = createNetwork(loadModel(aligned), { budgetBytes: 64 << 20 });
    const max = network.model.layers[0].inMax;
    const codes = new Uint8Array(network.inputLength);
    for (let i = 0; i < codes.length; i++) codes[i] = rng.int(0, max);
    network.infer(codes);
    return 'accepted';
  } catch (error) {
    if (error instanceof ModelError || error instanceof InputError) return `rejected:${error.code}`;
    throw error;
  }
}

/** Mutates the seed model once and tallies the outcome. */
export function fuzzOnce(seedModel: Uint8Array, rng: Rng, tally: FuzzTally): void {
  const { bytes, kind } = mutateModel(seedModel, rng);
  let outcome: string;
  try {
    outcome = verdict(bytes, rng);
  } catch (error) {
    outcome = 'crash';
    tally.crashes.push({ kind, error: String((error as Error)?.stack ?? error) });
  }
  tally.cases++;
  tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
}
