// Types of the Moddable module "tempo-cim-native" (tempo-cim-native.js): the native kernel set.
import type { NativeKernels } from "tempo-cim-runtime";

declare const native: NativeKernels;
export default native;
