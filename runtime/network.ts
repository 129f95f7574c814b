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
}

/** Scratch each network needs, in bytes, computed before anything is allocated. */
export function scratchBytesFor(model: Model): number {
  const s = scratchShape(model);
  return s.outputs + 4 * (2 * s.accumulators + s.rows + s.levels + s.lastRows) + 8 * s.maxChannels + 4 * s.lastChannels;
}

function scratchShape(model: Model) {
  let outputs = 0;
  let accumulators = 0;
  let rows = 0;
  let maxChannels = 0;
  for (const layer of model.layers) {
    outputs += layer.outFrames * layer.outChannels;
    accumulators = Math.max(accumulators, layer.groups * layer.outChannels);
    rows = Math.max(rows, layer.rows);
    maxChannels = Math.max(maxChannels, layer.outChannels);
  }
  const last = model.layers[model.layers.length - 1];
  return { outputs, accumulators, rows, levels: 258, maxChannels, lastRows: last.rows, lastChannels: last.outChannels };
}

export function createNetwork(model: Model, options: NetworkOptions = {}): Network {
  const scratchBytes = scratchBytesFor(model);
  if (options.budgetBytes !== undefined && scratchBytes > options.budgetBytes) {
    throw new ModelError('over-budget', `model needs ${scratchBytes} bytes of scratch, budget is ${options.budgetBytes}`);
  }
  const shape = scratchShape(model);
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const first = layers[0];
  const inputLength = first.inFrames * first.inChannels;
  const outputs = layers.map((layer) => new Uint8Array(layer.outFrames * layer.outChannels));
  const acc = new Int32Array(shape.accumulators);
  const current = new Int32Array(shape.accumulators);
  const order = new Int32Array(shape.rows);
  const levelEnd = new Int32Array(shape.levels);
  const charge = new Float64Array(shape.maxChannels);
  const rowBound = earlyExitRowBounds(last);
  const layerOps = layers.map(() => newCounters());
  const probeOps = newCounters(); // early-exit checks merge partials too; they are not part of the layer's work
  const result: InferenceResult = {
    classIndex: 0, label: '', scores: new Int32Array(shape.lastChannels), trace: outputs,
    stoppedEarly: false, layerOps, ops: newCounters(),
  };

  function runLayer(index: number, input: Uint8Array, early: boolean): void {
    const layer = layers[index];
    const ops = layerOps[index];
    const out = outputs[index];
    const m = layer.outChannels;
    for (let t = 0; t < layer.outFrames; t++) {
      const base = t * layer.stride * layer.inChannels;
      if (early) {
        runEarlyExit(layer, input, base, ops);
      } else if (layer.leakShift > 0) {
        const spiking = sortBySpikeTime(input, base, layer.rows, layer.inMax, order, levelEnd);
        ops.zeroInputsSkipped += layer.rows - spiking;
        accumulateLeaky(layer, order, levelEnd, acc, current, ops);
      } else {
        accumulateDirect(layer, input, base, acc, order, ops);
      }
      mergeCharges(layer, acc, charge, ops);
      fire(layer, charge, out, t * m);
    }
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
    checkInput(codes, inputLength, first.inMax);
    for (const ops of layerOps) resetCounters(ops);
    result.stoppedEarly = false;
    const early = inferOptions.earlyExit !== false && rowBound !== null;
    let input = codes;
    for (let k = 0; k < layers.length; k++) {
      runLayer(k, input, early && k === layers.length - 1);
      input = outputs[k];
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
 * changes). Null when early termination does not apply (leaky last layer: the leak reorders
 * nothing but can turn a lead into a tie).
 */
function earlyExitRowBounds(layer: Layer): Int32Array | null {
  if (layer.leakShift > 0 || layer.outFrames !== 1) return null;
  const { rows, outChannels: m, weights, gains, groupRows } = layer;
  const bounds = new Int32Array(rows);
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
  return bounds;
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

function checkInput(codes: Uint8Array, length: number, max: number): void {
  if (!(codes instanceof Uint8Array)) throw new InputError('wrong-type', 'input codes must be a Uint8Array');
  if (codes.length !== length) throw new InputError('wrong-length', `input has ${codes.length} codes, the model expects ${length}`);
  for (let i = 0; i < length; i++) {
    if (codes[i] > max) throw new InputError('out-of-range', `input code ${i} is ${codes[i]}, above the maximum ${max}`);
  }
}

function sumCounters(parts: OpCounters[], total: OpCounters): void {
  resetCounters(total);
  for (const part of parts) addCounters(total, part);
}
