/*
 * Native crossbar kernels: the C twin of runtime/crossbar.ts and the position loop of
 * runtime/network.ts (runLayer / runEarlyExit). Results are bit-identical to the TypeScript
 * reference (the cross-engine tests run both). Every size and index is checked against the buffers
 * actually passed, so a bad call raises a RangeError instead of touching memory it does not own.
 */
#include <string.h>
#include "tcim_native.h"

/* Rows added between early-termination checks: EARLY_EXIT_BLOCK in runtime/network.ts. */
#define TCIM_EARLY_EXIT_BLOCK 8

typedef struct {
	int32_t rows, m, groupRows, groups, leakShift, inMax, outMax, macro, chargeBound;
	const int8_t *weights;
	const int32_t *thresholds, *biases, *rowBound;
	const int8_t *gains;
	int32_t *acc, *current, *order, *levelEnd;
	/* float64 charges, two words each: a 32-bit XS only aligns buffers to 4 bytes (see tcimLayer). */
	uint32_t *charge;
	int32_t *ops;
} TcimLayer;

static double tcimCharge(const TcimLayer *L, int32_t j)
{
	double v;
	memcpy(&v, L->charge + 2 * j, sizeof v);
	return v;
}

static void tcimSetCharge(const TcimLayer *L, int32_t j, double v)
{
	memcpy(L->charge + 2 * j, &v, sizeof v);
}

/* acc[j] += a * w[j], j < m, with int32 wrap-around (as the Int32Array store in JS). */
static void tcimAddScaledRow(int32_t *acc, const int8_t *w, int32_t m, int32_t a)
{
	int32_t j;
	for (j = 0; j < m; j++)
		acc[j] = tcimWrapAdd(acc[j], a * w[j]);
}

/* acc += a_k * W_{r_k} for four rows of one group: each accumulator is loaded and stored once. */
static void tcimAddFourRows(int32_t *acc, const int8_t *w1, const int8_t *w2, const int8_t *w3, const int8_t *w4,
	int32_t a1, int32_t a2, int32_t a3, int32_t a4, int32_t m)
{
	int32_t j;
	for (j = 0; j < m; j++)
		acc[j] = tcimWrapAdd(acc[j], a1 * w1[j] + a2 * w2[j] + a3 * w3[j] + a4 * w4[j]);
}

/* acc += a_r * W_r for r = order[from..to), a_r = input[r]; rows in any order, any group. */
static void tcimAddRows(const TcimLayer *L, const uint8_t *input, const int32_t *order, int32_t from, int32_t to)
{
	const int32_t m = L->m;
	int32_t k = from;
	while (k < to) {
		int32_t r1 = order[k];
		int32_t g = L->groups == 1 ? 0 : r1 / L->groupRows;
		if (k + 3 < to) {
			int32_t r2 = order[k + 1], r3 = order[k + 2], r4 = order[k + 3];
			if (L->groups == 1 || (r2 / L->groupRows == g && r3 / L->groupRows == g && r4 / L->groupRows == g)) {
				tcimAddFourRows(L->acc + g * m, L->weights + r1 * m, L->weights + r2 * m, L->weights + r3 * m, L->weights + r4 * m,
					input[r1], input[r2], input[r3], input[r4], m);
				k += 4;
				continue;
			}
		}
		tcimAddScaledRow(L->acc + g * m, L->weights + r1 * m, m, input[r1]);
		k++;
	}
}

/* Rows with a non-zero code, ascending; returns their count. Codes above inMax are refused. */
static int32_t tcimGather(xsMachine *the, const TcimLayer *L, const uint8_t *input)
{
	int32_t r, spiking = 0;
	for (r = 0; r < L->rows; r++) {
		uint8_t a = input[r];
		if (a != 0) {
			if (a > L->inMax)
				xsRangeError("input code %d above the layer maximum %d", (int)a, (int)L->inMax);
			L->order[spiking++] = r;
		}
	}
	return spiking;
}

/*
 * Counting sort by descending code (= ascending spike time), stable in row order, as
 * sortBySpikeTime: levelEnd[a] ends code a's entries, which start at levelEnd[a + 1].
 */
