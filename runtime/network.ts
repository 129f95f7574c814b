/**
 * The interpreter: runs a loaded model layer by layer on scratch buffers allocated once per
 * network. Each layer window is event driven (zero inputs cost nothing); the last layer can stop
 * early once no remaining input can change the winner.
 */
import {
  accumulateDirect, accumulateLeaky, addCounters, addRows, fire, mergeCharges, newCounters, resetCounters, sortBySpikeTime,
  type OpCounters,
} from './crossbar.ts';
import { InputError, ModelError } from './errors.ts';
import { gatherPatch, poolCodes } from './grid.ts';
import { bytesOf, GRID_WORDS, gridWords, LAYER_PARAM_WORDS, layerParams, OPS_WORDS, type NativeKernels } from './kernels.ts';
import type { Layer, Model } from './model.ts';

/** Rows added between early-termination checks (= the row kernel's block). */
const EARLY_EXIT_BLOCK = 8;

export interface InferOptions {
  /** Stop the last layer once the class can no longer change (default true; never changes the class). */
  earlyExit?: boolean;
}

export interface InferenceResult {
  classIndex: number;
  label: string;
  /** Last layer's V_j + b_j (partial sums when early termination stopped the window). */
  scores: Int32Array;
  /** Every layer's output codes (trace[k] for layer k; spike time = A - code, none for 0). */
  trace: Uint8Array[];
  /** Whether early termination stopped the last layer before the window's end. */
  stoppedEarly: boolean;
  /** Op counters per layer and in total. */
  layerOps: OpCounters[];
  ops: OpCounters;
}

export interface Network {
  model: Model;
  /** Bytes of scratch this network allocated (typed arrays only). */
  scratchBytes: number;
  /** Codes the first layer expects (frames x channels, frame-major). */
  inputLength: number;
  /**
   * Runs one inference. The result object and its arrays are reused by the next call: copy what
   * you keep.
   */
  infer(codes: Uint8Array, options?: InferOptions): InferenceResult;
}

export interface NetworkOptions {
  /** Refuse (ModelError 'over-budget') if scratch would exceed this many bytes. */
  budgetBytes?: number;
  /** Kernels to run: native ones, or null for TypeScript (default: those the model was loaded with). */
  native?: NativeKernels | null;
}

/**
 * Scratch each network needs, in bytes, computed before anything is allocated (with native kernels,
 * also their op counters, per-layer parameter words and conv2d geometry words).
 */
export function scratchBytesFor(model: Model, native = !!model.native): number {
  const s = scratchShape(model);
  let nativeWords = 0;
  if (native) {
    nativeWords = OPS_WORDS;
    for (const layer of model.layers) nativeWords += LAYER_PARAM_WORDS + (layer.grid ? GRID_WORDS : 0);
  }
  return s.outputs + s.patchRows + s.poolMap + 4 * (2 * s.accumulators + s.rows + s.levels + s.lastRows + nativeWords) + 8 * s.maxChannels + 4 * s.lastChannels;
}

function scratchShape(model: Model) {
  let outputs = 0;
  let accumulators = 0;
  let rows = 0;
  let maxChannels = 0;
  let patchRows = 0;
  let poolMap = 0;
  for (const layer of model.layers) {
    if (layer.grid) {
      patchRows = Math.max(patchRows, layer.rows);
      if (layer.grid.pool > 1) poolMap = Math.max(poolMap, layer.positions * layer.outChannels);
    }
    outputs += layer.outFrames * layer.outChannels;
    accumulators = Math.max(accumulators, layer.groups * layer.outChannels);
    rows = Math.max(rows, layer.rows);
    maxChannels = Math.max(maxChannels, layer.outChannels);
  }
  const last = model.layers[model.layers.length - 1];
  return { outputs, accumulators, rows, levels: 258, maxChannels, lastRows: last.rows, lastChannels: last.outChannels, patchRows, poolMap };
}

