/**
 * Data-parallel gradients: every batch is split into two fixed shards; shard 0 runs on the main
 * thread, shard 1 on a worker thread (`workers` = 2) or after shard 0 on the main thread (1). The
 * shards' gradients stay separate (g0, g1) so the optimizer adds them in one fixed order. The
 * per-epoch evaluation is split between the threads the same way (predictions do not depend on it).
 */
import { Worker } from 'node:worker_threads';
import type { BatchAugment } from '../data/augment.ts';
import { predictRange } from './graph.ts';
import { type NetConfig, type ParamLayout, type Stats, newStats } from './net.ts';
import { type ShardData, ShardRunner } from './shard.ts';

/** A typed array over shared memory (seen by the worker). */
export function shared<T extends Float32Array | Uint8Array | Int32Array>(Ctor: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new Ctor(new SharedArrayBuffer(Math.max(1, n) * Ctor.BYTES_PER_ELEMENT));
}

export class ShardPool {
  readonly local: ShardRunner;
  /** Shard gradients: shard 0 private; shard 1 written by the worker into shared memory and copied into a private buffer (typed arrays over SharedArrayBuffer are slow in hot loops). */
  readonly g0: Float32Array;
  readonly g1: Float32Array;
  private readonly sharedGrad1: Float32Array;
  private readonly worker: Worker | null = null;
  private readonly remoteStats: Stats;
  /** Predictions of the evaluation set (shared with the worker). */
  private readonly preds: Uint8Array;
  private pending: ((reply: unknown) => void) | null = null;
  private failed: Error | null = null;

  /**
   * `params`, `flags`, the data arrays, `batchIdx`, `batchAugment` and `evalCodes` (the evaluation
   * set's input codes, evalCount x inputs) must be shared arrays when workers > 1.
   */
  constructor(
    private readonly cfg: NetConfig,
    private readonly layout: ParamLayout,
    private readonly params: Float32Array,
    flags: Uint8Array,
    data: ShardData,
    private readonly batchIdx: Int32Array,
    private readonly batchAugment: BatchAugment,
    private readonly evalCodes: Uint8Array | null,
    evalCount: number,
    workers: number,
  ) {
    this.local = new ShardRunner(cfg, layout, params, flags, data);
    this.g0 = new Float32Array(layout.total);
    this.g1 = new Float32Array(layout.total);
    this.sharedGrad1 = shared(Float32Array, layout.total);
    this.remoteStats = newStats(cfg);
    this.preds = shared(Uint8Array, evalCount);
    if (workers > 1) {
      const { images, labels, input, soft } = data;
      this.worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
        workerData: { cfg, layout, params, flags, images, labels, input, soft: soft ?? null, batchIdx, batchAugment, grad: this.sharedGrad1, evalCodes, preds: this.preds },
      });
      this.worker.unref();
      this.worker.on('message', (msg) => this.settle(msg));
      this.worker.on('error', (e) => {
        this.failed = e;
        this.settle(null);
      });
    }
  }

  private settle(reply: unknown): void {
    const p = this.pending;
    this.pending = null;
    p?.(reply);
  }

  /** Gradients of batch slots [0, half) into g0 and [half, n) into g1; returns both shards' statistics. */
  async run(n: number): Promise<[Stats, Stats]> {
    const half = Math.ceil(n / 2);
    const { local, batchIdx, batchAugment } = this;
    if (!this.worker) {
      const s0 = local.run(batchIdx, batchAugment, 0, half, this.g0);
      // The runner reuses its statistics object: keep shard 0's before running shard 1.
      const copy = { ...s0, fired: s0.fired.slice(), saturated: s0.saturated.slice(), clipped: s0.clipped.slice(), partialsSeen: s0.partialsSeen.slice() };
      return [copy, local.run(batchIdx, batchAugment, half, n, this.g1)];
    }
    const done = new Promise<unknown>((resolve) => (this.pending = resolve));
    this.worker.postMessage({ from: half, to: n });
    const s0 = local.run(batchIdx, batchAugment, 0, half, this.g0);
    const reply = (await done) as { stats: Stats } | null;
    if (this.failed || !reply) throw this.failed ?? new Error('training worker failed');
    this.g1.set(this.sharedGrad1);
    Object.assign(this.remoteStats, reply.stats);
    return [s0, this.remoteStats];
  }

  /** Predictions of the training graph (the current `params`) on the first `count` evaluation samples: the first half here, the rest on the worker. */
  async predict(count: number): Promise<Uint8Array> {
    const { cfg, layout, params, evalCodes, preds } = this;
    if (!evalCodes) throw new Error('no evaluation set');
    const half = this.worker ? Math.ceil(count / 2) : count;
    const done = this.worker ? new Promise<unknown>((resolve) => (this.pending = resolve)) : null;
    this.worker?.postMessage({ predict: true, from: half, to: count });
    predictRange(cfg, layout, params, evalCodes, 0, half, preds);
    if (done) {
      const reply = await done;
      if (this.failed || !reply) throw this.failed ?? new Error('training worker failed');
    }
    return preds.slice(0, count);
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
  }
}
