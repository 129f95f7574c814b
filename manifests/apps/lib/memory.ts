/** Memory figures from Moddable's instrumentation module (absent figures print as n/a). */
import Instrumentation from "instrumentation";

function read(name: "XS Chunk Heap Used" | "XS Slot Heap Used" | "XS Stack Used" | "System Free Memory"): string {
  const index = Instrumentation.map(name);
  const value = index === undefined ? undefined : Instrumentation.get(index);
  return value === undefined ? "n/a" : `${value} B`;
}

export function memoryReport(): string {
  return `chunk heap used ${read("XS Chunk Heap Used")}, slot heap used ${read("XS Slot Heap Used")}, stack used ${read("XS Stack Used")}, system free ${read("System Free Memory")}`;
}
