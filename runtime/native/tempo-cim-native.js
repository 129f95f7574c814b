/*
 * Moddable binding of the native kernels: each function is the C host function named after `@`
 * (runtime/native/*.c, compiled by mcconfig for the device and the simulator). Pass this module's
 * default export at load: loadModel(bytes, { native }). runtime/kernels.ts documents the calls.
 */
function layer() @ "xs_tcim_layer";
function grid() @ "xs_tcim_grid";
function rowBounds() @ "xs_tcim_row_bounds";
function checkInt8Range() @ "xs_tcim_check_int8_range";
function crc32() @ "xs_tcim_crc32";
function encodeImage() @ "xs_tcim_encode_image";

export default Object.freeze({ layer, grid, rowBounds, checkInt8Range, crc32, encodeImage });
