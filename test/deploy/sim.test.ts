import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../compiler/audio/wav.ts';
import { buildProject } from '../../compiler/deploy/project.ts';
import { simulate } from '../../compiler/deploy/sim/run.ts';
import { evaluateInXs } from '../../compiler/xs/runtime-host.ts';
import { decodeVectors, UNLABELED } from '../../compiler/deploy/vectors.ts';
import { Canvas } from '../../manifests/apps/lib/canvas.ts';
import { Detector } from '../../manifests/apps/lib/detector.ts';
import { createAudioFrontend } from '../../runtime/frontend/frontend.ts';
import { createNetwork, encodeImage, loadModel } from '../../runtime/index.ts';
import { audioModel, imageModel, tempDir } from './fixtures.ts';

const cli = join(import.meta.dirname, '../../bin/tempo-cim.js');
const root = tempDir('sim');
const imagePath = imageModel(join(root, 'digits.tcm'), { hidden: 48, seed: 3 });

/** Accuracy the runtime computes in Node over a project's stored vectors. */
function nodeAccuracy(dir: string): { correct: number; labeled: number } {
  const model = loadModel(new Uint8Array(readFileSync(join(dir, 'model.tcm'))));
  const network = createNetwork(model);
  const vectors = decodeVectors(new Uint8Array(readFileSync(join(dir, 'vectors.bin'))), 'vectors.bin');
  const codes = new Uint8Array(network.inputLength);
  let correct = 0;
  let labeled = 0;
  vectors.labels.forEach((label, i) => {
    if (label === UNLABELED || model.input.kind !== 'image') return;
    encodeImage(model.input, vectors.records.subarray(i * vectors.recordBytes, (i + 1) * vectors.recordBytes), codes);
    labeled++;
    if (network.infer(codes).classIndex === label) correct++;
  });
  return { correct, labeled };
}

/** Accuracy `eval --engine xs` computes: the same model bytes and vectors run by the runtime in XS. */
async function xsAccuracy(dir: string): Promise<{ correct: number; labeled: number }> {
  const bytes = new Uint8Array(readFileSync(join(dir, 'model.tcm')));
  const model = loadModel(bytes);
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
  const results = await evaluateInXs(bytes, inputs);
  return { correct: results.filter((r, i) => r.classIndex === labels[i]).length, labeled: labels.length };
}

const accuracyLine = (output: string) => /accuracy: (\d+)\/(\d+) = [\d.]+%/.exec(output);

