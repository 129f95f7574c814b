/**
 * The native kernel set: C functions (runtime/native/*.c, through Moddable's xsmc API) that do the
 * hot loops of the TypeScript reference kernels with bit-identical results. An app passes them at
 * load (`loadModel(bytes, { native })`); without them the TypeScript kernels run. On a device they
 * come from the module "tempo-cim-native" (runtime/native/tempo-cim-native.js); in the XS test host
 * from globalThis.TempoCIMNative (compiler/xs/host/natives.c).
 *
 * xsmc hands C only byte buffers, so Int32 and Float64 data go over as Uint8Array views (bytesOf).
 */
import type { Layer } from './model.ts';

export interface NativeKernels {
  /**
   * Runs `frames` output positions of one layer (position t reads input[base + t * step ..] and
   * writes out[outBase + t * m ..]); returns whether early termination stopped it. See
   * xs_tcim_layer in runtime/native/crossbar.c for the argument contract.
   */
  layer(
    params: Uint8Array, weights: Int8Array, thresholds: Uint8Array, biases: Uint8Array, gains: Int8Array, rowBound: Uint8Array,
    input: Uint8Array, base: number, frames: number, step: number, out: Uint8Array, outBase: number,
    work: Uint8Array, charge: Uint8Array, ops: Uint8Array, early: number,
  ): boolean;
  /**
   * A conv2d layer in one call (the C twin of runGridLayer): every position's im2col patch run
   * into the conv map (`map` when the layer pools, else `out`), then spike-time max pooling into
   * `out`. `geometry` is gridWords(layer); see xs_tcim_grid in runtime/native/crossbar.c.
   */
  grid(
    params: Uint8Array, weights: Int8Array, thresholds: Uint8Array, biases: Uint8Array, gains: Int8Array, geometry: Uint8Array,
    input: Uint8Array, out: Uint8Array, patch: Uint8Array, map: Uint8Array, work: Uint8Array, charge: Uint8Array, ops: Uint8Array,
  ): void;
  /** Early-exit row bounds of a layer into `bounds` (int32 per row). */
  rowBounds(params: Uint8Array, weights: Int8Array, gains: Int8Array, bounds: Uint8Array): void;
  /** Index of the first value outside [-max, max], or -1. */
  checkInt8Range(values: Int8Array, max: number): number;
  /** CRC-32 (IEEE) of bytes[start, end). */
  crc32(bytes: Uint8Array, start: number, end: number): number;
  /** encodeImage's arithmetic (runtime/encode.ts) into `codes`. */
  encodeImage(pixels: Uint8Array, codes: Uint8Array, srcWidth: number, srcHeight: number, pool: number, mul: number, shift: number, max: number): void;
}

/**
 * The front-end's native kernels (module "tempo-cim-native-frontend" on a device, so a digits app
 * links no audio code; in the XS test host they sit on globalThis.TempoCIMNative with the rest).
 */
export interface NativeFrontendKernels {
  /**
   * One audio frame's log-mel features (the front-end's window, FFT, power, mel and log; see
   * xs_tcim_frontend_frame in runtime/native/frontend.c).
   */
  frontendFrame(
    params: Uint8Array, frame: Uint8Array, window: Uint8Array, cos: Uint8Array, sin: Uint8Array, bitrev: Uint8Array,
    re: Uint8Array, im: Uint8Array, power: Uint8Array, mel: Uint8Array, log2: Uint8Array, features: Uint8Array,
  ): void;
  /** Q2 pre-emphasis of pcm[from..to) (Int16 bytes) into frame[filled..] (Int32 bytes); returns the last sample. */
  preemphasize(pcm: Uint8Array, from: number, to: number, frame: Uint8Array, filled: number, previous: number, coefficient: number): number;
  /**
   * A window-normalized front-end's codes of the window (channel mean or window peak, then the
   * quantizer) from its Q10 feature ring; leaves each channel's reference in `reference`. See
   * xs_tcim_window_codes in runtime/native/frontend.c.
   */
  windowCodes(params: Uint8Array, ring: Uint8Array, quant: Uint8Array, reference: Uint8Array, out: Uint8Array, slot: number, heard: number): void;
}

/** Words of a layer's parameter block (TCIM_P_* in runtime/native/tcim_native.h, same order). */
export const LAYER_PARAM_WORDS = 9;

/** The layer's scalars in the order the C kernels read them. */
export function layerParams(layer: Layer): Int32Array {
  return Int32Array.of(
    layer.rows, layer.outChannels, layer.groupRows, layer.groups, layer.leakShift,
    layer.inMax, layer.outMax, layer.macro ? 1 : 0, layer.chargeBound,
  );
}

/** Words of a conv2d layer's geometry block (TCIM_G_* in runtime/native/crossbar.c, same order). */
export const GRID_WORDS = 9;

/** A conv2d layer's geometry in the order the C grid kernel reads it. */
export function gridWords(layer: Layer): Int32Array {
  const g = layer.grid!;
  return Int32Array.of(g.inHeight, g.inWidth, layer.inChannels, layer.kernel, layer.stride, g.padding, g.convHeight, g.convWidth, g.pool);
}

/** A byte view over a typed array's own bytes (no copy). */
export function bytesOf(array: Int16Array | Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Op counter words the layer kernel adds to (TCIM_OPS_*, the order of OpCounters). */
export const OPS_WORDS = 7;
