import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { Rng } from '../../compiler/util/prng.ts';
import { randomConv2dModel, randomModel } from '../../compiler/fuzz/random-model.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

describe('tempo-cim CLI', () => {
  it('--help lists the commands', () => {
    const out = execFileSync('node', [bin, '--help'], { encoding: 'utf8' });
    for (const command of ['train', 'eval', 'run', 'inspect', 'build', 'sim', 'profile', 'bench']) expect(out).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('inspect prints header, layers, sizes and labels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-'));
    const spec = randomModel(new Rng(5), { macro: true });
    spec.labels = spec.labels.map((_, i) => `word${i}`);
    const bytes = writeModel(spec);
    const file = join(dir, 'model.tcm');
    writeFileSync(file, bytes);
    const out = execFileSync('node', [bin, 'inspect', file], { encoding: 'utf8' });
    expect(out).toContain(`format 1.0, ${bytes.length} bytes`);
    expect(out).toContain(spec.labels.join(', '));
    expect(out.match(/^ {2}\d+: /gm)?.length).toBe(spec.layers.length);
    const json = JSON.parse(execFileSync('node', [bin, 'inspect', file, '--json'], { encoding: 'utf8' }));
    expect(json.layers[0].mode).toBe('macro');
    expect(json.bytes).toBe(bytes.length);
  });

  it('inspect shows a conv2d layer\'s geometry: kernel, stride, padding, positions before pooling, pooling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-'));
    const file = join(dir, 'conv.tcm');
    // Seed 2: no pooling, stride 2; seed 5: pooling, then a second conv2d layer.
    for (const seed of [2, 5]) {
      const spec = randomConv2dModel(new Rng(seed));
      writeFileSync(file, writeModel(spec));
      const conv = spec.layers[0];
      const g = conv.grid!;
      const convHeight = Math.floor((g.inHeight + 2 * g.padding - conv.kernel) / conv.stride) + 1;
      const convWidth = Math.floor((g.inWidth + 2 * g.padding - conv.kernel) / conv.stride) + 1;
      const json = JSON.parse((await cliInProcess(['inspect', file, '--json'])).stdout);
      expect(json.layers[0]).toMatchObject({
        kind: 'conv2d', kernel: conv.kernel, stride: conv.stride, inChannels: conv.inChannels, outChannels: conv.outChannels,
        rows: conv.kernel * conv.kernel * conv.inChannels, positions: convHeight * convWidth,
        outFrames: Math.floor(convHeight / g.pool) * Math.floor(convWidth / g.pool),
        grid: { inHeight: g.inHeight, inWidth: g.inWidth, padding: g.padding, convHeight, convWidth, pool: g.pool },
      });
      expect(json.layers.at(-1).grid).toBeNull();
      const line = (await cliInProcess(['inspect', file])).stdout.split('\n').find((l) => l.startsWith('  0: conv2d'));
      const pooled = `${Math.floor(convHeight / g.pool)}x${Math.floor(convWidth / g.pool)}x${conv.outChannels}`;
      expect(line).toContain(`${g.inHeight}x${g.inWidth}x${conv.inChannels} -> ${pooled} (kernel ${conv.kernel}x${conv.kernel}, stride ${conv.stride}, padding ${g.padding}: ${convHeight}x${convWidth} positions`);
      if (g.pool > 1) expect(line).toContain(`spike-time max pool ${g.pool}x${g.pool})`);
      else expect(line).not.toContain('pool');
    }
  });

  it('a reader that closes the pipe early ends the output quietly (no EPIPE trace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-'));
    const file = join(dir, 'model.tcm');
    writeFileSync(file, writeModel(randomModel(new Rng(6), { macro: false })));
    // `true` exits at once, long before node has started, so every write hits a closed pipe.
    const result = spawnSync('bash', ['-c', `node "${bin}" inspect --json "${file}" | true; exit \${PIPESTATUS[0]}`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('a corrupt model gets a one-line error and a non-zero exit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcm-'));
    const file = join(dir, 'bad.tcm');
    writeFileSync(file, 'not a model at all, just some text that is long enough for a header.......');
    const result = spawnSync('node', [bin, 'inspect', file], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/magic/);
  });
});
