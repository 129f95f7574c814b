/*
 * The audio front-end's hot path in C: the twin of computeFrame in runtime/frontend/frontend.ts
 * (window, block-floating-point FFT, power spectrum, mel bands, table log2) and of its
 * pre-emphasis loop. JS evaluates these integer expressions as exact doubles and applies ToInt32
 * where an operator or an Int32Array store does; here intermediates are int64 and tcimWrap32 marks
 * the same points, so results are bit-identical for every input, with no signed overflow in C.
 * Table shapes are re-checked (index bounds); their value ranges are parseFrontendBlob's.
 */
#include "tcim_native.h"

/* Frame parameter words (runtime/frontend/frontend.ts FRAME_PARAM_*). */
enum {
	TCIM_F_FRAME_LENGTH = 0,
	TCIM_F_FFT_SIZE,
	TCIM_F_MEL_BANDS,
	TCIM_F_LOG_FLOOR,
	TCIM_F_MEL_WEIGHT_BITS,
	TCIM_F_FEATURE_FRAC_BITS,
	TCIM_F_WORDS
};

/* ToInt32 of an exact integer. */
static inline int32_t tcimWrap32(int64_t v)
{
	return (int32_t)(uint32_t)(uint64_t)v;
}

/* ToInt32(v) >> s, as JS evaluates `v >> s` on an exact integer v. */
static inline int32_t tcimShr(int64_t v, int s)
{
	return tcimAsr(tcimWrap32(v), s);
}

/* Math.clz32 for v > 0. */
static int tcimClz32(uint32_t v)
{
	int n = 0;
	if (v == 0)
		return 32;
	while (!(v & 0x80000000u)) {
		v <<= 1;
		n++;
	}
	return n;
}

/* ToInt32(v) ^ (ToInt32(v) >> 31): |v| - 1 for negative v, the bound the FFT ORs together. */
static inline int32_t tcimMagnitudeBits(int64_t v)
{
	int32_t w = tcimWrap32(v);
	return w ^ tcimAsr(w, 31);
}

static int tcimHeadroomShift(int32_t bound)
{
	return bound >= 65536 ? 3 : bound >= 32768 ? 2 : bound >= 16384 ? 1 : 0;
}

/* ToInt32(x * c + y * s + 16384) >> 15: a rounded twiddle product. */
static inline int32_t tcimTwiddle(int64_t x, int64_t y, int32_t c, int32_t s)
{
	return tcimShr(x * c + y * s + 16384, 15);
}

