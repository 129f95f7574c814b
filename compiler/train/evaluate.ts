/**
 * Evaluation by the runtime itself (Node, or real XS through compiler/xs): accuracy plus the
 * spike-stall figures of docs/training.md (clipped group partials; hidden neurons silent for every input or
 * saturated for every input) and the event-driven cost.
 */
import { createNetwork, encodeImage, loadModel } from '../../runtime/index.ts';
import type { ImageSet } from '../data/mnist.ts';

export interface EvalReport {
  engine: 'node' | 'xs';
  samples: number;
  correct: number;
  accuracy: number;
  /** Clipped / merged group partials over all layers (macro mode; 0 in ideal mode). */
  clippedPartialRate: number;
  /** Hidden neurons whose code is 0 for every sample / at the maximum for every sample. */
  silentNeuronRate: number;
  saturatedNeuronRate: number;
  /** Mean crossbar row additions per inference (event-driven cost). */
  rowAddsPerInference: number;
  /** Mean XS compute (meter) per inference, XS engine only. */
  xsComputePerInference?: number;
  predictions: Uint8Array;
  /** count x classes scores (early exit off). */
  scores: Int32Array;
  /** confusion[true class][predicted class] = samples. */
  confusion: number[][];
}

/** Encodes `set` with the model's own input spec (the runtime's encodeImage). */
export function encodeForModel(modelBytes: Uint8Array, set: ImageSet, limit = set.count): Uint8Array[] {
  const model = loadModel(modelBytes);
  if (model.input.kind !== 'image') throw new Error('model does not take image input');
  const input = model.input;
  const px = set.rows * set.cols;
  const n = Math.min(limit, set.count);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(encodeImage(input, set.images.subarray(i * px, (i + 1) * px), new Uint8Array(input.channels)));
  return out;
}

export interface EvalOptions {
  engine?: 'node' | 'xs';
  limit?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluateModel(modelBytes: Uint8Array, set: ImageSet, options: EvalOptions = {}): Promise<EvalReport> {
  return evaluateCodes(modelBytes, encodeForModel(modelBytes, set, options.limit), set.labels, options);
}

/** Evaluates already-coded inputs (e.g. keyword clips through the model's own audio front-end) against `labels`. */
export async function evaluateCodes(modelBytes: Uint8Array, codes: Uint8Array[], labels: ArrayLike<number>, options: EvalOptions = {}): Promise<EvalReport> {
  const engine = options.engine ?? 'node';
  const n = codes.length;
  const model = loadModel(modelBytes);
  const classes = model.layers[model.layers.length - 1].outChannels;
  const predictions = new Uint8Array(n);
  const scores = new Int32Array(n * classes);
  let correct = 0;
  let clipped = 0;
  let partials = 0;
  let rowAdds = 0;
  let compute = 0;
  // Stall statistics always come from the Node runtime's trace (same integer semantics as XS).
  const net = createNetwork(model);
  const hidden = model.layers.slice(0, -1);
  const everFired = hidden.map((l) => new Uint8Array(l.outChannels));
  const alwaysMax = hidden.map((l) => new Uint8Array(l.outChannels).fill(1));
  for (let i = 0; i < n; i++) {
    const r = net.infer(codes[i], { earlyExit: false });
    for (let k = 0; k < hidden.length; k++) {
      const t = r.trace[k];
      const m = hidden[k].outChannels;
      const max = hidden[k].outMax;
      for (let p = 0; p < t.length; p++) {
        const j = p % m;
        if (t[p] > 0) everFired[k][j] = 1;
        if (t[p] < max) alwaysMax[k][j] = 0;
      }
    }
    clipped += r.ops.clippedPartials;
    partials += r.ops.partials;
    if (engine === 'node') {
      predictions[i] = r.classIndex;
      scores.set(r.scores, i * classes);
      rowAdds += r.ops.rowAdds;
    }
    if (engine === 'node') options.onProgress?.(i + 1, n);
  }
  if (engine === 'xs') {
    const { evaluateInXs } = await import('../xs/runtime-host.ts');
    const results = await evaluateInXs(modelBytes, codes, { earlyExit: false, onProgress: (d) => options.onProgress?.(d, n) });
    results.forEach((r, i) => {
      predictions[i] = r.classIndex;
      scores.set(r.scores, i * classes);
      rowAdds += r.ops.rowAdds;
      compute += r.compute;
    });
  }
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) {
    if (predictions[i] === labels[i]) correct++;
    confusion[labels[i]][predictions[i]]++;
  }
  let neurons = 0;
  let silent = 0;
  let saturated = 0;
  for (let k = 0; k < hidden.length; k++) {
    neurons += hidden[k].outChannels;
    for (let j = 0; j < hidden[k].outChannels; j++) {
      if (!everFired[k][j]) silent++;
      if (alwaysMax[k][j]) saturated++;
    }
  }
  return {
    engine,
    samples: n,
    correct,
    accuracy: correct / n,
    clippedPartialRate: partials ? clipped / partials : 0,
    silentNeuronRate: neurons ? silent / neurons : 0,
    saturatedNeuronRate: neurons ? saturated / neurons : 0,
    rowAddsPerInference: rowAdds / n,
    xsComputePerInference: engine === 'xs' ? compute / n : undefined,
    predictions,
    scores,
    confusion,
  };
}
