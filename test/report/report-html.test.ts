// `tempo-cim report` writes one self-contained HTML file; headless Chromium (Debian's `chromium`)
// opens it offline, runs its inline script, and the dumped DOM must hold every chart with as many
// marks as the embedded data calls for.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../compiler/profile/synthetic-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// CI installs chromium (.ci/run); a developer machine without it skips these tests.
const haveChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);

function renderedDom(htmlFile: string): string {
  const profileDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  const result = spawnSync(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run',
    '--disable-component-update', '--disable-extensions', `--user-data-dir=${profileDir}`, '--dump-dom', pathToFileURL(htmlFile).href,
  ], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  rmSync(profileDir, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`chromium exited ${result.status}: ${result.stderr.slice(-2000)}`);
  return result.stdout;
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

function writeReport(history: boolean): { html: string; dom: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tcm-report-'));
  const spec = syntheticDigitsSpec({ hidden: [20], seed: 5, calibrationImages: 16 });
  if (history) {
    spec.provenance = {
      ...spec.provenance,
      history: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, trainAccuracy: 0.8 + epoch / 100, testAccuracy: 0.79 + epoch / 100, seconds: 1 })),
    };
  }
  const model = join(dir, 'digits.tcm');
  writeFileSync(model, writeModel(spec));
  const out = join(dir, 'report.html');
  try {
    execFileSync('node', [bin, 'report', model, '--out', out, '--limit', '150', '--xs-limit', '4'], { encoding: 'utf8' });
    return { html: readFileSync(out, 'utf8'), dom: renderedDom(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function embeddedData(html: string): any {
  const match = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/);
  if (!match) throw new Error('no report data in the page');
  return JSON.parse(match[1]);
}

describe.skipIf(!haveChromium)('tempo-cim report in headless Chromium', () => {
  it('renders all seven charts with one mark per datum, offline', () => {
    const { html, dom } = writeReport(true);
    // Self-contained: nothing is fetched from anywhere.
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const data = embeddedData(html);
    expect(dom).toMatch(/<body[^>]*data-rendered="ok"/);
    expect(dom).toMatch(/<body[^>]*data-charts="7"/);
    for (const chart of ['history', 'confusion', 'raster', 'stall', 'ops', 'profile', 'macro', 'macro-energy']) expect(dom).toContain(`data-chart="${chart}"`);
    // Training curves: one polyline per recorded series.
    expect(count(dom, /data-series="(trainAccuracy|testAccuracy|loss)"/g)).toBe(3);
    // Confusion matrix: 10 x 10 cells whose counts add up to the test inputs.
    expect(count(dom, /data-cell="/g)).toBe(100);
    expect(data.confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(150);
    // Spike raster: three inputs, one mark per non-zero code in every layer.
    expect(count(dom, /data-chart="raster"/g)).toBe(3);
    const spikes = data.rasters.reduce((n: number, r: any) => n + r.layers.reduce((m: number, l: any) => m + l.codes.filter((c: number) => c > 0).length, 0), 0);
    expect(spikes).toBeGreaterThan(0);
    expect(count(dom, /data-spike="1"/g)).toBe(spikes);
    expect(data.rasters[0].layers.map((l: any) => l.codes.length)).toEqual([784, 20, 10]);
    // Stall histogram: ten bins for the hidden layer; op bars: two per layer.
    expect(count(dom, /data-bin="/g)).toBe(10);
    expect(count(dom, /data-bar="/g)).toBe(4);
    // Macro section: one square per array (784 rows -> 7 row groups x 2 tiles of 16 weights; 20 -> 10: 1), two energy bars per layer.
    expect(data.macro.arrays).toBe(15);
    expect(count(dom, /data-array="/g)).toBe(15);
    expect(count(dom, /data-energy="/g)).toBe(4);
  });

  it('degrades gracefully when the provenance has no training history', () => {
    const { dom } = writeReport(false);
    expect(dom).toMatch(/<body[^>]*data-rendered="ok"/);
    expect(dom).toMatch(/<body[^>]*data-charts="6"/);
    expect(dom).not.toContain('data-chart="history"');
    expect(dom).toContain('no per-epoch history');
    expect(count(dom, /data-cell="/g)).toBe(100);
  });
});