/* fixedFft (runtime/frontend/fft.ts): returns the right shifts applied. */
static int32_t tcimFft(int32_t *re, int32_t *im, int32_t n, const int32_t *cos, const int32_t *sin, int32_t tableSize, int32_t bound)
{
	int32_t totalShift = 0, size = 1, stages = 0, last, i;
	while ((1 << stages) < n)
		stages++;
	if (stages & 1) {
		int shift = tcimHeadroomShift(bound);
		int32_t round = shift == 0 ? 0 : 1 << (shift - 1), top;
		totalShift += shift;
		bound = 0;
		for (top = 0; top < n; top += 2) {
			int32_t ar = tcimShr((int64_t)re[top] + round, shift), ai = tcimShr((int64_t)im[top] + round, shift);
			int32_t br = tcimShr((int64_t)re[top + 1] + round, shift), bi = tcimShr((int64_t)im[top + 1] + round, shift);
			int64_t r0 = (int64_t)ar + br, i0 = (int64_t)ai + bi, r1 = (int64_t)ar - br, i1 = (int64_t)ai - bi;
			re[top] = tcimWrap32(r0);
			im[top] = tcimWrap32(i0);
			re[top + 1] = tcimWrap32(r1);
			im[top + 1] = tcimWrap32(i1);
			bound |= tcimMagnitudeBits(r0) | tcimMagnitudeBits(i0) | tcimMagnitudeBits(r1) | tcimMagnitudeBits(i1);
		}
		size = 2;
	}
	for (; size < n; size <<= 2) {
		int shift = tcimHeadroomShift(bound);
		int32_t round = shift == 0 ? 0 : 1 << (shift - 1);
		int32_t block = size << 2, stepA = tableSize / (size << 1), stepB = tableSize / block, k;
		totalShift += shift;
		bound = 0;
		for (k = 0; k < size; k++) {
			int32_t ar = cos[k * stepA], as = sin[k * stepA], br = cos[k * stepB], bs = sin[k * stepB], i0;
			for (i0 = k; i0 < n; i0 += block) {
				int32_t i1 = i0 + size, i2 = i1 + size, i3 = i2 + size;
				int32_t x0r = tcimShr((int64_t)re[i0] + round, shift), x0i = tcimShr((int64_t)im[i0] + round, shift);
				int32_t x1r = tcimShr((int64_t)re[i1] + round, shift), x1i = tcimShr((int64_t)im[i1] + round, shift);
				int32_t x2r = tcimShr((int64_t)re[i2] + round, shift), x2i = tcimShr((int64_t)im[i2] + round, shift);
				int32_t x3r = tcimShr((int64_t)re[i3] + round, shift), x3i = tcimShr((int64_t)im[i3] + round, shift);
				int32_t t1r = tcimTwiddle(x1r, x1i, ar, as), t1i = tcimTwiddle(x1i, -(int64_t)x1r, ar, as);
				int32_t t3r = tcimTwiddle(x3r, x3i, ar, as), t3i = tcimTwiddle(x3i, -(int64_t)x3r, ar, as);
				int64_t a0r = (int64_t)x0r + t1r, a0i = (int64_t)x0i + t1i, a1r = (int64_t)x0r - t1r, a1i = (int64_t)x0i - t1i;
				int64_t a2r = (int64_t)x2r + t3r, a2i = (int64_t)x2i + t3i, a3r = (int64_t)x2r - t3r, a3i = (int64_t)x2i - t3i;
				int32_t ur = tcimTwiddle(a2r, a2i, br, bs), ui = tcimTwiddle(a2i, -a2r, br, bs);
				int32_t vr = tcimTwiddle(a3i, -a3r, br, bs);
				int64_t vi = -(int64_t)tcimTwiddle(a3r, a3i, br, bs);
				int64_t r0 = a0r + ur, j0 = a0i + ui, r2 = a0r - ur, j2 = a0i - ui;
				int64_t r1 = a1r + vr, j1 = a1i + vi, r3 = a1r - vr, j3 = a1i - vi;
				re[i0] = tcimWrap32(r0);
				im[i0] = tcimWrap32(j0);
				re[i1] = tcimWrap32(r1);
				im[i1] = tcimWrap32(j1);
				re[i2] = tcimWrap32(r2);
				im[i2] = tcimWrap32(j2);
				re[i3] = tcimWrap32(r3);
				im[i3] = tcimWrap32(j3);
				bound |= tcimMagnitudeBits(r0) | tcimMagnitudeBits(j0) | tcimMagnitudeBits(r1) | tcimMagnitudeBits(j1)
					| tcimMagnitudeBits(r2) | tcimMagnitudeBits(j2) | tcimMagnitudeBits(r3) | tcimMagnitudeBits(j3);
			}
		}
	}
	last = tcimHeadroomShift(bound);
	if (last > 0) {
		int32_t round = 1 << (last - 1);
		for (i = 0; i < n; i++) {
			re[i] = tcimShr((int64_t)re[i] + round, last);
			im[i] = tcimShr((int64_t)im[i] + round, last);
		}
	}
	return totalShift + last;
}

