/**
 * (b) Batch-1 inference throughput in Node on the same MLP shape: the tempo-cim runtime (integer
 * codes, event driven, early exit) vs onnxruntime-node (CPU; one intra-op thread, and its default
 * thread pool) and TensorFlow.js (wasm backend). Inputs are prepared beforehand for every engine
 * (codes for the runtime, float pixels/255 for the peers), so only inference is timed; each peer
 * call includes creating its input tensor and reading back the scores.
 *
 * Each measurement runs in a child process of its own (throughput-child.ts), engines taking turns
 * repeat after repeat: in one process onnxruntime's thread pool and TensorFlow.js's garbage slowed
 * whichever engine ran next by 10-40% on a 2-core machine.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from '../compiler/profile/stats.ts';
import { createNetwork, type Model } from '../runtime/index.ts';
import { floatLayersOf } from './float-mlp.ts';
import { onnxMlp } from './onnx-mlp.ts';
import type { Ort, Tf, TfTensor } from './peers.ts';

export const ENGINES = ['runtime', 'ort-1', 'ort-default', 'tfjs-wasm'] as const;
export type EngineName = (typeof ENGINES)[number];

export interface Engine {
  name: string;
  /** Runs `count` batch-1 inferences starting at sample `offset` (cycling over the inputs). */
  run(offset: number, count: number): Promise<void> | void;
}

export interface Throughput {
  engine: EngineName;
  name: string;
  /** Inferences per second, one per repeat. */
  perRepeat: number[];
  median: number;
}

export function runtimeEngine(model: Model, codes: Uint8Array[]): Engine {
  const network = createNetwork(model);
  return {
    name: 'tempo-cim runtime',
    run(offset, count) {
      let sink = 0;
      for (let i = 0; i < count; i++) sink += network.infer(codes[(offset + i) % codes.length]).classIndex;
      if (sink < 0) throw new Error('unreachable');
    },
  };
}

export async function ortEngine(ort: Ort, model: Model, inputs: Float32Array[], threads: number): Promise<Engine> {
  const session = await ort.InferenceSession.create(onnxMlp(floatLayersOf(model)), {
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}), executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const n = inputs[0].length;
  return {
    name: `onnxruntime-node (${threads === 0 ? 'default threads' : `${threads} thread${threads === 1 ? '' : 's'}`})`,
    async run(offset, count) {
      for (let i = 0; i < count; i++) {
        const out = await session.run({ x: new ort.Tensor('float32', inputs[(offset + i) % inputs.length], [1, n]) });
        if (out.y.data.length === 0) throw new Error('empty output');
      }
    },
  };
}

export function tfEngine(tf: Tf, model: Model, inputs: Float32Array[]): Engine {
  const layers = floatLayersOf(model).map((l) => ({ w: tf.tensor2d(l.weights, [l.inputs, l.outputs]), b: tf.tensor1d(l.bias) }));
  const n = inputs[0].length;
  return {
    name: `TensorFlow.js (${tf.getBackend()})`,
    run(offset, count) {
      for (let i = 0; i < count; i++) {
        const y = tf.tidy(() => {
          let h: TfTensor = tf.tensor2d(inputs[(offset + i) % inputs.length], [1, n]);
          layers.forEach((l, k) => {
            h = tf.add(tf.matMul(h, l.w), l.b);
            if (k < layers.length - 1) h = tf.relu(h);
          });
          return h;
        });
        y.dataSync();
        y.dispose();
      }
    },
  };
}

export interface ThroughputOptions {
  warmup: number;
  count: number;
  repeats: number;
  /** MNIST test images cycled through. */
  samples: number;
}

const CHILD = fileURLToPath(new URL('./throughput-child.ts', import.meta.url));

/** Runs every engine once per repeat, each in a fresh child process; returns the median rate per engine. */
export function measureNodeThroughput(modelFile: string, options: ThroughputOptions): Throughput[] {
  const results: Throughput[] = ENGINES.map((engine) => ({ engine, name: engine, perRepeat: [], median: 0 }));
  for (let r = 0; r < options.repeats; r++) {
    for (const result of results) {
      const args = ['--import', 'tsx', CHILD, result.engine, modelFile, String(options.samples), String(options.warmup), String(options.count), String(r * options.count)];
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (child.status !== 0) throw new Error(`throughput child for ${result.engine} failed: ${child.stderr.slice(-2000)}`);
      const line = child.stdout.trim().split('\n').pop() ?? '';
      const { name, perSecond } = JSON.parse(line) as { name: string; perSecond: number };
      result.name = name;
      result.perRepeat.push(perSecond);
    }
  }
  for (const r of results) r.median = median(r.perRepeat);
  return results;
}
