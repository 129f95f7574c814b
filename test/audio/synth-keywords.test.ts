/** The keyword generator with the npm speech engines (eSpeak NG and GnuSpeech WASM builds). */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runDataCommand } from '../../compiler/cli/data.ts';
import { loadSpeechCommands } from '../../compiler/audio/speech-commands.ts';
import { generateKeywordSet, type GenerateSummary } from '../../compiler/audio/synth-keywords.ts';
import { VARIANTS, chooseEspeakVoices, chooseGnuspeechVoices } from '../../compiler/audio/synth-voices.ts';
import { decodeWav } from '../../compiler/audio/wav.ts';

const root = join(import.meta.dirname, '../..');

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

const speaker = (path: string) => path.split('/').pop()!.split('_nohash_')[0];

describe('synthetic keyword set', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'keywords-'));
    dirs.push(dir);
    return dir;
  };
  let dir: string;
  let summary: GenerateSummary;
  const options = { voices: 3, clipsPerWord: 1, unknownWords: ['bed', 'tree'], seed: 5, jobs: 1 };

  beforeAll(async () => {
    dir = fresh();
    summary = await generateKeywordSet({ out: dir, ...options });
  }, 120_000);
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('writes the Speech Commands layout with both engines', () => {
    expect(summary.keywordClips).toBe(2 * 3 * 10);
    expect(summary.unknownClips).toBe(2 * 3 * 2);
    expect(summary.unbatchedVoices).toEqual([]);
    const entries = readdirSync(dir).sort();
    for (const name of ['_background_noise_', 'yes', 'go', 'bed', 'tree', 'validation_list.txt', 'testing_list.txt', 'generation.json']) {
      expect(entries).toContain(name);
    }
    expect(readdirSync(join(dir, '_background_noise_')).sort()).toEqual(['brown_noise.wav', 'hum_noise.wav', 'pink_noise.wav', 'white_noise.wav']);
    const stops = readdirSync(join(dir, 'stop'));
    expect(stops.filter((f) => f.startsWith('es-'))).toHaveLength(3);
    expect(stops.filter((f) => f.startsWith('gs-'))).toHaveLength(3);
    for (const file of stops) {
      expect(file).toMatch(/^(es|gs)-[a-z0-9-]+_nohash_0\.wav$/);
      const wav = decodeWav(readFileSync(join(dir, 'stop', file)), file);
      expect([wav.sampleRate, wav.channels, wav.samples.length]).toEqual([16000, 1, 16000]);
      expect(Math.max(...wav.samples.map(Math.abs))).toBeGreaterThan(0.02); // speech is there
    }
  });

  it('splits by voice: validation and test voices never occur in training', () => {
    const read = (name: string) => readFileSync(join(dir, name), 'utf8').trim().split('\n');
    const validation = new Set(read('validation_list.txt').map(speaker));
    const testing = new Set(read('testing_list.txt').map(speaker));
    const all = new Set(readdirSync(join(dir, 'yes')).map(speaker));
    expect([...validation].sort().map((s) => s.slice(0, 3))).toEqual(['es-', 'gs-']);
    expect([...testing].sort().map((s) => s.slice(0, 3))).toEqual(['es-', 'gs-']);
    expect([...validation].some((v) => testing.has(v))).toBe(false);
    expect(all.size).toBe(6);
    // A held-out eSpeak voice's variant is not used by any other split either.
    const voices = chooseEspeakVoices(200, 9);
    const variantSplits = new Map<string, Set<string>>();
    for (const v of voices) {
      const variant = v.name.split('+')[1];
      variantSplits.set(variant, (variantSplits.get(variant) ?? new Set()).add(v.split));
    }
    for (const splits of variantSplits.values()) expect(splits.size).toBe(1);
    expect(voices.filter((v) => v.split === 'test')).toHaveLength(20);
    expect(new Set(voices.map((v) => v.name)).size).toBe(200);
    expect([...variantSplits.keys()].every((v) => VARIANTS.includes(v))).toBe(true);
    // GnuSpeech: every split has every preset once there are enough voices, each voice its own draw.
    const gs = chooseGnuspeechVoices(40, 9);
    for (const split of ['train', 'validation', 'test']) {
      expect(new Set(gs.filter((v) => v.split === split).map((v) => v.name)).size).toBe(4);
    }
    expect(new Set(gs.map((v) => v.gnuspeech!.tractScale)).size).toBe(40);
  });

  it('gives other files for another seed', async () => {
    const other = fresh();
    await generateKeywordSet({ out: other, ...options, engines: ['gnuspeech'], seed: 6 });
    const a = digest(dir);
    const b = digest(other);
    const gsYes = [...b.keys()].filter((k) => k.startsWith('yes/'));
    expect(gsYes.length).toBe(3);
    expect(gsYes.some((k) => a.has(k) && a.get(k) !== b.get(k))).toBe(true);
  }, 120_000);

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
    await expect(generateKeywordSet({ out: fresh(), ...options, engines: ['festival' as 'espeak'] })).rejects.toThrow(/engines must be some of espeak, gnuspeech/);
    await expect(generateKeywordSet({ out: fresh(), ...options, engines: ['gnuspeech'], unknownWords: ['qzxv'] })).rejects.toThrow(/GnuSpeech's dictionary lacks: qzxv/);
  }, 60_000);

  it('runs as `tempo-cim data keywords` with nothing but node on PATH, the same files on 2 threads', async () => {
    const out = fresh();
    // PATH holds node alone (node's own folder may hold a system espeak-ng, e.g. /usr/bin).
    const bin = fresh();
    symlinkSync(process.execPath, join(bin, 'node'));
    // Asynchronous: a synchronous child would block vitest's worker for the whole run.
    const cli = (...args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const env = { HOME: process.env.HOME ?? '/tmp', PATH: bin };
        execFile(process.execPath, [join(root, 'bin/tempo-cim.js'), 'data', ...args], { env }, (error, stdout, stderr) =>
          resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
    expect(spawnSync('/bin/sh', ['-c', 'command -v espeak-ng'], { env: { PATH: bin } }).status).not.toBe(0);
    const ok = await cli('keywords', '--out', out, '--voices', '3', '--clips-per-word', '1', '--unknown-words', 'bed,tree', '--seed', '5', '--jobs', '2');
    expect(ok.stderr).not.toMatch(/Error/);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/wrote 72 clips \(60 keyword, 12 unknown-word\) from 6 voices \(2 train, 2 validation, 2 test\)/);
    // Deterministic for a seed whatever the number of threads (the in-process set used 1).
    expect(digest(out)).toEqual(digest(dir));
    const bad = await cli('keywords', '--out', fresh(), '--engines', 'espeak,festival');
    expect([bad.status, bad.stderr.trim()]).toEqual([2, expect.stringMatching(/--engines takes espeak, gnuspeech/)]);
  }, 180_000);

  it('checks its arguments', async () => {
    await expect(runDataCommand(['keywords'])).rejects.toThrow('--out DIR is required');
    await expect(runDataCommand(['digits', '--out', fresh()])).rejects.toThrow(/unknown dataset 'digits'/);
    await expect(runDataCommand(['keywords', '--out', fresh(), '--voices', '2.5'])).rejects.toThrow(/--voices expects an integer/);
    await expect(runDataCommand(['keywords', '--out', fresh(), '--espeak-variants', 'random'])).rejects.toThrow(/--espeak-variants takes shipped or drawn, got 'random'/);
  });

  it('--espeak-variants drawn: new training voices, the same held-out files', async () => {
    const drawn = fresh();
    await generateKeywordSet({ out: drawn, ...options, engines: ['espeak'], espeakVariants: 'drawn' });
    const shipped = digest(dir);
    const files = digest(drawn);
    const heldOut = readFileSync(join(drawn, 'testing_list.txt'), 'utf8').trim().split('\n')
      .concat(readFileSync(join(drawn, 'validation_list.txt'), 'utf8').trim().split('\n'));
    expect(heldOut.length).toBe(2 * 12);
    for (const file of heldOut) expect(files.get(file)).toBe(shipped.get(file));
    const trained = [...files.keys()].filter((f) => f.includes('_nohash_') && !heldOut.includes(f));
    expect(trained.length).toBe(12);
    expect(trained.every((f) => /-d0_nohash_0\.wav$/.test(f) && !shipped.has(f))).toBe(true);
    expect(JSON.parse(readFileSync(join(drawn, 'generation.json'), 'utf8')).espeakVariants).toBe('drawn');
  }, 60_000);
});