/* realPowerSpectrum: power[k] = |X[k] / 2|^2 for k = 0..m from the packed m-point FFT. */
static void tcimPowerSpectrum(const int32_t *re, const int32_t *im, int32_t m, const int32_t *cos, const int32_t *sin, int32_t tableSize, int32_t *power)
{
	int32_t mask = m - 1, step = tableSize / (m << 1), k;
	for (k = 0; k <= m; k++) {
		int32_t j = k & mask, l = (m - k) & mask;
		int64_t a = re[j], b = im[j], c = re[l], d = im[l];
		int32_t er = tcimShr(a + c + 2, 2), ei = tcimShr(b - d + 2, 2), or = tcimShr(b + d + 2, 2), oi = tcimShr(c - a + 2, 2);
		int64_t xr, xi;
		if (k < m) {
			int32_t wr = cos[k * step], ws = sin[k * step];
			xr = (int64_t)er + tcimTwiddle(or, oi, wr, ws);
			xi = (int64_t)ei + tcimTwiddle(oi, -(int64_t)or, wr, ws);
		} else {
			xr = (int64_t)er - or;
			xi = (int64_t)ei - oi;
		}
		power[k] = tcimWrap32(xr * xr + xi * xi);
	}
}

/* log2Q16 (runtime/frontend/log2.ts) for 1 <= x < 2^31; table has 257 entries. */
static int32_t tcimLog2Q16(int32_t x, const int32_t *table)
{
	int32_t exponent = 31 - tcimClz32((uint32_t)x);
	int32_t mantissa = (int32_t)((uint32_t)x << (30 - exponent));
	int32_t index = (mantissa >> 22) & 255, frac = (mantissa >> 14) & 255, lo = table[index];
	return tcimWrap32((int64_t)exponent * 65536 + lo + tcimAsr(tcimWrap32((int64_t)(table[index + 1] - lo) * frac), 8));
}

/*
 * frontendFrame(params, frame, window, cos, sin, bitrev, re, im, power, mel, log2, out): one
 * frame's log-mel features (Q10) into out[0..melBands). Int32 arrays as byte views; bitrev is
 * the Int16Array bit-reversal table, also as a byte view.
 */
