// `tempo-cim start` (npm start), shortened to one epoch of a small network: a finished run leaves
// the model, report.json and report.html in its folder, and no checkpoint or temporary file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceModelBytes } from '../../compiler/tcm/device-file.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
const dir = mkdtempSync(join(tmpdir(), 'tempo-cim-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tempo-cim start', () => {
  it('writes the model, report.json and report.html, and removes its checkpoint', async () => {
    // Asynchronous: a worker blocked for the whole run loses vitest's heartbeat.
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'start', '--epochs', '1', '--hidden', '16', '--limit', '100', '--out', dir, '--quiet'], { encoding: 'utf8' });
    expect(readdirSync(dir).sort()).toEqual(['model.tcm', 'report.html', 'report.json']);
    const model = new Uint8Array(readFileSync(join(dir, 'model.tcm')));
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    expect(report.modelBytes).toBe(model.length);
    expect(report.deviceModelBytes).toBe(deviceModelBytes(model).length);
    expect(report.deviceModelBytes).toBeLessThan(model.length);
    expect(report.note).toBeNull();
    expect(stdout).toContain(`${join(dir, 'report.json')}, ${join(dir, 'report.html')}`);
    // The page embeds the run's data: its one-epoch history and the 100 test images it profiled.
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const data = JSON.parse(html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)![1]);
    expect(data.history).toHaveLength(1);
    expect(data.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(100);
  }, 300_000);
});