export function createNetwork(model: Model, options: NetworkOptions = {}): Network {
  const native = options.native !== undefined ? options.native : (model.native ?? null);
  const scratchBytes = scratchBytesFor(model, native !== null);
  if (options.budgetBytes !== undefined && scratchBytes > options.budgetBytes) {
    throw new ModelError('over-budget', `model needs ${scratchBytes} bytes of scratch, budget is ${options.budgetBytes}`);
  }
  const shape = scratchShape(model);
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const first = layers[0];
  const inputLength = first.inFrames * first.inChannels;
  const outputs = layers.map((layer) => new Uint8Array(layer.outFrames * layer.outChannels));
  // Scratch for the TypeScript kernels, or one int32 work area for the C kernel (which lays out
  // the same accumulators, currents, spike order and level ends in it per layer): same bytes.
  const workWords = 2 * shape.accumulators + shape.rows + shape.levels;
  const acc = new Int32Array(native ? 0 : shape.accumulators);
  const current = new Int32Array(native ? 0 : shape.accumulators);
  const order = new Int32Array(native ? 0 : shape.rows);
  const levelEnd = new Int32Array(native ? 0 : shape.levels);
  const charge = new Float64Array(shape.maxChannels);
  // conv2d: one position's im2col patch, and the conv map before spike-time pooling.
  const patch = new Uint8Array(shape.patchRows);
  const poolMap = new Uint8Array(shape.poolMap);
  // Early termination does not apply to a leaky last layer (the leak reorders nothing but can turn
  // a lead into a tie). The row bounds are O(weights): in C when native kernels run.
  const rowBound = last.leakShift === 0 && last.outFrames === 1 ? new Int32Array(last.rows) : null;
  const layerOps = layers.map(() => newCounters());
  const probeOps = newCounters(); // early-exit checks merge partials too; they are not part of the layer's work
  const result: InferenceResult = {
    classIndex: 0, label: '', scores: new Int32Array(shape.lastChannels), trace: outputs,
    stoppedEarly: false, layerOps, ops: newCounters(),
  };
  const kernels = native ? nativeBinding(native) : null;
  if (rowBound && kernels) native!.rowBounds(kernels.layers[layers.length - 1].params, last.weights, kernels.layers[layers.length - 1].gains, bytesOf(rowBound));
  else if (rowBound) earlyExitRowBounds(last, rowBound);

  /** The C twin of runLayer: every position of the layer in one call. */
  function nativeBinding(k: NativeKernels) {
    const empty = new Int8Array(0);
    const opsWords = new Int32Array(OPS_WORDS);
    return {
      work: bytesOf(new Int32Array(workWords)), charge: bytesOf(charge), opsWords, ops: bytesOf(opsWords),
      rowBound: rowBound ? bytesOf(rowBound) : new Uint8Array(0),
      layers: layers.map((layer) => ({
        params: bytesOf(layerParams(layer)), thresholds: bytesOf(layer.thresholds), biases: bytesOf(layer.biases),
        gains: layer.gains ?? empty,
        geometry: layer.grid ? bytesOf(gridWords(layer)) : new Uint8Array(0),
      })),
      run(index: number, input: Uint8Array, early: boolean): void {
        const layer = layers[index];
        const b = this.layers[index];
        const words = this.opsWords;
        words.fill(0);
        if (layer.grid) {
          k.grid(b.params, layer.weights, b.thresholds, b.biases, b.gains, b.geometry, input, outputs[index], patch, poolMap,
            this.work, this.charge, this.ops);
        } else {
          const stopped = k.layer(b.params, layer.weights, b.thresholds, b.biases, b.gains, this.rowBound, input, 0, layer.outFrames,
            layer.stride * layer.inChannels, outputs[index], 0, this.work, this.charge, this.ops, early ? 1 : 0);
          if (stopped) result.stoppedEarly = true;
        }
        const ops = layerOps[index];
        ops.rowAdds += words[0];
        ops.zeroInputsSkipped += words[1];
        ops.inputsSkippedEarly += words[2];
        ops.stepsSaved += words[3];
        ops.leakUpdates += words[4];
        ops.partials += words[5];
        ops.clippedPartials += words[6];
      },
    };
  }

  /** All layers in C. The kernel refuses codes above the maximum, so they are scanned only then. */
  function runNative(k: NonNullable<typeof kernels>, codes: Uint8Array, early: boolean): void {
    try {
      k.run(0, codes, early && layers.length === 1);
    } catch (error) {
      checkCodes(codes, first.inMax);
      throw error;
    }
    for (let index = 1; index < layers.length; index++) k.run(index, outputs[index - 1], early && index === layers.length - 1);
  }

  /**
   * conv2d: gathers each position's patch into `patch`, runs it into the conv map (the layer
   * output, or the pre-pool map), then pools. The C kernels' twin is xs_tcim_grid (one call).
   */
  function runGridLayer(index: number, input: Uint8Array): void {
    const layer = layers[index];
    const grid = layer.grid!;
    const map = grid.pool > 1 ? poolMap : outputs[index];
    for (let p = 0; p < layer.positions; p++) {
      gatherPatch(layer, input, (p / grid.convWidth) | 0, p % grid.convWidth, patch);
      runPosition(layer, patch, 0, layerOps[index], map, p * layer.outChannels);
    }
    if (grid.pool > 1) poolCodes(layer, poolMap, outputs[index]);
  }

  function runLayer(index: number, input: Uint8Array, early: boolean): void {
    const layer = layers[index];
    const ops = layerOps[index];
    const out = outputs[index];
    const m = layer.outChannels;
    if (layer.grid) {
      runGridLayer(index, input);
      return;
    }
    for (let t = 0; t < layer.outFrames; t++) {
      const base = t * layer.stride * layer.inChannels;
      if (early) {
        runEarlyExit(layer, input, base, ops);
        mergeCharges(layer, acc, charge, ops);
        fire(layer, charge, out, t * m);
      } else {
        runPosition(layer, input, base, ops, out, t * m);
      }
    }
  }

  /** One output position over the input rows at `base`: integrate, merge, fire into out[outBase ..]. */
  function runPosition(layer: Layer, input: Uint8Array, base: number, ops: OpCounters, out: Uint8Array, outBase: number): void {
    if (layer.leakShift > 0) {
      const spiking = sortBySpikeTime(input, base, layer.rows, layer.inMax, order, levelEnd);
      ops.zeroInputsSkipped += layer.rows - spiking;
      accumulateLeaky(layer, order, levelEnd, acc, current, ops);
    } else {
      accumulateDirect(layer, input, base, acc, order, ops);
    }
    mergeCharges(layer, acc, charge, ops);
    fire(layer, charge, out, outBase);
  }

  /** Last layer, no leak: add code levels from the earliest spike on; stop when the lead is safe. */
  function runEarlyExit(layer: Layer, input: Uint8Array, base: number, ops: OpCounters): void {
    const spiking = sortBySpikeTime(input, base, layer.rows, layer.inMax, order, levelEnd);
    ops.zeroInputsSkipped += layer.rows - spiking;
    acc.fill(0, 0, layer.groups * layer.outChannels);
    // remaining = an upper bound on how much the unprocessed inputs can move any score gap.
    let remaining = 0;
    for (let k = 0; k < spiking; k++) remaining += input[base + order[k]] * rowBound![order[k]];
    // Add inputs in spike order, a block of rows at a time (the kernel's unit), checking after each.
    let k = 0;
    while (k < spiking) {
      const end = k + EARLY_EXIT_BLOCK < spiking ? k + EARLY_EXIT_BLOCK : spiking;
      addRows(layer, input, base, order, k, end, acc);
      for (; k < end; k++) remaining -= input[base + order[k]] * rowBound![order[k]];
      if (k === spiking) break;
      mergeCharges(layer, acc, charge, probeOps);
      if (winnerLead(charge, layer.outChannels) > remaining) {
        ops.inputsSkippedEarly += spiking - k;
        ops.stepsSaved += input[base + order[k - 1]] - 1;
        result.stoppedEarly = true;
        break;
      }
    }
    ops.rowAdds += k;
  }

  function infer(codes: Uint8Array, inferOptions: InferOptions = {}): InferenceResult {
    checkInput(codes, inputLength);
    for (let k = 0; k < layerOps.length; k++) resetCounters(layerOps[k]);
    result.stoppedEarly = false;
    const early = inferOptions.earlyExit !== false && rowBound !== null;
    if (kernels === null) {
      checkCodes(codes, first.inMax);
      let input = codes;
      for (let k = 0; k < layers.length; k++) {
        runLayer(k, input, early && k === layers.length - 1);
        input = outputs[k];
      }
    } else {
      runNative(kernels, codes, early);
    }
    // charge holds the last layer's V + b (merged) for its single frame.
    const scores = result.scores;
    let best = 0;
    for (let j = 0; j < last.outChannels; j++) {
      scores[j] = charge[j];
      if (charge[j] > charge[best]) best = j;
    }
    result.classIndex = best;
    result.label = model.labels[best];
    sumCounters(layerOps, result.ops);
    return result;
  }

  return { model, scratchBytes, inputLength, infer };
}

