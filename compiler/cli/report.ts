/** `tempo-cim report model.tcm [--out report.html]`: one self-contained HTML page about a model. */
import { basename } from 'node:path';
import { loadDevice } from '../deploy/devices.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { loadMacroDevice } from '../macro/device.ts';
import { macroProfile } from '../profile/macro.ts';
import { deviceSection } from '../profile/device-section.ts';
import { profileModel } from '../profile/profile.ts';
import { renderReport } from '../report/html.ts';
import { buildReportData } from '../report/report-data.ts';
import { CliError, parseArgs } from '../util/args.ts';
import { readModelFile } from '../tcm/read.ts';

export const summary = 'write a self-contained HTML report: training curves, confusion, spike raster, stall, ops, profile';
export const usage = `
Usage: tempo-cim report MODEL.tcm [--out report.html] [--device esp32] [--macro tempo-cim] [--limit N] [--xs-limit N]

Writes one HTML file that opens offline (inline SVG and script, no network):
  training curves from the model's provenance (when it records per-epoch history),
  the confusion matrix and per-neuron firing (spike stall) of the integer runtime over test inputs,
  a spike raster of three test inputs (every layer, time on the x axis; conv2d layers also as one
  map per output channel, before and after spike-time pooling, for the first input),
  per-layer op counts, the device profile (as 'tempo-cim profile'), and the model on a
  compute-in-memory macro: which layer sits on which arrays, energy per layer (estimates).

Options:
  --out FILE       output file (default: MODEL.report.html next to the model)
  --device NAME    board profile for the profile section (default esp32)
  --macro NAME     macro profile for the macro section (default tempo-cim; 'none' leaves it out)
  --limit N        test inputs run by the Node runtime (default 10000: the MNIST test set)
  --xs-limit N     of those, inputs also run in XS for the compute profile (default 200)
`;

export async function run(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, { out: 'string', device: 'string', macro: 'string', limit: 'number', 'xs-limit': 'number' });
  if (positional.length !== 1) throw new CliError('expected one model file (see --help)');
  const limit = (options.limit as number | undefined) ?? 10000;
  const xsLimit = (options['xs-limit'] as number | undefined) ?? 200;
  for (const [name, v] of [['--limit', limit], ['--xs-limit', xsLimit]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new CliError(`${name} expects a positive integer, got ${v}`);
  }
  const file = positional[0];
  const out = (options.out as string | undefined) ?? file.replace(/\.tcm$/i, '') + '.report.html';
  const { bytes } = readModelFile(file);
  await writeHtmlReport(file, bytes, out, {
    device: (options.device as string | undefined) ?? 'esp32',
    macro: (options.macro as string | undefined) ?? 'tempo-cim',
    limit,
    xsLimit,
  });
  console.log(`wrote ${out}`);
  return 0;
}

/** Profiles the model (Node over `limit` test inputs, XS over `xsLimit`) and writes the page to `out`; also used by `start`. */
export async function writeHtmlReport(file: string, bytes: Uint8Array, out: string, o: { device: string; macro: string; limit: number; xsLimit: number }): Promise<void> {
  const device = loadDevice(o.device);
  const macroDevice = o.macro === 'none' ? null : loadMacroDevice(o.macro);
  const run = await profileModel(bytes, device, { limit: o.limit, xsLimit: Math.min(o.xsLimit, o.limit) });
  const macro = macroDevice ? macroProfile(run.model, macroDevice, run.inputs.codes.slice(0, o.limit), run.inputs.source) : null;
  writeFileAtomic(out, renderReport(buildReportData(run, `${basename(file)} on ${device.name}`, macro, 3, deviceSection(file, bytes, device))));
}
