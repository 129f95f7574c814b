/**
 * The training record stored in a model's provenance section, built the same way for every
 * pipeline: what was trained on and how (the options that shape the result), the per-epoch
 * history and the training graph's own figures. Recipe knobs added after the first models are
 * recorded only when they differ from the pipeline's defaults, so existing configurations keep
 * their bytes; the key order is part of those bytes.
 */
import type { TrainOptions, TrainResult } from '../train/trainer.ts';
import { historyForProvenance } from '../train/export.ts';

export interface ProvenanceParts {
  dataset: 'mnist' | 'keywords';
  /** What the network sees and its layer shapes (digits: input, hidden; keywords: architecture, features). */
  shape: Record<string, unknown>;
  /** The pipeline's defaults for the later knobs: a knob equal to its default is left out. */
  defaults: Pick<TrainOptions, 'lrFloor' | 'warmupSteps'>;
  /** Pipeline-specific facts about the augmentation, placed right after `shift`. */
  augmentation?: Record<string, unknown>;
  trainSamples: number;
  /** Knowledge distillation: the teachers (name, checksum), weight and temperature. */
  distill?: Record<string, unknown>;
  /** The training graph's figures and conversion details, last. */
  figures: Record<string, unknown>;
}

export function trainingProvenance(result: TrainResult, parts: ProvenanceParts): Record<string, unknown> {
  const o = result.options;
  return {
    tool: 'tempo-cim train',
    dataset: parts.dataset,
    history: historyForProvenance(result.history),
    ...parts.shape,
    mode: o.mode,
    epochs: o.epochs,
    seed: o.seed,
    batch: o.batch,
    lr: o.lr,
    ...(o.lrFloor !== parts.defaults.lrFloor ? { lrFloor: o.lrFloor } : {}),
    ...(o.warmupSteps !== parts.defaults.warmupSteps ? { warmupSteps: o.warmupSteps } : {}),
    ...(o.labelSmoothing ? { labelSmoothing: o.labelSmoothing } : {}),
    ...(o.weightDecay ? { weightDecay: o.weightDecay } : {}),
    shift: o.shift,
    ...parts.augmentation,
    ...(o.rotate ? { rotate: o.rotate } : {}),
    ...(o.zoom ? { zoom: o.zoom } : {}),
    ...(o.maskRows ? { maskTime: o.maskRows } : {}),
    ...(o.maskCols ? { maskFreq: o.maskCols } : {}),
    ...(o.spectrumWarp ? { warpFreq: o.spectrumWarp } : {}),
    ...(o.spectrumTilt ? { tilt: o.spectrumTilt } : {}),
    ...(o.timeWarp ? { warpTime: o.timeWarp } : {}),
    ...(o.gainContour ? { gainContour: o.gainContour } : {}),
    ...(o.mixup ? { mixup: o.mixup } : {}),
    macro: result.cfg.mode === 'split' ? { groupRows: result.cfg.groupRows, chargeBound: result.cfg.chargeBound } : null,
    ...(o.leakShift ? { leakShift: o.leakShift } : {}),
    ...(o.cellNoise ? { trainNoise: { device: o.cellNoise.device.name, ...o.cellNoise.faults } } : {}),
    trainSamples: parts.trainSamples,
    ...(parts.distill ? { distill: parts.distill } : {}),
    ...parts.figures,
  };
}
