/*
 * Shared by the native kernels (the .c files of runtime/native): argument access through xsmc and the layout of
 * the per-layer parameter words (runtime/kernels.ts builds them; keep both in step).
 * Plain C99, no host-specific intrinsics: the same files build for ESP32 (mcconfig), the Moddable
 * simulator, the XS test host (compiler/xs/host) and bare-metal RV32.
 */
#ifndef TCIM_NATIVE_H
#define TCIM_NATIVE_H

#include <stdint.h>
#include "xsmc.h"

/* Layer parameter words (Int32Array, runtime/kernels.ts LAYER_PARAM_*). */
enum {
	TCIM_P_ROWS = 0,
	TCIM_P_OUT_CHANNELS,
	TCIM_P_GROUP_ROWS,
	TCIM_P_GROUPS,
	TCIM_P_LEAK_SHIFT,
	TCIM_P_IN_MAX,
	TCIM_P_OUT_MAX,
	TCIM_P_MACRO,
	TCIM_P_CHARGE_BOUND,
	TCIM_P_WORDS
};

/* Op counters (Int32Array of 7), in the order of runtime/crossbar.ts OpCounters. */
enum {
	TCIM_OPS_ROW_ADDS = 0,
	TCIM_OPS_ZERO_SKIPPED,
	TCIM_OPS_SKIPPED_EARLY,
	TCIM_OPS_STEPS_SAVED,
	TCIM_OPS_LEAK_UPDATES,
	TCIM_OPS_PARTIALS,
	TCIM_OPS_CLIPPED,
	TCIM_OPS_COUNT
};

/*
 * Bytes of argument `index` (a byte-element typed array, ArrayBuffer or host buffer). Int32 and
 * Float64 data arrive as Uint8Array views over their bytes (xsmc hands out byte buffers only).
 * The pointer stays valid until the next call that may allocate (the GC can move chunks), so a
 * kernel fetches all its buffers first and allocates nothing while it uses them.
 */
static inline uint8_t *tcimBytes(xsMachine *the, int index, uint32_t *count, int writable)
{
	void *data;
	xsUnsignedValue n;
	if (writable)
		xsmcGetBufferWritable(xsArg(index), &data, &n);
	else
		xsmcGetBufferReadable(xsArg(index), &data, &n);
	*count = (uint32_t)n;
	return (uint8_t *)data;
}

/* As tcimBytes, for int32 data: at least `words` words, 4-byte aligned. */
static inline int32_t *tcimWords(xsMachine *the, int index, uint32_t words, int writable, const char *what)
{
	uint32_t count;
	uint8_t *data = tcimBytes(the, index, &count, writable);
	if (((uintptr_t)data & 3) != 0)
		xsRangeError("%s: misaligned int32 data", what);
	if (count / 4 < words)
		xsRangeError("%s: %u words needed, %u given", what, (unsigned)words, (unsigned)(count / 4));
	return (int32_t *)(void *)data;
}

/* Integer argument in [min, max], or a RangeError naming it. */
static inline int32_t tcimInt(xsMachine *the, int index, int32_t min, int32_t max, const char *what)
{
	xsIntegerValue v = xsmcToInteger(xsArg(index));
	if (v < min || v > max)
		xsRangeError("%s is %d, outside [%d, %d]", what, (int)v, (int)min, (int)max);
	return (int32_t)v;
}

/* Arithmetic shift right of a signed value (>> on negative ints is implementation-defined in C). */
static inline int32_t tcimAsr(int32_t v, int s)
{
	return v >= 0 ? (v >> s) : (int32_t)~(~(uint32_t)v >> s);
}

/* v + d with int32 wrap-around, as a store into an Int32Array does in JS. */
static inline int32_t tcimWrapAdd(int32_t v, int32_t d)
{
	return (int32_t)((uint32_t)v + (uint32_t)d);
}

#endif
