/**
 * Types of the bundled tempo-cim runtime module (tempo-cim-runtime.js) as the generated apps use
 * it. The module is standard ECMAScript, preloaded (frozen) on the device.
 */
export interface ImageInput {
  kind: 'image';
  bits: number;
  frames: 1;
  channels: number;
  srcWidth: number;
  srcHeight: number;
  pool: number;
  mul: number;
  shift: number;
}

export interface AudioInput {
  kind: 'audio';
  bits: number;
  frames: number;
  channels: number;
  frontend: Int32Array;
}

export type ModelInput = ImageInput | AudioInput;

export interface Layer {
  kind: 'dense' | 'conv1d';
  macro: boolean;
  rows: number;
  outChannels: number;
}

export interface Model {
  fileBytes: number;
  input: ModelInput;
  layers: Layer[];
  labels: string[];
}

export interface OpCounters {
  rowAdds: number;
  zeroInputsSkipped: number;
  stepsSaved: number;
}

export interface InferenceResult {
  classIndex: number;
  label: string;
  scores: Int32Array;
  stoppedEarly: boolean;
  ops: OpCounters;
}

export interface Network {
  model: Model;
  scratchBytes: number;
  inputLength: number;
  infer(codes: Uint8Array, options?: { earlyExit?: boolean }): InferenceResult;
}

export interface AudioFrontend {
  readonly frames: number;
  readonly channels: number;
  readonly sampleRate: number;
  /** Frames completed since the last reset (the window is full once this reaches `frames`). */
  readonly frameCount: number;
  reset(): void;
  /** Consumes 16 kHz int16 samples, computing every frame they complete; returns how many. */
  push(pcm: Int16Array, offset?: number, count?: number): number;
  /** Writes the codes of the latest `frames` frames, oldest first (frames x channels). */
  codes(out: Uint8Array): void;
}

export class ModelError extends Error {
  readonly code: string;
}

export function loadModel(source: ArrayBuffer | Uint8Array | HostBuffer, options?: { verifyCrc?: boolean }): Model;
export function createNetwork(model: Model, options?: { budgetBytes?: number }): Network;
export function encodeImage(input: ImageInput, pixels: Uint8Array, codes: Uint8Array): Uint8Array;
export function createAudioFrontend(frontend: Int32Array): AudioFrontend;
