/**
 * (c) Training epoch time for the same MLP (784-128-10, batch 128, Adam): the tempo-cim trainer's
 * float mode (`timeEpoch` from bench/train-epoch.ts, the trainer's own probe; one and two
 * threads) vs TensorFlow.js (wasm backend, model.fit). The tempo-cim epoch also draws random shifts
 * (the trainer's augmentation, on as in real training); TensorFlow.js trains on the plain images,
 * so the comparison leans its way. Each repeat trains a fresh model for one epoch; the figure is
 * the median epoch time.
 */
import type { ImageSet } from '../compiler/data/mnist.ts';
import { median } from '../compiler/profile/stats.ts';
import { timeEpoch } from './train-epoch.ts';
import type { Tf } from './peers.ts';

export interface EpochTimes {
  name: string;
  seconds: number[];
  median: number;
}

export const TRAIN_SHAPE = { hidden: 128, batch: 128, lr: 2e-3 };

/** One float epoch of the tempo-cim trainer over the first `samples` training images (the trainer times the epoch itself). */
async function oursEpoch(samples: number, workers: number): Promise<number> {
  const timing = await timeEpoch({ mode: 'float', hidden: [TRAIN_SHAPE.hidden], workers, limit: samples, batch: TRAIN_SHAPE.batch });
  return timing.seconds;
}

async function tfEpoch(tf: Tf, set: ImageSet): Promise<number> {
  const px = set.rows * set.cols;
  const x = new Float32Array(set.count * px);
  for (let i = 0; i < x.length; i++) x[i] = set.images[i] / 255;
  const y = new Float32Array(set.count * 10);
  for (let i = 0; i < set.count; i++) y[i * 10 + set.labels[i]] = 1;
  const xs = tf.tensor2d(x, [set.count, px]);
  const ys = tf.tensor2d(y, [set.count, 10]);
  try {
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: TRAIN_SHAPE.hidden, activation: 'relu', inputShape: [px] }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(TRAIN_SHAPE.lr), loss: 'categoricalCrossentropy' });
    const start = process.hrtime.bigint();
    await model.fit(xs, ys, { batchSize: TRAIN_SHAPE.batch, epochs: 1, shuffle: true, verbose: 0 });
    return Number(process.hrtime.bigint() - start) / 1e9;
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

export async function measureTraining(tf: Tf, set: ImageSet, repeats: number): Promise<EpochTimes[]> {
  const runs: { name: string; epoch: () => Promise<number> }[] = [
    { name: 'tempo-cim trainer (float, 1 thread)', epoch: () => oursEpoch(set.count, 1) },
    { name: 'tempo-cim trainer (float, 2 threads)', epoch: () => oursEpoch(set.count, 2) },
    { name: `TensorFlow.js (${tf.getBackend()})`, epoch: () => tfEpoch(tf, set) },
  ];
  const times = runs.map((r) => ({ name: r.name, seconds: [] as number[], median: 0 }));
  for (let k = 0; k < repeats; k++) {
    for (let i = 0; i < runs.length; i++) times[i].seconds.push(await runs[i].epoch());
  }
  for (const t of times) t.median = median(t.seconds);
  return times;
}
