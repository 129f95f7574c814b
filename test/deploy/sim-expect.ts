/**
 * What a generated app should print, computed by the runtime in Node (or in XS for `eval --engine
 * xs`) over the project's own model and data: the deploy tests compare `tempo-cim sim` with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StrokeFile } from '../../compiler/deploy/sim/shims/piu.ts';
import { decodeVectors, UNLABELED } from '../../compiler/deploy/vectors.ts';
import { evaluateInXs } from '../../compiler/xs/runtime-host.ts';
import { Canvas } from '../../manifests/apps/lib/canvas.ts';
import { createNetwork, encodeImage, loadModel, type Model } from '../../runtime/index.ts';

export const accuracyLine = (output: string) => /accuracy: (\d+)\/(\d+) = [\d.]+%/.exec(output);

function projectModel(dir: string): Model {
  return loadModel(new Uint8Array(readFileSync(join(dir, 'model.tcm'))));
}

/** The project's labeled image vectors as input codes, with their labels. */
export function projectInputs(dir: string): { inputs: Uint8Array[]; labels: number[] } {
  const model = projectModel(dir);
  const vectors = decodeVectors(new Uint8Array(readFileSync(join(dir, 'vectors.bin'))), 'vectors.bin');
  const inputs: Uint8Array[] = [];
  const labels: number[] = [];
  vectors.labels.forEach((label, i) => {
    if (label === UNLABELED || model.input.kind !== 'image') return;
    const codes = new Uint8Array(model.input.channels);
    encodeImage(model.input, vectors.records.subarray(i * vectors.recordBytes, (i + 1) * vectors.recordBytes), codes);
    inputs.push(codes);
    labels.push(label);
  });
  return { inputs, labels };
}

/** The runtime in Node over a project's stored vectors (early exit on, as the apps run). */
export function nodeRun(dir: string): { correct: number; labeled: number; classes: number[]; rowAdds: number[]; labels: number[] } {
  const network = createNetwork(projectModel(dir));
  const { inputs, labels } = projectInputs(dir);
  const classes: number[] = [];
  const rowAdds: number[] = [];
  inputs.forEach((codes) => {
    const r = network.infer(codes);
    classes.push(r.classIndex);
    rowAdds.push(r.ops.rowAdds);
  });
  return { correct: classes.filter((c, i) => c === labels[i]).length, labeled: labels.length, classes, rowAdds, labels };
}

/** Accuracy `eval --engine xs` computes: the same model bytes and vectors run by the runtime in XS. */
export async function xsAccuracy(dir: string): Promise<{ correct: number; labeled: number }> {
  const bytes = new Uint8Array(readFileSync(join(dir, 'model.tcm')));
  const { inputs, labels } = projectInputs(dir);
  const results = await evaluateInXs(bytes, inputs);
  return { correct: results.filter((r, i) => r.classIndex === labels[i]).length, labeled: labels.length };
}

/** What the touch app prints for `strokes` on a screen: the same canvas, re-centering and network in Node. */
export function expectedTouchLines(dir: string, strokes: StrokeFile, screen: { width: number; height: number }): string[] {
  const model = projectModel(dir);
  if (model.input.kind !== 'image') throw new Error('image model expected');
  const { srcWidth, srcHeight } = model.input;
  const network = createNetwork(model);
  const canvas = new Canvas(srcWidth, srcHeight, Math.max(srcWidth, srcHeight) / 20);
  const codes = new Uint8Array(network.inputLength);
  // The app's layout (whole cells above a 28-pixel status line, centered); touches in whole pixels.
  const cell = Math.max(1, Math.floor(Math.min(screen.width / srcWidth, (screen.height - 28) / srcHeight)));
  const left = (screen.width - cell * srcWidth) >> 1;
  const top = Math.max(0, (screen.height - 28 - cell * srcHeight) >> 1);
  const x = (u: number) => (Math.round(left + u * cell * srcWidth) - left) / cell;
  const y = (v: number) => (Math.round(top + v * cell * srcHeight) - top) / cell;
  return strokes.digits.map((digit) => {
    canvas.clear();
    for (const stroke of digit.strokes) {
      stroke.forEach(([u, v], i) => (i === 0 ? canvas.begin(x(u), y(v)) : canvas.lineTo(x(u), y(v))));
    }
    encodeImage(model.input as Parameters<typeof encodeImage>[0], canvas.center(), codes);
    const result = network.infer(codes);
    return `digit: ${result.label} (scores ${Array.from(result.scores).join(' ')}; ${result.ops.rowAdds} row adds)`;
  });
}
