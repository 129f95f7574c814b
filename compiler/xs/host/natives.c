/*
 * Test-host glue: installs the native kernels (runtime/native/*.c) as globalThis.TempoCIMNative in
 * the xsnap worker, which evaluates scripts at run time and so cannot use the `@ "xs_name"`
 * bindings of a compiled Moddable module. Same C functions, different binding only.
 *
 * The makefile compiles xsnap-worker.c with -DmodInstallBase64=tcimInstallHost, so its agent
 * set-up calls this function where it would install base64; we install base64 and then ours.
 */
#include "xsAll.h" /* the machine's heap counters (tcim_heap) */
#include "xs.h"

extern void modInstallBase64(xsMachine *the);

extern void xs_tcim_layer(xsMachine *the);
extern void xs_tcim_grid(xsMachine *the);
extern void xs_tcim_row_bounds(xsMachine *the);
extern void xs_tcim_check_int8_range(xsMachine *the);
extern void xs_tcim_crc32(xsMachine *the);
extern void xs_tcim_encode_image(xsMachine *the);
extern void xs_tcim_frontend_frame(xsMachine *the);
extern void xs_tcim_preemphasize(xsMachine *the);
extern void xs_tcim_window_codes(xsMachine *the);

/*
 * TempoCIMHeap() -> [chunk bytes in use, chunk high-water, slot bytes in use, slot high-water]: the machine's own counters, the figures Moddable's instrumentation reports
 * on a device as "XS Chunk Heap Used" / "XS Slot Heap Used" (in use = live after the last
 * collection plus what was allocated since). Host only: `tempo-cim sim --stats` reads them.
 */
static void tcim_heap(xsMachine *the)
{
	xsResult = xsNewArray(4);
	xsSetAt(xsResult, xsInteger(0), xsNumber((double)the->currentChunksSize));
	xsSetAt(xsResult, xsInteger(1), xsNumber((double)the->peakChunksSize));
	xsSetAt(xsResult, xsInteger(2), xsNumber((double)the->currentHeapCount * sizeof(txSlot)));
	xsSetAt(xsResult, xsInteger(3), xsNumber((double)the->peakHeapCount * sizeof(txSlot)));
}

static void tcimDefine(xsMachine *the, const char *name, xsCallback callback, int length)
{
	xsVar(0) = xsNewHostFunction(callback, length);
	xsDefine(xsResult, xsID(name), xsVar(0), xsDefault);
}

void tcimInstallHost(xsMachine *the)
{
	modInstallBase64(the);
	xsResult = xsNewObject();
	tcimDefine(the, "layer", xs_tcim_layer, 16);
	tcimDefine(the, "grid", xs_tcim_grid, 13);
	tcimDefine(the, "rowBounds", xs_tcim_row_bounds, 4);
	tcimDefine(the, "checkInt8Range", xs_tcim_check_int8_range, 2);
	tcimDefine(the, "crc32", xs_tcim_crc32, 3);
	tcimDefine(the, "encodeImage", xs_tcim_encode_image, 8);
	tcimDefine(the, "frontendFrame", xs_tcim_frontend_frame, 12);
	tcimDefine(the, "preemphasize", xs_tcim_preemphasize, 7);
	tcimDefine(the, "windowCodes", xs_tcim_window_codes, 7);
	xsDefine(xsGlobal, xsID("TempoCIMNative"), xsResult, xsDontEnum);
	xsVar(0) = xsNewHostFunction(tcim_heap, 0);
	xsDefine(xsGlobal, xsID("TempoCIMHeap"), xsVar(0), xsDontEnum);
}
