// `tempo-cim robustness`: ideal chips reproduce `tempo-cim eval`, a seed fixes the figures, and bad
// options are one-line errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { withMacro } from '../../compiler/train/export.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
const dir = mkdtempSync(join(tmpdir(), 'tcm-robust-'));
const file = join(dir, 'digits.tcm');
writeFileSync(file, writeModel(withMacro(syntheticDigitsSpec({ hidden: [32], seed: 4, calibrationImages: 32 }), 4)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (args: string[]) => JSON.parse(execFileSync('node', [bin, ...args, '--json'], { encoding: 'utf8' }));

describe('tempo-cim robustness', () => {
  it('with no variation and no stuck cells every chip scores exactly what eval reports', () => {
    const ev = json(['eval', file, '--dataset', 'mnist', '--limit', '400']);
    const r = json(['robustness', file, '--variation', '0', '--stuck-on', '0', '--stuck-off', '0', '--chips', '2', '--limit', '400']);
    expect(r.samples).toBe(400);
    expect(r.unperturbedAccuracy).toBe(ev.accuracy);
    expect(r.accuracies).toEqual([ev.accuracy, ev.accuracy]);
    expect(r).toMatchObject({ mean: ev.accuracy, min: ev.accuracy, p5: ev.accuracy, meanLossPoints: 0, weightsChangedMean: 0 });
  });

  it('the same seed gives the same chips and figures', () => {
    const args = ['robustness', file, '--variation', '5%', '--stuck-on', '0.001', '--stuck-off', '0.001', '--chips', '3', '--limit', '300', '--seed', '9'];
    const a = json(args);
    const b = json(args);
    expect(a.accuracies).toEqual(b.accuracies);
    expect(a.weightsChangedMean).toBeGreaterThan(0);
    expect(a.faults).toEqual({ variation: 0.05, stuckOn: 0.001, stuckOff: 0.001 });
    expect(a.min).toBe(Math.min(...a.accuracies));
    expect(a.p5).toBe(a.min); // nearest rank: the 5th percentile of 3 chips is the lowest
  });

  it('refuses out-of-range options and board profiles with one line, exit 2', async () => {
    const base = [file, '--chips', '2', '--variation', '0.05', '--stuck-on', '0', '--stuck-off', '0'];
    for (const [extra, message] of [
      [['--variation', '150%'], /--variation must be a fraction in \[0, 1\]/],
      [['--stuck-on', '-0.1'], /--stuck-on must be a fraction in \[0, 1\]/],
      [['--stuck-on', '0.6', '--stuck-off', '0.6'], /--stuck-on \+ --stuck-off must not exceed 1/],
      [['--chips', '0'], /--chips must be an integer in \[1, 10000\], got 0/],
      [['--device', 'esp32'], /'esp32' is a board profile, not a compute-in-memory macro/],
      [['--engine', 'gpu'], /--engine must be node or xs/],
    ] as const) {
      const r = await cliInProcess(['robustness', ...base, ...extra]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
