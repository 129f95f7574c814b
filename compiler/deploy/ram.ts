/** RAM the generated app needs on the device besides XS itself: network scratch, front-end and app buffers. */
import { H_CHANNELS, H_FFT_SIZE, H_FRAME_LENGTH, H_FRAMES, H_MEL_BANDS, H_NORMALIZE, NORMALIZE_NONE } from '../../runtime/frontend/blob.ts';
import type { Model } from '../../runtime/model.ts';
import { scratchBytesFor } from '../../runtime/network.ts';
import type { AppVariant } from './apps.ts';

/** Typed-array bytes createAudioFrontend allocates (frame, FFT re/im, power, mel, codes ring or, normalized, feature ring). */
export function frontendBytes(blob: Int32Array): number {
  const fft = blob[H_FFT_SIZE];
  const channels = blob[H_CHANNELS];
  const ring = blob[H_FRAMES] * channels * (blob[H_NORMALIZE] !== NORMALIZE_NONE ? 4 : 1);
  return 4 * (blob[H_FRAME_LENGTH] + 2 * fft + (fft >> 1) + 1 + blob[H_MEL_BANDS] + 2 * channels) + ring;
}

export interface RamNeeds {
  scratchBytes: number;
  appBufferBytes: number;
}

export function ramNeeds(model: Model, variant: AppVariant): RamNeeds {
  const input = model.input;
  const codes = input.frames * input.channels;
  const raw = input.kind === 'image' ? input.srcWidth * input.srcHeight : 0;
  const frontend = input.kind === 'audio' && variant.app === 'keywords' ? frontendBytes(input.frontend) : 0;
  // The apps run the native kernels: the scratch createNetwork checks on the device counts their words.
  return { scratchBytes: scratchBytesFor(model, true), appBufferBytes: variant.bufferBytes(codes, raw) + frontend };
}
