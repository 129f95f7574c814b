/** Human-readable rendering of a MacroProfile, and the side-by-side summary of a board and a macro. */
import type { MacroDevice } from '../macro/device.ts';
import type { MacroProfile } from './macro.ts';
import type { Profile } from './profile.ts';

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** Seconds / joules with an SI prefix chosen for the value. */
export function si(value: number, unit: string): string {
  const prefixes: [number, string][] = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p'], [1e-15, 'f']];
  for (const [scale, prefix] of prefixes) if (Math.abs(value) >= scale) return `${(value / scale).toPrecision(3)} ${prefix}${unit}`;
  return `${value.toExponential(2)} ${unit}`;
}

export function formatMacroProfile(p: MacroProfile, d: MacroDevice, file: string): string {
  const r = p.rates;
  const pub = d.published;
  const label = (l: MacroProfile['layers'][number]) => `${l.index} ${l.kind} ${l.shape}`;
  const width = Math.max(24, ...p.layers.map((l) => label(l).length));
  const lines = [
    `${file} on ${p.device}: compute-in-memory macro, ${d.process.nodeNm} nm ${d.process.memory}, ${d.array.rows}x${d.array.columns}-cell arrays, ${d.weights.cellsPerWeight} cells per ${d.weights.bits}-bit weight`,
    `${p.label}: ${pub.topsPerWatt} TOPS/W, ${pub.topsPerMm2} TOPS/mm2, ${pub.areaMm2} mm2 per macro at ${pub.inputBits}b input / ${pub.weightBits}b weight, 1 MAC = ${pub.opsPerMac} ops`,
    `inputs: ${p.inputs.source} (which rows spike, from the runtime)`,
    `runs as trained: ${p.runsAsTrained ? `yes (every layer in macro mode, row groups of ${d.macro.groupRows}, C = ${d.macro.chargeBound})` : 'NO (see notes)'}`,
    '',
    'mapping (conv layers by im2col: one window per output frame on the same arrays)',
    `  ${'layer'.padEnd(width)} ${'rows x cols'.padStart(12)} ${'groups x tiles'.padStart(15)} ${'arrays'.padStart(7)} ${'array ids'.padStart(10)} ${'cells used'.padStart(11)} ${'utilisation'.padStart(11)}`,
  ];
  for (const l of p.layers) {
    lines.push(`  ${label(l).padEnd(width)} ${`${l.rows} x ${l.outChannels}`.padStart(12)} ${`${l.rowGroups} x ${l.columnTiles}`.padStart(15)} ${int(l.arrays).padStart(7)} ${`${l.firstArray}-${l.firstArray + l.arrays - 1}`.padStart(10)} ${int(l.cellsUsed).padStart(11)} ${pct(l.utilisation).padStart(11)}`);
  }
  lines.push(
    `  ${'total'.padEnd(width)} ${''.padStart(12)} ${''.padStart(15)} ${int(p.arrays).padStart(7)} ${''.padStart(10)} ${int(p.cellsUsed).padStart(11)} ${pct(p.utilisation).padStart(11)}`,
    'time per inference (layers in sequence, the arrays of a layer in parallel)',
    `  time steps       ${p.timeSteps} (${p.layers.map((l) => `${l.windows} window${l.windows > 1 ? 's' : ''} x ${l.timeSteps / l.windows}`).join(' + ')})`,
    `  time step        ${si(r.stepSeconds, 's')} (a full-array window of ${int(r.opsPerFullWindow)} ops at ${si(r.macroOpsPerSecond, 'op/s')} per macro, / ${d.inputs.timeStepsPerWindow} steps)`,
    `  latency          ${si(p.latencySeconds, 's')}; ${si(p.latencyEarlySeconds, 's')} with early termination (mean ${p.earlyTerminationSteps.toFixed(2)} steps saved)`,
    `energy per inference (${si(r.joulesPerOp, 'J')} per op)`,
    `  ${'layer'.padEnd(width)} ${'dense ops'.padStart(11)} ${'dense'.padStart(10)} ${'spiking rows'.padStart(12)} ${'spiking ops'.padStart(11)} ${'spiking'.padStart(10)}`,
  );
  for (const l of p.layers) {
    lines.push(`  ${label(l).padEnd(width)} ${int(l.denseOps).padStart(11)} ${si(l.energyDenseJ, 'J').padStart(10)} ${l.spikingRows.toFixed(1).padStart(12)} ${int(l.spikingOps).padStart(11)} ${si(l.energySpikingJ, 'J').padStart(10)}`);
  }
  lines.push(
    `  ${'total'.padEnd(width)} ${int(p.layers.reduce((s, l) => s + l.denseOps, 0)).padStart(11)} ${si(p.energyDenseJ, 'J').padStart(10)} ${''.padStart(12)} ${int(p.layers.reduce((s, l) => s + l.spikingOps, 0)).padStart(11)} ${si(p.energySpikingJ, 'J').padStart(10)}`,
    `area: ${p.arrays} macros (one per array: RRAM weights stay programmed) x ${pub.areaMm2} mm2 = ${p.areaMm2.toFixed(3)} mm2; one busy macro draws ${si(r.macroWatts, 'W')}`,
  );
  const notes = p.layers.filter((l) => l.note);
  if (notes.length) lines.push('', 'notes', ...notes.map((l) => `  layer ${l.index}: ${l.note}`));
  return lines.join('\n');
}

/** The two targets side by side: what each figure is on the board and on the macro. */
export function formatSideBySide(board: Profile, macro: MacroProfile): string {
  const b = board.deviceEstimate;
  const rows: [string, string, string][] = [
    ['latency / inference', b ? `${b.msMedian.toFixed(2)} ms median (estimate)` : `${int(board.xsComputeMedian)} XS compute (no --compute-per-ms)`, `${si(macro.latencySeconds, 's')} (${si(macro.latencyEarlySeconds, 's')} early-terminated; estimate)`],
    ['energy / inference', 'not modelled', `${si(macro.energySpikingJ, 'J')} spiking rows, ${si(macro.energyDenseJ, 'J')} dense (estimate)`],
    ['weights held in', `flash: ${(board.modelBytes / 1024).toFixed(1)} KiB model file`, `${macro.arrays} arrays, ${int(macro.cellsUsed)} cells (${pct(macro.utilisation)} used)`],
    ['area', 'the board', `${macro.areaMm2.toFixed(3)} mm2 of macros (estimate)`],
    ['arithmetic', 'the runtime executes the file', macro.runsAsTrained ? 'the file\'s (macro mode, as trained)' : 'differs from the file (see notes)'],
    ['fits', board.fits ? 'yes' : 'NO', `${macro.arrays} macros needed`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(board.device.length, ...rows.map((r) => r[1].length));
  return [
    `${''.padEnd(w0)}  ${board.device.padEnd(w1)}  ${macro.device}`,
    ...rows.map(([k, x, y]) => `${k.padEnd(w0)}  ${x.padEnd(w1)}  ${y}`),
  ].join('\n');
}
