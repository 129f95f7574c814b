/**
 * The model file a device carries: the host's .tcm without the per-epoch training history in its
 * provenance. The history (about 80 bytes an epoch) serves the HTML report on the host, never
 * inference; every other section, and the rest of the provenance, is kept byte for byte.
 * `build` writes this file into a project, and `profile` and `inspect` report its size.
 */
import { loadModel, readProvenance } from '../../runtime/index.ts';
import { editProvenance } from './edit.ts';

/** The device file of a model (validated by the runtime's loader); a model without history comes back as is. */
export function deviceModelBytes(bytes: Uint8Array): Uint8Array {
  const model = loadModel(bytes);
  const provenance = readProvenance(model);
  if (!provenance || Array.isArray(provenance) || !('history' in provenance)) return bytes;
  return editProvenance(bytes.subarray(0, model.fileBytes), ({ history: _history, ...kept }) => kept);
}
