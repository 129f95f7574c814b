/**
 * No committed file carries this machine's absolute paths, and the benchmark writes the model's
 * path relative to the repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRelative } from '../../bench/results.ts';

const root = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', 'data']);
const TEXT = /\.(ts|js|mjs|json|md|c|h|html|yml|yaml|sh|txt)$/;
const MACHINE_PATH = /(^|[\s"'`(=:])\/(work|home|Users|root)\/[\w.-]/m;

function files(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name) || entry.name.endsWith('package-lock.json')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files(path, out);
    else if (TEXT.test(entry.name)) out.push(path);
  }
  return out;
}

describe('machine paths', () => {
  it('no source, doc or result file holds an absolute path under /work, /home, /Users or /root', () => {
    const offenders = files(root).filter((path) => MACHINE_PATH.test(readFileSync(path, 'utf8'))).map((path) => relative(root, path));
    expect(offenders).toEqual([]);
  });

  it('bench results name the model relative to the repository (or by file name outside it)', () => {
    expect(repoRelative(join(root, 'build', 'model.tcm'))).toBe('build/model.tcm');
    expect(repoRelative('/somewhere/else/model.tcm')).toBe('model.tcm');
    expect(repoRelative('synthetic 784-256-10 digits model')).toBe('synthetic 784-256-10 digits model');
  });
});
