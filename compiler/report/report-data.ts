/**
 * Everything the HTML report shows, as plain JSON: training history from the model's provenance,
 * the confusion matrix and firing statistics from the runtime over test inputs, spike rasters of a
 * few inputs (every layer's output codes; conv2d layers also as per-channel feature maps of the
 * first input), per-layer op counts and the device profile.
 */
import { createNetwork, type Model } from '../../runtime/index.ts';
import { featureMapsOf, type FeatureMaps } from './feature-maps.ts';
import type { MacroProfile } from '../profile/macro.ts';
import type { DeviceSection } from '../profile/device-section.ts';
import type { Profile, ProfileRun } from '../profile/profile.ts';

export interface EpochPoint {
  epoch: number;
  loss: number | null;
  trainAccuracy: number | null;
  testAccuracy: number | null;
}

export interface RasterLayer {
  name: string;
  /** Steps in the window (A); spike time = A - code. */
  steps: number;
  /** Codes per neuron (0 = no spike). */
  codes: number[];
}

export interface Raster {
  sample: number;
  label: number | null;
  predicted: string;
  layers: RasterLayer[];
}

export interface LayerFiring {
  name: string;
  samples: number;
  /** Per neuron: fraction of inputs on which it spiked, and on which it sat at the top code. */
  fireRate: number[];
  saturatedRate: number[];
}

export interface ReportData {
  title: string;
  generated: string;
  labels: string[];
  history: EpochPoint[];
  provenance: Record<string, unknown> | null;
  confusion: { matrix: number[][]; samples: number; accuracy: number } | null;
  rasters: Raster[];
  /** conv2d layers' per-channel maps for the first raster input (null without conv2d layers). */
  featureMaps: { sample: number; layers: FeatureMaps[] } | null;
  firing: LayerFiring[];
  profile: Profile;
  /** The model mapped onto a compute-in-memory macro (arrays, energy per layer), when requested. */
  macro: MacroProfile | null;
  /** RV32IMC instruction counts from npm run device-bench (MODEL.rv32.json), when measured. */
  device?: DeviceSection;
}

/** Per-epoch history from provenance: `history` (or `epochs`) arrays of records with an epoch number. */
export function historyOf(provenance: Record<string, unknown> | null): EpochPoint[] {
  const raw = provenance?.history ?? provenance?.epochs;
  if (!Array.isArray(raw)) return [];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return raw
    .filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object')
    .map((r, i) => ({ epoch: num(r.epoch) ?? i + 1, loss: num(r.loss), trainAccuracy: num(r.trainAccuracy), testAccuracy: num(r.testAccuracy) }));
}

export function confusionOf(predictions: Int32Array, labels: number[] | null, classes: number): ReportData['confusion'] {
  if (!labels) return null;
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let hits = 0;
  for (let i = 0; i < predictions.length; i++) {
    const truth = labels[i];
    if (truth < 0 || truth >= classes) continue;
    matrix[truth][predictions[i]]++;
    if (truth === predictions[i]) hits++;
  }
  return { matrix, samples: predictions.length, accuracy: hits / predictions.length };
}

export function rastersOf(model: Model, codes: Uint8Array[], labels: number[] | null, count: number): Raster[] {
  const network = createNetwork(model);
  const inputMax = (1 << model.input.bits) - 1;
  return codes.slice(0, count).map((input, sample) => {
    const r = network.infer(input, { earlyExit: false });
    const layers: RasterLayer[] = [{ name: 'input', steps: inputMax, codes: Array.from(input) }];
    model.layers.forEach((layer, k) => {
      layers.push({ name: k === model.layers.length - 1 ? `layer ${k} (output)` : `layer ${k}`, steps: layer.outMax, codes: Array.from(r.trace[k]) });
    });
    return { sample, label: labels ? labels[sample] : null, predicted: r.label, layers };
  });
}

function featureMapsFor(model: Model, codes: Uint8Array[]): ReportData['featureMaps'] {
  if (codes.length === 0 || !model.layers.some((layer) => layer.grid)) return null;
  return { sample: 0, layers: featureMapsOf(model, codes[0]) };
}

export function buildReportData(run: ProfileRun, title: string, macro: MacroProfile | null = null, rasterCount = 3, device?: DeviceSection): ReportData {
  const { model, inputs, sweep, profile } = run;
  const firing: LayerFiring[] = sweep.activity.map((a, k) => ({
    name: `layer ${k}`,
    samples: sweep.samples,
    fireRate: Array.from(a.silent, (s) => 1 - s / sweep.samples),
    saturatedRate: Array.from(a.saturated, (s) => s / sweep.samples),
  }));
  return {
    title,
    generated: new Date().toISOString(),
    labels: model.labels,
    history: historyOf(profile.provenance),
    provenance: profile.provenance,
    confusion: confusionOf(sweep.predictions, inputs.labels ? inputs.labels.slice(0, sweep.samples) : null, model.labels.length),
    rasters: rastersOf(model, inputs.codes, inputs.labels, rasterCount),
    featureMaps: featureMapsFor(model, inputs.codes),
    firing,
    profile,
    macro,
    ...(device ? { device } : {}),
  };
}
