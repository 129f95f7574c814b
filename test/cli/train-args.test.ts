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
    [['--dataset', 'mnist', '--mask-time', '3'], /--mask-time, --mask-freq, --warp-freq, --tilt, --warp-time, --gain-contour, --mixup, --unknown-fraction, --speakers, --wave-augment, --wave-variants, --stream-windows, --normalize, --teacher, --distill and --distill-temperature apply to --dataset keywords/],
    [['--dataset', 'mnist', '--speakers', 'es-'], /--speakers, --wave-augment, --wave-variants, --stream-windows, --normalize, .* apply to --dataset keywords/],
    [['--dataset', 'mnist', '--tilt', '2'], /--tilt, --warp-time, --gain-contour, --mixup, --unknown-fraction, .* apply to --dataset keywords/],
    [['--dataset', 'mnist', '--warp-time', '0.2'], /--warp-time, --gain-contour, --mixup, --unknown-fraction, .* apply to --dataset keywords/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--warp-time', '0.7'], /--warp-time must be a number in \[0, 0.5\], got 0.7/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--unknown-fraction', '1.5'], /--unknown-fraction must be a number in \[0, 1\], got 1.5/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--warp-freq', '0.9'], /--warp-freq must be a number in \[0, 0.5\], got 0.9/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--tilt', '-1'], /--tilt must be a number in \[0, 8\], got -1/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--gain-contour', '9'], /--gain-contour must be a number in \[0, 8\], got 9/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--teacher', 'a.tcm', '--distill', '1.5'], /--distill must be a number in \[0, 1\], got 1.5/],
    [['--dataset', 'mnist', '--stream-windows', '100'], /--stream-windows, --normalize, .* apply to --dataset keywords/],
    [['--dataset', 'mnist', '--teacher', 'a.tcm'], /--teacher, --distill and --distill-temperature apply to --dataset keywords/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--mixup', '2'], /--mixup must be a number in \[0, 1\], got 2/],
    [['--dataset', 'mnist', '--gain-contour', '2'], /--gain-contour, .* apply to --dataset keywords/],
    [['--dataset', 'mnist', '--normalize', 'window-peak'], /--normalize, --teacher, .* apply to --dataset keywords/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--normalize', 'peak'], /--normalize must be one of none, window-peak, channel-mean, got peak/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--rotate', '10'], /--rotate and --zoom apply to mnist/],
    [['--dataset', 'mnist', '--rotate', '90'], /--rotate must be a number in \[0, 45\]/],
    [['--dataset', 'mnist', '--zoom', '-0.1'], /--zoom must be a number in \[0, 0.5\]/],
    [['--dataset', 'keywords', '--data', '/nonexistent', '--mask-freq', '1.5'], /--mask-freq must be an integer/],
    [['--dataset', 'mnist', '--ideal', '--macro'], /--ideal and --macro exclude each other/],
    [['--dataset', 'mnist', '--ideal', '--mode', 'split'], /--ideal trains without the macro/],
    [['--dataset', 'mnist', '--conv', '8x5'], /--conv expects comma-separated CHANNELScKERNEL items/],
    [['--dataset', 'mnist', '--conv', '8c5', '--padding', 'full'], /--padding must be same or valid/],
    [['--dataset', 'mnist', '--pool', '2'], /--pool and --padding apply to conv layers/],
    [['--dataset', 'mnist', '--conv', '8c5', '--pool', '0'], /--pool must be an integer in \[1, 16\]/],
    [['--dataset', 'mnist', '--conv', '8c29', '--padding', 'valid'], /conv layer 1 \(8c29\) on a 28x28 input: kernel 29 larger/],
    [['--dataset', 'mnist', '--input', '14', '--conv', '8c3,8c3,8c3,8c3'], /conv layer 4 \(8c3\) on a 1x1 input: pooling 2x2 over a 1x1 map/],
    [['--dataset', 'mnist', '--conv', '8c5', '--mode', 'float'], /--conv trains the integer forward/],
  ])('%j: one-line error, exit 2', (args, message) => {
    const result = train(args as string[]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tempo-cim train --validation', () => {
  it('holds out the last N training images, trains on the rest and scores the model on them', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { loadMnist, subset } = await import('../../compiler/data/mnist.ts');
    const { createNetwork, encodeImage, loadModel, readProvenance } = await import('../../runtime/index.ts');
    const dir = mkdtempSync(join(tmpdir(), 'tcm-validation-'));
    try {
      const out = join(dir, 'm.tcm');
      const result = spawnSync('node', [bin, 'train', '--dataset', 'mnist', '--limit', '1200', '--validation', '200', '--epochs', '4', '--hidden', '16', '--ideal', '--workers', '1', '--quiet', '--json', '--out', out], { encoding: 'utf8', timeout: 120_000 });
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout);
      const bytes = new Uint8Array(readFileSync(out));
      const model = loadModel(bytes);
      expect(readProvenance(model)).toMatchObject({ trainSamples: 1000, validationImages: 200 });
      // The validation figure is the runtime's accuracy on training images 1000..1199.
      const held = subset(loadMnist().train, 200, 1000);
      const net = createNetwork(model);
      const codes = new Uint8Array(net.inputLength);
      let correct = 0;
      for (let i = 0; i < held.count; i++) {
        if (model.input.kind !== 'image') throw new Error('image model expected');
        encodeImage(model.input, held.images.subarray(i * 784, (i + 1) * 784), codes);
        if (net.infer(codes).classIndex === held.labels[i]) correct++;
      }
      expect(report.validationAccuracy).toBeCloseTo(correct / held.count, 10);
      expect(report.accuracy).toBeGreaterThan(0.3);
      expect(train(['--dataset', 'mnist', '--limit', '100', '--validation', '100']).stderr).toMatch(/--validation must be an integer from 1 to 99/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('tempo-cim train: split-train for the macro by default', () => {
  it('digits split-train with the macro profile\'s row groups and C unless --ideal; keywords only with --macro', async () => {
    const { optionsFromArgs } = await import('../../compiler/cli/train.ts');
    const { loadMacroDevice } = await import('../../compiler/macro/device.ts');
    const { groupRows, chargeBound } = loadMacroDevice('tempo-cim').macro;
    expect(optionsFromArgs({ dataset: 'mnist' }).opts).toMatchObject({ mode: 'split', groupRows, chargeBound });
    expect(optionsFromArgs({ dataset: 'mnist', bound: 8 }).opts).toMatchObject({ mode: 'split', chargeBound: 8 });
    expect(optionsFromArgs({ dataset: 'mnist', ideal: true }).opts.mode).toBe('qat');
    expect(optionsFromArgs({ dataset: 'keywords' }).opts.mode).toBe('qat');
    expect(optionsFromArgs({ dataset: 'keywords', macro: true }).opts.mode).toBe('split');
  });
});
