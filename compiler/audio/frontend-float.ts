/**
 * Float64 reference front-end: the same pipeline as runtime/frontend with exact arithmetic and
 * unrounded tables, used to check the integer implementation (not used for training).
 *
 *   x     = first windowSamples samples of the clip, zero-padded at the end
 *   y[n]  = x[n] - a x[n-1]            (a = the Q15 pre-emphasis coefficient / 32768, x[-1] = 0)
 *   frame f = y[f hop .. f hop + frameLength) * periodic Hann, zero-padded to fftSize
 *   P[k]  = |FFT(frame)[k]|^2, k = 0 .. fftSize / 2
 *   E[m]  = sum_k P[k] W[m][k]          (triangular HTK mel filters, peak 1)
 *   L[m]  = max(log2 E[m], logFloor)    (log2 units; E = 0 gives logFloor)
 *   channels = L, or the first D orthonormal DCT-II coefficients of L
 *   window-peak normalization: every channel value minus max(largest of the window, peakFloor)
 *   channel-mean normalization: every channel value minus the channel's mean over the frames
 */
import { dctMatrix, frameCount, hannWindow, melFilterbank, resolveFrontendOptions, type FrontendOptions } from './frontend-design.ts';

export interface FloatFrontend {
  frames: number;
  channels: number;
  /** Features of one clip, frame-major (frames x channels), in log2 units. */
  compute(pcm: Int16Array): Float64Array;
}

export function createFloatFrontend(options: Partial<FrontendOptions> = {}): FloatFrontend {
  const o = resolveFrontendOptions(options);
  const frames = frameCount(o);
  const window = hannWindow(o.frameLength);
  const bands = melFilterbank(o);
  const dct = o.dctCoefficients > 0 ? dctMatrix(o.dctCoefficients, o.melBands) : null;
  const channels = dct ? o.dctCoefficients : o.melBands;
  const a = Math.round(o.preemphasis * 32768) / 32768; // the coefficient the integer front-end uses
  const re = new Float64Array(o.fftSize);
  const im = new Float64Array(o.fftSize);
  const logMel = new Float64Array(o.melBands);

  function compute(pcm: Int16Array): Float64Array {
    const y = new Float64Array(o.windowSamples);
    let previous = 0;
    for (let n = 0; n < o.windowSamples; n++) {
      const x = n < pcm.length ? pcm[n] : 0;
      y[n] = x - a * previous;
      previous = x;
    }
    const out = new Float64Array(frames * channels);
    for (let f = 0; f < frames; f++) {
      re.fill(0);
      im.fill(0);
      for (let i = 0; i < o.frameLength; i++) re[i] = y[f * o.hop + i] * window[i];
      fftFloat(re, im);
      for (let m = 0; m < bands.length; m++) {
        const { firstBin, weights } = bands[m];
        let energy = 0;
        for (let i = 0; i < weights.length; i++) {
          const k = firstBin + i;
          energy += (re[k] * re[k] + im[k] * im[k]) * weights[i];
        }
        logMel[m] = energy > 0 ? Math.max(Math.log2(energy), o.logFloor) : o.logFloor;
      }
      for (let c = 0; c < channels; c++) {
        let v = logMel[c];
        if (dct) {
          v = 0;
          for (let m = 0; m < o.melBands; m++) v += logMel[m] * dct[c * o.melBands + m];
        }
        out[f * channels + c] = v;
      }
    }
    if (o.normalize === 'window-peak') {
      let peak = o.peakFloor;
      for (const v of out) if (v > peak) peak = v;
      for (let i = 0; i < out.length; i++) out[i] -= peak;
    } else if (o.normalize === 'channel-mean') {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let f = 0; f < frames; f++) sum += out[f * channels + c];
        for (let f = 0; f < frames; f++) out[f * channels + c] -= sum / frames;
      }
    }
    return out;
  }
  return { frames, channels, compute };
}

/** In-place iterative radix-2 complex FFT (forward, unscaled). */
export function fftFloat(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    for (let k = 0; k < half; k++) {
      const angle = (-2 * Math.PI * k) / size;
      const wr = Math.cos(angle);
      const wi = Math.sin(angle);
      for (let top = k; top < n; top += size) {
        const b = top + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[top] - tr;
        im[b] = im[top] - ti;
        re[top] += tr;
        im[top] += ti;
      }
    }
  }
}
