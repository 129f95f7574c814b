/**
 * Knowledge distillation targets: what teacher models (.tcm files, executed by the runtime exactly as
 * the device would) say about every training sample, as the trainer's `softTargets`. Each teacher's
 * integer scores are read in its own score unit (the last layer's threshold, the integer that
 * stands for 1.0 of the trained scores), softened by a temperature and turned into probabilities;
 * the teachers' probabilities are averaged. An ensemble of models trained with other seeds thus
 * passes what it knows about confusable words and voices to one model of the device's size.
 */
import { createNetwork, loadModel } from '../../runtime/index.ts';
import type { Model } from '../../runtime/model.ts';
import { scoreUnit } from '../../manifests/apps/lib/detector.ts';
import { softmax } from './backward.ts';

export interface Teacher {
  /** What the teacher is called in errors and the provenance (its file name). */
  name: string;
  bytes: Uint8Array;
}

export interface DistillSettings {
  /** Teacher scores are divided by this before the softmax (> 1: softer targets). */
  temperature: number;
  /** Why a teacher cannot teach this student (labels, input), or null; checked before any inference. */
  check?: (model: Model) => string | null;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Class probabilities, count x classes, averaged over `teachers`, for `count` samples of input codes
 * laid out one after another in `codes` (each of the teachers' input length).
 */
export function teacherTargets(teachers: readonly Teacher[], codes: Uint8Array, count: number, settings: DistillSettings): Float32Array {
  if (teachers.length === 0) throw new Error('distillation needs at least one teacher');
  if (!(settings.temperature > 0)) throw new Error(`distillation temperature must be > 0, got ${settings.temperature}`);
  const models = teachers.map((t) => {
    const model = loadModel(t.bytes);
    const why = settings.check?.(model) ?? null;
    if (why) throw new Error(`teacher ${t.name}: ${why}`);
    return model;
  });
  const classes = models[0].labels.length;
  const targets = new Float32Array(count * classes);
  const probs = new Float64Array(classes);
  const total = count * models.length;
  models.forEach((model, m) => {
    if (model.labels.join() !== models[0].labels.join()) throw new Error(`teacher ${teachers[m].name}: labels differ from teacher ${teachers[0].name}'s`);
    const network = createNetwork(model);
    const n = network.inputLength;
    if (codes.length !== count * n) throw new Error(`teacher ${teachers[m].name}: expects ${n} input codes a sample, the samples have ${codes.length / count}`);
    const scale = 1 / (scoreUnit(model) * settings.temperature);
    for (let i = 0; i < count; i++) {
      // Full scores: early exit would stop the last layer with partial sums.
      const { scores } = network.infer(codes.subarray(i * n, (i + 1) * n), { earlyExit: false });
      softmax(scores, scale, probs);
      for (let k = 0; k < classes; k++) targets[i * classes + k] += probs[k] / models.length;
      settings.onProgress?.(m * count + i + 1, total);
    }
  });
  return targets;
}
