/**
 * tempo-cim bench: runs the model over the stored test vectors (data resource vectors.bin) for
 * config.tempoCim.iterations inferences and prints latency (Time.ticks, milliseconds), accuracy
 * over the labeled vectors, op counts and memory (instrumentation) on the serial console.
 */
import config from "mc/config";
import Resource from "Resource";
import Time from "time";
import { openClassifier } from "./app/classify";
import { memoryReport } from "./app/memory";
import { openVectors, UNLABELED } from "./app/vectors";

const settings = config.tempoCim as { iterations: number; earlyExit: boolean; scratchBudget: number; device: string };

function run(): void {
  const classifier = openClassifier("model.tcm", settings.scratchBudget);
  const vectors = openVectors(new Resource("vectors.bin"));
  const model = classifier.model;
  trace(`tempo-cim bench on ${settings.device}: ${model.layers.length} layers, ${model.labels.length} classes, ${vectors.count} vectors, scratch ${classifier.network.scratchBytes} B\n`);
  let correct = 0;
  let labeled = 0;
  let rowAdds = 0;
  let skipped = 0;
  let stepsSaved = 0;
  const start = Time.ticks;
  for (let i = 0; i < settings.iterations; i++) {
    const index = i % vectors.count;
    const result = classifier.classify(vectors.record(index), vectors.kind, settings.earlyExit);
    rowAdds += result.ops.rowAdds;
    skipped += result.ops.zeroInputsSkipped;
    stepsSaved += result.ops.stepsSaved;
    if (i < vectors.count && vectors.labels[index] !== UNLABELED) {
      labeled++;
      if (result.classIndex === vectors.labels[index]) correct++;
    }
  }
  const elapsed = Time.ticks - start;
  const n = settings.iterations;
  trace(`latency: ${n} inferences in ${elapsed} ms, ${(elapsed / n).toFixed(2)} ms per inference\n`);
  trace(`ops per inference: ${Math.round(rowAdds / n)} row adds, ${Math.round(skipped / n)} zero inputs skipped, ${Math.round(stepsSaved / n)} steps saved by early exit\n`);
  if (labeled > 0) trace(`accuracy: ${correct}/${labeled} = ${((100 * correct) / labeled).toFixed(2)}%\n`);
  trace(`memory: ${memoryReport()}\n`);
}

try {
  run();
} catch (error) {
  trace(`tempo-cim: ${(error as Error).name}: ${(error as Error).message}\n`);
}
