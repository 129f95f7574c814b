/** The benchmark's results: one row per side-by-side ratio, printed as a table and written as JSON + Markdown. */
import { cpus, loadavg } from 'node:os';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../compiler/io/atomic.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A path as committed results may show it: relative to the repository (POSIX separators) when
 * inside it, else only the file name; never this machine's absolute layout.
 */
export function repoRelative(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith('..') || isAbsolute(rel) ? basename(path) : rel.split(sep).join('/');
}

export interface Row {
  id: string;
  comparison: string;
  unit: string;
  ours: number;
  peer: number;
  peerName: string;
  /** The ratio as stated in `ratioMeaning` (e.g. ours / peer). */
  ratio: number;
  ratioMeaning: string;
  /** Acceptance target, when the issue sets one. */
  target: string | null;
  pass: boolean | null;
}

export interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; node: string; loadAverageAtStart: number[] };
  model: string;
  settings: Record<string, unknown>;
  rows: Row[];
  details: Record<string, unknown>;
}

export function machineInfo(): BenchResults['machine'] {
  const list = cpus();
  return { cpu: list[0]?.model ?? 'unknown', cores: list.length, node: process.version, loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100) };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(3);
}

function cells(r: Row): string[] {
  return [r.id, r.comparison, `${fmt(r.ours)} ${r.unit}`, `${fmt(r.peer)} ${r.unit} (${r.peerName})`, `${r.ratio.toFixed(3)}x ${r.ratioMeaning}`, r.target ?? '', r.pass === null ? '' : r.pass ? 'pass' : 'FAIL'];
}

const HEADER = ['', 'comparison', 'tempo-cim', 'peer', 'ratio', 'target', ''];

export function textTable(rows: Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

export function markdown(results: BenchResults): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [
    `# tempo-cim benchmark, ${results.date}`,
    '',
    `Model: ${results.model}. Machine: ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, load average at start ${results.machine.loadAverageAtStart.join(' / ')}.`,
    `Settings: ${Object.entries(results.settings).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}.`,
    '',
    line(HEADER.map((h, i) => h || (i === 0 ? '#' : 'result'))),
    line(HEADER.map(() => '---')),
    ...results.rows.map((r) => line(cells(r))),
    '',
    'Medians over repeats; every ratio compares figures measured in the same run. Reproduce with `npm run bench`.',
    '',
  ].join('\n');
}

export function writeResults(dir: string, measured: BenchResults): { json: string; md: string } {
  const results = { ...measured, model: repoRelative(measured.model) };
  const json = `${dir}/latest.json`;
  const md = `${dir}/latest.md`;
  writeFileAtomic(json, JSON.stringify(results, null, 2) + '\n');
  writeFileAtomic(md, markdown(results));
  return { json, md };
}
