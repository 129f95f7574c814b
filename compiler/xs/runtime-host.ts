/**
 * The runtime executed in the real XS engine: loads the rollup bundle
 * (dist/tempo-cim-runtime.xs.js) and a small harness into an XsWorker, then loads models and runs
 * inferences there, returning the same fields as the Node runtime plus the XS meter's compute.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpCounters } from '../../runtime/index.ts';
import { nativeHostPath, type HostVariant } from './native-host.ts';
import { XsWorker, type XsWorkerOptions } from './worker.ts';

export const RUNTIME_SCRIPT = fileURLToPath(new URL('../../dist/tempo-cim-runtime.xs.js', import.meta.url));
const HARNESS_SCRIPT = fileURLToPath(new URL('./harness.js', import.meta.url));

export interface XsModelInfo {
  ok: boolean;
  inputLength?: number;
  labels?: string[];
  scratchBytes?: number;
  /** On failure: the error's name ('ModelError'), code and message as thrown inside XS. */
  name?: string;
  code?: string;
  message?: string;
}

export interface XsInference {
  classIndex: number;
  stoppedEarly: boolean;
  scores: Int32Array;
  ops: OpCounters;
  trace?: Uint8Array[];
  /** XS compute steps for the whole call (inference plus a small constant for the reply). */
  compute: number;
}

export class XsRuntimeError extends Error {
  override name = 'XsRuntimeError';
  constructor(readonly errorName: string, readonly code: string | undefined, message: string) {
    super(message);
  }
}

export class XsRuntime {
  private constructor(readonly worker: XsWorker) {}

  /**
   * options.native: run in the XS test host with the native kernels linked in, and load models with
   * them ('release', or 'sanitize' for AddressSanitizer + UBSan); default: stock xsnap, TypeScript kernels.
   */
  static async start(options: XsWorkerOptions & { native?: HostVariant } = {}): Promise<XsRuntime> {
    if (!existsSync(RUNTIME_SCRIPT)) throw new Error(`runtime bundle missing at ${RUNTIME_SCRIPT}: run 'npm run build'`);
    const binary = options.native ? nativeHostPath(options.native) : undefined;
    const worker = await XsWorker.start({ ...options, binary });
    try {
      if (options.native) await worker.evaluate('globalThis.tempoNative = TempoCIMNative;');
      await worker.evaluate(readFileSync(RUNTIME_SCRIPT, 'utf8'));
      await worker.evaluate(readFileSync(HARNESS_SCRIPT, 'utf8'));
    } catch (error) {
      await worker.close();
      throw error;
    }
    return new XsRuntime(worker);
  }

  /** Loads a model inside XS; returns what XS reported (a failed load is data, not an exception). */
  async load(modelBytes: Uint8Array): Promise<XsModelInfo> {
    const message = new Uint8Array(1 + modelBytes.length);
    message[0] = 0x4c;
    message.set(modelBytes, 1);
    const { reply } = await this.worker.command(message);
    return JSON.parse(Buffer.from(reply).toString('utf8'));
  }

  async infer(codes: Uint8Array, options: { earlyExit?: boolean; trace?: boolean } = {}): Promise<XsInference> {
    const message = new Uint8Array(2 + codes.length);
    message[0] = 0x49;
    message[1] = (options.earlyExit !== false ? 1 : 0) | (options.trace ? 2 : 0);
    message.set(codes, 2);
    const { reply, compute } = await this.worker.command(message);
    if (reply[0] !== 0) {
      const e = JSON.parse(Buffer.from(reply.subarray(1)).toString('utf8'));
      throw new XsRuntimeError(e.name, e.code, e.message);
    }
    const words = new Int32Array(reply.buffer.slice(reply.byteOffset, reply.byteOffset + reply.byteLength));
    const m = words[10];
    const result: XsInference = {
      classIndex: words[1],
      stoppedEarly: words[2] === 1,
      ops: {
        rowAdds: words[3], zeroInputsSkipped: words[4], inputsSkippedEarly: words[5], stepsSaved: words[6],
        leakUpdates: words[7], partials: words[8], clippedPartials: words[9],
      },
      scores: words.slice(11, 11 + m),
      compute,
    };
    if (options.trace) {
      let at = 11 + m;
      const layers = words[at++];
      result.trace = [];
      for (let k = 0; k < layers; k++) {
        const n = words[at++];
        result.trace.push(Uint8Array.from(words.subarray(at, at + n)));
        at += n;
      }
    }
    return result;
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}

/** Runs every input through a model in XS (one worker); for `eval --engine xs` and cross-engine checks. */
export async function evaluateInXs(
  modelBytes: Uint8Array,
  inputs: Iterable<Uint8Array>,
  options: { earlyExit?: boolean; onProgress?: (done: number) => void } = {},
): Promise<XsInference[]> {
  const xs = await XsRuntime.start();
  try {
    const info = await xs.load(modelBytes);
    if (!info.ok) throw new XsRuntimeError(info.name ?? 'Error', info.code, info.message ?? 'model failed to load in XS');
    const results: XsInference[] = [];
    for (const codes of inputs) {
      results.push(await xs.infer(codes, { earlyExit: options.earlyExit }));
      options.onProgress?.(results.length);
    }
    return results;
  } finally {
    await xs.close();
  }
}
