/*
 * Moddable binding of the audio front-end's native kernels (frontend.c), a module of its own so a
 * digits app links none of it. Pass the default export as createAudioFrontend(blob, { native }).
 */
function frontendFrame() @ "xs_tcim_frontend_frame";
function preemphasize() @ "xs_tcim_preemphasize";
function windowCodes() @ "xs_tcim_window_codes";

export default Object.freeze({ frontendFrame, preemphasize, windowCodes });
