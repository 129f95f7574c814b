/** `tempo-cim inspect model.tcm`: header, input mapping, layers, sizes, labels and provenance. */
import { readProvenance, scratchBytesFor, type Layer, type Model } from '../../runtime/index.ts';
import { deviceModelBytes } from '../tcm/device-file.ts';
import { readModelFile } from '../tcm/read.ts';
import { CliError, parseArgs } from '../util/args.ts';
import { layerShape } from '../tcm/shape.ts';
import { recordedDetector } from '../audio/margin-choice.ts';

export const summary = 'print a model\'s header, layers, sizes and labels';
export const usage = `
Usage: tempo-cim inspect MODEL.tcm [--json]

Prints the .tcm header (format version, bytes, and the bytes of the file a device carries:
'tempo-cim build' leaves the training history out), how raw input becomes codes, every layer
(shape, mode, leak, bits, weights bytes), the scratch the runtime allocates, class labels,
the keywords app's margin if one was recorded ('tempo-cim eval --choose-margin --save') and the
training provenance.

Options:
  --json   print the same as JSON
`;

function describeLayer(layer: Layer, index: number) {
  return {
    index,
    kind: layer.kind,
    mode: layer.macro ? 'macro' : 'ideal',
    shape: layerShape(layer),
    inFrames: layer.inFrames,
    inChannels: layer.inChannels,
    kernel: layer.kernel,
    stride: layer.stride,
    outFrames: layer.outFrames,
    outChannels: layer.outChannels,
    /** Crossbar passes per inference (output positions before pooling). */
    positions: layer.positions,
    /** conv2d: image geometry (input, padding, map before pooling, pooling); null otherwise. */
    grid: layer.grid,
    rows: layer.rows,
    inBits: layer.inBits,
    outBits: layer.outBits,
    weightBits: layer.weightBits,
    leakShift: layer.leakShift,
    groups: layer.groups,
    groupRows: layer.groupRows,
    chargeBound: layer.macro ? layer.chargeBound : null,
    weightBytes: layer.weights.byteLength,
  };
}

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { json: 'boolean' });
  if (positional.length !== 1) throw new CliError('expected one model file (see --help)');
  const { bytes, model } = readModelFile(positional[0]);
  const report = {
    file: positional[0],
    format: `${model.versionMajor}.${model.versionMinor}`,
    bytes: model.fileBytes,
    /** What `build` puts on a device: the same model without the training history. */
    deviceBytes: deviceModelBytes(bytes).length,
    input: { ...model.input, frontend: model.input.kind === 'audio' ? `${model.input.frontend.byteLength} bytes` : undefined },
    layers: model.layers.map(describeLayer),
    weights: model.layers.reduce((n, l) => n + l.weights.length, 0),
    scratchBytes: scratchBytesFor(model),
    labels: model.labels,
    provenance: readProvenance(model),
  };
  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const input = model.input;
  const onDevice = report.deviceBytes === report.bytes ? '' : ` (${report.deviceBytes} on a device, without the training history)`;
  console.log(`${report.file}: tempo-cim model, format ${report.format}, ${report.bytes} bytes${onDevice}, ${report.weights} weights (${(report.deviceBytes / report.weights).toFixed(3)} bytes/weight on a device)`);
  if (input.kind === 'image') console.log(`input: ${input.srcWidth}x${input.srcHeight} image, pool ${input.pool} -> ${input.channels} codes of ${input.bits} bits (code = min(A, (sum*${input.mul} + 2^${input.shift - 1}) >> ${input.shift}))`);
  else console.log(`input: ${input.kind}, ${input.frames} frames x ${input.channels} channels of ${input.bits}-bit codes`);
  console.log('layers:');
  for (const l of report.layers) {
    const macro = l.mode === 'macro' ? `, ${l.groups} group${l.groups === 1 ? '' : 's'} of ${l.groupRows} rows, C=${l.chargeBound}` : '';
    console.log(`  ${l.index}: ${l.kind.padEnd(6)} ${l.shape}, ${l.mode}${macro}, leak ${l.leakShift || 'off'}, ${l.inBits}->${l.outBits}-bit codes, ${l.weightBits}-bit weights (${l.weightBytes} B)`);
  }
  console.log(`runtime scratch: ${report.scratchBytes} bytes`);
  console.log(`labels (${model.labels.length}): ${model.labels.join(', ')}`);
  const detector = recordedDetector(model);
  if (detector) {
    const on = detector.chosenOn;
    console.log(`keywords app: margin ${detector.margin} for a ${detector.hopMs} ms hop, ${detector.windows} verdicts, leads capped at ${detector.leadCap}, <= ${detector.maxFalseAlarmsPerHour} false alarms/h; `
      + `chosen on ${on.stream} (${on.split ?? 'split not recorded'}, ${on.minutes} min): ${(100 * on.detectionRate).toFixed(1)}% detected, ${on.falseAlarmsPerHour.toFixed(1)} false alarms/h`);
  }
  if (report.provenance) console.log(`provenance: ${JSON.stringify(report.provenance)}`);
  return 0;
}
