/**
 * Keyword spotting on the same trainer: the runtime's integer front-end turns each 1 s clip into
 * frames x channels codes (compiler/audio/keyword-features.ts); the trainer sees that grid as an
 * "image" whose pixels already are codes (identity encoding), and the exported model swaps in the
 * audio input (front-end blob) so the device computes the same codes from raw PCM.
 */
import { KEYWORD_LABELS, readClip, selectSpeechCommands, speakerOf, type KeywordSelection, type LoadOptions, type SplitName } from '../audio/speech-commands.ts';
import { keywordFeaturesStreamed, type CodedSplit, type KeywordFeatureOptions, type KeywordFeatures, type StreamWindowOptions } from '../audio/keyword-features.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import type { FrontendOptions } from '../audio/frontend-design.ts';
import type { ImageSet } from '../data/mnist.ts';
import type { ImageInput } from '../../runtime/index.ts';
import type { ModelSpec } from '../tcm/spec.ts';
import { exportLayers } from './export.ts';
import { conv1dShape, denseShape, type LayerShape } from './net.ts';
import type { TrainOptions, TrainResult } from './trainer.ts';

/** Default keyword network: two strided temporal convolutions, then a dense classifier. */
export interface KeywordArchitecture {
  channels: number[];
  kernel: number;
  stride: number;
}

export const defaultKeywordArchitecture: KeywordArchitecture = { channels: [64, 64], kernel: 5, stride: 2 };

/**
 * Front-end options of keyword training (over DEFAULT_FRONTEND_OPTIONS); `--normalize` overrides
 * `normalize`. Channel-mean codes scored 0.3-1.5 points above absolute ones on both engines'
 * held-out voices (docs/training.md, "Channel-mean normalization").
 */
export const keywordFrontendDefaults: Partial<FrontendOptions> = { normalize: 'channel-mean' };

/**
 * Training recipe for keywords (overridable from the CLI); shift = frames of time shift (x = mel
 * channel is never shifted), timeWarp = time stretch of up to 20 %. Shifts of +-4 frames with the
 * stretch scored 0.75-1.7 points above +-2 frames without it on eSpeak NG's validation voices and
 * 0.1-0.2 on GnuSpeech's, with two seeds (docs/training.md, "Time shift and stretch").
 */
export const keywordTrainDefaults: Partial<TrainOptions> = { epochs: 80, batch: 64, shift: 4, shiftX: 0, timeWarp: 0.2, warmupSteps: 200 };

export function keywordLayers(frames: number, channels: number, arch: KeywordArchitecture, classes: number): LayerShape[] {
  const layers: LayerShape[] = [];
  let inFrames = frames;
  let inChannels = channels;
  for (const out of arch.channels) {
    const layer = conv1dShape(inFrames, inChannels, arch.kernel, arch.stride, out);
    layers.push(layer);
    inFrames = layer.outFrames;
    inChannels = out;
  }
  layers.push(denseShape(inFrames * inChannels, classes));
  return layers;
}

/** Codes pass through unchanged: code = (2p + 1) >> 1 = p. */
export function identityInput(frames: number, channels: number, bits: number): ImageInput {
  return { kind: 'image', bits, frames: 1, channels: frames * channels, srcWidth: channels, srcHeight: frames, pool: 1, mul: 2, shift: 1 };
}

/** A coded split seen as an image set (rows = frames, cols = channels). */
export function asImageSet(split: CodedSplit, frames: number, channels: number): ImageSet {
  return { images: split.codes, labels: split.labels, count: split.count, rows: frames, cols: channels };
}

/** Codes of every split of a Speech Commands folder, each clip read when it is coded (PCM is not kept). */
export function loadKeywordFeatures(dir: string, options: LoadOptions = {}, featureOptions: KeywordFeatureOptions & StreamWindowOptions = {}): KeywordFeatures & { backgroundNoise: KeywordSelection['backgroundNoise'] } {
  const selection = selectSpeechCommands(dir, options);
  if (selection.labels.join() !== KEYWORD_LABELS.join()) throw new Error(`${dir}: unexpected label set ${selection.labels.join(',')}`);
  return { ...keywordFeaturesStreamed(selection, { ...featureOptions, onBadFile: options.onBadFile }), backgroundNoise: selection.backgroundNoise };
}

/**
 * One split (the test split by default) of a Speech Commands folder coded by a model's own
 * front-end (the blob in the .tcm, i.e. the runtime's createAudioFrontend): exactly the codes the
 * device computes from PCM.
 */
export function keywordTestCodes(dir: string, frontendBlob: Int32Array, options: LoadOptions = {}, split: SplitName = 'test'): { codes: Uint8Array[]; labels: Uint8Array; labelNames: string[]; speakers: (string | null)[] } {
  const selection = selectSpeechCommands(dir, { ...options, splits: [split] });
  const frontend = createAudioFrontend(frontendBlob);
  const size = frontend.frames * frontend.channels;
  const codes = selection[split].map((ref) => {
    const out = new Uint8Array(size);
    frontend.computeClip(readClip(selection, ref), out);
    return out;
  });
  const speakers = selection[split].map(speakerOf);
  return { codes, labels: Uint8Array.from(selection[split], (c) => c.label), labelNames: selection.labels, speakers };
}

export function keywordModelSpec(result: TrainResult, features: KeywordFeatures, provenance: Record<string, unknown>): ModelSpec {
  return {
    input: { kind: 'audio', bits: features.bits, frames: features.frames, channels: features.channels, frontend: features.blob },
    layers: exportLayers(result.cfg, result.layout, result.params),
    labels: features.labels,
    provenance,
  };
}
