/**
 * `tempo-cim profile`: size, memory and latency of a model on a board, measured by running the
 * runtime itself in Node (op counts, firing) and in the real XS engine (compute, slots, chunk bytes).
 */
import { loadModel, readProvenance, scratchBytesFor, type Layer, type Model, type OpCounters } from '../../runtime/index.ts';
import type { DeviceProfile } from '../deploy/devices.ts';
import { deviceModelBytes } from '../tcm/device-file.ts';
import { checkFit, type Fit } from './fit.ts';
import { measureRuntimeSize } from './runtime-size.ts';
import { median } from './stats.ts';
import { perInference, runSweep, stallCounts, type Sweep } from './sweep.ts';
import { testInputsFor, type TestInputs } from './test-inputs.ts';
import { XsMemoryProbe, type XsMemory } from './xs-memory.ts';
import { measureXsCompute } from './xs-latency.ts';
import { layerShape } from '../tcm/shape.ts';

export interface ProfileOptions {
  /** Test inputs to run in Node (default 300). */
  limit?: number;
  /** Of those, how many also run in XS for the compute profile (default: all). */
  xsLimit?: number;
  /** Inputs timed by wall clock inside XS (each run `wallReps` times; default 30 x 5). */
  wallSamples?: number;
  wallReps?: number;
  /** XS compute per millisecond measured on the target (e.g. with the generated `bench` app), for a device-time estimate. */
  deviceComputePerMs?: number;
}

export interface LayerProfile {
  index: number;
  kind: Layer['kind'];
  shape: string;
  mode: 'ideal' | 'macro';
  rows: number;
  outChannels: number;
  /** Output codes per inference (frames x channels; after pooling for conv2d). */
  outputs: number;
  /** Crossbar passes per inference: output positions (before pooling for conv2d), 1 for dense. */
  positions: number;
  /** conv2d geometry (input, padding, map before pooling, pooling), null otherwise. */
  grid: Layer['grid'];
  /** Crossbar cells a dense int8 MAC would visit (positions x rows x outChannels). */
  denseMacs: number;
  /** conv2d work besides the crossbar, per inference (fixed by the geometry): input codes the
   * im2col gather copies into patches (positions x rows, padding included), and map codes the
   * spike-time max pooling reads (0 without pooling). */
  gatherCodes: number;
  poolReads: number;
  /** Means per inference. */
  ops: OpCounters;
  /** Hidden layers only: neurons silent / saturated on every profiled input. */
  stall: { neurons: number; alwaysSilent: number; alwaysSaturated: number } | null;
}

export interface Profile {
  device: string;
  /** Inputs run in Node (op counts, firing, accuracy) and, the first `xsSamples` of them, in XS. */
  inputs: { source: string; samples: number; xsSamples: number };
  /** Bytes of the file a device carries (`build` leaves the training history out). */
  modelBytes: number;
  /** Bytes of training history in the host file that the device file leaves out. */
  historyBytes: number;
  weights: number;
  bytesPerWeight: number;
  runtimeBytes: number;
  runtimeMinifiedBytes: number;
  scratchBytes: number;
  xsMemory: XsMemory;
  xsComputeMedian: number;
  xsComputeP99: number;
  /** Host wall time of one inference in XS (release xsnap build on this machine). */
  xsHostMsMedian: number;
  /** XS compute per ms on this host (from the two figures above). */
  xsHostComputePerMs: number;
  /** Estimate only when the target's compute rate was given. */
  deviceEstimate: { msMedian: number; msP99: number; computePerMs: number; label: string } | null;
  /** Share of inputs whose last layer stopped early. */
  stoppedEarlyFraction: number;
  /** Accuracy on the inputs when they have labels. */
  accuracy: number | null;
  /** XS and Node agreed on every class and row-add count. */
  enginesAgree: boolean;
  layers: LayerProfile[];
  fit: Fit;
  fits: boolean;
  provenance: Record<string, unknown> | null;
}

export interface ProfileRun {
  profile: Profile;
  model: Model;
  inputs: TestInputs;
  sweep: Sweep;
}

