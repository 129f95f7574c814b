/**
 * The one way every command reads a .tcm file: the bytes, copied into a fresh buffer (offset 0,
 * so the runtime's typed-array views over them line up), and the model the runtime's validating
 * loader makes of them. An unreadable file is a UserError naming it; a corrupt one the loader's
 * ModelError.
 */
import { readFileSync } from 'node:fs';
import { loadModel, type Model } from '../../runtime/index.ts';
import { UserError } from '../errors.ts';

export interface ModelFile {
  bytes: Uint8Array;
  model: Model;
}

export function readModelFile(path: string): ModelFile {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (error) {
    throw new UserError(`${path}: cannot read the model (${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
  }
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  return { bytes, model: loadModel(bytes) };
}
