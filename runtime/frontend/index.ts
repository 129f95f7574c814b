/**
 * tempo-cim audio front-end module (dist/tempo-cim-frontend.js, Moddable module
 * "tempo-cim-frontend"): 16 kHz PCM to the codes a keyword model takes. A module of its own so an
 * app without audio carries none of it; it imports only the runtime's errors and kernel helpers.
 */
export { createAudioFrontend } from './frontend.ts';
export type { AudioFrontend, AudioFrontendOptions } from './frontend.ts';