static int32_t tcimSortBySpikeTime(xsMachine *the, const TcimLayer *L, const uint8_t *input)
{
	int32_t *levelEnd = L->levelEnd;
	int32_t r, a, pos = 0;
	for (a = 0; a <= L->inMax + 1; a++)
		levelEnd[a] = 0;
	for (r = 0; r < L->rows; r++) {
		uint8_t code = input[r];
		if (code > L->inMax)
			xsRangeError("input code %d above the layer maximum %d", (int)code, (int)L->inMax);
		levelEnd[code]++;
	}
	for (a = L->inMax; a >= 1; a--) {
		int32_t count = levelEnd[a];
		levelEnd[a] = pos;
		pos += count;
	}
	for (r = 0; r < L->rows; r++) {
		uint8_t code = input[r];
		if (code != 0)
			L->order[levelEnd[code]++] = r;
	}
	levelEnd[L->inMax + 1] = 0;
	return pos;
}

static void tcimClear(int32_t *cells, int32_t count)
{
	int32_t c;
	for (c = 0; c < count; c++)
		cells[c] = 0;
}

/* Leaky integration step by step through the window (accumulateLeaky). */
static void tcimAccumulateLeaky(const TcimLayer *L)
{
	const int32_t m = L->m, cells = L->groups * L->m;
	int32_t a, k, c;
	tcimClear(L->acc, cells);
	tcimClear(L->current, cells);
	for (a = L->inMax; a >= 1; a--) {
		for (k = L->levelEnd[a + 1]; k < L->levelEnd[a]; k++) {
			int32_t r = L->order[k];
			tcimAddScaledRow(L->current + (r / L->groupRows) * m, L->weights + r * m, m, 1);
		}
		L->ops[TCIM_OPS_ROW_ADDS] += L->levelEnd[a] - L->levelEnd[a + 1];
		for (c = 0; c < cells; c++)
			L->acc[c] = tcimWrapAdd(L->acc[c] - tcimAsr(L->acc[c], L->leakShift), L->current[c]);
		L->ops[TCIM_OPS_LEAK_UPDATES] += cells;
	}
}

/*
 * charge[j] = merged V_j + b_j (mergeCharges): in macro mode each group partial is scaled by its
 * gain shift and clamped to +-chargeBound * theta_j. Counts into ops when `count` is set.
 */
static void tcimMerge(xsMachine *the, const TcimLayer *L, int count)
{
	const int32_t m = L->m;
	int32_t j, g, clipped = 0;
	if (!L->macro) {
		for (j = 0; j < m; j++)
			tcimSetCharge(L, j, (double)((int64_t)L->acc[j] + L->biases[j]));
		return;
	}
	for (j = 0; j < m; j++) {
		int64_t bound = (int64_t)L->chargeBound * L->thresholds[j];
		int64_t v = 0;
		for (g = 0; g < L->groups; g++) {
			int32_t c = g * m + j;
			int32_t shift = L->gains[c];
			int64_t p;
			if (shift > 30 || shift < -31)
				xsRangeError("gain shift %d out of range", (int)shift);
			p = shift >= 0 ? (int64_t)L->acc[c] * ((int64_t)1 << shift) : (int64_t)tcimAsr(L->acc[c], -shift);
			if (p > bound) {
				p = bound;
				clipped++;
			} else if (p < -bound) {
				p = -bound;
				clipped++;
			}
			v += p;
		}
		tcimSetCharge(L, j, (double)(v + L->biases[j]));
	}
	if (count) {
		L->ops[TCIM_OPS_PARTIALS] += L->groups * m;
		L->ops[TCIM_OPS_CLIPPED] += clipped;
	}
}

/* a_j = clamp(floor(charge_j / theta_j), 0, outMax) (fire). */
static void tcimFire(xsMachine *the, const TcimLayer *L, uint8_t *out)
{
	int32_t j;
	for (j = 0; j < L->m; j++) {
		int64_t x = (int64_t)tcimCharge(L, j);
		int32_t theta = L->thresholds[j];
		int64_t code;
		if (theta < 1)
			xsRangeError("threshold %d is below 1", (int)theta);
		code = x < theta ? 0 : x / theta;
		out[j] = (uint8_t)(code > L->outMax ? L->outMax : code);
	}
}

/* Gap between the best and second merged charge; a single class always leads. */
static int tcimLeads(const TcimLayer *L, int64_t remaining)
{
	int64_t best = 0, second = 0;
	int32_t j, seen = 0;
	if (L->m < 2)
		return 1;
	for (j = 0; j < L->m; j++) {
		int64_t v = (int64_t)tcimCharge(L, j);
		if (seen == 0 || v > best) {
			second = best;
			best = v;
			seen++;
		} else if (seen == 1 || v > second) {
			second = v;
			seen = 2;
		}
	}
	return best - second > remaining;
}

