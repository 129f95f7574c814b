/**
 * `embedded:io/audio/in` for the host simulators: plays the keyword.wav data resource (16-bit PCM)
 * as if it came from a microphone, in real time (32 ms chunks), followed by 1.5 s of silence so
 * the last window slides past the word; then it stops and traces the end of the recording.
 */
import Resource from "Resource";
import Timer from "timer";

type Options = { sampleRate?: number; bitsPerSample?: 8 | 16; channels?: 1 | 2; onReadable?: (this: AudioIn, byteLength: number) => void };

const CHUNK_SAMPLES = 512;
const TAIL_SAMPLES = 24000;

function findData(wav: ArrayBuffer): { samples: Int16Array; rate: number } {
  const view = new DataView(wav);
  if (view.getUint32(0, false) !== 0x52494646 || view.getUint32(8, false) !== 0x57415645) throw new Error("keyword.wav: not a WAV file");
  let rate = 16000;
  let offset = 12;
  while (offset + 8 <= wav.byteLength) {
    const id = view.getUint32(offset, false);
    const size = view.getUint32(offset + 4, true);
    if (id === 0x666d7420) {
      if (view.getUint16(offset + 8, true) !== 1 || view.getUint16(offset + 10, true) !== 1 || view.getUint16(offset + 22, true) !== 16) throw new Error("keyword.wav: need 16-bit mono PCM");
      rate = view.getUint32(offset + 12, true);
    } else if (id === 0x64617461) {
      return { samples: new Int16Array(wav, offset + 8, Math.min(size, wav.byteLength - offset - 8) >> 1), rate };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error("keyword.wav: no data chunk");
}

export default class AudioIn {
  readonly sampleRate: number;
  readonly bitsPerSample: 16 = 16;
  readonly channels: 1 = 1;
  readonly audioType = "LPCM";
  private readonly samples: Int16Array;
  private readonly onReadable?: (this: AudioIn, byteLength: number) => void;
  private position = 0;
  private pending = 0;
  private timer: Timer | null = null;

  constructor(options: Options) {
    const wav = new Resource("keyword.wav").slice(0);
    const { samples, rate } = findData(wav);
    if (options.sampleRate !== undefined && options.sampleRate !== rate) throw new Error(`keyword.wav is ${rate} Hz, ${options.sampleRate} Hz requested`);
    this.samples = samples;
    this.sampleRate = rate;
    this.onReadable = options.onReadable;
  }

  get format(): "buffer" {
    return "buffer";
  }

  start(): void {
    if (this.timer) return;
    const interval = Math.round((CHUNK_SAMPLES * 1000) / this.sampleRate);
    this.timer = Timer.repeat(() => this.deliver(), interval);
  }

  stop(): void {
    if (this.timer) Timer.clear(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stop();
  }

  /** Copies pending samples as little-endian int16 bytes into `buffer`; returns the bytes written. */
  read(buffer: Uint8Array): number {
    const count = Math.min(buffer.length >> 1, this.pending);
    for (let i = 0; i < count; i++) {
      const at = this.position + i;
      const sample = at < this.samples.length ? this.samples[at] : 0;
      buffer[2 * i] = sample & 0xff;
      buffer[2 * i + 1] = (sample >> 8) & 0xff;
    }
    this.position += count;
    this.pending -= count;
    return count * 2;
  }

  private deliver(): void {
    const total = this.samples.length + TAIL_SAMPLES;
    if (this.position >= total) {
      this.stop();
      trace(`audio: end of keyword.wav (${(this.samples.length / this.sampleRate).toFixed(2)} s)\n`);
      return;
    }
    this.pending = Math.min(CHUNK_SAMPLES, total - this.position);
    this.onReadable?.call(this, this.pending * 2);
  }
}
