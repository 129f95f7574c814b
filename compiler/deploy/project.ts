/**
 * `tempo-cim build`: turns a model file into a complete Moddable project for one board and app
 * (manifest.json + fragments, TypeScript main and helpers, the bundled runtime, the model and
 * its data), after checking the model fits the board's flash, RAM and XS slot budgets.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { encodeWav, readWav16k } from '../audio/wav.ts';
import { resolveMargin, type ResolvedMargin } from '../audio/margin-choice.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { Model } from '../../runtime/model.ts';
import { readModelFile } from '../tcm/read.ts';
import { deviceModelBytes } from '../tcm/device-file.ts';
import { appVariant, type AppName, type AppVariant } from './apps.ts';
import { BudgetError, checkBudget, type BudgetReport, type FlashItem } from './budget.ts';
import { buildCommands, type BuildCommands } from './commands.ts';
import { loadDevice, type DeviceProfile } from './devices.ts';
import { APP_FRAGMENT, composeManifest, FRONTEND_FRAGMENT, RUNTIME_FRAGMENT, type AppSettings } from './manifest.ts';
import { appsDir, frontendBundlePath, frontendTypesPath, isFrontendNativeFile, manifestsDir, nativeDir, runtimeBundlePath, runtimeTypesPath } from './paths.ts';
import { ramNeeds } from './ram.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';
import { decodeVectors, encodeVectors, fitVectors, mnistVectors, type VectorSet } from './vectors.ts';
import { measureXsNeeds } from './xs-needs.ts';

export interface BuildOptions {
  modelPath: string;
  device: string;
  app: AppName;
  outDir: string;
  /** Test vectors for bench/digits (default: the first `count` MNIST test images). */
  vectorsPath?: string;
  count?: number;
  /** Inferences the bench runs (default: one pass over the vectors). */
  iterations?: number;
  /** WAV the simulators play as the microphone (keywords). */
  wavPath?: string;
  earlyExit?: boolean;
  hopMs?: number;
  /** Keywords: overrides the margin recorded in the model (`eval --choose-margin --save`) and the default. */
  margin?: number;
}

/** What `tempo-cim build` wrote; also saved as tempo-cim.json in the project for `tempo-cim sim`. */
export interface BuildRecord {
  tool: 'tempo-cim';
  app: AppName;
  variant: AppVariant['variant'];
  device: string;
  model: string;
  settings: AppSettings;
  /** Keywords: where `settings.margin` came from (--margin, the model's recorded margin, the default) and why. */
  marginFrom?: Pick<ResolvedMargin, 'from' | 'source'>;
  vectors: number;
  files: string[];
  commands: BuildCommands;
  budget: BudgetReport;
}

export const RECORD_FILE = 'tempo-cim.json';
const DEFAULT_VECTORS = 100;

function collectVectors(options: BuildOptions, model: Model): VectorSet {
  const count = options.count ?? DEFAULT_VECTORS;
  if (!Number.isInteger(count) || count < 1) throw new UserError(`the vector count must be a positive integer, got ${count}`);
  if (options.vectorsPath) {
    const set = decodeVectors(new Uint8Array(readFileSync(options.vectorsPath)), options.vectorsPath);
    return fitVectors(set, model.input, count, options.vectorsPath);
  }
  return mnistVectors(model.input, count);
}

function microphoneWav(options: BuildOptions): Uint8Array {
  if (options.wavPath) return encodeWav(readWav16k(options.wavPath), { sampleRate: 16000, channels: 1, encoding: 16 });
  return encodeWav(new Int16Array(16000), { sampleRate: 16000, channels: 1, encoding: 16 });
}

