/**
 * Device instruction counts: what `npm run device-bench` measures (the runtime in XS built for a
 * bare-metal RV32IMC core, run under qemu-user with an instruction-counting plugin) and writes next
 * to the model as MODEL.rv32.json, and what `tempo-cim profile --device` reads back.
 *
 * The device image brackets each phase with marker ecalls (bench/device/driver.js); the plugin
 * writes "mark <id> <instructions so far>" per marker. A phase's count is end - begin minus the
 * cost of an empty phase (two markers back to back), so it holds the phase's own work only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Marker id of each phase's begin; its end is id + 1 (bench/device/driver.js uses the same ids). */
export const PHASE_MARKS = {
  loadModel: 10,
  createNetwork: 12,
  encodeImage: 20,
  inference: 22,
  audioHop: 30,
  keywordWindow: 32,
} as const;
export const CALIBRATION_MARK = 1;

export type PhaseName = keyof typeof PHASE_MARKS;

export const PHASE_LABELS: Record<PhaseName, string> = {
  loadModel: 'loadModel (boot)',
  createNetwork: 'createNetwork (boot)',
  encodeImage: 'encode one image',
  inference: 'one inference',
  audioHop: 'one audio hop (front-end)',
  keywordWindow: 'one keyword window (codes + inference)',
};

export interface Mark {
  id: number;
  instructions: number;
}

export interface PluginOutput {
  marks: Mark[];
  total: number;
}

/** Parses the plugin's output file; any other line is an error (the file is ours). */
export function parsePluginOutput(text: string): PluginOutput {
  const marks: Mark[] = [];
  let total = -1;
  const lines = text.split('\n').filter((l) => l.length > 0);
  for (const [i, line] of lines.entries()) {
    const mark = /^mark (\d+) (\d+)$/.exec(line);
    const end = /^total (\d+)$/.exec(line);
    if (mark) marks.push({ id: Number(mark[1]), instructions: Number(mark[2]) });
    else if (end) total = Number(end[1]);
    else throw new Error(`instruction counts, line ${i + 1}: unexpected '${line}'`);
  }
  if (total < 0) throw new Error('instruction counts: no total (the device image did not exit normally)');
  return { marks, total };
}

export interface PhaseSamples {
  /** Instructions of an empty phase (subtracted from every other phase). */
  markerOverhead: number;
  phases: Partial<Record<PhaseName, number[]>>;
}

/** Pairs each begin marker with the next marker, which must be its end; subtracts the empty phase. */
export function phaseSamples(marks: Mark[]): PhaseSamples {
  const names = new Map<number, PhaseName>(Object.entries(PHASE_MARKS).map(([name, id]) => [id, name as PhaseName]));
  if (marks.length < 2 || marks[0].id !== CALIBRATION_MARK || marks[1].id !== CALIBRATION_MARK + 1) {
    throw new Error('instruction counts: the calibration markers must come first');
  }
  const markerOverhead = marks[1].instructions - marks[0].instructions;
  const phases: Partial<Record<PhaseName, number[]>> = {};
  for (let i = 2; i < marks.length; i += 2) {
    const begin = marks[i];
    const end = marks[i + 1];
    const name = names.get(begin.id);
    if (!name) throw new Error(`instruction counts: marker ${begin.id} does not begin a phase`);
    if (!end || end.id !== begin.id + 1) throw new Error(`instruction counts: phase ${name} has no end marker`);
    (phases[name] ??= []).push(end.instructions - begin.instructions - markerOverhead);
  }
  return { markerOverhead, phases };
}

export interface PhaseFigure {
  median: number;
  min: number;
  max: number;
  samples: number;
}

export function summarize(values: number[]): PhaseFigure {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : Math.round((sorted[n / 2 - 1] + sorted[n / 2]) / 2);
  return { median, min: sorted[0], max: sorted[n - 1], samples: n };
}

/** What device-bench writes next to the model (MODEL.rv32.json). */
export interface DeviceMeasurement {
  format: 'tempo-cim-device-bench/1';
  isa: 'RV32IMC';
  model: { file: string; sha256: string; input: 'image' | 'audio' };
  /** sha256 of the runtime bundle evaluated on the device, and of the native kernel sources (null: TypeScript kernels only). */
  runtime: { bundleSha256: string; nativeSha256: string | null };
  toolchain: { compiler: string; emulator: string; cflags: string };
  inputs: string;
  earlyExit: boolean;
  markerOverhead: number;
  phases: Partial<Record<PhaseName, PhaseFigure>>;
  /** loadModel + createNetwork. */
  boot: number;
  /** Audio models: the keywords app's hop, and front-end + inference per second of audio at that hop. */
  hopMs?: number;
  perSecondOfAudio?: number;
  /** Node runtime and device image gave the same class for every input. */
  classesMatchNode: boolean;
}

/** Boot and, for audio, the per-second figure: (1000 / hop) x (hop + window) medians. */
export function derivedFigures(phases: Partial<Record<PhaseName, PhaseFigure>>, hopMs?: number): { boot: number; perSecondOfAudio?: number } {
  const boot = (phases.loadModel?.median ?? 0) + (phases.createNetwork?.median ?? 0);
  if (hopMs === undefined || !phases.audioHop || !phases.keywordWindow) return { boot };
  return { boot, perSecondOfAudio: Math.round((1000 / hopMs) * (phases.audioHop.median + phases.keywordWindow.median)) };
}

/** The scripts the device image evaluates, in order: the runtime, then the audio front-end module. */
export const DEVICE_BUNDLES = ['tempo-cim-runtime.xs.js', 'tempo-cim-frontend.xs.js'];

/** Their text as one script (what device-bench runs and hashes), or null when dist/ is not built. */
export function deviceBundleText(distDir: string): string | null {
  const paths = DEVICE_BUNDLES.map((f) => join(distDir, f));
  if (!paths.every((p) => existsSync(p))) return null;
  return paths.map((p) => readFileSync(p, 'utf8')).join('\n');
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** build/model.tcm -> build/model.rv32.json */
export function measurementPathFor(modelPath: string): string {
  return modelPath.replace(/\.tcm$/i, '') + '.rv32.json';
}

export type MeasurementLookup =
  | { status: 'found'; measurement: DeviceMeasurement; path: string; staleRuntime: boolean }
  | { status: 'missing' | 'other-model'; path: string };

/** The measurement for these model bytes, if device-bench wrote one; flags a runtime that changed since. */
export function findMeasurement(modelPath: string, modelBytes: Uint8Array, currentBundleSha256: string | null, path = measurementPathFor(modelPath)): MeasurementLookup {
  if (!existsSync(path)) return { status: 'missing', path };
  const measurement = JSON.parse(readFileSync(path, 'utf8')) as DeviceMeasurement;
  if (measurement.format !== 'tempo-cim-device-bench/1') throw new Error(`${path}: not a device-bench measurement`);
  if (measurement.model.sha256 !== sha256(modelBytes)) return { status: 'other-model', path };
  const staleRuntime = currentBundleSha256 !== null && currentBundleSha256 !== measurement.runtime.bundleSha256;
  return { status: 'found', measurement, path, staleRuntime };
}
