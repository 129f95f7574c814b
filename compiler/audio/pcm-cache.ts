/**
 * Fixed-size int16 clips in one file on disk, read back by index (positioned reads: the clips
 * live in the OS page cache, not in the process heap). Used to re-augment training clips every
 * epoch at Speech Commands scale without holding their PCM in memory.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';

export class PcmCache {
  private readonly fd: number;
  private readonly bytes: number;

  constructor(readonly path: string, readonly clipSamples: number) {
    this.fd = openSync(path, 'w+');
    this.bytes = clipSamples * 2;
  }

  write(index: number, samples: Int16Array): void {
    if (samples.length !== this.clipSamples) throw new Error(`PcmCache: clip of ${samples.length} samples, expected ${this.clipSamples}`);
    writeSync(this.fd, samples, 0, this.bytes, index * this.bytes);
  }

  /** Reads clip `index` into `out` (a fresh array if none is given). */
  read(index: number, out = new Int16Array(this.clipSamples)): Int16Array {
    const got = readSync(this.fd, out, 0, this.bytes, index * this.bytes);
    if (got !== this.bytes) throw new Error(`PcmCache: clip ${index} not in ${this.path}`);
    return out;
  }

  /** Closes and deletes the file. */
  dispose(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
