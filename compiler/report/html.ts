/** The report as one self-contained HTML page: inline CSS, the data as inline JSON, the chart script inline. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReportData } from './report-data.ts';

const CHART_SCRIPT = fileURLToPath(new URL('./charts.js', import.meta.url));

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 13px; font-weight: 600; margin: 14px 0 4px; }
.meta, .note { color: #666; font-size: 12px; }
section { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
svg { display: block; margin: 6px 0; }
`;

/** JSON safe inside a <script> element: no '<' can close it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const SECTIONS: [string, string][] = [
  ['history', 'Training curves'],
  ['confusion', 'Confusion matrix'],
  ['raster', 'Spike raster'],
  ['stall', 'Spike stall: firing rate per neuron'],
  ['ops', 'Operations per layer'],
  ['profile', 'Device profile'],
  ['macro', 'Compute-in-memory macro: arrays and energy per layer'],
];

export function renderReport(data: ReportData): string {
  const script = readFileSync(CHART_SCRIPT, 'utf8').replace(/<\/script/gi, '<\\/script');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body data-rendered="pending">
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">tempo-cim report, generated ${escapeHtml(data.generated)}; inputs: ${escapeHtml(data.profile.inputs.source)}</p>
<noscript><p>The charts are drawn by an inline script; enable JavaScript to see them.</p></noscript>
${SECTIONS.map(([id, title]) => `<h2>${title}</h2>\n<section id="${id}"></section>`).join('\n')}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}
