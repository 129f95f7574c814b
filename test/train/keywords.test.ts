/**
 * Keyword training end to end on a tiny Speech Commands-layout fixture generated here (no
 * espeak-ng): every word is a fixed sequence of formant-like tone pairs, every speaker shifts the
 * pitch, timing and loudness and adds noise. A small conv1d stack is trained through the CLI code
 * path; the runtime's predictions and scores on the test split must equal the training graph's,
 * `eval` (Node and XS) reports the same accuracy, and `run --wav` prints a word.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEYWORDS } from '../../compiler/audio/speech-commands.ts';
import { encodeWav } from '../../compiler/audio/wav.ts';
import { trainKeywordsAndWrite, type KeywordTrainResult } from '../../compiler/cli/train-keywords.ts';
import { main } from '../../compiler/cli/main.ts';
import { keywordTestCodes } from '../../compiler/train/keywords.ts';
import { predictCodes } from '../../compiler/train/trainer.ts';
import { createNetwork, loadModel } from '../../runtime/index.ts';
import { randomStream } from '../../compiler/util/prng.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';

const WORDS = [...KEYWORDS, 'bed', 'cat', 'tree'];
const SPEAKERS = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'];
const TAKES = 3;
const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

/** Word w said by speaker s (take k): 2-3 segments of two tones, word-specific frequencies and order. */
function wordClip(w: number, s: number, k: number): Int16Array {
  const shape = randomStream(1000 + w);
  const segments = Array.from({ length: 2 + (w % 2) }, () => ({ f1: 250 + shape() * 700, f2: 900 + shape() * 2200, len: 2400 + shape() * 2400 }));
  const rand = randomStream(7919 * (w + 1) + 104729 * (s + 1) + k);
  const pitch = 1 + (s - 3.5) * 0.03 + (rand() - 0.5) * 0.02;
  const speed = 1 + (rand() - 0.5) * 0.15;
  const amplitude = 3000 + rand() * 9000;
  let at = Math.floor(1500 + rand() * 3000);
  const out = new Float64Array(16000);
  for (const seg of segments) {
    const len = Math.floor(seg.len * speed);
    for (let i = 0; i < len && at + i < 16000; i++) {
      const env = Math.sin((Math.PI * i) / len) ** 2;
      const t = (at + i) / 16000;
      out[at + i] += amplitude * env * (0.6 * Math.sin(2 * Math.PI * seg.f1 * pitch * t) + 0.4 * Math.sin(2 * Math.PI * seg.f2 * pitch * t));
    }
    at += len + Math.floor(400 * rand());
  }
  const noise = 30 + rand() * 150;
  return Int16Array.from(out, (v) => Math.max(-32768, Math.min(32767, Math.round(v + (rand() - 0.5) * noise))));
}

function writeFixture(dir: string): void {
  const validation: string[] = [];
  const testing: string[] = [];
  WORDS.forEach((word, w) => {
    mkdirSync(join(dir, word), { recursive: true });
    SPEAKERS.forEach((speaker, s) => {
      for (let k = 0; k < TAKES; k++) {
        const name = `${speaker}_nohash_${k}.wav`;
        writeFileSync(join(dir, word, name), encodeWav(wordClip(w, s, k)));
        if (s < 2) testing.push(`${word}/${name}`);
        else if (s === 2) validation.push(`${word}/${name}`);
      }
    });
  });
  writeFileSync(join(dir, 'validation_list.txt'), validation.join('\n') + '\n');
  writeFileSync(join(dir, 'testing_list.txt'), testing.join('\n') + '\n');
  mkdirSync(join(dir, '_background_noise_'));
  const rand = randomStream(5);
  writeFileSync(join(dir, '_background_noise_', 'white_noise.wav'), encodeWav(Int16Array.from({ length: 16000 * 20 }, () => Math.round((rand() - 0.5) * 400))));
}

