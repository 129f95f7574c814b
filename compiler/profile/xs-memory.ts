/**
 * Memory and wall time of the runtime measured inside the real XS engine (xsnap-worker): slots
 * from the meter's live heap count after gc(), typed-array (chunk heap) bytes counted by the probe
 * harness (xs-memory-probe.js), and host wall time per inference by XS's performance.now().
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XsWorker } from '../xs/worker.ts';
import { RUNTIME_SCRIPT } from '../xs/runtime-host.ts';

const PROBE_SCRIPT = fileURLToPath(new URL('./xs-memory-probe.js', import.meta.url));

export interface XsMemory {
  /** Live slots the runtime module adds once evaluated (on a device a preloaded module lives in flash instead). */
  runtimeSlots: number;
  /** Live slots a loaded model + network keep (after gc). */
  networkSlots: number;
  /** Slots one inference allocates (garbage until the next gc), beyond an empty call. */
  inferenceSlots: number;
  /** Typed-array bytes the network keeps alive in the chunk heap (model bytes excluded: flash). */
  networkChunkBytes: number;
  typedArrays: number;
  /** Typed-array bytes loadModel + createNetwork allocate in all, transient ones included (peak bound). */
  loadChunkBytes: number;
  /** Typed-array bytes one inference allocates (0: the network reuses its scratch). */
  inferenceChunkBytes: number;
  /** Scratch the network reports (scratchBytesFor). */
  scratchBytes: number;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

export class XsMemoryProbe {
  private constructor(private readonly worker: XsWorker, private readonly runtimeSlots: number) {}

  static async start(): Promise<XsMemoryProbe> {
    const worker = await XsWorker.start();
    try {
      await worker.evaluate(readFileSync(PROBE_SCRIPT, 'utf8'));
      const before = (await worker.command(op('G'))).heapCount;
      await worker.evaluate(readFileSync(RUNTIME_SCRIPT, 'utf8'));
      const after = (await worker.command(op('G'))).heapCount;
      return new XsMemoryProbe(worker, after - before);
    } catch (error) {
      await worker.close();
      throw error;
    }
  }

  /** Loads the model and measures the network's memory with one inference on `codes`. */
  async measure(modelBytes: Uint8Array, codes: Uint8Array): Promise<XsMemory> {
    const before = await this.worker.command(op('G'));
    const loaded = JSON.parse(text((await this.worker.command(op('L', modelBytes))).reply));
    if (!loaded.ok) throw new Error(`model failed to load in XS: ${loaded.message}`);
    const retained = JSON.parse(text((await this.worker.command(op('R'))).reply));
    const settled = await this.worker.command(op('G'));
    const emptyCall = (await this.worker.command(op('N'))).heapCount - settled.heapCount;
    await this.worker.command(op('G'));
    const inferred = await this.worker.command(inferMessage('I', codes, true));
    const words = new Int32Array(inferred.reply.buffer.slice(inferred.reply.byteOffset, inferred.reply.byteOffset + 8));
    return {
      runtimeSlots: this.runtimeSlots,
      networkSlots: settled.heapCount - before.heapCount,
      inferenceSlots: Math.max(0, inferred.heapCount - settled.heapCount - emptyCall),
      networkChunkBytes: retained.retainedBytes,
      typedArrays: retained.retainedArrays,
      loadChunkBytes: loaded.typedBytes,
      inferenceChunkBytes: words[1],
      scratchBytes: loaded.scratchBytes,
    };
  }

  /** Host wall time of one inference in XS (ms), averaged over `reps` back-to-back runs of the same input. */
  async wallTimeMs(codes: Uint8Array, reps: number, earlyExit = true): Promise<number> {
    const message = inferMessage('T', codes, earlyExit, reps);
    const { reply } = await this.worker.command(message);
    return new Float64Array(reply.buffer.slice(reply.byteOffset, reply.byteOffset + 8))[0];
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}

function op(code: string, payload?: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + (payload?.length ?? 0));
  out[0] = code.charCodeAt(0);
  if (payload) out.set(payload, 1);
  return out;
}

function inferMessage(code: 'I' | 'T', codes: Uint8Array, earlyExit: boolean, reps = 1): Uint8Array {
  const head = code === 'T' ? 4 : 2;
  const out = new Uint8Array(head + codes.length);
  out[0] = code.charCodeAt(0);
  out[1] = earlyExit ? 1 : 0;
  if (code === 'T') {
    out[2] = reps & 0xff;
    out[3] = reps >> 8;
  }
  out.set(codes, head);
  return out;
}
