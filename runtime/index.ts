/**
 * tempo-cim embedded runtime: loads a .tcm model in place and runs single-spike latency-coded
 * inference with integer crossbar MACs and LIF neurons. Standard ECMAScript only (runs unchanged
 * on Moddable XS): no Node APIs, no module-level mutable state.
 */
export { ModelError, InputError } from './errors.ts';
export type { ModelErrorCode, InputErrorCode } from './errors.ts';
export { loadModel, readProvenance } from './model.ts';
export type { Model, Layer, ModelInput, ImageInput, AudioInput, CodesInput, LoadOptions } from './model.ts';
export { createNetwork, scratchBytesFor } from './network.ts';
export type { Network, NetworkOptions, InferOptions, InferenceResult } from './network.ts';
export { addCounters, newCounters } from './crossbar.ts';
export type { OpCounters } from './crossbar.ts';
export { encodeImage, spikeTime } from './encode.ts';
export { bytesOf } from './kernels.ts';
export type { NativeKernels, NativeFrontendKernels } from './kernels.ts';
export { crc32 } from './crc32.ts';
