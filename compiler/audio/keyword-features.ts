/**
 * From a loaded keyword dataset to network inputs: calibrates the front-end blob on a sample of
 * the training clips, then runs the runtime's own integer front-end over every clip, so training
 * sees exactly the codes the device will compute.
 */
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { buildFrontendBlob, type FrontendOptions } from './frontend-config.ts';
import type { KeywordClip, KeywordDataset, SplitName } from './speech-commands.ts';

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
  train: CodedSplit;
  validation: CodedSplit;
  test: CodedSplit;
}

export interface KeywordFeatureOptions {
  frontend?: Partial<FrontendOptions>;
  /** Training clips used to calibrate the quantizer (every k-th clip; default 2000). */
  calibrationClips?: number;
  /** (done, total) over all clips coded. */
  onProgress?: (done: number, total: number) => void;
}

export function keywordFeatures(data: KeywordDataset, options: KeywordFeatureOptions = {}): KeywordFeatures {
  const wanted = Math.max(1, options.calibrationClips ?? 2000);
  const every = Math.max(1, Math.floor(data.train.length / wanted));
  const calibration = data.train.filter((_, i) => i % every === 0).slice(0, wanted).map((c) => c.samples);
  const blob = buildFrontendBlob(options.frontend ?? {}, calibration);
  const frontend = createAudioFrontend(blob);
  const size = frontend.frames * frontend.channels;
  const total = data.train.length + data.validation.length + data.test.length;
  let done = 0;
  const code = (clips: KeywordClip[]): CodedSplit => {
    const codes = new Uint8Array(clips.length * size);
    const labels = new Uint8Array(clips.length);
    clips.forEach((clip, i) => {
      frontend.computeClip(clip.samples, codes.subarray(i * size, (i + 1) * size));
      labels[i] = clip.label;
      done++;
      if (options.onProgress && (done % 500 === 0 || done === total)) options.onProgress(done, total);
    });
    return { count: clips.length, codes, labels };
  };
  const splits = {} as Record<SplitName, CodedSplit>;
  for (const split of ['train', 'validation', 'test'] as const) splits[split] = code(data[split]);
  return {
    blob,
    frames: frontend.frames,
    channels: frontend.channels,
    bits: frontend.bits,
    labels: [...data.labels],
    ...splits,
  };
}
