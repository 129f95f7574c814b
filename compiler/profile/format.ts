/** Human-readable rendering of a Profile (the CLI's default output). */
import type { Profile } from './profile.ts';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const fixed = (x: number, digits = 1) => x.toFixed(digits);

export function formatProfile(p: Profile, file: string): string {
  const m = p.xsMemory;
  const lines = [
    `${file} on ${p.device}: ${p.fits ? 'FITS' : 'DOES NOT FIT'}`,
    `inputs: ${p.inputs.source} (${p.inputs.xsSamples} of them in XS)${p.accuracy === null ? '' : `, accuracy ${(100 * p.accuracy).toFixed(2)}%`}`,
    '',
    'flash',
    `  model            ${kib(p.modelBytes)} (${p.weights.toLocaleString('en-US')} weights, ${fixed(p.bytesPerWeight, 3)} bytes/weight)${p.historyBytes > 0 ? `; the device file, without the ${p.historyBytes.toLocaleString('en-US')} B of training history` : ''}`,
    `  runtime module   ${kib(p.runtimeBytes)} (dist/tempo-cim-runtime.js; ${kib(p.runtimeMinifiedBytes)} minified)`,
    `  total            ${kib(p.fit.flash.used)} of ${kib(p.fit.flash.budget)} data budget`,
    'RAM',
    `  scratch          ${kib(p.scratchBytes)} declared; ${kib(m.networkChunkBytes)} of typed arrays measured in XS (${m.typedArrays} arrays), ${kib(m.loadChunkBytes)} allocated while loading, ${m.inferenceChunkBytes} B per inference`,
    `  chunk budget     ${kib(p.fit.ram.used)} of ${kib(p.fit.ram.budget)} (scratch + input codes)`,
    `  XS slots         network ${int(m.networkSlots)}, one inference ${int(m.inferenceSlots)}: ${int(p.fit.slots.used)} of ${int(p.fit.slots.budget)}; runtime module ${int(m.runtimeSlots)} (in flash when preloaded)`,
    'latency (XS meter, deterministic)',
    `  compute/inference median ${int(p.xsComputeMedian)}, p99 ${int(p.xsComputeP99)}; early exit on ${(100 * p.stoppedEarlyFraction).toFixed(1)}% of inputs`,
    `  host XS time     ${fixed(p.xsHostMsMedian, 3)} ms median (xsnap release build on this machine, ${int(p.xsHostComputePerMs)} compute/ms)`,
    p.deviceEstimate
      ? `  ${p.device} time   ${fixed(p.deviceEstimate.msMedian, 2)} ms median, ${fixed(p.deviceEstimate.msP99, 2)} ms p99 (${p.deviceEstimate.label})`
      : `  ${p.device} time   not estimated (pass --compute-per-ms N measured on the board)`,
    `  Node and XS agree on every class and row count: ${p.enginesAgree ? 'yes' : 'NO'}`,
    '',
    'per layer (means per inference; row adds and skips summed over the positions)',
  ];
  const name = (l: Profile['layers'][number]) => `${l.index} ${l.kind} ${l.shape}`;
  const width = Math.max(18, ...p.layers.map((l) => name(l).length));
  lines.push(`  ${'layer'.padEnd(width)} ${'positions'.padStart(9)} ${'dense MACs'.padStart(10)} ${'row adds'.padStart(9)} ${'zero skip'.padStart(9)} ${'early skip'.padStart(10)} ${'steps saved'.padStart(11)} ${'clipped'.padStart(8)}  stall`);
  for (const l of p.layers) {
    const stall = l.stall ? `${l.stall.alwaysSilent} silent, ${l.stall.alwaysSaturated} saturated of ${l.stall.neurons}` : '(scores)';
    const clipped = l.ops.partials > 0 ? `${((100 * l.ops.clippedPartials) / l.ops.partials).toFixed(1)}%` : '-';
    lines.push(
      `  ${name(l).padEnd(width)} ${int(l.positions).padStart(9)} ${int(l.denseMacs).padStart(10)} ${fixed(l.ops.rowAdds).padStart(9)} ${fixed(l.ops.zeroInputsSkipped).padStart(9)} ${fixed(l.ops.inputsSkippedEarly).padStart(10)} ${fixed(l.ops.stepsSaved, 2).padStart(11)} ${clipped.padStart(8)}  ${stall}`,
    );
  }
  for (const l of p.layers) {
    if (!l.grid) continue;
    const g = l.grid;
    const pool = g.pool > 1 ? `; spike-time max pool ${g.pool}x${g.pool} reads ${int(l.poolReads)} codes -> ${int(l.outputs)}` : '';
    lines.push(`  conv2d layer ${l.index}: ${g.convHeight}x${g.convWidth} positions x ${l.rows} rows (${g.inHeight}x${g.inWidth} input, padding ${g.padding}) x ${l.outChannels} channels; im2col gathers ${int(l.gatherCodes)} codes${pool}`);
  }
  if (p.fit.problems.length > 0) lines.push('', 'does not fit:', ...p.fit.problems.map((x) => `  ${x}`));
  return lines.join('\n');
}