/* Last layer, no leak: rows in spike order, stopping once the lead is safe (runEarlyExit). */
static int tcimRunEarlyExit(xsMachine *the, const TcimLayer *L, const uint8_t *input)
{
	int32_t spiking = tcimSortBySpikeTime(the, L, input);
	int64_t remaining = 0;
	int32_t k = 0, stopped = 0;
	L->ops[TCIM_OPS_ZERO_SKIPPED] += L->rows - spiking;
	tcimClear(L->acc, L->groups * L->m);
	for (k = 0; k < spiking; k++)
		remaining += (int64_t)input[L->order[k]] * L->rowBound[L->order[k]];
	k = 0;
	while (k < spiking) {
		int32_t end = k + TCIM_EARLY_EXIT_BLOCK < spiking ? k + TCIM_EARLY_EXIT_BLOCK : spiking;
		tcimAddRows(L, input, L->order, k, end);
		for (; k < end; k++)
			remaining -= (int64_t)input[L->order[k]] * L->rowBound[L->order[k]];
		if (k == spiking)
			break;
		tcimMerge(the, L, 0);
		if (tcimLeads(L, remaining)) {
			L->ops[TCIM_OPS_SKIPPED_EARLY] += spiking - k;
			L->ops[TCIM_OPS_STEPS_SAVED] += input[L->order[k - 1]] - 1;
			stopped = 1;
			break;
		}
	}
	L->ops[TCIM_OPS_ROW_ADDS] += k;
	return stopped;
}

/* Fetches and checks the layer's parameter words and constant arrays (arguments 0..5). */
static void tcimReadLayer(xsMachine *the, TcimLayer *L, int needRowBound)
{
	const int32_t *p = tcimWords(the, 0, TCIM_P_WORDS, 0, "layer parameters");
	uint32_t count;
	L->rows = p[TCIM_P_ROWS];
	L->m = p[TCIM_P_OUT_CHANNELS];
	L->groupRows = p[TCIM_P_GROUP_ROWS];
	L->groups = p[TCIM_P_GROUPS];
	L->leakShift = p[TCIM_P_LEAK_SHIFT];
	L->inMax = p[TCIM_P_IN_MAX];
	L->outMax = p[TCIM_P_OUT_MAX];
	L->macro = p[TCIM_P_MACRO];
	L->chargeBound = p[TCIM_P_CHARGE_BOUND];
	if (L->rows < 1 || L->rows > (1 << 24) || L->m < 1 || L->m > (1 << 16) || L->groupRows < 1 || L->groupRows > L->rows
		|| L->groups != (L->rows + L->groupRows - 1) / L->groupRows || (int64_t)L->groups * L->m > (1 << 24)
		|| L->leakShift < 0 || L->leakShift > 30 || L->inMax < 1 || L->inMax > 255 || L->outMax < 1 || L->outMax > 255
		|| L->chargeBound < 0 || L->chargeBound > (1 << 16) || (L->macro != 0 && L->macro != 1) || (!L->macro && L->groups != 1))
		xsRangeError("inconsistent layer parameters");
	L->weights = (const int8_t *)tcimBytes(the, 1, &count, 0);
	if ((int64_t)L->rows * L->m > (1 << 30) || count < (uint32_t)L->rows * (uint32_t)L->m)
		xsRangeError("weights: %u bytes, fewer than rows x outputs", (unsigned)count);
	L->thresholds = tcimWords(the, 2, (uint32_t)L->m, 0, "thresholds");
	L->biases = tcimWords(the, 3, (uint32_t)L->m, 0, "biases");
	L->gains = (const int8_t *)tcimBytes(the, 4, &count, 0);
	if (L->macro && count < (uint32_t)(L->groups * L->m))
		xsRangeError("gains: %u bytes, %u needed", (unsigned)count, (unsigned)(L->groups * L->m));
	L->rowBound = needRowBound ? tcimWords(the, 5, (uint32_t)L->rows, 0, "row bounds") : NULL;
}

/* One position without early exit on the rows at `window`: integrate (leaky or direct), merge, fire into out[0 .. m). */
static void tcimPosition(xsMachine *the, const TcimLayer *L, const uint8_t *window, uint8_t *out)
{
	if (L->leakShift > 0) {
		int32_t spiking = tcimSortBySpikeTime(the, L, window);
		L->ops[TCIM_OPS_ZERO_SKIPPED] += L->rows - spiking;
		tcimAccumulateLeaky(L);
	} else {
		int32_t spiking = tcimGather(the, L, window);
		tcimClear(L->acc, L->groups * L->m);
		tcimAddRows(L, window, L->order, 0, spiking);
		L->ops[TCIM_OPS_ROW_ADDS] += spiking;
		L->ops[TCIM_OPS_ZERO_SKIPPED] += L->rows - spiking;
	}
	tcimMerge(the, L, 1);
	tcimFire(the, L, out);
}

