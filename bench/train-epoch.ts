/**
 * Trainer speed probe for `npm run bench`: wall time of one training epoch (float or QAT) of an MLP
 * on MNIST, batch 128, no evaluation or checkpointing, shift augmentation on (as in real training).
 */
import { loadMnist, subset } from '../compiler/data/mnist.ts';
import type { TrainMode } from '../compiler/train/net.ts';
import { imageInput, train } from '../compiler/train/trainer.ts';

export interface EpochTiming {
  mode: TrainMode;
  hidden: number[];
  samples: number;
  workers: number;
  seconds: number;
  samplesPerSecond: number;
}

export async function timeEpoch(options: { mode?: TrainMode; hidden?: number[]; workers?: number; limit?: number; batch?: number } = {}): Promise<EpochTiming> {
  const mode = options.mode ?? 'float';
  const hidden = options.hidden ?? [128];
  const workers = options.workers ?? 2;
  const d = loadMnist();
  const set = options.limit ? subset(d.train, options.limit) : d.train;
  const r = await train(set, null, imageInput(28, 28, 1, 4), { mode, hidden, workers, epochs: 1, batch: options.batch ?? 128, progress: false, evalEachEpoch: false });
  const seconds = r.history[0].seconds;
  return { mode, hidden, samples: set.count, workers, seconds, samplesPerSecond: set.count / seconds };
}