/**
 * Per-row bound for early termination: how far one unit of input code on row r can raise one
 * score plus lower another, after the macro gain (rounded up) and the clamp (which only shrinks
 * changes).
 */
function earlyExitRowBounds(layer: Layer, bounds: Int32Array): void {
  const { rows, outChannels: m, weights, gains, groupRows } = layer;
  for (let r = 0; r < rows; r++) {
    let up = 0;
    let down = 0;
    const g = ((r / groupRows) | 0) * m;
    for (let j = 0; j < m; j++) {
      const w = weights[r * m + j];
      const shift = gains ? gains[g + j] : 0;
      const scaled = shift >= 0 ? Math.abs(w) * (1 << shift) : Math.ceil(Math.abs(w) / (1 << -shift));
      if (w > 0 && scaled > up) up = scaled;
      if (w < 0 && scaled > down) down = scaled;
    }
    bounds[r] = up + down;
  }
}

/** Gap between the best score and the runner-up (Infinity with a single class). */
function winnerLead(charge: Float64Array, m: number): number {
  let best = -Infinity;
  let second = -Infinity;
  for (let j = 0; j < m; j++) {
    const v = charge[j];
    if (v > best) {
      second = best;
      best = v;
    } else if (v > second) {
      second = v;
    }
  }
  return best - second;
}

function checkInput(codes: Uint8Array, length: number): void {
  if (!(codes instanceof Uint8Array)) throw new InputError('wrong-type', 'input codes must be a Uint8Array');
  if (codes.length !== length) throw new InputError('wrong-length', `input has ${codes.length} codes, the model expects ${length}`);
}

function checkCodes(codes: Uint8Array, max: number): void {
  const length = codes.length;
  for (let i = 0; i < length; i++) {
    if (codes[i] > max) throw new InputError('out-of-range', `input code ${i} is ${codes[i]}, above the maximum ${max}`);
  }
}

function sumCounters(parts: OpCounters[], total: OpCounters): void {
  resetCounters(total);
  for (let k = 0; k < parts.length; k++) addCounters(total, parts[k]);
}