/* Fetches and checks the work area, charges and op counters (arguments work, charge, ops). */
static void tcimReadWork(xsMachine *the, TcimLayer *L, int workArg, int chargeArg, int opsArg)
{
	uint32_t cells = (uint32_t)(L->groups * L->m), chargeBytes;
	uint32_t workWords = 2 * cells + (uint32_t)L->rows + (uint32_t)L->inMax + 2;
	uint8_t *chargeBytesPtr;
	int32_t *work = tcimWords(the, workArg, workWords, 1, "work");
	L->acc = work;
	L->current = work + cells;
	L->order = work + 2 * cells;
	L->levelEnd = work + 2 * cells + L->rows;
	/* XS aligns chunk data to sizeof(size_t): 8 on a 64-bit host, only 4 on ESP32 / RV32 devices. */
	chargeBytesPtr = tcimBytes(the, chargeArg, &chargeBytes, 1);
	if (((uintptr_t)chargeBytesPtr & 3) != 0 || chargeBytes / 8 < (uint32_t)L->m)
		xsRangeError("charge: needs %d float64, 4-byte aligned", (int)L->m);
	L->charge = (uint32_t *)(void *)chargeBytesPtr;
	L->ops = tcimWords(the, opsArg, TCIM_OPS_COUNT, 1, "ops");
}

/*
 * layer(params, weights, thresholds, biases, gains, rowBound, input, base, frames, step,
 *       out, outBase, work, charge, ops, early) -> stoppedEarly
 *
 * Runs `frames` output positions of one layer: position t reads the rows input[base + t * step ..
 * + rows) and writes its codes to out[outBase + t * m ..]. `work` (int32) holds acc, current
 * (groups * m each), order (rows) and levelEnd (inMax + 2); `charge` (float64, m) ends holding the
 * last position's V + b; `ops` (int32, 7) is added to. early = 1 runs the early-exit path (one
 * position, no leak). Int32/Float64 arrays are passed as Uint8Array views over their bytes.
 */
void xs_tcim_layer(xsMachine *the)
{
	TcimLayer L;
	int early = xsmcToInteger(xsArg(15)) != 0;
	int32_t base, frames, step, outBase, t, stopped = 0;
	uint32_t inputBytes, outBytes;
	const uint8_t *input;
	uint8_t *out;

	tcimReadLayer(the, &L, early);
	base = tcimInt(the, 7, 0, 0x7fffffff, "base");
	frames = tcimInt(the, 8, 1, 1 << 20, "frames");
	step = tcimInt(the, 9, 0, 1 << 24, "step");
	outBase = tcimInt(the, 11, 0, 0x7fffffff, "output base");
	if (early && (frames != 1 || L.leakShift != 0))
		xsRangeError("early exit needs one position and no leak");
	input = tcimBytes(the, 6, &inputBytes, 0);
	if ((int64_t)base + (int64_t)(frames - 1) * step + L.rows > inputBytes)
		xsRangeError("input: %u codes, window needs more", (unsigned)inputBytes);
	out = tcimBytes(the, 10, &outBytes, 1);
	if ((int64_t)outBase + (int64_t)frames * L.m > outBytes)
		xsRangeError("output: %u codes, layer writes more", (unsigned)outBytes);
	tcimReadWork(the, &L, 12, 13, 14);

	for (t = 0; t < frames; t++) {
		const uint8_t *window = input + base + t * step;
		if (early) {
			stopped = tcimRunEarlyExit(the, &L, window);
			tcimMerge(the, &L, 1);
			tcimFire(the, &L, out + outBase + t * L.m);
		} else {
			tcimPosition(the, &L, window, out + outBase + t * L.m);
		}
	}
	xsmcSetBoolean(xsResult, stopped);
}

/* conv2d geometry words (Int32Array, runtime/kernels.ts gridWords; keep both in step). */
enum { TCIM_G_IN_HEIGHT = 0, TCIM_G_IN_WIDTH, TCIM_G_IN_CHANNELS, TCIM_G_KERNEL, TCIM_G_STRIDE, TCIM_G_PADDING,
	TCIM_G_CONV_HEIGHT, TCIM_G_CONV_WIDTH, TCIM_G_POOL, TCIM_G_WORDS };

