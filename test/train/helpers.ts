/** Shared fixtures for the trainer tests: small MNIST subsets so every file stays fast. */
import { loadMnist, subset } from '../../compiler/data/mnist.ts';
import { imageInput } from '../../compiler/train/trainer.ts';

export function smallMnist(trainCount = 1500, testCount = 500) {
  const d = loadMnist();
  return { train: subset(d.train, trainCount), test: subset(d.test, testCount), input28: imageInput(28, 28, 1, 4), input14: imageInput(28, 28, 2, 4) };
}

export const quick = { epochs: 1, batch: 64, workers: 1, progress: false, evalEachEpoch: false, warmupSteps: 5 } as const;
