/**
 * `node --import tsx scripts/train-speed-ab.ts BASE [--rounds N] [--samples N] [--conv 16c5,32c3] [--split]`:
 * CPU per training sample (forward + backward of a 28x28 conv model, ShardRunner on fixed
 * augmented batches) and per evaluated sample (forward only), this tree against the checkout BASE
 * (e.g. `git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/`), in one
 * process, the two alternating round by round so that the machine's load hits both alike. Also
 * checks that both give the same gradients and predictions (sha256). Parameters: a short training
 * run of this tree (2,000 images, one epoch), so the activity is a trained network's.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { loadMnist, subset } from '../compiler/data/mnist.ts';
import { parseArgs } from '../compiler/util/args.ts';
import { Rng } from '../compiler/util/prng.ts';
import { imageInput } from '../compiler/train/graph.ts';
import { imageLayers } from '../compiler/train/image-layers.ts';
import { neuronOffsets } from '../compiler/train/net.ts';
import { train } from '../compiler/train/trainer.ts';

const { positional, options } = parseArgs(process.argv.slice(2), { rounds: 'number', samples: 'number', conv: 'string', split: 'boolean' });
if (positional.length !== 1) {
  console.error('usage: node --import tsx scripts/train-speed-ab.ts BASE [--rounds N] [--samples N] [--conv 16c5,32c3] [--split]');
  process.exit(2);
}
const rounds = (options.rounds as number | undefined) ?? 12;
const samples = (options.samples as number | undefined) ?? 256;
const convs = ((options.conv as string | undefined) ?? '16c5,32c3').split(',').map((s) => {
  const [c, k] = s.split('c').map(Number);
  return { outChannels: c, kernel: k };
});
const data = loadMnist();
const input = imageInput(28, 28, 1, 4);
const opts = { mode: (options.split ? 'split' : 'qat') as 'qat' | 'split', hidden: [], layers: imageLayers(28, convs, 2, 'same', [], 10), labelSmoothing: 0.1, rotate: 15, zoom: 0.15, epochs: 1, workers: 1, progress: false, evalEachEpoch: false };
console.error('train-speed-ab: parameters from a short training run...');
const { cfg, layout, params } = await train(subset(data.train, 2000), null, input, opts);

/** One side: its own ShardRunner, draws and predictCodes, on the same batches. */
async function side(root: string) {
  const { ShardRunner } = await import(`${root}/compiler/train/shard.ts`);
  const { AugmentDraws } = await import(`${root}/compiler/train/draws.ts`);
  const { defaultTrainOptions } = await import(`${root}/compiler/train/options.ts`);
  const { encodeSet, predictCodes } = await import(`${root}/compiler/train/graph.ts`);
  const o = { ...defaultTrainOptions, ...opts };
  const runner = new ShardRunner(cfg, layout, params, new Uint8Array(neuronOffsets(cfg).total), { images: data.train.images, labels: data.train.labels, input });
  const draws = new AugmentDraws(o, input);
  const idx = new Int32Array(o.batch);
  const grad = new Float32Array(layout.total);
  const codes = encodeSet(data.test, input);
  return (): { train: number; evaluate: number; hash: string } => {
    const h = createHash('sha256');
    let t0 = process.cpuUsage();
    for (let b = 0; b * o.batch < samples; b++) {
      const rng = new Rng(7, b);
      for (let k = 0; k < o.batch; k++) {
        idx[k] = Math.floor(rng.next() * data.train.count);
        draws.draw(() => rng.next(), k);
      }
      runner.run(idx, draws.batch, 0, o.batch, grad);
      h.update(new Uint8Array(grad.buffer, 0, grad.byteLength));
    }
    let t = process.cpuUsage(t0);
    const trainMs = (t.user + t.system) / 1000 / (Math.ceil(samples / o.batch) * o.batch);
    t0 = process.cpuUsage();
    h.update(predictCodes(cfg, layout, params, codes, samples));
    t = process.cpuUsage(t0);
    return { train: trainMs, evaluate: (t.user + t.system) / 1000 / samples, hash: h.digest('hex').slice(0, 16) };
  };
}

const base = await side(resolve(positional[0]));
const ours = await side(resolve(new URL('..', import.meta.url).pathname));
const got = { base: { train: [] as number[], evaluate: [] as number[] }, ours: { train: [] as number[], evaluate: [] as number[] } };
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of [['base', base], ['ours', ours]] as const) {
    const m = run();
    got[name].train.push(m.train);
    got[name].evaluate.push(m.evaluate);
    if (r === 0) console.log(`${name}: gradients and predictions sha256 ${m.hash}`);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const what of ['train', 'evaluate'] as const) {
  const b = median(got.base[what]);
  const o = median(got.ours[what]);
  console.log(`${what === 'train' ? 'training' : 'evaluation'} CPU ms per sample (median of ${rounds}): base ${b.toFixed(3)}, ours ${o.toFixed(3)}, ours/base ${(o / b).toFixed(3)} (min ${(Math.min(...got.ours[what]) / Math.min(...got.base[what])).toFixed(3)})`);
}