/* im2col patch of output position (oy, ox) into patch[0 .. k*k*C): zeros where the window overhangs (gatherPatch). */
static void tcimGatherPatch(const int32_t *g, const uint8_t *input, int32_t oy, int32_t ox, uint8_t *patch)
{
	const int32_t k = g[TCIM_G_KERNEL], c = g[TCIM_G_IN_CHANNELS], width = g[TCIM_G_IN_WIDTH], height = g[TCIM_G_IN_HEIGHT];
	const int32_t y0 = oy * g[TCIM_G_STRIDE] - g[TCIM_G_PADDING], x0 = ox * g[TCIM_G_STRIDE] - g[TCIM_G_PADDING];
	const int32_t xFrom = x0 < 0 ? -x0 : 0, xTo = x0 + k > width ? width - x0 : k;
	int32_t dy;
	for (dy = 0; dy < k; dy++) {
		uint8_t *row = patch + dy * k * c;
		int32_t y = y0 + dy;
		if (y < 0 || y >= height) {
			memset(row, 0, (size_t)(k * c));
			continue;
		}
		memset(row, 0, (size_t)(xFrom * c));
		memcpy(row + xFrom * c, input + ((int64_t)y * width + x0 + xFrom) * c, (size_t)((xTo - xFrom) * c));
		memset(row + xTo * c, 0, (size_t)((k - xTo) * c));
	}
}

/* Spike-time max pooling q x q, stride q: the largest code (earliest spike) of each window (poolCodes). */
static void tcimPoolCodes(const int32_t *g, int32_t m, const uint8_t *map, uint8_t *out)
{
	const int32_t q = g[TCIM_G_POOL], convWidth = g[TCIM_G_CONV_WIDTH];
	const int32_t outWidth = convWidth / q, outHeight = g[TCIM_G_CONV_HEIGHT] / q;
	int32_t py, px, j, dy, dx;
	for (py = 0; py < outHeight; py++) {
		for (px = 0; px < outWidth; px++) {
			uint8_t *dest = out + (py * outWidth + px) * m;
			for (j = 0; j < m; j++) {
				uint8_t best = 0;
				for (dy = 0; dy < q; dy++) {
					const uint8_t *row = map + ((py * q + dy) * convWidth + px * q) * m + j;
					for (dx = 0; dx < q; dx++)
						if (row[dx * m] > best)
							best = row[dx * m];
				}
				dest[j] = best;
			}
		}
	}
}

/*
 * grid(params, weights, thresholds, biases, gains, geometry, input, out, patch, map, work, charge, ops)
 *
 * A conv2d layer in one call, the C twin of runGridLayer (runtime/network.ts): for every output
 * position, gathers its k x k x C patch of the H x W x C input into `patch` and runs it as one
 * position (no early exit) into the conv map, then pools the map into `out`. The map is `map`
 * (positions x m bytes) when the layer pools, else `out` itself. `geometry` holds TCIM_G_WORDS
 * int32 words; work, charge and ops as for layer().
 */