void xs_tcim_frontend_frame(xsMachine *the)
{
	const int32_t *p = tcimWords(the, 0, TCIM_F_WORDS, 0, "front-end parameters");
	int32_t frameLength = p[TCIM_F_FRAME_LENGTH], fftSize = p[TCIM_F_FFT_SIZE], bands = p[TCIM_F_MEL_BANDS];
	int32_t logFloor = p[TCIM_F_LOG_FLOOR], melWeightBits = p[TCIM_F_MEL_WEIGHT_BITS], fracBits = p[TCIM_F_FEATURE_FRAC_BITS];
	int32_t half, tableSize, i, j, at, m;
	uint32_t count, melWords, bitrevBytes;
	const int32_t *frame, *window, *cos, *sin, *mel, *log2;
	const int16_t *bitrev;
	int32_t *re, *im, *power, *out;
	int64_t maxAbs = 0;
	if (fftSize < 4 || fftSize > (1 << 16) || (fftSize & (fftSize - 1)) != 0 || frameLength < 1 || frameLength > fftSize
		|| bands < 1 || bands > 4096 || melWeightBits < 0 || melWeightBits > 30 || fracBits < 0 || fracBits > 16)
		xsRangeError("inconsistent front-end parameters");
	half = fftSize >> 1;
	frame = tcimWords(the, 1, (uint32_t)frameLength, 0, "frame");
	window = tcimWords(the, 2, (uint32_t)frameLength, 0, "window");
	cos = tcimWords(the, 3, 1, 0, "cos");
	tcimBytes(the, 3, &count, 0);
	tableSize = (int32_t)(count / 4) * 2;
	if (tableSize < fftSize || tableSize % fftSize != 0)
		xsRangeError("twiddle table does not fit the FFT size");
	sin = tcimWords(the, 4, (uint32_t)tableSize / 2, 0, "sin");
	bitrev = (const int16_t *)(const void *)tcimBytes(the, 5, &bitrevBytes, 0);
	if (((uintptr_t)bitrev & 1) != 0 || bitrevBytes / 2 < (uint32_t)half)
		xsRangeError("bit-reversal table too short");
	re = tcimWords(the, 6, (uint32_t)half, 1, "re");
	im = tcimWords(the, 7, (uint32_t)half, 1, "im");
	power = tcimWords(the, 8, (uint32_t)half + 1, 1, "power");
	mel = tcimWords(the, 9, 0, 0, "mel table");
	tcimBytes(the, 9, &melWords, 0);
	melWords /= 4;
	log2 = tcimWords(the, 10, 257, 0, "log2 table");
	out = tcimWords(the, 11, (uint32_t)bands, 1, "features");

	for (i = 0; i < frameLength; i++) {
		int64_t v = (int64_t)frame[i] * window[i];
		int64_t a = v < 0 ? -v : v;
		if (a > maxAbs)
			maxAbs = a;
	}
	if (maxAbs >= ((int64_t)1 << 31))
		xsRangeError("windowed sample out of range");
	if (maxAbs == 0) {
		for (m = 0; m < bands; m++)
			out[m] = logFloor;
		return;
	}
	{
		int32_t normShift = 18 - tcimClz32((uint32_t)maxAbs);
		int32_t round = normShift > 0 ? 1 << (normShift - 1) : 0, bound = 0, fftShift, exponent;
		for (j = 0; j < half; j++) {
			int32_t even = 0, odd = 0, target = bitrev[j];
			i = j << 1;
			if (target < 0 || target >= half)
				xsRangeError("bit-reversal entry out of range");
			if (i < frameLength) {
				int64_t e = (int64_t)frame[i] * window[i];
				even = normShift >= 0 ? tcimShr(e + round, normShift) : (int32_t)((uint32_t)tcimWrap32(e) << -normShift);
				if (i + 1 < frameLength) {
					int64_t o = (int64_t)frame[i + 1] * window[i + 1];
					odd = normShift >= 0 ? tcimShr(o + round, normShift) : (int32_t)((uint32_t)tcimWrap32(o) << -normShift);
				}
			}
			re[target] = even;
			im[target] = odd;
			bound |= tcimMagnitudeBits(even) | tcimMagnitudeBits(odd);
		}
		fftShift = tcimFft(re, im, half, cos, sin, tableSize, bound);
		tcimPowerSpectrum(re, im, half, cos, sin, tableSize, power);
		exponent = 2 * normShift + 2 * fftShift - 28 - melWeightBits;
		at = 0;
		for (m = 0; m < bands; m++) {
			int32_t first, binCount, weights, peak = 0, shift, feature = logFloor;
			int64_t acc = 0;
			if ((uint32_t)at + 2 > melWords)
				xsRangeError("mel table ends inside band %d", (int)m);
			first = mel[at];
			binCount = mel[at + 1];
			weights = at + 2;
			if (first < 0 || binCount < 0 || first + binCount > half + 1 || (uint32_t)weights + (uint32_t)binCount > melWords)
				xsRangeError("mel band %d outside the spectrum", (int)m);
			at = weights + binCount;
			for (i = 0; i < binCount; i++) {
				int32_t v = power[first + i];
				if (v > peak && mel[weights + i] != 0)
					peak = v;
			}
			shift = peak >= (1 << 15) ? 17 - tcimClz32((uint32_t)peak) : 0;
			for (i = 0; i < binCount; i++)
				acc += (int64_t)tcimAsr(power[first + i], shift) * mel[weights + i];
			if (acc >= ((int64_t)1 << 31))
				xsRangeError("mel band %d energy out of range", (int)m);
			if (acc > 0) {
				int32_t value = tcimShr((int64_t)tcimLog2Q16((int32_t)acc, log2) + ((int64_t)shift + exponent) * 65536, 16 - fracBits);
				if (value > feature)
					feature = value;
			}
			out[m] = feature;
		}
	}
}

/*
 * preemphasize(pcm, from, to, frame, filled, previous, coefficient) -> last sample: the Q2
 * pre-emphasized samples pcm[from..to) (Int16Array as a byte view) into frame[filled..].
 */