describe('tempo-cim sim (real XS)', () => {
  it('digits without a display reports the accuracy the runtime computes on the same vectors', async () => {
    const dir = join(root, 'digits-c3');
    buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'digits', outDir: dir, count: 60 });
    const result = await simulate(dir);
    expect(result.stop).toBe('idle');
    const { correct, labeled } = nodeAccuracy(dir);
    expect(labeled).toBe(60);
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(correct), String(labeled)]);
  });

  it('bench reports the accuracy eval --engine xs computes on the same vectors, latency and memory', async () => {
    const dir = join(root, 'bench-esp32');
    buildProject({ modelPath: imagePath, device: 'esp32', app: 'bench', outDir: dir, count: 40, iterations: 80 });
    const result = await simulate(dir);
    const { correct, labeled } = await xsAccuracy(dir);
    expect(labeled).toBe(40);
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(correct), String(labeled)]);
    expect(result.output).toMatch(/latency: 80 inferences in \d+ ms, [\d.]+ ms per inference/);
    expect(result.output).toMatch(/ops per inference: \d+ row adds/);
    expect(result.output).toMatch(/memory: chunk heap used/);
    expect(result.compute).toBeGreaterThan(0);
  });

  it('digits on a touch display classifies replayed strokes like the runtime does', async () => {
    const dir = join(root, 'digits-touch');
    buildProject({ modelPath: imagePath, device: 'esp32s3', app: 'digits', outDir: dir });
    const strokes = {
      digits: [
        { strokes: [[[0.5, 0.15], [0.5, 0.5], [0.5, 0.85]]] },
        { strokes: [[[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]], [[0.35, 0.5], [0.65, 0.5]]] },
      ],
    };
    const strokesPath = join(root, 'strokes.json');
    writeFileSync(strokesPath, JSON.stringify(strokes));
    const result = await simulate(dir, { strokesPath });

    const model = loadModel(new Uint8Array(readFileSync(join(dir, 'model.tcm'))));
    if (model.input.kind !== 'image') throw new Error('image model expected');
    const network = createNetwork(model);
    const canvas = new Canvas(model.input.srcWidth, model.input.srcHeight, Math.max(model.input.srcWidth, model.input.srcHeight) / 20);
    const codes = new Uint8Array(network.inputLength);
    const expected = strokes.digits.map((digit) => {
      canvas.clear();
      for (const stroke of digit.strokes) {
        stroke.forEach(([u, v], i) => (i === 0 ? canvas.begin(u * canvas.width, v * canvas.height) : canvas.lineTo(u * canvas.width, v * canvas.height)));
      }
      encodeImage(model.input as Parameters<typeof encodeImage>[0], canvas.center(), codes);
      return network.infer(codes).label;
    });
    const seen = [...result.output.matchAll(/^digit: (\S+) \(scores/gm)].map((m) => m[1]);
    expect(seen).toEqual(expected);
  });

  it('keywords prints the detections the runtime makes on the same WAV', async () => {
    const modelPath = audioModel(join(root, 'keywords.tcm'), 5);
    const dir = join(root, 'keywords');
    buildProject({ modelPath, device: 'esp32', app: 'keywords', outDir: dir });
    const pcm = new Int16Array(16000 * 2);
    for (let i = 3000; i < 21000; i++) pcm[i] = Math.round(9000 * Math.sin((i * 2 * Math.PI * (250 + i / 30)) / 16000) * Math.sin((Math.PI * (i - 3000)) / 18000));
    const wavPath = join(root, 'word.wav');
    writeFileSync(wavPath, encodeWav(pcm, { sampleRate: 16000 }));
    const result = await simulate(dir, { wavPath });
    expect(result.output).toMatch(/audio: end of keyword\.wav \(2\.00 s\)/);

    // The app's loop in Node: 512-sample chunks, a verdict every 250 ms once the window is full.
    const model = loadModel(new Uint8Array(readFileSync(modelPath)));
    if (model.input.kind !== 'audio') throw new Error('audio model expected');
    const network = createNetwork(model);
    const frontend = createAudioFrontend(model.input.frontend);
    const detector = new Detector(model.labels, 0, 1000);
    const codes = new Uint8Array(network.inputLength);
    const padded = new Int16Array(pcm.length + 24000);
    padded.set(pcm);
    const expected: string[] = [];
    let sinceHop = 0;
    for (let heard = 0; heard < padded.length; ) {
      const take = Math.min(512, padded.length - heard);
      frontend.push(padded.subarray(heard, heard + take));
      heard += take;
      sinceHop += take;
      if (frontend.frameCount >= frontend.frames && sinceHop >= 4000) {
        sinceHop = 0;
        frontend.codes(codes);
        const verdict = network.infer(codes);
        const detection = detector.update(verdict.classIndex, verdict.scores, (heard * 1000) / 16000);
        if (detection) expected.push(`heard "${detection.label}" at ${(heard / 16000).toFixed(2)} s (score ${detection.score}, runner-up ${detection.runnerUp})`);
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(result.output.split('\n').filter((line) => line.startsWith('heard '))).toEqual(expected);
  });

  it('the CLI refuses a directory that is not a generated project', () => {
    const run = spawnSync(process.execPath, [cli, 'sim', root], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not a tempo-cim project/);
  });

  it('the app reports a corrupt model on the console', () => {
    const dir = join(root, 'crash');
    buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'bench', outDir: dir, count: 5 });
    writeFileSync(join(dir, 'model.tcm'), new Uint8Array(16));
    const run = spawnSync(process.execPath, [cli, 'sim', dir], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/tempo-cim: ModelError: .*header/);
  });
});
