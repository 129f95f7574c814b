// A few thousand mutated model files through the loader in Node and in XS: each is rejected with a
// typed error or accepted and run; none crashes, hangs or allocates without bound.
import { describe, expect, it } from 'vitest';
import { fuzzOnce, newTally, verdict } from '../../compiler/fuzz/run-node.ts';
import { mutateModel } from '../../compiler/fuzz/mutate.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';
import { randomCodes, randomConv2dModel, randomModel } from '../../compiler/fuzz/random-model.ts';

const seeds = [
  writeModel(randomModel(new Rng(11), { macro: true, conv: true })),
  writeModel(randomModel(new Rng(12), { macro: false, leak: true, conv: false })),
  writeModel(randomModel(new Rng(13), { macro: true, leak: false, conv: false })),
];

describe('model parser fuzzing', () => {
  it('Node: 3,000 mutants are rejected with a typed error or run', () => {
    const rng = new Rng(99);
    const tally = newTally();
    for (let i = 0; i < 3000; i++) fuzzOnce(seeds[i % seeds.length], rng, tally);
    expect(tally.crashes.slice(0, 3)).toEqual([]);
    expect(tally.cases).toBe(3000);
    // Both outcomes occur, and several distinct rejection reasons are exercised.
    expect(tally.outcomes.accepted).toBeGreaterThan(100);
    expect(Object.keys(tally.outcomes).filter((k) => k.startsWith('rejected:')).length).toBeGreaterThanOrEqual(6);
  });

  it('XS: 600 mutants get the same verdict as in Node', async () => {
    const rng = new Rng(123);
    const xs = await XsRuntime.start({ meteringLimit: 2e9 });
    const outcomes = new Set<string>();
    try {
      for (let i = 0; i < 600; i++) {
        const { bytes } = mutateModel(seeds[i % seeds.length], rng);
        const nodeVerdict = verdict(bytes, rng);
        outcomes.add(nodeVerdict);
        const info = await xs.load(bytes);
        if (nodeVerdict === 'accepted') {
          expect(info.ok).toBe(true);
          await xs.infer(randomCodes(rng, info.inputLength!, 1, 0.5)); // returns; the worker survives
        } else {
          expect(info.ok).toBe(false);
          expect(`rejected:${info.code}`).toBe(nodeVerdict);
        }
      }
    } finally {
      await xs.close();
    }
    expect(outcomes.size).toBeGreaterThanOrEqual(5);
  });

  it('conv2d models: 1,500 mutants in Node and 300 in XS with the native kernels get the same verdicts', async () => {
    const conv2dSeeds = [
      writeModel(randomConv2dModel(new Rng(21), { macro: true })),
      writeModel(randomConv2dModel(new Rng(22), { macro: false, leak: true })),
    ];
    const rng = new Rng(2112);
    const tally = newTally();
    for (let i = 0; i < 1500; i++) fuzzOnce(conv2dSeeds[i % 2], rng, tally);
    expect(tally.crashes.slice(0, 3)).toEqual([]);
    expect(tally.outcomes.accepted).toBeGreaterThan(50);
    const xs = await XsRuntime.start({ meteringLimit: 2e9, native: 'release' });
    try {
      for (let i = 0; i < 300; i++) {
        const { bytes } = mutateModel(conv2dSeeds[i % 2], rng);
        const nodeVerdict = verdict(bytes, rng);
        const info = await xs.load(bytes);
        if (nodeVerdict === 'accepted') {
          expect(info.ok).toBe(true);
          await xs.infer(randomCodes(rng, info.inputLength!, 1, 0.5));
        } else {
          expect(`rejected:${info.code}`).toBe(nodeVerdict);
        }
      }
    } finally {
      await xs.close();
    }
  });
});
