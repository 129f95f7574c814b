/** The espeak-ng keyword generator (needs espeak-ng: apt-get install -y espeak-ng). */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runDataCommand } from '../../compiler/cli/data.ts';
import { loadSpeechCommands } from '../../compiler/audio/speech-commands.ts';
import { VARIANTS, chooseVoices, generateKeywordSet, type GenerateSummary } from '../../compiler/audio/synth-keywords.ts';
import { decodeWav } from '../../compiler/audio/wav.ts';

function digest(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name !== 'generation.json') out.set(rel, createHash('sha1').update(readFileSync(join(dir, rel))).digest('hex'));
    }
  };
  walk('');
  return out;
}

describe('synthetic keyword set', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keywords-'));
    dirs.push(dir);
    return dir;
  };
  let dir: string;
  let summary: GenerateSummary;
  const options = { voices: 4, clipsPerWord: 2, unknownWords: ['bed', 'cat', 'tree'], seed: 5 };

  beforeAll(async () => {
    dir = fresh();
    summary = await generateKeywordSet({ out: dir, ...options });
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the Speech Commands layout', () => {
    expect(summary.keywordClips).toBe(4 * 10 * 2);
    expect(summary.unknownClips).toBe(4 * 3);
    expect(summary.unbatchedVoices).toEqual([]);
    const entries = readdirSync(dir).sort();
    for (const name of ['_background_noise_', 'yes', 'go', 'bed', 'tree', 'validation_list.txt', 'testing_list.txt', 'generation.json']) {
      expect(entries).toContain(name);
    }
    expect(readdirSync(join(dir, '_background_noise_')).sort()).toEqual(['brown_noise.wav', 'hum_noise.wav', 'pink_noise.wav', 'white_noise.wav']);
    for (const file of readdirSync(join(dir, 'stop'))) {
      expect(file).toMatch(/^[a-z0-9-]+_nohash_[01]\.wav$/);
      const wav = decodeWav(readFileSync(join(dir, 'stop', file)), file);
      expect([wav.sampleRate, wav.channels, wav.samples.length]).toEqual([16000, 1, 16000]);
      expect(Math.max(...wav.samples.map(Math.abs))).toBeGreaterThan(0.02); // speech is there
    }
  });

  it('splits by voice: validation and test voices never occur in training', () => {
    const speaker = (path: string) => path.split('/')[1].split('_nohash_')[0];
    const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim().split('\n');
    const validation = new Set(read('validation_list.txt').map(speaker));
    const testing = new Set(read('testing_list.txt').map(speaker));
    const all = new Set(readdirSync(join(dir, 'yes')).map((f) => f.split('_nohash_')[0]));
    expect(validation.size).toBe(1);
    expect(testing.size).toBe(1);
    expect([...validation].some((v) => testing.has(v))).toBe(false);
    expect(all.size).toBe(4);
    // A held-out voice's variant is not used by any other split either.
    const voices = chooseVoices(200, 9);
    const variantSplits = new Map<string, Set<string>>();
    for (const v of voices) {
      const variant = v.name.split('+')[1];
      variantSplits.set(variant, (variantSplits.get(variant) ?? new Set()).add(v.split));
    }
    for (const splits of variantSplits.values()) expect(splits.size).toBe(1);
    expect(voices.filter((v) => v.split === 'test')).toHaveLength(20);
    expect(new Set(voices.map((v) => v.name)).size).toBe(200);
    expect([...variantSplits.keys()].every((v) => VARIANTS.includes(v))).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const again = fresh();
    await generateKeywordSet({ out: again, ...options });
    expect(digest(again)).toEqual(digest(dir));
    const other = fresh();
    await generateKeywordSet({ out: other, ...options, seed: 6 });
    const a = digest(dir);
    const b = digest(other);
    expect([...a.keys()].filter((k) => k.startsWith('yes/')).some((k) => a.get(k) !== b.get(k))).toBe(true);
  });

  it('loads with the Speech Commands loader into all 12 classes', () => {
    const data = loadSpeechCommands(dir, { seed: 1 });
    expect(new Set(data.train.map((c) => c.label)).size).toBe(12);
    expect(data.test.filter((c) => c.label >= 2)).toHaveLength(20);
    expect(data.validation.filter((c) => c.label >= 2)).toHaveLength(20);
  });

  it('refuses a non-empty folder without --force, and bad options', async () => {
    await expect(generateKeywordSet({ out: dir, ...options })).rejects.toThrow(/is not empty \(use --force/);
    await expect(generateKeywordSet({ out: fresh(), ...options, unknownWords: ['yes'] })).rejects.toThrow(/unknown words include keywords: yes/);
    await expect(generateKeywordSet({ out: fresh(), ...options, voices: 2 })).rejects.toThrow(/voices must be an integer/);
    await expect(generateKeywordSet({ out: fresh(), ...options, espeak: '/nonexistent/espeak-ng' })).rejects.toThrow(/not found: install espeak-ng/);
  });

  it('runs as `tempo-cim data keywords`', async () => {
    const out = fresh();
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    try {
      expect(await runDataCommand(['keywords', '--out', out, '--voices', '3', '--clips-per-word', '1', '--unknown-per-voice', '0', '--seed', '2'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toMatch(/wrote 30 clips \(30 keyword, 0 unknown-word\) from 3 voices \(1 train, 1 validation, 1 test\)/);
    await expect(runDataCommand(['keywords'])).rejects.toThrow('--out DIR is required');
    await expect(runDataCommand(['digits', '--out', out])).rejects.toThrow(/unknown dataset 'digits'/);
    await expect(runDataCommand(['keywords', '--out', out, '--voices', '2.5'])).rejects.toThrow(/--voices expects an integer/);
  });
});