void xs_tcim_grid(xsMachine *the)
{
	TcimLayer L;
	const int32_t *g;
	int32_t h, w, c, k, s, p, convHeight, convWidth, q, positions, pos;
	uint32_t inputBytes, outBytes, patchBytes, mapBytes;
	const uint8_t *input;
	uint8_t *out, *patch, *map;

	tcimReadLayer(the, &L, 0);
	g = tcimWords(the, 5, TCIM_G_WORDS, 0, "conv2d geometry");
	h = g[TCIM_G_IN_HEIGHT];
	w = g[TCIM_G_IN_WIDTH];
	c = g[TCIM_G_IN_CHANNELS];
	k = g[TCIM_G_KERNEL];
	s = g[TCIM_G_STRIDE];
	p = g[TCIM_G_PADDING];
	convHeight = g[TCIM_G_CONV_HEIGHT];
	convWidth = g[TCIM_G_CONV_WIDTH];
	q = g[TCIM_G_POOL];
	if (h < 1 || h > (1 << 16) || w < 1 || w > (1 << 16) || c < 1 || k < 1 || k > 255 || s < 1 || s > 255 || p < 0 || p >= k
		|| (int64_t)k * k * c != L.rows || h + 2 * p < k || w + 2 * p < k
		|| convHeight != (h + 2 * p - k) / s + 1 || convWidth != (w + 2 * p - k) / s + 1
		|| q < 1 || q > convHeight || q > convWidth)
		xsRangeError("inconsistent conv2d geometry");
	positions = convHeight * convWidth;
	input = tcimBytes(the, 6, &inputBytes, 0);
	if ((int64_t)h * w * c > inputBytes)
		xsRangeError("input: %u codes, the image needs more", (unsigned)inputBytes);
	out = tcimBytes(the, 7, &outBytes, 1);
	if ((int64_t)(convHeight / q) * (convWidth / q) * L.m > outBytes)
		xsRangeError("output: %u codes, layer writes more", (unsigned)outBytes);
	patch = tcimBytes(the, 8, &patchBytes, 1);
	if (patchBytes < (uint32_t)L.rows)
		xsRangeError("patch: %u bytes, %d rows", (unsigned)patchBytes, (int)L.rows);
	map = out;
	if (q > 1) {
		map = tcimBytes(the, 9, &mapBytes, 1);
		if ((int64_t)positions * L.m > mapBytes)
			xsRangeError("map: %u codes, the conv map needs more", (unsigned)mapBytes);
	}
	tcimReadWork(the, &L, 10, 11, 12);

	for (pos = 0; pos < positions; pos++) {
		tcimGatherPatch(g, input, pos / convWidth, pos % convWidth, patch);
		tcimPosition(the, &L, patch, map + pos * L.m);
	}
	if (q > 1)
		tcimPoolCodes(g, L.m, map, out);
}

/*
 * rowBounds(params, weights, gains, bounds): per row, the largest rise of one score plus fall of
 * another per unit of input code, after gain shifts rounded up (earlyExitRowBounds).
 */
void xs_tcim_row_bounds(xsMachine *the)
{
	TcimLayer L;
	const int32_t *p = tcimWords(the, 0, TCIM_P_WORDS, 0, "layer parameters");
	uint32_t count;
	int32_t r, j, *bounds;
	L.rows = p[TCIM_P_ROWS];
	L.m = p[TCIM_P_OUT_CHANNELS];
	L.groupRows = p[TCIM_P_GROUP_ROWS];
	L.macro = p[TCIM_P_MACRO];
	if (L.rows < 1 || L.m < 1 || L.groupRows < 1 || L.groupRows > L.rows)
		xsRangeError("inconsistent layer parameters");
	L.groups = (L.rows + L.groupRows - 1) / L.groupRows;
	L.weights = (const int8_t *)tcimBytes(the, 1, &count, 0);
	if (count / (uint32_t)L.m < (uint32_t)L.rows)
		xsRangeError("weights: %u bytes, too few", (unsigned)count);
	L.gains = (const int8_t *)tcimBytes(the, 2, &count, 0);
	if (L.macro && count / (uint32_t)L.m < (uint32_t)L.groups)
		xsRangeError("gains: %u bytes, too few", (unsigned)count);
	bounds = tcimWords(the, 3, (uint32_t)L.rows, 1, "row bounds");
	for (r = 0; r < L.rows; r++) {
		const int8_t *w = L.weights + r * L.m;
		const int8_t *gain = L.macro ? L.gains + (r / L.groupRows) * L.m : NULL;
		int32_t up = 0, down = 0;
		for (j = 0; j < L.m; j++) {
			int32_t a = w[j] < 0 ? -w[j] : w[j];
			int32_t shift = gain ? gain[j] : 0, scaled;
			if (shift > 16 || shift < -16)
				xsRangeError("gain shift %d out of range", (int)shift);
			scaled = shift >= 0 ? a << shift : (a + (1 << -shift) - 1) >> -shift;
			if (w[j] > 0 && scaled > up)
				up = scaled;
			if (w[j] < 0 && scaled > down)
				down = scaled;
		}
		bounds[r] = up + down;
	}
}

/* checkInt8Range(values, max) -> index of the first value outside [-max, max], or -1. */
void xs_tcim_check_int8_range(xsMachine *the)
{
	uint32_t count, i;
	const int8_t *v = (const int8_t *)tcimBytes(the, 0, &count, 0);
	int32_t max = tcimInt(the, 1, 0, 127, "range");
	int32_t found = -1;
	for (i = 0; i < count; i++) {
		if (v[i] > max || v[i] < -max) {
			found = (int32_t)i;
			break;
		}
	}
	xsmcSetInteger(xsResult, found);
}
