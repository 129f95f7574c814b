/** The trainer's options (recipe and run settings), their defaults, and what a run returns. */
import type { ImageInput } from '../../runtime/model.ts';
import type { LayerShape, NetConfig, ParamLayout, QuantSettings, TrainMode } from './net.ts';

export interface TrainOptions extends QuantSettings {
  mode: TrainMode;
  hidden: number[];
  epochs: number;
  seed: number;
  batch: number;
  lr: number;
  /** Final learning rate as a fraction of lr (cosine decay target). */
  lrFloor: number;
  warmupSteps: number;
  /** Max random shift in pixels (0 = no augmentation). */
  shift: number;
  /** Max shift along x (columns) if different from `shift`; 0 = shift along y only (keywords: time, not mel channel). */
  shiftX?: number;
  /** Random affine warps instead of integer shifts when either is > 0: max rotation (degrees) and max zoom (fraction); translation then continuous in +-shift. */
  rotate?: number;
  zoom?: number;
  /** Random masks (SpecAugment-style): blank a band of up to maskRows rows (keywords: frames) and of up to maskCols columns (mel channels). */
  maskRows?: number;
  maskCols?: number;
  /**
   * Keyword codes: per sample, a random frequency scale in [1 - spectrumWarp, 1 + spectrumWarp] of the
   * mel channels and a random tilt of up to +-spectrumTilt code steps (compiler/data/augment.ts spectrumImage).
   */
  spectrumWarp?: number;
  spectrumTilt?: number;
  /** Keyword codes: per sample, a random time stretch in [1 - timeWarp, 1 + timeWarp] about the window's centre (augment.ts stretchImage). */
  timeWarp?: number;
  /** Mixup: probability that a sample is mixed with a random partner (augment.ts drawMix; inputs and targets). */
  mixup?: number;
  /** Keyword codes: per sample, a gain contour over time of up to +-gainContour code steps (augment.ts gainContourImage). */
  gainContour?: number;
  workers: number;
  /** Threshold adaptation step (log units per batch) and targets. */
  adaptRate: number;
  clipTarget: number;
  /** Label smoothing eps of the cross-entropy target (0 = off). */
  labelSmoothing: number;
  /** Decoupled (AdamW) weight decay on the weights only, per unit of learning rate (0 = off). */
  weightDecay: number;
  checkpoint?: string;
  resume?: boolean;
  /** Evaluate the training graph on the test set after each epoch. */
  evalEachEpoch: boolean;
  /** What the per-epoch evaluation set is called in the progress lines (default 'test'). */
  evalName?: string;
  progress: boolean;
  /** Stop after this many epochs of this invocation (tests of resume). */
  stopAfterEpochs?: number;
  /** Explicit layer stack (e.g. conv1d, conv1d, dense for keywords); default: dense MLP from `hidden`. */
  layers?: LayerShape[];
  /** Output classes (10 digits by default; 12 for keywords). */
  classes?: number;
  /**
   * Rewrites the training inputs in place before each epoch (e.g. keyword clips augmented as
   * waveforms and coded again); must depend only on the epoch. Describe it in `epochDataKey`.
   */
  epochData?: (epoch: number, images: Uint8Array) => void;
  /** What `epochData` does (part of the checkpoint key and the provenance). */
  epochDataKey?: string;
  /**
   * Knowledge distillation: per training sample, a teacher's class probabilities (count x classes,
   * rows summing to 1; compiler/train/distill.ts). The cross-entropy target becomes
   * (1 - distillWeight) x the label's target + distillWeight x this row.
   */
  softTargets?: Float32Array;
  distillWeight?: number;
}

export const defaultTrainOptions: TrainOptions = {
  mode: 'qat',
  hidden: [256],
  epochs: 30,
  seed: 1,
  batch: 128,
  lr: 0.003,
  lrFloor: 0.01,
  warmupSteps: 300,
  shift: 2,
  workers: 2,
  actBits: 4,
  weightBits: 8,
  groupRows: 128,
  chargeBound: 4,
  maxGainShift: 2,
  perNeuronScale: true,
  stallPenalty: 0.05,
  clipPenalty: 0.02,
  adaptRate: 0.002,
  clipTarget: 0.002,
  labelSmoothing: 0,
  weightDecay: 0,
  evalEachEpoch: true,
  progress: true,
};

export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
  lr: number;
}

export interface TrainResult {
  cfg: NetConfig;
  layout: ParamLayout;
  params: Float32Array;
  input: ImageInput;
  history: EpochRecord[];
  options: TrainOptions;
  seconds: number;
  /** Epochs completed overall (including resumed ones). */
  epochsDone: number;
}
