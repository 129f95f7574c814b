/** Stand-in for Moddable's `Resource`: the project's data files (manifest `data`), read-only, no copy. */
import { resource } from './host.ts';

export default class Resource {
  constructor(path: string) {
    const buffer = resource(path);
    if (!buffer) throw new Error(`Resource "${path}" not found`);
    return buffer as unknown as Resource;
  }

  static exists(path: string): boolean {
    return resource(path) !== undefined;
  }
}
