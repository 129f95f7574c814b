// The digits, touch and bench apps with a conv2d + spike-time pooling model, run by `tempo-cim sim`
// in the real XS engine with the native kernels: every printed class, score and op count must be
// the Node runtime's on the same model and inputs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticConvDigitsSpec } from '../../bench/synthetic-conv-model.ts';
import { buildProject } from '../../compiler/deploy/project.ts';
import { simulate } from '../../compiler/deploy/sim/run.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { loadModel, scratchBytesFor } from '../../runtime/index.ts';
import { tempDir } from './fixtures.ts';
import { accuracyLine, expectedTouchLines, nodeRun, xsAccuracy } from './sim-expect.ts';
import { digitStrokes } from './strokes.ts';

const root = tempDir('sim-conv');
const modelPath = join(root, 'conv.tcm');
const bytes = writeModel(syntheticConvDigitsSpec({ channels: 4, kernel: 3, pool: 2, hidden: 16, seed: 11, calibrationImages: 16 }));
writeFileSync(modelPath, bytes);
const model = loadModel(bytes);

describe('apps with a conv2d model in tempo-cim sim (real XS, native kernels)', () => {
  it('the model is a 14x14 conv2d with pooling', () => {
    expect(model.layers.map((l) => l.kind)).toEqual(['conv2d', 'dense', 'dense']);
    expect(model.layers[0].grid).toMatchObject({ inHeight: 14, inWidth: 14, padding: 1, pool: 2, convHeight: 14, convWidth: 14 });
  });

  it('bench: accuracy, row adds and scratch as the runtime in Node and XS', async () => {
    const dir = join(root, 'bench');
    await buildProject({ modelPath, device: 'esp32', app: 'bench', outDir: dir, count: 24 });
    const result = await simulate(dir);
    expect(result.stop).toBe('idle');
    expect(result.output).not.toMatch(/tempo-cim: \w*Error/);
    // The device runs the native kernels: their scratch includes the C kernels' parameter words.
    expect(result.output).toContain(`tempo-cim bench on esp32: 3 layers, 10 classes, 24 vectors, scratch ${scratchBytesFor(model, true)} B`);
    const node = nodeRun(dir);
    expect(node.labeled).toBe(24);
    expect(await xsAccuracy(dir)).toEqual({ correct: node.correct, labeled: node.labeled });
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(node.correct), '24']);
    const meanRowAdds = Math.round(node.rowAdds.reduce((a, b) => a + b, 0) / node.rowAdds.length);
    expect(meanRowAdds).toBeGreaterThan(0);
    expect(result.output).toContain(`ops per inference: ${meanRowAdds} row adds`);
  });

  it('digits without a display: every miss and the accuracy as the runtime in Node', async () => {
    const dir = join(root, 'digits-c3');
    await buildProject({ modelPath, device: 'esp32c3', app: 'digits', outDir: dir, count: 20 });
    const result = await simulate(dir);
    expect(result.stop).toBe('idle');
    const node = nodeRun(dir);
    // 20 vectors: every miss is printed (the app shows up to 20).
    const misses = node.classes.flatMap((c, i) => (c === node.labels[i] ? [] : [`#${i}: expected ${node.labels[i]}, got ${c}`]));
    expect(misses.length).toBeGreaterThan(0);
    expect(result.output.split('\n').filter((line) => line.startsWith('#'))).toEqual(misses);
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(node.correct), '20']);
  });

  it('digits on a touch display: class, scores and row adds of every drawn digit as the runtime in Node', async () => {
    const dir = join(root, 'digits-touch');
    expect((await buildProject({ modelPath, device: 'esp32', app: 'digits', outDir: dir })).variant).toBe('digits-touch');
    const strokes = digitStrokes(10);
    const strokesPath = join(root, 'strokes.json');
    writeFileSync(strokesPath, JSON.stringify(strokes));
    const screen = { width: 320, height: 240 };
    const result = await simulate(dir, { strokesPath, screen });
    expect(result.stop).toBe('idle');
    const expected = expectedTouchLines(dir, strokes, screen);
    expect(new Set(expected.map((line) => line.split(' ')[1])).size).toBeGreaterThan(1);
    expect(result.output.split('\n').filter((line) => line.startsWith('digit: '))).toEqual(expected);
  });
});
