/** Training worker: computes shard 1 of every batch into its shared gradient buffer, and its part of each evaluation's predictions. */
import { parentPort, workerData } from 'node:worker_threads';
import { predictRange } from './graph.ts';
import { ShardRunner } from './shard.ts';

const { cfg, layout, params, flags, images, labels, input, soft, batchIdx, batchAugment, grad, evalCodes, preds } = workerData;
const runner = new ShardRunner(cfg, layout, params, flags, { images, labels, input, soft });

parentPort!.on('message', (msg: { from: number; to: number; predict?: boolean }) => {
  if (msg.predict) {
    predictRange(cfg, layout, params, evalCodes, msg.from, msg.to, preds);
    parentPort!.postMessage({ predicted: true });
    return;
  }
  const stats = runner.run(batchIdx, batchAugment, msg.from, msg.to, grad);
  parentPort!.postMessage({ stats });
});
