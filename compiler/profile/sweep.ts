/**
 * Runs the Node runtime over a set of inputs and gathers what the profile and the report show:
 * predictions, per-layer op counts, and per-neuron firing statistics (silent / saturated) that
 * reveal spike stall. The runtime is the one implementation of the arithmetic; nothing here
 * recomputes it.
 */
import { addCounters, createNetwork, newCounters as newOpTotals, type Model, type OpCounters } from '../../runtime/index.ts';


export interface NeuronActivity {
  /** Per neuron: how many inputs left it at code 0 (no spike). */
  silent: Int32Array;
  /** Per neuron: how many inputs drove it to the largest code. */
  saturated: Int32Array;
  /** Per neuron: sum of output codes (mean code = sum / samples). */
  codeSum: Float64Array;
}

export interface Sweep {
  samples: number;
  predictions: Int32Array;
  /** Rows added per sample, all layers (to compare engines sample by sample). */
  rowAdds: Int32Array;
  /** Per layer, op counters summed over all samples. */
  layerOpsTotal: OpCounters[];
  /** Samples whose last layer stopped early. */
  stoppedEarly: number;
  /** Per hidden layer (all but the last, whose outputs are scores): firing statistics. */
  activity: NeuronActivity[];
}

export function runSweep(model: Model, inputs: Uint8Array[], earlyExit = true): Sweep {
  const network = createNetwork(model);
  const layers = model.layers;
  const layerOpsTotal = layers.map(() => newOpTotals());
  const activity: NeuronActivity[] = layers.slice(0, -1).map((l) => {
    const n = l.outFrames * l.outChannels;
    return { silent: new Int32Array(n), saturated: new Int32Array(n), codeSum: new Float64Array(n) };
  });
  const predictions = new Int32Array(inputs.length);
  const rowAdds = new Int32Array(inputs.length);
  let stoppedEarly = 0;
  inputs.forEach((codes, s) => {
    const r = network.infer(codes, { earlyExit });
    predictions[s] = r.classIndex;
    rowAdds[s] = r.ops.rowAdds;
    if (r.stoppedEarly) stoppedEarly++;
    r.layerOps.forEach((ops, k) => addCounters(layerOpsTotal[k], ops));
    activity.forEach((a, k) => {
      const out = r.trace[k];
      const max = layers[k].outMax;
      for (let j = 0; j < out.length; j++) {
        const c = out[j];
        a.codeSum[j] += c;
        if (c === 0) a.silent[j]++;
        else if (c === max) a.saturated[j]++;
      }
    });
  });
  return { samples: inputs.length, predictions, rowAdds, layerOpsTotal, stoppedEarly, activity };
}

/** Counters divided by the sample count (means per inference). */
export function perInference(total: OpCounters, samples: number): OpCounters {
  const d = Math.max(1, samples);
  return {
    rowAdds: total.rowAdds / d,
    zeroInputsSkipped: total.zeroInputsSkipped / d,
    inputsSkippedEarly: total.inputsSkippedEarly / d,
    stepsSaved: total.stepsSaved / d,
    leakUpdates: total.leakUpdates / d,
    partials: total.partials / d,
    clippedPartials: total.clippedPartials / d,
  };
}

/** Neurons silent (never spiked) or saturated (always at the top code) on every sample. */
export function stallCounts(a: NeuronActivity, samples: number): { neurons: number; alwaysSilent: number; alwaysSaturated: number } {
  let alwaysSilent = 0;
  let alwaysSaturated = 0;
  for (let j = 0; j < a.silent.length; j++) {
    if (a.silent[j] === samples) alwaysSilent++;
    if (a.saturated[j] === samples) alwaysSaturated++;
  }
  return { neurons: a.silent.length, alwaysSilent, alwaysSaturated };
}
