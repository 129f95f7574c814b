/**
 * User errors from every layer (command line, host loaders, deploy, the runtime's ModelError)
 * print one line without a stack and exit 2; and no module outside compiler/cli imports the CLI.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audioModel, imageModel, tempDir } from '../deploy/fixtures.ts';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'bin/tempo-cim.js');

function cli(args: string[]): { status: number | null; stderr: string } {
  return spawnSync('node', [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('user errors exit 2 with one line', () => {
  const dir = tempDir('user-errors');
  const image = imageModel(join(dir, 'image.tcm'));
  const audio = audioModel(join(dir, 'audio.tcm'));
  const badPng = join(dir, 'digit.png');
  writeFileSync(badPng, 'not a png at all');
  const badWav = join(dir, 'clip.wav');
  writeFileSync(badWav, 'RIFF....WAVEjunk');
  const badModel = join(dir, 'bad.tcm');
  writeFileSync(badModel, 'not a model at all, just some text that is long enough for a header.......');

  it.each([
    ['CliError', ['run', image, '--bogus'], /unknown option --bogus/],
    ['ImageError', ['run', image, '--image', badPng], /digit\.png: unsupported image format/],
    ['WavError', ['run', audio, '--wav', badWav], /clip\.wav/],
    ['ModelError', ['inspect', badModel], /magic/],
    ['missing model file', ['eval', join(dir, 'missing.tcm'), '--dataset', 'mnist'], /missing\.tcm: cannot read the model \(no such file\)/],
    ['deploy UserError', ['build', image, '--device', 'nosuch', '--out', join(dir, 'out')], /unknown device 'nosuch'/],
    ['deploy error, flag named by the CLI', ['build', audio, '--device', 'esp32', '--app', 'bench', '--out', join(dir, 'bench')], /vector file of input codes: pass --vectors FILE/],
  ])('%s', (_, args, message) => {
    const result = cli(args as string[]);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/--verbose/);
    expect(result.status).toBe(2);
  });
});

describe('layering', () => {
  it('nothing in compiler/ outside compiler/cli imports compiler/cli', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (path !== join(root, 'compiler/cli')) walk(path);
        } else if (/\.(ts|js|mjs)$/.test(entry.name)) {
          const text = readFileSync(path, 'utf8');
          for (const match of text.matchAll(/(?:from|import\()\s*'([^']+)'/g)) {
            const target = join(dir, match[1]);
            if (match[1].startsWith('.') && relative(join(root, 'compiler/cli'), target).split('/')[0] !== '..') offenders.push(`${relative(root, path)} -> ${match[1]}`);
          }
        }
      }
    };
    walk(join(root, 'compiler'));
    expect(offenders).toEqual([]);
  });
});
