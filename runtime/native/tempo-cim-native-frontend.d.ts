// Types of the Moddable module "tempo-cim-native-frontend" (tempo-cim-native-frontend.js).
import type { NativeFrontendKernels } from "tempo-cim-runtime";

declare const native: NativeFrontendKernels;
export default native;
