/**
 * Stand-in for the Moddable modules "tempo-cim-native" and "tempo-cim-native-frontend": the same C
 * kernels (runtime/native), which
 * the simulator's XS host (compiler/xs/host) installs as globalThis.TempoCIMNative instead of
 * binding them with `@ "xs_name"` at xsc compile time.
 */
import type { NativeFrontendKernels, NativeKernels } from '../../../../runtime/kernels.ts';

const native = (globalThis as { TempoCIMNative?: NativeKernels & NativeFrontendKernels }).TempoCIMNative;
if (!native) throw new Error('tempo-cim-native: this XS host has no native kernels (TempoCIMNative)');
export default native;
