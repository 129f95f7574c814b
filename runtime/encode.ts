/**
 * Input encoding: raw pixels to B-bit codes, and codes to single-spike latency times.
 * A code a > 0 spikes once, at step A - a of the layer window (strong inputs fire first);
 * a = 0 never spikes and costs nothing.
 */
import { InputError } from './errors.ts';
import type { NativeKernels } from './kernels.ts';
import type { ImageInput } from './model.ts';

/** Step at which a code spikes in a window of `max` steps, or -1 for no spike. */
export function spikeTime(code: number, max: number): number {
  return code > 0 ? max - code : -1;
}

/**
 * Box-downsamples an 8-bit grayscale image by `pool` and maps each cell to a code:
 * code = min(A, (sum of pool*pool pixels * mul + 2^(shift-1)) >> shift). Integer only. With native
 * kernels (the model's, `model.native`) the same arithmetic runs in C.
 */
export function encodeImage(input: ImageInput, pixels: Uint8Array, codes: Uint8Array, native: NativeKernels | null = null): Uint8Array {
  const { srcWidth, srcHeight, pool, mul, shift } = input;
  if (pixels.length !== srcWidth * srcHeight) throw new InputError('wrong-length', `image has ${pixels.length} pixels, expected ${srcWidth}x${srcHeight} = ${srcWidth * srcHeight}`);
  if (codes.length !== input.channels) throw new InputError('wrong-length', `code buffer has ${codes.length} cells, expected ${input.channels}`);
  const max = (1 << input.bits) - 1;
  if (native) {
    native.encodeImage(pixels, codes, srcWidth, srcHeight, pool, mul, shift, max);
    return codes;
  }
  const width = srcWidth / pool;
  const height = srcHeight / pool;
  const round = 1 << (shift - 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < pool; dy++) {
        const row = (y * pool + dy) * srcWidth + x * pool;
        for (let dx = 0; dx < pool; dx++) sum += pixels[row + dx];
      }
      // sum * mul < 2^40 is exact in a double; divide rather than shift so no int32 wrap.
      const code = Math.floor((sum * mul + round) / (1 << shift));
      codes[y * width + x] = code > max ? max : code;
    }
  }
  return codes;
}
