/**
 * The model file a device carries: the host's .tcm without the per-epoch training history in its
 * provenance. The history (about 80 bytes an epoch) serves the HTML report on the host, never
 * inference; every other section, and the rest of the provenance, is kept byte for byte.
 * `build` writes this file into a project, and `profile` and `inspect` report its size.
 */
import * as F from '../../runtime/format.ts';
import { loadModel, readProvenance } from '../../runtime/index.ts';
import { assemble, type PendingSection } from './writer.ts';

/** The device file of a model (validated by the runtime's loader); a model without history comes back as is. */
export function deviceModelBytes(bytes: Uint8Array): Uint8Array {
  const provenance = readProvenance(loadModel(bytes));
  if (!provenance || Array.isArray(provenance) || !('history' in provenance)) return bytes;
  const { history: _history, ...kept } = provenance;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sections: PendingSection[] = [];
  for (let i = 0; i < view.getUint16(16, true); i++) {
    const at = view.getUint32(20, true) + i * F.SECTION_ENTRY_BYTES;
    const tag = view.getUint32(at, true);
    const index = view.getUint16(at + 12, true);
    const offset = view.getUint32(at + 4, true);
    const data = tag === F.TAG.provenance && index === F.GLOBAL_SECTION
      ? new TextEncoder().encode(JSON.stringify(kept))
      : bytes.subarray(offset, offset + view.getUint32(at + 8, true));
    sections.push({ tag, index, data });
  }
  return assemble(sections, view.getUint16(18, true), view.getUint16(6, true));
}
