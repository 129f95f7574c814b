/**
 * Stand-in for Moddable's `instrumentation`: the names are known, but xsnap does not expose the
 * device's heap figures to scripts, so every value reads as undefined (the apps print n/a; the
 * `tempo-cim sim` summary reports XS's own meter instead).
 */
const NAMES = [
  'Pixels Drawn', 'Frames Drawn', 'Network Bytes Read', 'Network Bytes Written', 'Network Sockets', 'Timers', 'Files',
  'Poco Display List Used', 'Piu Command List Used', 'Turns', 'CPU 0', 'CPU 1', 'System Free Memory', 'XS Slot Heap Used',
  'XS Chunk Heap Used', 'XS Keys Used', 'XS Garbage Collection Count', 'XS Modules Loaded', 'XS Stack Used', 'XS Promises Settled',
];

const Instrumentation = {
  get(_what: number | undefined): number | undefined {
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
