/** Training worker: computes shard 1 of every batch into its shared gradient buffer. */
import { parentPort, workerData } from 'node:worker_threads';
import { ShardRunner } from './shard.ts';

const { cfg, layout, params, flags, images, labels, input, batchIdx, batchAugment, grad } = workerData;
const runner = new ShardRunner(cfg, layout, params, flags, { images, labels, input });

parentPort!.on('message', (msg: { from: number; to: number }) => {
  const stats = runner.run(batchIdx, batchAugment, msg.from, msg.to, grad);
  parentPort!.postMessage({ stats });
});
