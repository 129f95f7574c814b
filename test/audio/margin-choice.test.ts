/**
 * Choosing the keywords app's margin on a validation stream (`eval --stream --choose-margin`),
 * recording it in the model (`--save`) and using it (`eval --stream`, `build --app keywords`), on a
 * random audio model and 1-minute streams of speech-like clips (takes 0 and 1 validation voices,
 * take 2 a test voice) written by `tempo-cim data stream`.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { replayDetector, detectStream, streamVerdicts } from '../../compiler/audio/stream-detect.ts';
import { KEYWORD_LABELS } from '../../compiler/audio/speech-commands.ts';
import { readWav16k } from '../../compiler/audio/wav.ts';
import { UserError } from '../../compiler/errors.ts';
import { editProvenance, sectionsOf } from '../../compiler/tcm/edit.ts';
import { assemble } from '../../compiler/tcm/writer.ts';
import * as F from '../../runtime/format.ts';
import { loadModel, readProvenance } from '../../runtime/index.ts';
import { DEFAULT_DETECTOR } from '../../manifests/apps/lib/detector.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { audioModel, tempDir } from '../deploy/fixtures.ts';
import { speechLikeKeywordFolder } from '../helpers/keyword-folder.ts';

const root = tempDir('margin-choice');
const data = join(root, 'kw');
const model = join(root, 'model.tcm');
const val = join(root, 'val.wav');
const test = join(root, 'test.wav');

async function json(args: string[]) {
  const result = await cliInProcess([...args, '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

const bytesOf = (path: string) => new Uint8Array(readFileSync(path));
const sectionBytes = (bytes: Uint8Array) => sectionsOf(bytes).map((s) => ({ tag: F.tagName(s.tag), index: s.index, data: Buffer.from(s.data).toString('hex') }));

beforeAll(async () => {
  speechLikeKeywordFolder(data, (take) => (take < 2 ? 'validation' : 'test'));
  audioModel(model, 5, [...KEYWORD_LABELS]);
  expect((await cliInProcess(['data', 'stream', '--data', data, '--out', val, '--minutes', '1', '--split', 'validation'])).status).toBe(0);
  expect((await cliInProcess(['data', 'stream', '--data', data, '--out', test, '--minutes', '0.5', '--split', 'test'])).status).toBe(0);
});

describe('eval --stream --choose-margin', () => {
  it('replays the app\'s Detector over one pass of verdicts: the same reports as listening at each margin', () => {
    const bytes = bytesOf(model);
    const samples = readWav16k(val);
    const verdicts = streamVerdicts(bytes, samples);
    expect(verdicts.at.length).toBe(Math.floor(samples.length / 2000) - 7);
    for (const margin of [0, 2.5, 6]) {
      const replayed = replayDetector(verdicts, { ...DEFAULT_DETECTOR, margin });
      expect(replayed).toEqual(detectStream(bytes, samples, { margin }));
      if (margin === 0) expect(replayed.length).toBeGreaterThan(10);
    }
  });

  it('picks the smallest margin of the grid within the bound: eval --stream --margin agrees there and one step below', async () => {
    for (const bound of [undefined, 600]) {
      const chosen = await json(['eval', model, '--stream', val, '--choose-margin', ...(bound === undefined ? [] : ['--max-false-alarms', String(bound)])]);
      const max = bound ?? 6;
      expect(chosen.maxFalseAlarmsPerHour).toBe(max);
      expect(chosen.sweep.map((r: { margin: number }) => r.margin)).toEqual(Array.from({ length: 81 }, (_, i) => i / 2));
      expect(chosen.split).toBe('validation');
      expect(chosen.saved).toBe(false);
      const margin = chosen.choice.margin;
      expect(margin).toBeGreaterThan(0);
      const at = await json(['eval', model, '--stream', val, '--margin', String(margin)]);
      expect(at.falseAlarmsPerHour).toBeLessThanOrEqual(max);
      expect([at.detected, at.falseAlarms]).toEqual([chosen.choice.detected, chosen.choice.falseAlarms]);
      const below = await json(['eval', model, '--stream', val, '--margin', String(margin - 0.5)]);
      expect(below.falseAlarmsPerHour).toBeGreaterThan(max);
      expect(chosen.sweep[margin * 2 - 1]).toMatchObject({ detected: below.detected, falseAlarms: below.falseAlarms });
    }
  });

  it('prints a table around the choice, and warns when the stream holds test voices', async () => {
    const text = await cliInProcess(['eval', model, '--stream', val, '--choose-margin']);
    expect(text.stdout).toMatch(/validation voices/);
    expect(text.stdout).toMatch(/^ {2}> +\d+\.\d +\d+\.\d% +\d+ +\d+\.\d$/m);
    expect(text.stdout).toMatch(/^margin [\d.]+: the smallest with <= 6 false alarms\/h/m);
    expect(text.stderr).toBe('');
    const onTest = await cliInProcess(['eval', model, '--stream', test, '--choose-margin', '--json']);
    expect(onTest.stderr).toMatch(/warning: test\.wav holds test voices .*validation stream/);
    expect(JSON.parse(onTest.stdout).warning).toMatch(/test voices/);
    for (const args of [['--margin', '3'], ['--max-false-alarms', '-1']]) expect((await cliInProcess(['eval', model, '--stream', val, '--choose-margin', ...args])).status).toBe(2);
    for (const args of [['--save'], ['--max-false-alarms', '6']]) expect((await cliInProcess(['eval', model, '--stream', val, ...args])).status).toBe(2);
  });
});

describe('--save: the choice in the model\'s provenance', () => {
  const saved = join(root, 'saved.tcm');
  let chosen: { choice: { margin: number; detected: number; detectionRate: number; falseAlarms: number; falseAlarmsPerHour: number }; keywords: number };

  beforeAll(async () => {
    copyFileSync(model, saved);
    chosen = await json(['eval', saved, '--stream', val, '--choose-margin', '--save']);
  });

  it('rewrites only the provenance: the model loads (CRC checked), every other section is byte-identical', () => {
    const before = bytesOf(model);
    const after = bytesOf(saved);
    const loaded = loadModel(after);
    const { detector, ...rest } = readProvenance(loaded)!;
    expect(rest).toEqual(readProvenance(loadModel(before)));
    const { margin, ...figures } = chosen.choice;
    expect(detector).toEqual({
      margin, hopMs: 125, windows: DEFAULT_DETECTOR.windows, leadCap: DEFAULT_DETECTOR.leadCap, maxFalseAlarmsPerHour: 6,
      chosenOn: { stream: 'val.wav', split: 'validation', minutes: 1, keywords: chosen.keywords, ...figures },
    });
    const isProv = (s: { tag: string }) => s.tag === 'PROV';
    expect(sectionBytes(after).filter((s) => !isProv(s))).toEqual(sectionBytes(before).filter((s) => !isProv(s)));
    // The provenance is the last section: everything before it stays in place; after the header only its table entry's length changes.
    const sections = sectionsOf(before);
    const provIndex = sections.findIndex((s) => s.tag === F.TAG.provenance);
    expect(provIndex).toBe(sections.length - 1);
    const lengthField = F.HEADER_BYTES + provIndex * F.SECTION_ENTRY_BYTES + 8;
    const changed: number[] = [];
    for (let i = F.HEADER_BYTES; i < sections[provIndex].data.byteOffset; i++) if (before[i] !== after[i]) changed.push(i);
    expect(changed.every((i) => i >= lengthField && i < lengthField + 4)).toBe(true);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('eval --stream and build --app keywords use the recorded margin; --margin overrides it; another hop falls back to the default', async () => {
    const margin = chosen.choice.margin;
    expect(await json(['eval', saved, '--stream', val])).toMatchObject({ margin, marginFrom: 'model', detected: chosen.choice.detected, falseAlarms: chosen.choice.falseAlarms });
    expect((await cliInProcess(['eval', saved, '--stream', val])).stdout).toContain(`at margin ${margin} (recorded in the model: chosen on val.wav for <= 6 false alarms/h)`);
    expect(await json(['eval', saved, '--stream', val, '--margin', '3'])).toMatchObject({ margin: 3, marginFrom: 'flag' });
    expect(await json(['eval', saved, '--stream', val, '--hop-ms', '250'])).toMatchObject({ margin: DEFAULT_DETECTOR.margin, marginFrom: 'default' });
    expect((await cliInProcess(['eval', saved, '--stream', val, '--hop-ms', '250'])).stdout).toContain(`margin ${margin} was chosen for a 125 ms hop`);
    expect(await json(['eval', model, '--stream', val])).toMatchObject({ margin: DEFAULT_DETECTOR.margin, marginFrom: 'default' });
    // A record of the earlier rule (4 verdicts, no cap) does not set the margin of this one.
    const older = join(root, 'older.tcm');
    writeFileSync(older, editProvenance(new Uint8Array(readFileSync(saved)), (p) => {
      const { leadCap: _, ...rest } = p.detector as Record<string, unknown>;
      return { ...p, detector: { ...rest, windows: 4 } };
    }));
    expect(await json(['eval', older, '--stream', val])).toMatchObject({ margin: DEFAULT_DETECTOR.margin, marginFrom: 'default' });
    expect((await cliInProcess(['eval', older, '--stream', val])).stdout).toContain(`was chosen for a 125 ms hop, 4 verdicts, leads capped at 0, not a 125 ms hop, ${DEFAULT_DETECTOR.windows} verdicts`);

    const built = async (dir: string, ...args: string[]) => {
      const result = await cliInProcess(['build', saved, '--device', 'esp32c3', '--app', 'keywords', '--out', join(root, dir), ...args]);
      expect(result.status, result.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(root, dir, 'manifest.json'), 'utf8'));
      return { stdout: result.stdout, margin: manifest.config.tempoCim.margin };
    };
    const recorded = await built('app');
    expect(recorded.margin).toBe(margin);
    expect(recorded.stdout).toContain(`margin ${margin} (recorded in the model`);
    const flag = await built('app-flag', '--margin', '7');
    expect(flag.margin).toBe(7);
    expect(flag.stdout).toContain(`margin 7 (--margin; the model records ${margin})`);

    expect((await cliInProcess(['inspect', saved])).stdout).toMatch(new RegExp(`^keywords app: margin ${margin} for a 125 ms hop, ${DEFAULT_DETECTOR.windows} verdicts, leads capped at ${DEFAULT_DETECTOR.leadCap}, <= 6 false alarms/h; chosen on val\\.wav \\(validation, 1 min\\)`, 'm'));
  }, 30_000);

  it('a second --save replaces the record', async () => {
    const again = join(root, 'again.tcm');
    copyFileSync(saved, again);
    const loose = await json(['eval', again, '--stream', val, '--choose-margin', '--max-false-alarms', '600', '--save']);
    const provenance = readProvenance(loadModel(bytesOf(again)))!;
    expect(Object.keys(provenance).filter((k) => k === 'detector')).toHaveLength(1);
    expect(provenance.detector).toMatchObject({ margin: loose.choice.margin, maxFalseAlarmsPerHour: 600 });
  });
});

describe('editProvenance on unusual files', () => {
  const provenanceOf = (bytes: Uint8Array) => readProvenance(loadModel(bytes));
  /** The fixture model's sections laid out again with `change` applied. */
  const relaid = (change: (sections: ReturnType<typeof sectionsOf>) => ReturnType<typeof sectionsOf>) => {
    const bytes = bytesOf(model);
    return assemble(change(sectionsOf(bytes)), loadModel(bytes).layers.length, 0);
  };
  const extra = { tag: F.tag('XTRA'), index: F.GLOBAL_SECTION, data: new TextEncoder().encode('other content') };

  it('keeps sections after the provenance and unknown sections, and adds a provenance where there is none', () => {
    const provFirst = relaid((s) => [s.find((x) => x.tag === F.TAG.provenance)!, ...s.filter((x) => x.tag !== F.TAG.provenance), extra]);
    const edited = editProvenance(provFirst, (old) => ({ ...old, detector: { margin: 1 } }));
    expect(provenanceOf(edited)).toEqual({ test: 'random audio model', detector: { margin: 1 } });
    const others = (b: Uint8Array) => sectionBytes(b).filter((s) => s.tag !== 'PROV');
    expect(others(edited)).toEqual(others(provFirst));
    expect(others(edited).at(-1)).toEqual({ tag: 'XTRA', index: F.GLOBAL_SECTION, data: Buffer.from('other content').toString('hex') });

    const none = relaid((s) => s.filter((x) => x.tag !== F.TAG.provenance));
    const added = editProvenance(none, (old) => ({ ...old, detector: { margin: 2 } }));
    expect(provenanceOf(added)).toEqual({ detector: { margin: 2 } });
    expect(others(added)).toEqual(others(none));
  });

  it('refuses, leaving the file as it was, a provenance that is not a JSON object, bytes after the model, a bad CRC', async () => {
    const cases: Record<string, Uint8Array> = {
      'not an object': relaid((s) => s.map((x) => (x.tag === F.TAG.provenance ? { ...x, data: new TextEncoder().encode('[1,2]') } : x))),
      'not JSON': relaid((s) => s.map((x) => (x.tag === F.TAG.provenance ? { ...x, data: new TextEncoder().encode('{"cut') } : x))),
      'bytes after the model': Uint8Array.from([...bytesOf(model), 1, 2, 3, 4, 5, 6, 7, 8]),
      'bad CRC': (() => { const b = bytesOf(model); b[b.length - 2] ^= 1; return b; })(),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      expect(() => editProvenance(bytes, (old) => old), name).toThrow();
      const path = join(root, `odd-${name.replace(/ /g, '-')}.tcm`);
      writeFileSync(path, bytes);
      const result = await cliInProcess(['eval', path, '--stream', val, '--choose-margin', '--save']);
      expect(result.status, name).toBe(2);
      expect(Buffer.from(bytesOf(path)).equals(Buffer.from(bytes)), name).toBe(true);
    }
    expect(() => editProvenance(cases['not an object'], (old) => old)).toThrow(UserError);
  });
});
