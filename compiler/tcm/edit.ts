/**
 * Changing a finished model file's provenance (the `PROV` JSON section) without touching anything
 * else: every other section keeps its bytes, the table its order, and the file gets a fresh CRC.
 * `tempo-cim eval --choose-margin --save` records the keywords app's margin this way.
 */
import * as F from '../../runtime/format.ts';
import { loadModel, readProvenance } from '../../runtime/index.ts';
import { UserError } from '../errors.ts';
import { assemble, type PendingSection } from './writer.ts';

/** The sections of a model buffer in table order, each a view of its bytes. */
export function sectionsOf(bytes: Uint8Array): PendingSection[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = view.getUint32(20, true);
  return Array.from({ length: view.getUint16(16, true) }, (_, i) => {
    const at = table + i * F.SECTION_ENTRY_BYTES;
    const offset = view.getUint32(at + 4, true);
    return { tag: view.getUint32(at, true), index: view.getUint16(at + 12, true), data: bytes.subarray(offset, offset + view.getUint32(at + 8, true)) };
  });
}

/**
 * The model with its provenance replaced by `edit(old)` (a model without one gets a PROV section
 * after its others). Refuses, leaving nothing changed, a file the runtime does not load (bad CRC,
 * bad layout), one with bytes after its declared end, and a provenance that is not a JSON object
 * (it would be lost).
 */
export function editProvenance(bytes: Uint8Array, edit: (old: Record<string, unknown>) => Record<string, unknown>): Uint8Array {
  const model = loadModel(bytes);
  if (bytes.length !== model.fileBytes) throw new UserError(`the file has ${bytes.length - model.fileBytes} bytes after the model's end (${model.fileBytes} bytes); not rewritten`);
  const old = readProvenance(model);
  if (model.provenanceBytes && (old === null || Array.isArray(old))) throw new UserError('its provenance is not a JSON object; not rewritten');
  const data = new TextEncoder().encode(JSON.stringify(edit(old ?? {})));
  const sections = sectionsOf(bytes);
  const prov = sections.findIndex((s) => s.tag === F.TAG.provenance && s.index === F.GLOBAL_SECTION);
  if (prov >= 0) sections[prov] = { ...sections[prov], data };
  else sections.push({ tag: F.TAG.provenance, index: F.GLOBAL_SECTION, data });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = assemble(sections, view.getUint16(18, true), view.getUint16(6, true));
  loadModel(out);
  return out;
}