export async function profileModel(fileBytes: Uint8Array, device: DeviceProfile, options: ProfileOptions = {}): Promise<ProfileRun> {
  // Sizes and measurements are those of the file a device carries (no training history); the
  // provenance shown is the host file's, history included.
  const modelBytes = deviceModelBytes(fileBytes);
  const model = loadModel(modelBytes);
  const limit = options.limit ?? 300;
  const inputs = testInputsFor(model, limit);
  const samples = inputs.codes.slice(0, limit);
  if (samples.length === 0) throw new Error('no test inputs to profile with');
  const runtime = await measureRuntimeSize();
  const sweep = runSweep(model, samples);
  const xsSamples = samples.slice(0, Math.max(1, options.xsLimit ?? samples.length));
  const xs = await measureXsCompute(modelBytes, xsSamples);
  const probe = await XsMemoryProbe.start();
  let xsMemory: XsMemory;
  const wall: number[] = [];
  try {
    xsMemory = await probe.measure(modelBytes, samples[0]);
    const wallSamples = Math.min(options.wallSamples ?? 30, xsSamples.length);
    for (let i = 0; i < wallSamples; i++) wall.push(await probe.wallTimeMs(samples[i], options.wallReps ?? 5));
  } finally {
    await probe.close();
  }
  let enginesAgree = true;
  for (let i = 0; i < xsSamples.length; i++) {
    if (xs.classes[i] !== sweep.predictions[i] || xs.rowAdds[i] !== sweep.rowAdds[i]) enginesAgree = false;
  }
  const weights = model.layers.reduce((n, l) => n + l.weights.length, 0);
  const xsHostMsMedian = median(wall);
  const wallCompute = median(xs.compute.subarray(0, wall.length));
  const rate = options.deviceComputePerMs;
  const scratchBytes = scratchBytesFor(model);
  const fit = checkFit(device, {
    modelBytes: model.fileBytes, runtimeBytes: runtime.bundleBytes, scratchBytes, measuredChunkBytes: xsMemory.networkChunkBytes,
    inputCodes: samples[0].length, networkSlots: xsMemory.networkSlots, inferenceSlots: xsMemory.inferenceSlots,
  });
  const profile: Profile = {
    device: device.name,
    inputs: { source: inputs.source, samples: samples.length, xsSamples: xsSamples.length },
    modelBytes: model.fileBytes,
    historyBytes: fileBytes.length - modelBytes.length,
    weights,
    bytesPerWeight: model.fileBytes / weights,
    runtimeBytes: runtime.bundleBytes,
    runtimeMinifiedBytes: runtime.minifiedBytes,
    scratchBytes,
    xsMemory,
    xsComputeMedian: xs.median,
    xsComputeP99: xs.p99,
    xsHostMsMedian,
    xsHostComputePerMs: wallCompute / xsHostMsMedian,
    deviceEstimate: rate ? {
      msMedian: xs.median / rate, msP99: xs.p99 / rate, computePerMs: rate,
      label: `estimate: XS compute / ${rate} compute per ms measured on the target`,
    } : null,
    stoppedEarlyFraction: sweep.stoppedEarly / samples.length,
    accuracy: inputs.labels ? accuracyOf(sweep.predictions, inputs.labels) : null,
    enginesAgree,
    layers: model.layers.map((layer, k) => describeLayer(layer, k, sweep)),
    fit,
    fits: fit.fits,
    provenance: readProvenance(modelBytes === fileBytes ? model : loadModel(fileBytes)),
  };
  return { profile, model, inputs, sweep };
}

function accuracyOf(predictions: Int32Array, labels: number[]): number {
  let hits = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) hits++;
  return hits / predictions.length;
}

function describeLayer(layer: Layer, index: number, sweep: Sweep): LayerProfile {
  const hidden = index < sweep.activity.length;
  return {
    index,
    kind: layer.kind,
    shape: layerShape(layer, 'compact'),
    mode: layer.macro ? 'macro' : 'ideal',
    rows: layer.rows,
    outChannels: layer.outChannels,
    outputs: layer.outFrames * layer.outChannels,
    positions: layer.positions,
    grid: layer.grid,
    denseMacs: layer.positions * layer.rows * layer.outChannels,
    gatherCodes: layer.grid ? layer.positions * layer.rows : 0,
    poolReads: layer.grid && layer.grid.pool > 1 ? layer.outFrames * layer.outChannels * layer.grid.pool * layer.grid.pool : 0,
    ops: perInference(sweep.layerOpsTotal[index], sweep.samples),
    stall: hidden ? stallCounts(sweep.activity[index], sweep.samples) : null,
  };
}