void xs_tcim_preemphasize(xsMachine *the)
{
	/* Integers first: converting an argument may run JS, which may move the buffers below. */
	int32_t from = tcimInt(the, 1, 0, 0x7fffffff, "from");
	int32_t to = tcimInt(the, 2, from, 0x7fffffff, "to");
	int32_t filled = tcimInt(the, 4, 0, 0x7fffffff, "filled");
	int32_t previous = tcimInt(the, 5, -32768, 32767, "previous sample");
	int32_t coefficient = tcimInt(the, 6, 0, 32767, "pre-emphasis");
	uint32_t pcmBytes;
	const uint8_t *bytes = tcimBytes(the, 0, &pcmBytes, 0);
	const int16_t *pcm = (const int16_t *)(const void *)bytes;
	int32_t *frame, i;
	if (((uintptr_t)pcm & 1) != 0 || (uint32_t)to > pcmBytes / 2)
		xsRangeError("samples [%d, %d) outside the buffer", (int)from, (int)to);
	frame = tcimWords(the, 3, (uint32_t)filled + (uint32_t)(to - from), 1, "frame");
	for (i = from; i < to; i++) {
		int32_t x = pcm[i];
		frame[filled++] = tcimShr((int64_t)x * 32768 - (int64_t)coefficient * previous + 4096, 13);
		previous = x;
	}
	xsmcSetInteger(xsResult, previous);
}

/* Window-code parameter words (runtime/frontend/frontend.ts, the native `windowParams`), same order. */
enum {
	TCIM_W_FRAMES = 0,
	TCIM_W_CHANNELS,
	TCIM_W_MAX_CODE,
	TCIM_W_NORMALIZE,
	TCIM_W_PEAK_FLOOR,
	TCIM_W_LOG_FLOOR,
	TCIM_W_WORDS
};

/* runtime/frontend/blob.ts NORMALIZE_*, QUANT_SCALE_BITS and MAX_QUANT_SCALE. */
#define TCIM_NORMALIZE_WINDOW_PEAK 1
#define TCIM_NORMALIZE_CHANNEL_MEAN 2
#define TCIM_QUANT_SCALE_BITS 16
#define TCIM_MAX_QUANT_SCALE 4096

/* Math.floor(n / d) for d > 0: the exact quotient of an int32 by d <= 2^16 is never within a
 * double's rounding of an integer it does not equal, so JS's floor is floor division. */
static inline int32_t tcimFloorDiv(int32_t n, int32_t d)
{
	int32_t q = n / d;
	return (n % d != 0 && n < 0) ? q - 1 : q;
}

/*
 * windowCodes(params, ring, quant, reference, out, slot, heard): the codes of a window-normalized
 * front-end's window (the twin of normalizedCodes in runtime/frontend/frontend.ts). ring: the Q10
 * feature ring, frames x channels int32 (byte view), `slot` the next frame slot to write (the
 * oldest frame), `heard` the frames of the window heard since the reset (the newest ones);
 * quant: per channel (offset, Q16 scale); reference: channels int32, written with each channel's
 * reference (as windowReference leaves it); out: frames x channels codes, oldest frame first,
 * frames not heard since the reset code 0.
 *
 * Channel mean: per channel the int32 sum (wrapping, as the Int32Array accumulator does) of the
 * heard frames, then floor(sum / heard); 0 with no frame heard. Window peak: the largest value of
 * the whole ring, or max(peak floor, log floor) if that is higher, for every channel. Then per
 * feature d = f - reference - offset (|d| < 2^33, exact in int64 as in a double): the maximum code
 * from d >= ceil((maxCode << 16) / scale), else (d * scale) >> 16 if d > 0 (below 2^25), else 0.
 */
