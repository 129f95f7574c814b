/** `tempo-cim train` refuses options that do not apply to the dataset, or are out of range, before any work. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

function train(args: string[]): { status: number | null; stderr: string } {
  return spawnSync('node', [bin, 'train', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('tempo-cim train arguments', () => {
  it.each([
    [['--dataset', 'mnist', '--mask-time', '3'], /--mask-time and --mask-freq apply to --dataset keywords/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--rotate', '10'], /--rotate and --zoom apply to mnist/],
    [['--dataset', 'mnist', '--rotate', '90'], /--rotate must be a number in \[0, 45\]/],
    [['--dataset', 'mnist', '--zoom', '-0.1'], /--zoom must be a number in \[0, 0.5\]/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--mask-freq', '1.5'], /--mask-freq must be an integer/],
  ])('%j: one-line error, exit 2', (args, message) => {
    const result = train(args as string[]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
