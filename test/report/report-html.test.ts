// `tempo-cim report` writes one self-contained HTML file; a headless Chromium (the one carried by
// the npm package @sparticuz/chromium, driven by playwright-core) opens it with every network
// request refused, runs its inline script, and the rendered DOM must hold every chart with as many
// marks as the embedded data calls for.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import { writeModel } from '../../compiler/tcm/writer.ts';
import { launchChromium } from '../helpers/chromium.ts';

const bin = join(import.meta.dirname, '../../bin/tempo-cim.js');
let browser: Browser;
beforeAll(async () => { browser = await launchChromium(); });
afterAll(async () => { await browser?.close(); });

/** The page's DOM once its script has marked the body rendered; any request other than the page
 * itself is refused and reported. */
async function renderedDom(htmlFile: string): Promise<{ dom: string; requests: string[] }> {
  const page = await browser.newPage();
  const url = pathToFileURL(htmlFile).href;
  const requests: string[] = [];
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  try {
    await page.goto(url);
    await page.waitForSelector('body:not([data-rendered="pending"])', { timeout: 30_000 });
    return { dom: await page.content(), requests };
  } finally {
    await page.close();
  }
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

async function writeReport(history: boolean): Promise<{ html: string; dom: string; requests: string[] }> {
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
    return { html: readFileSync(out, 'utf8'), ...(await renderedDom(out)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function embeddedData(html: string): any {
  const match = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/);
  if (!match) throw new Error('no report data in the page');
  return JSON.parse(match[1]);
}

describe('tempo-cim report in headless Chromium', () => {
  it('renders all seven charts with one mark per datum, offline', async () => {
    const { html, dom, requests } = await writeReport(true);
    // Self-contained: nothing is fetched from anywhere.
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(requests).toEqual([]);
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

  it('degrades gracefully when the provenance has no training history', async () => {
    const { dom } = await writeReport(false);
    expect(dom).toMatch(/<body[^>]*data-rendered="ok"/);
    expect(dom).toMatch(/<body[^>]*data-charts="6"/);
    expect(dom).not.toContain('data-chart="history"');
    expect(dom).toContain('no per-epoch history');
    expect(count(dom, /data-cell="/g)).toBe(100);
  });
});