void xs_tcim_window_codes(xsMachine *the)
{
	const int32_t *p = tcimWords(the, 0, TCIM_W_WORDS, 0, "window parameters");
	int32_t frames = p[TCIM_W_FRAMES], channels = p[TCIM_W_CHANNELS], maxCode = p[TCIM_W_MAX_CODE];
	int32_t normalize = p[TCIM_W_NORMALIZE], peakFloor = p[TCIM_W_PEAK_FLOOR], logFloor = p[TCIM_W_LOG_FLOOR];
	int32_t slot, heard, c, f;
	uint32_t total, unheard, at, o, i, outBytes;
	const int32_t *ring, *quant;
	int32_t *reference;
	uint8_t *out;
	if (frames < 1 || frames > (1 << 16) || channels < 1 || channels > 4096 || maxCode < 1 || maxCode > 255
		|| (normalize != TCIM_NORMALIZE_WINDOW_PEAK && normalize != TCIM_NORMALIZE_CHANNEL_MEAN))
		xsRangeError("inconsistent window parameters");
	/* Integers first: converting an argument may run JS, which may move the buffers below. */
	slot = tcimInt(the, 5, 0, frames - 1, "ring slot");
	heard = tcimInt(the, 6, 0, frames, "heard frames");
	total = (uint32_t)frames * (uint32_t)channels;
	ring = tcimWords(the, 1, total, 0, "feature ring");
	quant = tcimWords(the, 2, 2 * (uint32_t)channels, 0, "quantizer");
	reference = tcimWords(the, 3, (uint32_t)channels, 1, "reference");
	out = tcimBytes(the, 4, &outBytes, 1);
	if (outBytes < total)
		xsRangeError("codes: %u bytes needed, %u given", (unsigned)total, (unsigned)outBytes);
	for (c = 0; c < channels; c++) {
		int32_t scale = quant[2 * c + 1];
		if (scale < 1 || scale > TCIM_MAX_QUANT_SCALE)
			xsRangeError("quantizer scale of channel %d is %d, outside [1, %d]", (int)c, (int)scale, TCIM_MAX_QUANT_SCALE);
	}

	if (normalize == TCIM_NORMALIZE_CHANNEL_MEAN) {
		for (c = 0; c < channels; c++)
			reference[c] = 0;
		if (heard > 0) {
			at = (uint32_t)((slot + frames - heard) % frames) * (uint32_t)channels;
			for (f = 0; f < heard; f++) {
				for (c = 0; c < channels; c++)
					reference[c] = tcimWrapAdd(reference[c], ring[at + (uint32_t)c]);
				at += (uint32_t)channels;
				if (at == total)
					at = 0;
			}
			for (c = 0; c < channels; c++)
				reference[c] = tcimFloorDiv(reference[c], heard);
		}
	} else {
		int32_t peak = peakFloor > logFloor ? peakFloor : logFloor;
		for (i = 0; i < total; i++)
			if (ring[i] > peak)
				peak = ring[i];
		for (c = 0; c < channels; c++)
			reference[c] = peak;
	}

	unheard = (uint32_t)(frames - heard) * (uint32_t)channels;
	for (o = 0; o < unheard; o++)
		out[o] = 0;
	/* A channel at a time, so its constants (and the 64-bit division of its saturation, costly on a
	 * 32-bit core) are computed once per window, not once per code. */
	at = (uint32_t)((slot + frames - heard) % frames) * (uint32_t)channels;
	for (c = 0; c < channels; c++) {
		int32_t scale = quant[2 * c + 1];
		int64_t base = (int64_t)reference[c] + quant[2 * c];
		int64_t saturation = (((int64_t)maxCode << TCIM_QUANT_SCALE_BITS) + scale - 1) / scale;
		uint32_t from = at + (uint32_t)c;
		for (o = unheard + (uint32_t)c; o < total; o += (uint32_t)channels) {
			int64_t d = (int64_t)ring[from] - base;
			int32_t code = 0;
			if (d >= saturation)
				code = maxCode;
			else if (d > 0) {
				code = tcimShr(d * scale, TCIM_QUANT_SCALE_BITS);
				if (code > maxCode)
					code = maxCode;
			}
			out[o] = (uint8_t)code;
			from += (uint32_t)channels;
			if (from >= total)
				from -= total;
		}
	}
}
