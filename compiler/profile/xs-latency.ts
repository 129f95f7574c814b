/**
 * XS compute per inference: every input runs through the runtime inside the real XS engine
 * (XsRuntime); the meter's compute count is deterministic for the same model and input, so its
 * median and p99 are a machine-independent latency profile. Each figure includes the XS harness's
 * small per-call work (reading the message, packing the reply).
 */
import { XsRuntime } from '../xs/runtime-host.ts';
import { median, quantile } from './stats.ts';

export interface XsLatency {
  /** Compute per inference, one entry per input. */
  compute: Float64Array;
  /** Classes XS produced (to check against the Node runtime). */
  classes: Int32Array;
  /** Row adds XS counted per inference. */
  rowAdds: Int32Array;
  median: number;
  p99: number;
}

export async function measureXsCompute(modelBytes: Uint8Array, inputs: Uint8Array[], earlyExit = true): Promise<XsLatency> {
  const xs = await XsRuntime.start();
  try {
    const info = await xs.load(modelBytes);
    if (!info.ok) throw new Error(`model failed to load in XS: ${info.message}`);
    const compute = new Float64Array(inputs.length);
    const classes = new Int32Array(inputs.length);
    const rowAdds = new Int32Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const r = await xs.infer(inputs[i], { earlyExit });
      compute[i] = r.compute;
      classes[i] = r.classIndex;
      rowAdds[i] = r.ops.rowAdds;
    }
    return { compute, classes, rowAdds, median: median(compute), p99: quantile(compute, 0.99) };
  } finally {
    await xs.close();
  }
}
