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
import { syntheticConvDigitsSpec } from '../../bench/synthetic-conv-model.ts';
import { syntheticDigitsSpec } from '../../bench/synthetic-model.ts';
import type { ModelSpec } from '../../compiler/tcm/spec.ts';
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

async function writeReport(history: boolean, spec: ModelSpec = syntheticDigitsSpec({ hidden: [20], seed: 5, calibrationImages: 16 })): Promise<{ html: string; dom: string; requests: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tcm-report-'));
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
    // An MLP has no feature maps.
    expect(data.featureMaps).toBeNull();
    expect(dom).not.toContain('data-chart="feature-maps"');
  });

  it('shows a conv model\'s feature maps per channel, before and after spike-time pooling', async () => {
    const { html, dom } = await writeReport(false, syntheticConvDigitsSpec({ channels: 4, kernel: 3, pool: 2, hidden: 12, seed: 5, calibrationImages: 16 }));
    expect(dom).toMatch(/<body[^>]*data-rendered="ok"/);
    const data = embeddedData(html);
    const [maps] = data.featureMaps.layers;
    expect(data.featureMaps.layers).toHaveLength(1);
    expect(maps).toMatchObject({ layer: 0, channels: 4, kernel: 3, stride: 1, padding: 1, pool: 2, steps: 15 });
    expect([maps.conv.height, maps.conv.width, maps.conv.codes.length]).toEqual([14, 14, 14 * 14 * 4]);
    expect([maps.output.height, maps.output.width]).toEqual([7, 7]);
    // The pooled maps are the layer's output in the raster, and each pooled code is the largest
    // (earliest) code of its 2 x 2 window of the map before pooling.
    expect(maps.output.codes).toEqual(data.rasters[0].layers[1].codes);
    const pooled = maps.output.codes.map((_: number, i: number) => {
      const c = i % 4, p = (i - c) / 4, y = Math.floor(p / 7), x = p % 7;
      let best = 0;
      for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) best = Math.max(best, maps.conv.codes[((2 * y + dy) * 14 + 2 * x + dx) * 4 + c]);
      return best;
    });
    expect(maps.output.codes).toEqual(pooled);
    const nonZero = (codes: number[]) => codes.filter((c) => c > 0).length;
    expect(nonZero(maps.conv.codes)).toBeGreaterThan(nonZero(maps.output.codes));
    expect(nonZero(maps.output.codes)).toBeGreaterThan(0);
    // One chart for the first input: a framed map per channel before and after pooling, one mark per spike.
    expect(count(dom, /data-chart="feature-maps"/g)).toBe(1);
    expect(count(dom, /data-map="conv"/g)).toBe(4);
    expect(count(dom, /data-map="pooled"/g)).toBe(4);
    expect(count(dom, /data-map-spike="conv"/g)).toBe(nonZero(maps.conv.codes));
    expect(count(dom, /data-map-spike="pooled"/g)).toBe(nonZero(maps.output.codes));
    expect(dom).toContain('conv2d feature maps, 4 channels, kernel 3x3, stride 1, padding 1, 14x14 -&gt; spike-time max pool 2x2 -&gt; 7x7');
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
