import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../compiler/audio/wav.ts';
import { buildProject } from '../../compiler/deploy/project.ts';
import { simulate } from '../../compiler/deploy/sim/run.ts';
import { detectStream } from '../../compiler/audio/stream-detect.ts';
import { audioModel, imageModel, tempDir } from './fixtures.ts';
import { accuracyLine, expectedTouchLines, nodeRun, xsAccuracy } from './sim-expect.ts';
import { digitStrokes } from './strokes.ts';
import { speechLikeClip } from '../audio/speechlike.ts';

const cli = join(import.meta.dirname, '../../bin/tempo-cim.js');
const root = tempDir('sim');
const imagePath = imageModel(join(root, 'digits.tcm'), { hidden: 48, seed: 3 });

describe('tempo-cim sim (real XS)', () => {
  it('digits without a display reports the accuracy the runtime computes on the same vectors', async () => {
    const dir = join(root, 'digits-c3');
    await buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'digits', outDir: dir, count: 60 });
    const result = await simulate(dir);
    expect(result.stop).toBe('idle');
    const { correct, labeled } = nodeRun(dir);
    expect(labeled).toBe(60);
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(correct), String(labeled)]);
  });

  it('bench reports the accuracy eval --engine xs computes on the same vectors, latency and memory', async () => {
    const dir = join(root, 'bench-esp32');
    await buildProject({ modelPath: imagePath, device: 'esp32', app: 'bench', outDir: dir, count: 40, iterations: 80 });
    const result = await simulate(dir);
    const { correct, labeled } = await xsAccuracy(dir);
    expect(labeled).toBe(40);
    expect(accuracyLine(result.output)?.slice(1, 3)).toEqual([String(correct), String(labeled)]);
    expect(result.output).toMatch(/latency: 80 inferences in \d+ ms, [\d.]+ ms per inference/);
    expect(result.output).toMatch(/ops per inference: \d+ row adds/);
    expect(result.output).toMatch(/memory: chunk heap used/);
    expect(result.compute).toBeGreaterThan(0);
  });

  describe('digits on a touch display', () => {
    const dir = join(root, 'digits-touch');
    beforeAll(async () => {
      await buildProject({ modelPath: imagePath, device: 'esp32', app: 'digits', outDir: dir });
    });
    const strokes = digitStrokes(20);
    const strokesPath = join(root, 'strokes.json');
    writeFileSync(strokesPath, JSON.stringify(strokes));

    it.each([
      ['landscape', { width: 320, height: 240 }, '196x196'],
      ['portrait', { width: 240, height: 320 }, '224x224'],
    ])('classifies 20 drawn digits like the runtime in %s, within Piu and Poco list sizes', async (_name, screen, pad) => {
      const result = await simulate(dir, { strokesPath, screen });
      expect(result.stop).toBe('idle');
      expect(result.output).toContain(`draw a digit on the ${pad} pad (${screen.width}x${screen.height} screen)`);
      expect(result.output.split('\n').filter((line) => line.startsWith('digit: '))).toEqual(expectedTouchLines(dir, strokes, screen));
      // Moddable's defaults on the ESP32 (32-bit): 1,024 bytes each; the high-water marks stay within.
      const d = result.display;
      expect(d).toMatchObject({ commandListLength: 1024, displayListLength: 1024 });
      expect(d!.commandListUsed).toBeGreaterThan(100);
      expect(d!.commandListUsed).toBeLessThanOrEqual(1024);
      expect(d!.displayListUsed).toBeGreaterThan(100);
      expect(d!.displayListUsed).toBeLessThanOrEqual(1024);
      expect(d!.frames).toBeGreaterThan(strokes.digits.length);
    });

    it('aborts the per-pixel drawing of the first touch app as the Moddable simulator did', async () => {
      const old = join(root, 'digits-touch-per-pixel');
      await buildProject({ modelPath: imagePath, device: 'sim', app: 'digits', outDir: old });
      copyFileSync(join(import.meta.dirname, 'fixtures', 'per-pixel-touch-main.ts'), join(old, 'main.ts'));
      const result = await simulate(old, { strokesPath });
      expect(result.stop).toBe('exception');
      expect(result.output).toMatch(/XS abort: unhandled exception: Error: command list overflowed/);
      // 64-bit desktop simulator sizes; it got through fewer than 2 of the 20 digits.
      expect(result.display).toMatchObject({ commandListLength: 1536, displayListLength: 1536 });
      expect(result.output.split('\n').filter((line) => line.startsWith('digit: ')).length).toBeLessThan(2);
    });
  });

  describe('keywords', () => {
    // The 12-class protocol's labels: the display app's title lists all ten words (its first frame
    // overflowed Poco's default display list before the app sized it).
    const labels = ['_silence_', '_unknown_', 'yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];
    const modelPath = audioModel(join(root, 'keywords.tcm'), 5, labels);

    /** The app's Spotter (manifests/apps/lib/detector.ts) in Node over the WAV and the simulator's 1.5 s silent tail (apps built with margin 0: a random model's scores are small). */
    function expectedDetections(pcm: Int16Array, model = modelPath): string[] {
      const padded = new Int16Array(pcm.length + 24000);
      padded.set(pcm);
      return detectStream(new Uint8Array(readFileSync(model)), padded, { margin: 0 }).map((h) => `heard "${h.label}" at ${(h.at / 16000).toFixed(2)} s (score ${h.score}, runner-up ${h.runnerUp})`);
    }

    const heardLines = (output: string) => output.split('\n').filter((line) => line.startsWith('heard '));

    it('prints the detections the runtime makes on the same WAV', async () => {
      const dir = join(root, 'keywords');
      await buildProject({ modelPath, device: 'esp32', app: 'keywords', outDir: dir, margin: 0 });
      const pcm = new Int16Array(16000 * 2);
      for (let i = 3000; i < 21000; i++) pcm[i] = Math.round(9000 * Math.sin((i * 2 * Math.PI * (250 + i / 30)) / 16000) * Math.sin((Math.PI * (i - 3000)) / 18000));
      const wavPath = join(root, 'word.wav');
      writeFileSync(wavPath, encodeWav(pcm, { sampleRate: 16000 }));
      const result = await simulate(dir, { wavPath });
      expect(result.output).toMatch(/audio: end of keyword\.wav \(2\.00 s\)/);
      const expected = expectedDetections(pcm);
      expect(expected.length).toBeGreaterThan(0);
      expect(heardLines(result.output)).toEqual(expected);
    });

    it('works on a board without a display and on one with, over a multi-word recording', async () => {
      // Six speech-like "words" (test/audio/speechlike.ts), 1 s each, 0.4 s apart.
      const words = [3, 8, 14, 21, 27, 33].map((seed) => speechLikeClip(seed));
      const gap = 6400;
      const pcm = new Int16Array(words.length * (16000 + gap));
      words.forEach((word, i) => pcm.set(word, i * (16000 + gap)));
      const wavPath = join(root, 'words.wav');
      writeFileSync(wavPath, encodeWav(pcm, { sampleRate: 16000 }));
      const expected = expectedDetections(pcm);
      // (The random model hears 'yes' in most windows: one report a second, the detector's hold.)
      expect(expected.length).toBeGreaterThan(3);

      const headless = join(root, 'keywords-c3');
      const withDisplay = join(root, 'keywords-s3');
      expect((await buildProject({ modelPath, device: 'esp32c3', app: 'keywords', outDir: headless, margin: 0 })).variant).toBe('keywords');
      expect((await buildProject({ modelPath, device: 'esp32s3', app: 'keywords', outDir: withDisplay, margin: 0 })).variant).toBe('keywords-display');
      for (const [dir, display] of [[headless, false], [withDisplay, true]] as const) {
        const result = await simulate(dir, { wavPath });
        expect(result.stop).toBe('idle');
        expect(result.output).toMatch(/listening for yes, no, up/);
        expect(result.output).toContain(`audio: end of keyword.wav (${(pcm.length / 16000).toFixed(2)} s)`);
        expect(heardLines(result.output)).toEqual(expected);
        if (!display) {
          expect(result.display).toBeNull();
          continue;
        }
        expect(result.output).toContain('320x240 screen');
        // The first frame, then at least one with the word heard (detections close together may share a frame).
        expect(result.display!.frames).toBeGreaterThanOrEqual(2);
        expect(result.display!.commandListUsed).toBeLessThanOrEqual(result.display!.commandListLength);
        expect(result.display!.displayListUsed).toBeLessThanOrEqual(result.display!.displayListLength);
      }
    });

    it.each(['window-peak', 'channel-mean'] as const)('follows the front-end the model carries: %s normalized codes in XS as in Node', async (normalize) => {
      const normalizedPath = audioModel(join(root, `keywords-${normalize}.tcm`), 5, labels, { normalize });
      // Speech-like words at two levels (x1 and x1/4).
      const words = [4, 9, 15, 22].map((seed, i) => Int16Array.from(speechLikeClip(seed), (v) => Math.round(v / 4 ** (i % 2))));
      const pcm = new Int16Array(words.length * 22400);
      words.forEach((word, i) => pcm.set(word, i * 22400));
      const wavPath = join(root, 'levels.wav');
      writeFileSync(wavPath, encodeWav(pcm, { sampleRate: 16000 }));
      const expected = expectedDetections(pcm, normalizedPath);
      expect(expected.length).toBeGreaterThan(1);
      expect(expected).not.toEqual(expectedDetections(pcm)); // the same network weights on absolute codes hear otherwise
      const dir = join(root, `keywords-${normalize}`);
      await buildProject({ modelPath: normalizedPath, device: 'esp32c3', app: 'keywords', outDir: dir, margin: 0 });
      const result = await simulate(dir, { wavPath });
      expect(result.stop).toBe('idle');
      expect(heardLines(result.output)).toEqual(expected);
    });
  });

  it('the CLI refuses a directory that is not a generated project', () => {
    const run = spawnSync(process.execPath, [cli, 'sim', root], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not a tempo-cim project/);
  });

  it('the app reports a corrupt model on the console', async () => {
    const dir = join(root, 'crash');
    await buildProject({ modelPath: imagePath, device: 'esp32c3', app: 'bench', outDir: dir, count: 5 });
    writeFileSync(join(dir, 'model.tcm'), new Uint8Array(16));
    const run = spawnSync(process.execPath, [cli, 'sim', dir], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/tempo-cim: ModelError: .*header/);
  });
});
