/** Installs the global `trace` of Moddable's XS hosts (output collected by the simulated console). */
import { trace } from './host.ts';

const install = globalThis as unknown as { trace: typeof trace & { left: typeof trace; center: typeof trace; right: typeof trace } };
const fn = ((...parts: unknown[]) => trace(...parts)) as typeof install.trace;
fn.left = fn.center = fn.right = (text: unknown) => trace(text, '\n');
install.trace = fn;
