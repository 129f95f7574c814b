/**
 * Stand-in for Moddable's `instrumentation`: the names are known; the display figures come from the
 * Piu stand-in (high-water marks of its command and display lists, rectangles drawn) and the XS
 * heap figures from the XS test host's counters (./host.ts heapFigures: the machine's own chunk
 * and slot counts, as on a device); the rest read as undefined (the apps print n/a).
 */
import { heapFigures } from './host.ts';

declare const globalThis: { __tempoCimView?: { figures: { commandListUsed: number; displayListUsed: number; steps: number } } };

const NAMES = [
  'Pixels Drawn', 'Frames Drawn', 'Network Bytes Read', 'Network Bytes Written', 'Network Sockets', 'Timers', 'Files',
  'Poco Display List Used', 'Piu Command List Used', 'Turns', 'CPU 0', 'CPU 1', 'System Free Memory', 'XS Slot Heap Used',
  'XS Chunk Heap Used', 'XS Keys Used', 'XS Garbage Collection Count', 'XS Modules Loaded', 'XS Stack Used', 'XS Promises Settled',
];

const Instrumentation = {
  get(what: number | undefined): number | undefined {
    const name = what === undefined ? undefined : NAMES[what - 1];
    if (name === 'XS Chunk Heap Used') return heapFigures()?.chunks;
    if (name === 'XS Slot Heap Used') return heapFigures()?.slots;
    const figures = globalThis.__tempoCimView?.figures;
    if (!figures) return undefined;
    if (name === 'Piu Command List Used') return figures.commandListUsed;
    if (name === 'Poco Display List Used') return figures.displayListUsed;
    if (name === 'Frames Drawn') return figures.steps;
    return undefined;
  },
  map(name: string): number | undefined {
    const index = NAMES.indexOf(name);
    return index < 0 ? undefined : index + 1;
  },
  name(what: number | undefined): string | undefined {
    return what === undefined ? undefined : NAMES[what - 1];
  },
};

export default Instrumentation;
