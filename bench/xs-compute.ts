/**
 * (a) XS compute of event-driven inference vs a straightforward dense int8 MAC loop, both run in
 * the same XS worker on the same model and inputs; the meter's compute count is deterministic, so
 * one pass per input is exact (no repeats needed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from '../compiler/profile/stats.ts';
import { RUNTIME_SCRIPT } from '../compiler/xs/runtime-host.ts';
import { XsWorker } from '../compiler/xs/worker.ts';

const HARNESS = fileURLToPath(new URL('./xs-dense-harness.js', import.meta.url));

export interface XsComputeResult {
  samples: number;
  eventDrivenMedian: number;
  eventDrivenNoEarlyExitMedian: number;
  denseMedian: number;
  /** eventDrivenMedian / denseMedian (target <= 0.25). */
  ratio: number;
  ratioNoEarlyExit: number;
  /** Inputs where the dense loop's class equals the runtime's (both full evaluation). */
  classAgreement: number;
}

function message(op: string, flags: number, codes: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + codes.length);
  out[0] = op.charCodeAt(0);
  out[1] = flags;
  out.set(codes, 2);
  return out;
}

export async function measureXsCompute(modelBytes: Uint8Array, inputs: Uint8Array[]): Promise<XsComputeResult> {
  const worker = await XsWorker.start();
  try {
    await worker.evaluate(readFileSync(RUNTIME_SCRIPT, 'utf8'));
    await worker.evaluate(readFileSync(HARNESS, 'utf8'));
    const load = new Uint8Array(1 + modelBytes.length);
    load[0] = 0x4c;
    load.set(modelBytes, 1);
    const status = Buffer.from((await worker.command(load)).reply).toString('utf8');
    if (status !== 'ok') throw new Error(`XS bench harness: ${status}`);
    const event: number[] = [];
    const eventFull: number[] = [];
    const dense: number[] = [];
    let agree = 0;
    const classOf = (reply: Uint8Array) => new DataView(reply.buffer, reply.byteOffset, 4).getInt32(0, true);
    for (const codes of inputs) {
      event.push((await worker.command(message('E', 1, codes))).compute);
      const full = await worker.command(message('E', 0, codes));
      eventFull.push(full.compute);
      const d = await worker.command(message('D', 0, codes));
      dense.push(d.compute);
      if (classOf(full.reply) === classOf(d.reply)) agree++;
    }
    const eventDrivenMedian = median(event);
    const eventDrivenNoEarlyExitMedian = median(eventFull);
    const denseMedian = median(dense);
    return {
      samples: inputs.length, eventDrivenMedian, eventDrivenNoEarlyExitMedian, denseMedian,
      ratio: eventDrivenMedian / denseMedian, ratioNoEarlyExit: eventDrivenNoEarlyExitMedian / denseMedian,
      classAgreement: agree / inputs.length,
    };
  } finally {
    await worker.close();
  }
}
