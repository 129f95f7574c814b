/*
 * XS platform header for the bare-metal RV32 device image (selected with
 * -DXSPLATFORM=\"rv32_xs.h\"): single thread, no files, no modules, no debugger, fixed heap.
 * XS's own defaults (xsPlatforms.c) cover keys, chunk and slot allocation (malloc over the fixed
 * heap), script parsing and aborting; xs_platform.c supplies the rest.
 */
#ifndef TEMPO_RV32_XS_H
#define TEMPO_RV32_XS_H

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define mxUseDefaultMachinePlatform 1
#define mxUseDefaultBuildKeys 1
#define mxUseDefaultChunkAllocation 1
#define mxUseDefaultSlotAllocation 1
#define mxUseDefaultParseScript 1
#define mxUseDefaultQueuePromiseJobs 1
#define mxUseDefaultSharedChunks 1
#define mxUseDefaultAbort 1

#define mxMachinePlatform \
	void* waiterCondition; \
	void* waiterData; \
	void* waiterLink;

/* Deterministic clock: Date.now() and timers read 0 (the runtime does not use them). */
#include <sys/time.h>
typedef struct timeval c_timeval;
#define c_timezone timezone
#define c_gettimeofday deviceGettimeofday
extern int deviceGettimeofday(c_timeval *tp, struct timezone *tzp);

#define C_PATH_MAX 256

#endif
