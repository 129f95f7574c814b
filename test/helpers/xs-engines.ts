/** Starts XS with the TypeScript kernels and XS with the native kernels for a test file, and closes both after it. */
import { afterAll, beforeAll } from 'vitest';
import { XsRuntime } from '../../compiler/xs/runtime-host.ts';

export function useXsEngines(): { xs: () => XsRuntime; native: () => XsRuntime } {
  let xs: XsRuntime;
  let native: XsRuntime;
  beforeAll(async () => {
    xs = await XsRuntime.start();
    native = await XsRuntime.start({ native: 'release' });
  });
  afterAll(async () => {
    await xs?.close();
    await native?.close();
  });
  return { xs: () => xs, native: () => native };
}
