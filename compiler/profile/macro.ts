/**
 * What a model would cost on a compute-in-memory macro (`tempo-cim profile --device tempo-cim`):
 * each layer mapped onto arrays (row groups x column tiles; conv layers by im2col: one window per
 * output frame on the same arrays), and latency, energy and area scaled from the macro's published
 * efficiency figures. Every figure is an estimate from published figures, not a circuit simulation.
 * Which rows spike comes from the runtime executing the model on test inputs.
 */
import { createNetwork, type Layer, type Model } from '../../runtime/index.ts';
import { type MacroDevice, weightsPerRow } from '../macro/device.ts';
import { layerShape } from '../tcm/shape.ts';

export const ESTIMATE_LABEL = 'estimates scaled from the published macro figures (not a circuit simulation)';

/** Figures derived from the published ones (docs/macro.md shows the arithmetic). */
export interface MacroRates {
  /** Ops per second of one macro: TOPS/mm2 x macro area. */
  macroOpsPerSecond: number;
  /** Energy per op: 1 / (TOPS/W). */
  joulesPerOp: number;
  /** Power of one busy macro: ops per second x joules per op. */
  macroWatts: number;
  /** Ops of one window over a full array: rows x weights per row x ops per MAC. */
  opsPerFullWindow: number;
  /** One layer window (all time steps) and one time step, at full throughput. */
  windowSeconds: number;
  stepSeconds: number;
}

export function macroRates(d: MacroDevice): MacroRates {
  const p = d.published;
  const macroOpsPerSecond = p.topsPerMm2 * 1e12 * p.areaMm2;
  const joulesPerOp = 1 / (p.topsPerWatt * 1e12);
  const opsPerFullWindow = d.array.rows * weightsPerRow(d) * p.opsPerMac;
  const windowSeconds = opsPerFullWindow / macroOpsPerSecond;
  return {
    macroOpsPerSecond, joulesPerOp, macroWatts: macroOpsPerSecond * joulesPerOp, opsPerFullWindow,
    windowSeconds, stepSeconds: windowSeconds / d.inputs.timeStepsPerWindow,
  };
}

export interface MacroLayer {
  index: number;
  kind: Layer['kind'];
  shape: string;
  /** Crossbar rows (kernel x input channels: im2col) and weight columns. */
  rows: number;
  outChannels: number;
  rowGroups: number;
  columnTiles: number;
  arrays: number;
  /** Array index range [first, first + arrays) in the whole model's placement. */
  firstArray: number;
  cellsUsed: number;
  cellsAvailable: number;
  utilisation: number;
  /** Windows per inference (output frames: each is one pass over the same arrays) and their time steps. */
  windows: number;
  timeSteps: number;
  /** Dense-equivalent ops (every row of every window) and the ops of rows that spiked (mean per inference). */
  denseOps: number;
  spikingRows: number;
  spikingOps: number;
  energyDenseJ: number;
  energySpikingJ: number;
  /** How this layer's arithmetic relates to the macro's; null when the file runs exactly as the macro computes. */
  note: string | null;
}

export interface MacroProfile {
  device: string;
  kind: 'cim-macro';
  label: string;
  inputs: { source: string; samples: number };
  rates: MacroRates;
  layers: MacroLayer[];
  arrays: number;
  cellsUsed: number;
  cellsAvailable: number;
  utilisation: number;
  timeSteps: number;
  /** Layers run one after another, the arrays of a layer in parallel (one macro per array). */
  latencySeconds: number;
  /** Mean time steps early termination saves in the last layer (runtime), and the latency left. */
  earlyTerminationSteps: number;
  latencyEarlySeconds: number;
  energyDenseJ: number;
  energySpikingJ: number;
  /** One macro per array: RRAM weights stay in place (reprogramming per inference is not an option). */
  areaMm2: number;
  /** True when every layer runs in macro mode with the device's row groups and charge bound. */
  runsAsTrained: boolean;
}

