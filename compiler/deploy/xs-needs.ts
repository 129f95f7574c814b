/**
 * XS slots and chunk bytes a model takes on a board, measured in the real XS engine on the input
 * `tempo-cim profile` uses (the first MNIST test image, or seeded synthetic codes), so `build`
 * checks what `profile` checks. Measurements are kept per model and input for the process: a
 * test building one model for several boards starts XS once.
 */
import { createHash } from 'node:crypto';
import type { Model } from '../../runtime/index.ts';
import { testInputsFor } from '../profile/test-inputs.ts';
import { XsMemoryProbe, type XsMemory } from '../profile/xs-memory.ts';

const measured = new Map<string, XsMemory>();

export async function measureXsNeeds(modelBytes: Uint8Array, model: Model): Promise<XsMemory> {
  const codes = testInputsFor(model, 1).codes[0];
  const key = createHash('sha256').update(modelBytes).update(codes).digest('hex');
  const known = measured.get(key);
  if (known) return known;
  const probe = await XsMemoryProbe.start();
  try {
    const memory = await probe.measure(modelBytes, codes);
    measured.set(key, memory);
    return memory;
  } finally {
    await probe.close();
  }
}
