/**
 * From keyword clips to network inputs: calibrates the front-end blob on a sample of the training
 * clips, then runs the runtime's own integer front-end over every clip, so training sees exactly
 * the codes the device will compute. Clips come from memory (`keywordFeatures`) or are read one at
 * a time from a selection (`keywordFeaturesStreamed`: at Speech Commands scale only the codes,
 * 784 bytes a clip, stay in memory, not the 32 KB of PCM).
 */
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { buildFrontendBlob, type FrontendOptions } from './frontend-config.ts';
import { trainingWindows } from './stream-windows.ts';
import { SPLITS, readClip, type KeywordDataset, type KeywordSelection, type SplitName } from './speech-commands.ts';

export interface CodedSplit {
  /** Clip count. */
  count: number;
  /** count x (frames x channels) codes, clip-major, each clip frame-major. */
  codes: Uint8Array;
  labels: Uint8Array;
}

export interface KeywordFeatures {
  blob: Int32Array;
  frames: number;
  channels: number;
  bits: number;
  labels: string[];
  /** Training samples: the clips, then any stream windows (`trainClips` of them are clips). */
  train: CodedSplit;
  trainClips: number;
  validation: CodedSplit;
  test: CodedSplit;
}

export interface KeywordFeatureOptions {
  frontend?: Partial<FrontendOptions>;
  /** Training clips used to calibrate the quantizer (every k-th clip; default 2000). */
  calibrationClips?: number;
  /** (done, total) over all clips coded. */
  onProgress?: (done: number, total: number) => void;
  /** Sees every training clip's PCM as it is coded, by its index in the coded split (e.g. to cache it on disk). */
  onTrainClip?: (index: number, samples: Int16Array) => void;
}

/** Extra training windows cut from pairs of training clips (./stream-windows.ts), for keywordFeaturesStreamed. */
export interface StreamWindowOptions {
  streamWindows?: number;
  seed?: number;
}

/** Clips of one split by index; `read` returns null for a clip to leave out (unreadable, skipped). */
interface SplitSource {
  count: number;
  label(i: number): number;
  read(i: number): Int16Array | null;
}

export function keywordFeatures(data: KeywordDataset, options: KeywordFeatureOptions = {}): KeywordFeatures {
  const source = (split: SplitName): SplitSource => ({ count: data[split].length, label: (i) => data[split][i].label, read: (i) => data[split][i].samples });
  return featuresFrom(data.labels, { train: source('train'), validation: source('validation'), test: source('test') }, options);
}

/**
 * The same codes as `keywordFeatures(loadSpeechCommands(...))`, reading each selected clip when it
 * is coded. `onBadFile: 'skip'` leaves unreadable files out (their messages go to `skipped`).
 */
export function keywordFeaturesStreamed(selection: KeywordSelection, options: KeywordFeatureOptions & StreamWindowOptions & { onBadFile?: 'error' | 'skip'; skipped?: string[] } = {}): KeywordFeatures {
  const bad = new Set<string>(); // a training clip is read twice when it also calibrates
  const source = (split: SplitName): SplitSource => ({
    count: selection[split].length,
    label: (i) => selection[split][i].label,
    read: (i) => {
      try {
        return readClip(selection, selection[split][i]);
      } catch (error) {
        if (options.onBadFile !== 'skip') throw error;
        if (!bad.has(selection[split][i].source)) options.skipped?.push((error as Error).message);
        bad.add(selection[split][i].source);
        return null;
      }
    },
  });
  const windows = options.streamWindows ? trainingWindows(selection, options.streamWindows, options.seed ?? 1) : null;
  return featuresFrom(selection.labels, { train: source('train'), validation: source('validation'), test: source('test') }, options, windows);
}

/**
 * Calibrates on the training clips (not on `windows`, so a model with stream windows has the
 * front-end of the same folder's clip models: they can teach it), codes every split, then appends
 * the coded windows to the training split.
 */
function featuresFrom(labels: readonly string[], splits: Record<SplitName, SplitSource>, options: KeywordFeatureOptions, windows: SplitSource | null = null): KeywordFeatures {
  const wanted = Math.max(1, options.calibrationClips ?? 2000);
  const train = splits.train;
  const every = Math.max(1, Math.floor(train.count / wanted));
  const calibration: Int16Array[] = [];
  for (let i = 0; i < train.count && calibration.length < wanted; i += every) {
    const samples = train.read(i);
    if (samples) calibration.push(samples);
  }
  const blob = buildFrontendBlob(options.frontend ?? {}, calibration);
  calibration.length = 0;
  const frontend = createAudioFrontend(blob);
  const size = frontend.frames * frontend.channels;
  const total = SPLITS.reduce((n, split) => n + splits[split].count, 0) + (windows?.count ?? 0);
  let done = 0;
  const code = (clips: SplitSource, onClip?: (index: number, samples: Int16Array) => void): CodedSplit => {
    const codes = new Uint8Array(clips.count * size);
    const labels = new Uint8Array(clips.count);
    let count = 0;
    for (let i = 0; i < clips.count; i++) {
      const samples = clips.read(i);
      if (samples) {
        frontend.computeClip(samples, codes.subarray(count * size, (count + 1) * size));
        onClip?.(count, samples);
        labels[count++] = clips.label(i);
      }
      done++;
      if (options.onProgress && (done % 500 === 0 || done === total)) options.onProgress(done, total);
    }
    return count === clips.count ? { count, codes, labels } : { count, codes: codes.slice(0, count * size), labels: labels.slice(0, count) };
  };
  const coded = {} as Record<SplitName, CodedSplit>;
  for (const split of SPLITS) coded[split] = code(splits[split], split === 'train' ? options.onTrainClip : undefined);
  const clips = coded.train;
  if (windows) {
    const onWindow = options.onTrainClip;
    const cut = code(windows, onWindow ? (i, samples) => onWindow(clips.count + i, samples) : undefined);
    const codes = new Uint8Array(clips.codes.length + cut.codes.length);
    codes.set(clips.codes);
    codes.set(cut.codes, clips.codes.length);
    const labels = new Uint8Array(clips.count + cut.count);
    labels.set(clips.labels);
    labels.set(cut.labels, clips.count);
    coded.train = { count: clips.count + cut.count, codes, labels };
  }
  return {
    blob,
    frames: frontend.frames,
    channels: frontend.channels,
    bits: frontend.bits,
    labels: [...labels],
    trainClips: clips.count,
    ...coded,
  };
}
