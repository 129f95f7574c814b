/**
 * The compiler's in-memory description of a merged, quantized network: exactly what
 * `writeModel` serializes into a .tcm file and what the runtime executes.
 *
 * Every layer is a 1D temporal convolution over frames executed on the crossbar by im2col;
 * a dense layer is the special case inFrames = kernel = stride = 1 (fan-in = inChannels).
 * Crossbar rows = kernel * inChannels, ordered (frame offset, channel); each row holds the
 * outChannels weights of one input element (row-major by input).
 */
export interface MacroSpec {
  /** Crossbar rows per group (R); fan-in is split into ceil(rows / R) groups. */
  groupRows: number;
  /** Charge bound multiplier C: each group's scaled partial is clamped to [-C*theta_j, C*theta_j]. */
  chargeBound: number;
  /** Per-group, per-neuron power-of-two gain as a signed shift, groups x outChannels (row-major by group). */
  gains: Int8Array;
}

/** conv2d geometry: input inHeight x inWidth x inChannels (position-major), square kernel. */
export interface GridSpec {
  inHeight: number;
  inWidth: number;
  /** Zero padding on each side (0 = valid, (kernel - 1) / 2 = same). */
  padding: number;
  /** Fused spike-time max pooling q x q, stride q (1 = none). */
  pool: number;
}

export interface LayerSpec {
  kind: 'dense' | 'conv1d' | 'conv2d';
  /** Input positions: frames, or inHeight * inWidth for conv2d. */
  inFrames: number;
  inChannels: number;
  kernel: number;
  stride: number;
  outChannels: number;
  /** Bits of this layer's output codes (codes in [0, 2^outBits - 1]). */
  outBits: number;
  /** Leak shift L: V -= V >> L each step; 0 disables the leak. */
  leakShift: number;
  /** Bits the weights use (2..8); weights lie in [-(2^(b-1) - 1), 2^(b-1) - 1]. */
  weightBits: number;
  /** conv2d only: the image geometry. */
  grid?: GridSpec;
  /**
   * (kernel * inChannels) rows x outChannels, row-major by input row; conv2d: kernel * kernel *
   * inChannels rows, row ((dy * kernel) + dx) * inChannels + c.
   */
  weights: Int8Array;
  /** Per output channel firing threshold theta_j >= 1 (integer charge units). */
  thresholds: Int32Array;
  /** Per output channel bias b_j (integer charge units). */
  biases: Int32Array;
  /** Present when the layer runs in macro mode (row groups, gains, bounded charge). */
  macro?: MacroSpec;
}

/** How a raw 8-bit grayscale image becomes input codes (box-downsample, then scale). */
export interface ImageInputSpec {
  kind: 'image';
  /** Raw image size (pixels, row-major, 0 = background). */
  srcWidth: number;
  srcHeight: number;
  /** Box-downsampling factor (1 = none; 2 maps 28x28 to 14x14). */
  pool: number;
  /** Code bits B. */
  bits: number;
  /** code = min(A, (sum of pool*pool pixels * mul + 2^(shift-1)) >> shift). */
  mul: number;
  shift: number;
}

/** Audio input: 16 kHz int16 PCM through the integer front-end whose parameters and tables are packed in `frontend`. */
export interface AudioInputSpec {
  kind: 'audio';
  bits: number;
  /** Frames x channels of codes the front-end produces (the first layer's inFrames x inChannels). */
  frames: number;
  channels: number;
  /** Front-end blob (layout owned by runtime/frontend); stored in its own aligned section. */
  frontend: Int32Array;
}

/** Codes supplied directly by the application (frames x channels). */
export interface CodesInputSpec {
  kind: 'codes';
  bits: number;
  frames: number;
  channels: number;
}

export type InputSpec = ImageInputSpec | AudioInputSpec | CodesInputSpec;

export interface ModelSpec {
  input: InputSpec;
  layers: LayerSpec[];
  labels: string[];
  /** Free-form training provenance (dataset, seed, epochs, accuracy, git, date...), stored as JSON. */
  provenance: Record<string, unknown>;
}
