/* Linked instead of natives.c for the TypeScript-kernel (JS-only) image: no TempoCIMNative. */
#include "xs.h"

void tcimInstallNatives(xsMachine *the)
{
	(void)the;
}
