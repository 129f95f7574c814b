import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav, decodeWav16k, encodeWav, readWav16k, resample } from '../../compiler/audio/wav.ts';

/** A 440 Hz tone at amplitude 0.5, `seconds` long. */
function tone(rate: number, seconds: number, freq = 440): Float64Array {
  const out = new Float64Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * freq * i) / rate);
  return out;
}

function interleave(left: Float64Array, right: Float64Array): Float64Array {
  const out = new Float64Array(left.length * 2);
  for (let i = 0; i < left.length; i++) {
    out[2 * i] = left[i];
    out[2 * i + 1] = right[i];
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('WAV reader', () => {
  const signal = tone(16000, 0.25);
  const encodings = [
    [8, 1 / 64],
    [16, 1e-4],
    [24, 1e-6],
    [32, 1e-7], // output is Float32: ~6e-8 resolution
    ['float32', 1e-7],
    ['float64', 1e-7],
  ] as const;

  for (const [encoding, tolerance] of encodings) {
    for (const extensible of [false, true]) {
      it(`decodes ${encoding}${typeof encoding === 'number' ? '-bit PCM' : ''}${extensible ? ' (extensible)' : ''}`, () => {
        const bytes = encodeWav(signal, { encoding, extensible });
        const wav = decodeWav(bytes, 'x.wav');
        expect(wav.sampleRate).toBe(16000);
        expect(wav.channels).toBe(1);
        expect(wav.samples.length).toBe(signal.length);
        expect(maxAbsDiff(wav.samples, signal)).toBeLessThan(tolerance);
      });
    }
  }

  it('mixes stereo down to mono by averaging', () => {
    const left = tone(16000, 0.1, 300);
    const right = tone(16000, 0.1, 700);
    const wav = decodeWav(encodeWav(interleave(left, right), { channels: 2, encoding: 'float32' }), 's.wav');
    expect(wav.channels).toBe(2);
    const mean = left.map((l, i) => (l + right[i]) / 2);
    expect(maxAbsDiff(wav.samples, mean)).toBeLessThan(1e-6);
  });

  it('skips unknown chunks (LIST before fmt and data)', () => {
    const plain = encodeWav(signal);
    const list = new Uint8Array([...'LIST'].map((c) => c.charCodeAt(0)).concat([5, 0, 0, 0, 1, 2, 3, 4, 5, 0]));
    const bytes = new Uint8Array(plain.length + list.length);
    bytes.set(plain.subarray(0, 12));
    bytes.set(list, 12);
    bytes.set(plain.subarray(12), 12 + list.length);
    const wav = decodeWav(bytes, 'list.wav');
    expect(maxAbsDiff(wav.samples, signal)).toBeLessThan(1e-4);
  });

  for (const rate of [8000, 22050, 44100, 48000]) {
    it(`resamples ${rate} Hz to 16 kHz preserving a 440 Hz tone`, () => {
      const pcm = decodeWav16k(encodeWav(tone(rate, 0.5), { sampleRate: rate, encoding: 'float32' }), 'r.wav');
      expect(pcm.length).toBe(8000);
      const expected = tone(16000, 0.5);
      // Ignore the filter's edge transients.
      let worst = 0;
      for (let i = 200; i < 7800; i++) worst = Math.max(worst, Math.abs(pcm[i] / 32768 - expected[i]));
      expect(worst).toBeLessThan(0.01);
    });
  }

  it('removes content above the new Nyquist rate when downsampling', () => {
    const high = tone(48000, 0.5, 12000); // above 8 kHz: must vanish
    const out = resample(Float32Array.from(high), 48000, 16000);
    let peak = 0;
    for (let i = 200; i < out.length - 200; i++) peak = Math.max(peak, Math.abs(out[i]));
    expect(peak).toBeLessThan(0.005);
  });

  it('accepts a streaming placeholder size only when asked', () => {
    const bytes = encodeWav(signal);
    new DataView(bytes.buffer).setUint32(40, 0x7ffff000, true);
    expect(() => decodeWav(bytes, 'pipe.wav')).toThrow(/pipe\.wav: truncated data chunk/);
    expect(decodeWav(bytes, 'pipe.wav', { allowStreamingSize: true }).samples.length).toBe(signal.length);
  });

  describe('rejects malformed files with the file name and the problem', () => {
    const good = () => encodeWav(signal);
    const cases: Array<[string, () => Uint8Array, RegExp]> = [
      ['empty file', () => new Uint8Array(0), /not a WAV file/],
      ['bad RIFF tag', () => { const b = good(); b[0] = 0x58; return b; }, /missing RIFF\/WAVE/],
      ['truncated data chunk', () => good().subarray(0, 1000), /truncated data chunk \(declares 8000 bytes, 956 present\)/],
      ['zero channels', () => { const b = good(); new DataView(b.buffer).setUint16(22, 0, true); return b; }, /unsupported channel count 0/],
      ['absurd data size', () => { const b = good(); new DataView(b.buffer).setUint32(40, 0xfffffff0, true); return b; }, /truncated data chunk/],
      ['absurd fmt size', () => { const b = good(); new DataView(b.buffer).setUint32(16, 0x7fffffff, true); return b; }, /bad fmt chunk/],
      ['absurd unknown chunk size', () => {
        const b = good();
        b.set([0x4a, 0x55, 0x4e, 0x4b], 12); // rename fmt to JUNK
        new DataView(b.buffer).setUint32(16, 0xffffffff, true);
        return b;
      }, /no fmt chunk/],
      ['no data chunk', () => good().subarray(0, 36), /no data chunk/],
      ['12-bit samples', () => { const b = good(); new DataView(b.buffer).setUint16(34, 12, true); return b; }, /unsupported PCM sample size 12 bits/],
      ['A-law encoding', () => { const b = good(); new DataView(b.buffer).setUint16(20, 6, true); return b; }, /unsupported encoding \(format tag 6\)/],
      ['zero sample rate', () => { const b = good(); new DataView(b.buffer).setUint32(24, 0, true); return b; }, /unsupported sample rate 0 Hz/],
      ['inconsistent block align', () => { const b = good(); new DataView(b.buffer).setUint16(32, 3, true); return b; }, /block align 3/],
    ];
    for (const [label, make, pattern] of cases) {
      it(label, () => {
        expect(() => decodeWav(make(), 'clips/bad.wav')).toThrow(pattern);
        expect(() => decodeWav(make(), 'clips/bad.wav')).toThrow(/^clips\/bad\.wav: /);
      });
    }

    it('from disk, naming the path', () => {
      const dir = mkdtempSync(join(tmpdir(), 'wav-'));
      const path = join(dir, 'broken.wav');
      writeFileSync(path, good().subarray(0, 100));
      expect(() => readWav16k(path)).toThrow(`${path}: truncated data chunk`);
      expect(() => readWav16k(join(dir, 'missing.wav'))).toThrow(/missing\.wav: cannot read/);
    });
  });
});
