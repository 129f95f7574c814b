/**
 * tempo-cim digits (no display): classifies the stored test vectors (data resource vectors.bin)
 * one by one and reports each miss and the accuracy on the serial console.
 */
import config from "mc/config";
import Resource from "Resource";
import { openClassifier } from "./app/classify";
import { openVectors, UNLABELED } from "./app/vectors";

const settings = config.tempoCim as { earlyExit: boolean; scratchBudget: number; device: string };

function run(): void {
  const classifier = openClassifier("model.tcm", settings.scratchBudget);
  const vectors = openVectors(new Resource("vectors.bin"));
  const labels = classifier.model.labels;
  trace(`tempo-cim digits on ${settings.device}: ${vectors.count} stored test vectors\n`);
  const MAX_MISSES_SHOWN = 20;
  let correct = 0;
  let labeled = 0;
  for (let i = 0; i < vectors.count; i++) {
    const result = classifier.classify(vectors.record(i), vectors.kind, settings.earlyExit);
    const expected = vectors.labels[i];
    if (expected === UNLABELED) continue;
    labeled++;
    if (result.classIndex === expected) correct++;
    else if (labeled - correct <= MAX_MISSES_SHOWN) trace(`#${i}: expected ${labels[expected]}, got ${result.label}\n`);
  }
  if (labeled - correct > MAX_MISSES_SHOWN) trace(`(${labeled - correct - MAX_MISSES_SHOWN} more misses not shown)\n`);
  trace(`accuracy: ${correct}/${labeled} = ${labeled ? ((100 * correct) / labeled).toFixed(2) : "0.00"}%\n`);
}

try {
  run();
} catch (error) {
  trace(`tempo-cim: ${(error as Error).name}: ${(error as Error).message}\n`);
}