/** Runs a CLI command in this process and returns what it printed on stdout. */
async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    const code = await main(args);
    return { code, stdout: lines.join('\n') };
  } finally {
    spy.mockRestore();
    quiet.mockRestore();
  }
}

describe('keyword training (conv1d stack) end to end', () => {
  let dir: string;
  let out: string;
  let trained: KeywordTrainResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keywords-train-'));
    writeFixture(dir);
    out = join(dir, 'model.tcm');
    trained = await trainKeywordsAndWrite(
      { data: dir, out, quiet: true, channels: '8,8' },
      { epochs: 8, batch: 16, workers: 1, warmupSteps: 10, lr: 0.004, seed: 3 },
      () => {},
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the runtime executing the .tcm reproduces the training graph exactly (predictions and scores)', () => {
    const bytes = readFileSync(out);
    const model = loadModel(bytes);
    expect(model.input.kind).toBe('audio');
    expect(model.layers[0].kind).toBe('conv1d');
    const test = keywordTestCodes(dir, model.input.kind === 'audio' ? model.input.frontend : new Int32Array(0));
    expect(test.codes.length).toBeGreaterThan(60);
    const n = test.codes[0].length;
    const flat = new Uint8Array(test.codes.length * n);
    test.codes.forEach((c, i) => flat.set(c, i * n));
    const { cfg, layout, params } = trained.result;
    const graphScores: number[][] = [];
    const graph = predictCodes(cfg, layout, params, flat, test.codes.length, (_, s) => graphScores.push(Array.from(s)));
    const net = createNetwork(model);
    let correct = 0;
    test.codes.forEach((codes, i) => {
      const r = net.infer(codes, { earlyExit: false });
      expect(r.classIndex).toBe(graph[i]);
      expect(Array.from(r.scores)).toEqual(graphScores[i]);
      if (r.classIndex === test.labels[i]) correct++;
    });
    expect(trained.runtimeAccuracy).toBeCloseTo(correct / test.codes.length, 10);
    expect(trained.graphAccuracy).toBeCloseTo(trained.runtimeAccuracy, 10);
    // It learned something (12 classes: chance is ~8%).
    expect(trained.runtimeAccuracy).toBeGreaterThan(0.3);
  });

  it('eval --dataset keywords reports the same accuracy in Node and in XS', async () => {
    const node = await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--json']);
    expect(node.code).toBe(0);
    expect(JSON.parse(node.stdout).accuracy).toBeCloseTo(trained.runtimeAccuracy, 10);
    const xs = await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--engine', 'xs', '--json']);
    expect(xs.code).toBe(0);
    const report = JSON.parse(xs.stdout);
    expect(report.engine).toBe('xs');
    expect(report.accuracy).toBeCloseTo(trained.runtimeAccuracy, 10);
    expect(report.xsComputePerInference).toBeGreaterThan(0);
  }, 30_000);

  it('eval --split validation scores the validation clips, not the test clips', async () => {
    const result = await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--split', 'validation', '--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.split).toBe('validation');
    const model = loadModel(readFileSync(out));
    const validation = keywordTestCodes(dir, model.input.kind === 'audio' ? model.input.frontend : new Int32Array(0), {}, 'validation');
    const test = keywordTestCodes(dir, model.input.kind === 'audio' ? model.input.frontend : new Int32Array(0));
    expect(report.samples).toBe(validation.codes.length);
    const net = createNetwork(model);
    const correct = validation.codes.filter((c, i) => net.infer(c).classIndex === validation.labels[i]).length;
    expect(report.correct).toBe(correct);
    // The two splits are different clips.
    expect(validation.codes.some((c, i) => i >= test.codes.length || c.some((v, k) => v !== test.codes[i][k]))).toBe(true);
    expect((await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--split', 'train'])).code).toBe(2);
  }, 30_000);

  it('eval --json gives per-class accuracy and the confusion matrix of the runtime predictions; --speakers picks voices', async () => {
    const result = await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--json']);
    const report = JSON.parse(result.stdout);
    const model = loadModel(readFileSync(out));
    const test = keywordTestCodes(dir, model.input.kind === 'audio' ? model.input.frontend : new Int32Array(0));
    const net = createNetwork(model);
    const expected = model.labels.map(() => new Array<number>(model.labels.length).fill(0));
    test.codes.forEach((c, i) => expected[test.labels[i]][net.infer(c, { earlyExit: false }).classIndex]++);
    expect(report.confusion.labels).toEqual(model.labels);
    expect(report.confusion.counts).toEqual(expected);
    model.labels.forEach((label, k) => {
      const samples = expected[k].reduce((a, b) => a + b, 0);
      expect(report.perClass[label]).toEqual({ samples, correct: expected[k][k], accuracy: samples ? expected[k][k] / samples : null });
    });
    expect(expected.flat().reduce((a, b) => a + b, 0)).toBe(report.samples);
    // perSpeaker: the word clips of each test speaker (silence has none), scored by the same predictions.
    const bySpeaker = new Map<string, { samples: number; correct: number }>();
    test.codes.forEach((c, i) => {
      if (test.speakers[i] === null) return expect(test.labels[i]).toBe(model.labels.indexOf('_silence_'));
      const t = bySpeaker.get(test.speakers[i]!) ?? { samples: 0, correct: 0 };
      t.samples++;
      if (net.infer(c, { earlyExit: false }).classIndex === test.labels[i]) t.correct++;
      bySpeaker.set(test.speakers[i]!, t);
    });
    expect(Object.keys(report.perSpeaker)).toEqual(['s0', 's1']);
    for (const [id, t] of bySpeaker) expect(report.perSpeaker[id]).toEqual({ ...t, accuracy: t.correct / t.samples });
    // Test speakers are s0 and s1: s1 alone has half their word clips (plus silence sized to match).
    const s1 = JSON.parse((await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--speakers', 's1', '--json'])).stdout);
    expect(s1.speakers).toBe('s1');
    expect(s1.perClass.yes.samples).toBe(TAKES);
    expect(report.perClass.yes.samples).toBe(2 * TAKES);
    expect((await cli(['eval', out, '--dataset', 'keywords', '--data', dir, '--speakers', 'nobody'])).code).toBe(2);
  }, 30_000);

  it('--wave-augment trains on clips augmented as waveforms each epoch, records the recipe and removes its PCM cache', async () => {
    const augmented = join(dir, 'augmented.tcm');
    const result = await trainKeywordsAndWrite(
      { data: dir, out: augmented, quiet: true, channels: '4,4', 'wave-augment': 0.5, limit: 6 },
      { epochs: 2, batch: 16, workers: 1, warmupSteps: 10, lr: 0.004, seed: 3 },
      () => {},
    );
    expect(existsSync(`${augmented}.pcm`)).toBe(false);
    const provenance = JSON.parse(new TextDecoder().decode(loadModel(readFileSync(augmented)).provenanceBytes));
    expect(JSON.stringify(provenance)).toContain('"waveform":{"probability":0.5');
    expect(result.result.history).toHaveLength(2);
    await expect(trainKeywordsAndWrite({ data: dir, out: augmented, quiet: true, 'wave-augment': 2 }, {}, () => {})).rejects.toThrow(/--wave-augment must be a probability/);
    await expect(trainKeywordsAndWrite({ data: dir, out: augmented, quiet: true, 'wave-variants': 4 }, {}, () => {})).rejects.toThrow(/--wave-variants needs --wave-augment/);
  }, 120_000);

  it('--teacher distils a model trained on the same folder into a smaller one and records it; other front-ends are refused', async () => {
    const student = join(dir, 'student.tcm');
    const common = { epochs: 2, batch: 16, workers: 1, warmupSteps: 10, lr: 0.004, seed: 3 };
    const lines: string[] = [];
    const result = await trainKeywordsAndWrite({ data: dir, out: student, quiet: true, channels: '4,4', teacher: out, distill: 0.6 }, common, (s) => lines.push(s));
    const provenance = JSON.parse(new TextDecoder().decode(loadModel(result.bytes).provenanceBytes));
    expect(provenance.distill.teachers).toEqual([{ name: 'model.tcm', crc32: expect.any(Number) }]);
    expect(provenance.distill).toMatchObject({ weight: 0.6, temperature: 2 });
    // The teachers change what the student learns: not the model the labels alone give.
    const alone = await trainKeywordsAndWrite({ data: dir, out: join(dir, 'alone.tcm'), quiet: true, channels: '4,4' }, common, () => {});
    expect(Buffer.from(result.bytes).equals(Buffer.from(alone.bytes))).toBe(false);
    // A front-end calibrated on other clips (--limit) cannot be taught by this teacher's codes.
    await expect(trainKeywordsAndWrite({ data: dir, out: student, quiet: true, channels: '4,4', limit: 4, teacher: out }, common, () => {})).rejects.toThrow(/audio front-end differs/);
    await expect(trainKeywordsAndWrite({ data: dir, out: student, quiet: true, teacher: join(dir, 'none.tcm') }, common, () => {})).rejects.toThrow(/no such file/);
    await expect(trainKeywordsAndWrite({ data: dir, out: student, quiet: true, distill: 0.5 }, common, () => {})).rejects.toThrow(/need --teacher/);
  }, 120_000);

  it('data stream + eval --stream: the app\'s detector over a held-out stream, scored against its ground truth', async () => {
    const wav = join(dir, 'stream.wav');
    expect((await cli(['data', 'stream', '--data', dir, '--out', wav, '--minutes', '0.5'])).code).toBe(0);
    const truth = JSON.parse(readFileSync(join(dir, 'stream.json'), 'utf8'));
    const keywords = truth.events.filter((e: { kind: string }) => e.kind === 'keyword');
    expect(keywords.length).toBeGreaterThan(8);
    // Every keyword comes from the test split (speakers s0, s1).
    for (const e of keywords) expect(e.source).toMatch(/\/s[01]_nohash_/);
    expect(truth.samples).toBe(30 * 16000);
    // By default, the app's own settings.
    const report = JSON.parse((await cli(['eval', out, '--stream', wav, '--json'])).stdout);
    expect(report.keywords).toBe(keywords.length);
    expect(report.margin).toBe(DEFAULT_DETECTOR.margin);
    expect(report.hopMs).toBe(DEFAULT_DETECTOR.hopMs);
    // (The default margin suits a fully trained model's scores; this small one is heard at margin 0.)
    const open = JSON.parse((await cli(['eval', out, '--stream', wav, '--margin', '0', '--json'])).stdout);
    expect(open.detected).toBeGreaterThan(0);
    expect(Object.values(open.falseAlarmsDuring as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(open.falseAlarms);
    // A huge margin silences the detector.
    const strict = JSON.parse((await cli(['eval', out, '--stream', wav, '--margin', '100000000', '--json'])).stdout);
    expect([strict.detected, strict.falseAlarms]).toEqual([0, 0]);
  }, 60_000);

  it('run --wav prints a word and the scores', () => {
    const wav = join(dir, 'yes', 's0_nohash_0.wav');
    const text = execFileSync('node', [bin, 'run', out, '--wav', wav], { encoding: 'utf8' });
    const labels = loadModel(readFileSync(out)).labels;
    const m = /^class (\S+) \(index (\d+)\)/.exec(text);
    expect(m).not.toBeNull();
    expect(labels).toContain(m![1]);
    for (const label of labels) expect(text).toContain(`${label}: `);
    const json = JSON.parse(execFileSync('node', [bin, 'run', out, '--wav', wav, '--json'], { encoding: 'utf8' }));
    expect(json.label).toBe(m![1]);
    expect(json.scores).toHaveLength(12);
  }, 60_000);
});