/** Refuses to write into a directory that holds something other than an earlier tempo-cim project. */
function prepareOutDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir} exists and is not a directory`);
  const recordPath = join(dir, RECORD_FILE);
  if (!existsSync(recordPath)) {
    if (readdirSync(dir).length > 0) throw new UserError(`${dir} is not empty and was not made by tempo-cim build; choose another directory`);
    return;
  }
  const previous = JSON.parse(readFileSync(recordPath, 'utf8')) as Partial<BuildRecord>;
  for (const file of previous.files ?? []) rmSync(join(dir, file), { force: true });
}

function checkInput(variant: AppVariant, model: Model): void {
  if (variant.input !== 'any' && variant.input !== model.input.kind) {
    throw new UserError(`the ${variant.app} app needs a model that takes ${variant.input === 'image' ? 'images' : 'audio'}, but this model takes ${model.input.kind === 'image' ? 'images' : 'audio'}`);
  }
}

export async function buildProject(options: BuildOptions): Promise<BuildRecord> {
  const profile: DeviceProfile = loadDevice(options.device);
  const { bytes: fileBytes, model } = readModelFile(options.modelPath);
  // The project carries the device file: the model without its training history.
  const modelBytes = deviceModelBytes(fileBytes);
  const variant = appVariant(options.app, profile);
  checkInput(variant, model);
  const vectors = variant.vectors ? encodeVectors(collectVectors(options, model)) : null;
  const vectorCount = vectors ? new DataView(vectors.buffer).getUint32(8, true) : 0;
  const wav = variant.wav ? microphoneWav(options) : null;
  const runtimePath = runtimeBundlePath();

  const sourceBytes = variant.sources.reduce((sum, [source]) => sum + statSync(join(appsDir, source)).size, 0);
  const flash: FlashItem[] = [
    { name: 'model.tcm', bytes: modelBytes.length },
    { name: 'runtime module', bytes: statSync(runtimePath).size },
    ...(variant.input === 'audio' ? [{ name: 'front-end module', bytes: statSync(frontendBundlePath()).size }] : []),
    { name: 'app sources', bytes: sourceBytes },
  ];
  if (vectors) flash.push({ name: 'vectors.bin', bytes: vectors.length });
  const ram = ramNeeds(model, variant);
  const declared = checkBudget(profile, flash, ram.scratchBytes, ram.appBufferBytes);
  if (declared.problems.length > 0) throw new BudgetError(declared);
  // Then as `tempo-cim profile`: the larger of the declared and the measured scratch, and the
  // slots the network and one inference take in XS.
  const xs = await measureXsNeeds(modelBytes, model);
  const scratchBytes = Math.max(ram.scratchBytes, xs.networkChunkBytes);
  const budget = checkBudget(profile, flash, scratchBytes, ram.appBufferBytes, { network: xs.networkSlots, inference: xs.inferenceSlots });
  if (budget.problems.length > 0) throw new BudgetError(budget);

  const dir = resolve(options.outDir);
  prepareOutDir(dir);
  const hopMs = options.hopMs ?? DEFAULT_DETECTOR.hopMs;
  const margin = resolveMargin(options.margin, model, hopMs);
  const settings: AppSettings = {
    app: options.app,
    device: profile.name,
    earlyExit: options.earlyExit ?? true,
    scratchBudget: profile.ram.scratchBudgetBytes,
    iterations: options.iterations ?? Math.max(1, vectorCount),
    screenWidth: profile.inputs.display?.width ?? 0,
    screenHeight: profile.inputs.display?.height ?? 0,
    hopMs,
    margin: margin.margin,
  };
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    writeFileAtomic(join(dir, name), data);
    files.push(name);
  };
  const copy = (from: string, name: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    copyFileSync(from, join(dir, name));
    files.push(name);
  };
  write('manifest.json', `${JSON.stringify(composeManifest(profile, variant, settings), null, 2)}\n`);
  copy(join(manifestsDir, 'runtime.json'), RUNTIME_FRAGMENT);
  copy(join(manifestsDir, `app-${variant.variant}.json`), APP_FRAGMENT);
  for (const [source, destination] of variant.sources) copy(join(appsDir, source), destination);
  copy(runtimePath, 'tempo-cim-runtime.js');
  copy(runtimeTypesPath(), 'tempo-cim-runtime.d.ts');
  const audio = variant.input === 'audio';
  if (audio) {
    copy(join(manifestsDir, 'frontend.json'), FRONTEND_FRAGMENT);
    copy(frontendBundlePath(), 'tempo-cim-frontend.js');
    copy(frontendTypesPath(), 'tempo-cim-frontend.d.ts');
  }
  for (const name of readdirSync(nativeDir).sort()) {
    if (/\.(c|h|js|d\.ts)$/.test(name) && (audio || !isFrontendNativeFile(name))) copy(join(nativeDir, name), `native/${name}`);
  }
  write('model.tcm', modelBytes);
  if (vectors) write('vectors.bin', vectors);
  if (wav) write('keyword.wav', wav);

  const record: BuildRecord = {
    tool: 'tempo-cim',
    app: options.app,
    variant: variant.variant,
    device: profile.name,
    model: resolve(options.modelPath),
    settings,
    ...(variant.input === 'audio' ? { marginFrom: { from: margin.from, source: margin.source } } : {}),
    vectors: vectorCount,
    files: [...files, RECORD_FILE],
    commands: buildCommands(profile, dir),
    budget,
  };
  write(RECORD_FILE, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

export function readBuildRecord(dir: string): BuildRecord {
  const path = join(dir, RECORD_FILE);
  if (!existsSync(path)) throw new UserError(`${dir} is not a tempo-cim project (no ${RECORD_FILE}); make one with 'tempo-cim build'`);
  return JSON.parse(readFileSync(path, 'utf8')) as BuildRecord;
}
