/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) over a byte range: the C twin of
 * runtime/crc32.ts, so a device checks a model file at boot in C instead of in JS.
 */
#include "tcim_native.h"

/* crc32(bytes, start, end) -> unsigned CRC of bytes[start, end). */
void xs_tcim_crc32(xsMachine *the)
{
	uint32_t count, table[256], crc = 0xffffffffu, n, i;
	const uint8_t *bytes = tcimBytes(the, 0, &count, 0);
	int32_t start = tcimInt(the, 1, 0, 0x7fffffff, "start");
	int32_t end = tcimInt(the, 2, start, 0x7fffffff, "end");
	int k;
	if ((uint32_t)end > count)
		xsRangeError("end %d is past the %u bytes", (int)end, (unsigned)count);
	/* The table is built per call (1 KB on the stack, ~4 k operations) rather than kept in RAM. */
	for (n = 0; n < 256; n++) {
		uint32_t c = n;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		table[n] = c;
	}
	for (i = (uint32_t)start; i < (uint32_t)end; i++)
		crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
	xsmcSetNumber(xsResult, (double)(crc ^ 0xffffffffu));
}
