/** `tempo-cim train --conv`: a conv2d + pooling model trains end to end and the runtime scores the file as the training graph does. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../runtime/index.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');

describe('tempo-cim train --conv', () => {
  it('writes conv2d layers with pooling; runtime accuracy == training graph accuracy', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'conv-')), 'conv.tcm');
    const r = spawnSync('node', [bin, 'train', '--dataset', 'mnist', '--input', '14', '--conv', '4c3', '--pool', '2', '--hidden', '16', '--limit', '2000', '--epochs', '2', '--batch', '32', '--warmup', '20', '--workers', '1', '--quiet', '--json', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const model = loadModel(new Uint8Array(readFileSync(out)));
    const conv = model.layers[0];
    expect(conv.kind).toBe('conv2d');
    expect(conv.grid).toMatchObject({ inHeight: 14, inWidth: 14, padding: 1, pool: 2, convHeight: 14, convWidth: 14 });
    expect(model.layers.map((l) => l.kind)).toEqual(['conv2d', 'dense', 'dense']);
    expect(model.layers[1].inChannels).toBe(7 * 7 * 4);
    expect(result.accuracy).toBe(result.graphAccuracy);
    // It learns something in 2 short epochs (chance is 10%).
    expect(result.accuracy).toBeGreaterThan(0.2);
  }, 300_000);

  it('--hidden 0: the conv features feed the classifier directly (conv2d, dense); refused without --conv', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'conv-')), 'conv0.tcm');
    const r = spawnSync('node', [bin, 'train', '--dataset', 'mnist', '--input', '14', '--conv', '4c3', '--hidden', '0', '--limit', '1000', '--epochs', '1', '--batch', '32', '--warmup', '20', '--workers', '1', '--quiet', '--json', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const model = loadModel(new Uint8Array(readFileSync(out)));
    expect(model.layers.map((l) => l.kind)).toEqual(['conv2d', 'dense']);
    expect(model.layers[1].inChannels * model.layers[1].inFrames).toBe(7 * 7 * 4);
    expect(model.layers[1].outChannels).toBe(10);
    expect(result.accuracy).toBe(result.graphAccuracy);
    const refused = spawnSync('node', [bin, 'train', '--dataset', 'mnist', '--hidden', '0', '--out', out], { encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/--hidden 0 .*--conv/);
  }, 300_000);
});
