// A training run killed mid-way leaves its last checkpoint and no half-written model; `--resume`
// then ends with the same bytes as an uninterrupted run of the same seed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
const args = ['train', '--dataset', 'mnist', '--input', '14', '--hidden', '32', '--epochs', '8', '--limit', '6000', '--seed', '5', '--quiet'];

describe('interrupted training', () => {
  it('SIGKILL after a checkpoint, then --resume, gives the uninterrupted model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-resume-'));
    const full = join(dir, 'full.tcm');
    const uninterrupted = spawnSync('node', [bin, ...args, '--out', full], { encoding: 'utf8' });
    expect(uninterrupted.status, uninterrupted.stderr).toBe(0);

    const out = join(dir, 'resumed.tcm');
    const checkpoint = `${out}.ckpt`;
    const child = spawn('node', [bin, ...args, '--out', out], { stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Kill hard as soon as the first checkpoint lands (no chance to clean up).
    while (!existsSync(checkpoint) && child.exitCode === null) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(existsSync(checkpoint)).toBe(true);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = spawnSync('node', [bin, ...args, '--out', out, '--resume'], { encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(out), readFileSync(full))).toBe(0);
  });
});
