/**
 * The model the benchmarks run: build/model.tcm (what `npm start` trains) when present, a file given
 * with --model, or else a digits-shaped model with random int8 weights (784-256-10, like the
 * default), which has the same size and the same sparsity of inputs but untrained accuracy.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { syntheticDigitsModel } from './synthetic-model.ts';
import { readModelFile } from '../compiler/tcm/read.ts';
import { loadModel, type Model } from '../runtime/index.ts';

export const DEFAULT_MODEL = fileURLToPath(new URL('../build/model.tcm', import.meta.url));

export interface BenchModel {
  bytes: Uint8Array;
  model: Model;
  source: string;
}

export function benchModel(path?: string): BenchModel {
  const file = path ?? (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : null);
  if (file) {
    return { ...readModelFile(file), source: file };
  }
  const bytes = syntheticDigitsModel({ hidden: [256] });
  return { bytes, model: loadModel(bytes), source: 'synthetic 784-256-10 digits model (random int8 weights; build/model.tcm not found)' };
}
