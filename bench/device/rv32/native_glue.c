/*
 * Native-kernel image: installs globalThis.TempoCIMNative with the XS test host's own installer
 * (compiler/xs/host/natives.c, which lists the kernels), so both hosts bind the same functions.
 * That installer first installs xsnap's base64 module, which the device image does not have.
 */
#include "xs.h"

extern void tcimInstallHost(xsMachine *the);

void modInstallBase64(xsMachine *the)
{
	(void)the;
}

void tcimInstallNatives(xsMachine *the)
{
	tcimInstallHost(the);
}