/** Maps `model` onto `device` and estimates its cost over `inputs` (codes the runtime executes). */
export function macroProfile(model: Model, device: MacroDevice, inputs: Uint8Array[], source: string): MacroProfile {
  if (inputs.length === 0) throw new Error('no test inputs to profile with');
  const rates = macroRates(device);
  const { spikingRows, stepsSaved } = runtimeActivity(model, inputs);
  const cellsPerArray = device.array.rows * device.array.columns;
  const perRow = weightsPerRow(device);
  const layers: MacroLayer[] = [];
  let firstArray = 0;
  model.layers.forEach((layer, index) => {
    const rowGroups = Math.ceil(layer.rows / device.array.rows);
    const columnTiles = Math.ceil(layer.outChannels / perRow);
    const arrays = rowGroups * columnTiles;
    const cellsUsed = layer.rows * layer.outChannels * device.weights.cellsPerWeight;
    const windows = layer.positions; // conv positions before pooling: one crossbar pass each
    const stepsPerWindow = layer.inBits === device.inputs.bits ? device.inputs.timeStepsPerWindow : layer.inMax;
    const denseOps = device.published.opsPerMac * windows * layer.rows * layer.outChannels;
    const spikingOps = device.published.opsPerMac * spikingRows[index] * layer.outChannels;
    layers.push({
      index, kind: layer.kind, shape: layerShape(layer, 'compact'), rows: layer.rows, outChannels: layer.outChannels,
      rowGroups, columnTiles, arrays, firstArray, cellsUsed, cellsAvailable: arrays * cellsPerArray, utilisation: cellsUsed / (arrays * cellsPerArray),
      windows, timeSteps: windows * stepsPerWindow,
      denseOps, spikingRows: spikingRows[index], spikingOps,
      energyDenseJ: denseOps * rates.joulesPerOp, energySpikingJ: spikingOps * rates.joulesPerOp,
      note: layerNote(layer, device),
    });
    firstArray += arrays;
  });
  const sum = (f: (l: MacroLayer) => number) => layers.reduce((s, l) => s + f(l), 0);
  const timeSteps = sum((l) => l.timeSteps);
  const arrays = sum((l) => l.arrays);
  return {
    device: device.name,
    kind: 'cim-macro',
    label: ESTIMATE_LABEL,
    inputs: { source, samples: inputs.length },
    rates,
    layers,
    arrays,
    cellsUsed: sum((l) => l.cellsUsed),
    cellsAvailable: sum((l) => l.cellsAvailable),
    utilisation: sum((l) => l.cellsUsed) / sum((l) => l.cellsAvailable),
    timeSteps,
    latencySeconds: timeSteps * rates.stepSeconds,
    earlyTerminationSteps: stepsSaved,
    latencyEarlySeconds: (timeSteps - stepsSaved) * rates.stepSeconds,
    energyDenseJ: sum((l) => l.energyDenseJ),
    energySpikingJ: sum((l) => l.energySpikingJ),
    areaMm2: arrays * device.published.areaMm2,
    runsAsTrained: layers.every((l) => l.note === null),
  };
}

/** Null when the layer's recorded arithmetic is the macro's; otherwise what differs. */
function layerNote(layer: Layer, d: MacroDevice): string | null {
  const groups = Math.ceil(layer.rows / d.macro.groupRows);
  const notes: string[] = [];
  if (layer.weightBits > d.weights.bits) notes.push(`${layer.weightBits}-bit weights exceed the ${d.weights.bits}-bit slicing`);
  if (layer.inBits !== d.inputs.bits) notes.push(`${layer.inBits}-bit input codes (the published figures are for ${d.inputs.bits}-bit)`);
  if (!layer.macro) {
    notes.push(`ideal mode: the macro would split its ${layer.rows} rows into ${groups} row group${groups > 1 ? 's' : ''} with charge bounded at +-${d.macro.chargeBound} theta; the file does not model that (train without --ideal)`);
  } else {
    if (layer.groupRows !== Math.min(d.macro.groupRows, layer.rows)) notes.push(`row groups of ${layer.groupRows}, the macro's are ${d.macro.groupRows}`);
    if (layer.chargeBound !== d.macro.chargeBound) notes.push(`charge bound C = ${layer.chargeBound}, the macro's is ${d.macro.chargeBound}`);
  }
  if (layer.leakShift > 0) notes.push(`leak shift ${layer.leakShift}: the charge pump's leak rate is not calibrated to it`);
  return notes.length ? notes.join('; ') : null;
}

/**
 * Means per inference from the runtime: rows that spiked per layer (full windows, early exit off:
 * every spiking row is driven) and the time steps early termination saves (early exit on).
 */
function runtimeActivity(model: Model, inputs: Uint8Array[]): { spikingRows: number[]; stepsSaved: number } {
  const network = createNetwork(model);
  const spikingRows = model.layers.map(() => 0);
  let stepsSaved = 0;
  for (const codes of inputs) {
    const full = network.infer(codes, { earlyExit: false });
    full.layerOps.forEach((ops, k) => { spikingRows[k] += ops.rowAdds; });
    stepsSaved += network.infer(codes, { earlyExit: true }).ops.stepsSaved;
  }
  return { spikingRows: spikingRows.map((n) => n / inputs.length), stepsSaved: stepsSaved / inputs.length };
}
