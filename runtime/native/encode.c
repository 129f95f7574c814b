/* Input encoding in C: the twin of encodeImage in runtime/encode.ts. */
#include "tcim_native.h"

/*
 * encodeImage(pixels, codes, srcWidth, srcHeight, pool, mul, shift, max): box-downsamples an 8-bit
 * image by `pool` and maps each cell to min(max, (sum * mul + 2^(shift-1)) >> shift).
 */
void xs_tcim_encode_image(xsMachine *the)
{
	uint32_t pixelCount, codeCount;
	const uint8_t *pixels = tcimBytes(the, 0, &pixelCount, 0);
	uint8_t *codes = tcimBytes(the, 1, &codeCount, 1);
	int32_t srcWidth = tcimInt(the, 2, 1, 4096, "image width");
	int32_t srcHeight = tcimInt(the, 3, 1, 4096, "image height");
	int32_t pool = tcimInt(the, 4, 1, 16, "pool");
	int64_t mul = tcimInt(the, 5, 1, 0xffffff, "scale multiplier");
	int32_t shift = tcimInt(the, 6, 1, 30, "scale shift");
	int32_t max = tcimInt(the, 7, 1, 255, "code maximum");
	int32_t width = srcWidth / pool, height = srcHeight / pool, x, y, dx, dy;
	int64_t round = (int64_t)1 << (shift - 1);
	if (width * pool != srcWidth || height * pool != srcHeight)
		xsRangeError("image is not divisible by the pool factor");
	if (pixelCount != (uint32_t)(srcWidth * srcHeight) || codeCount != (uint32_t)(width * height))
		xsRangeError("pixel or code buffer has the wrong length");
	for (y = 0; y < height; y++) {
		for (x = 0; x < width; x++) {
			int32_t sum = 0;
			int64_t code;
			for (dy = 0; dy < pool; dy++) {
				const uint8_t *row = pixels + (y * pool + dy) * srcWidth + x * pool;
				for (dx = 0; dx < pool; dx++)
					sum += row[dx];
			}
			code = ((int64_t)sum * mul + round) >> shift;
			codes[y * width + x] = (uint8_t)(code > max ? max : code);
		}
	}
}
