/*
 * The device image's main: one XS machine, a few host functions, then the runtime bundle and the
 * benchmark driver evaluated as scripts (the parse happens before any phase marker).
 *
 *   qemu-riscv32 -plugin ... tempo-rv32.elf RUNTIME.js DRIVER.js [driver arguments...]
 *
 * Globals for the driver: deviceMark(phase) (phase marker ecall), devicePrint(text),
 * deviceReadFile(path) (a host buffer over the file's bytes, read in place like a Moddable flash
 * Resource), deviceArgs (the driver arguments). With native kernels linked in, native_glue.c installs
 * globalThis.TempoCIMNative as the XS test host does.
 */
#include "xs.h"
#include "device.h"

extern void tcimInstallNatives(xsMachine *the);

static void xs_deviceMark(xsMachine *the)
{
	deviceMark((uint32_t)xsToInteger(xsArg(0)));
}

static void xs_devicePrint(xsMachine *the)
{
	const char *text = xsToString(xsArg(0));
	deviceWrite(1, text, strlen(text));
}

static void xs_deviceReadFile(xsMachine *the)
{
	size_t size = 0;
	uint8_t *data = deviceReadFile(xsToString(xsArg(0)), &size);
	if (data == NULL)
		xsUnknownError("cannot read %s", xsToString(xsArg(0)));
	xsResult = xsNewHostObject(NULL);
	xsSetHostBuffer(xsResult, data, (xsIntegerValue)size);
}

static void define(xsMachine *the, const char *name, xsCallback callback, int length)
{
	xsVar(0) = xsNewHostFunction(callback, length);
	xsDefine(xsGlobal, xsID(name), xsVar(0), xsDontEnum);
}

static int evaluateFile(xsMachine *the, const char *path)
{
	size_t size = 0;
	uint8_t *text = deviceReadFile(path, &size);
	if (text == NULL) {
		fprintf(stderr, "device: cannot read %s\n", path);
		return 0;
	}
	text = realloc(text, size + 1);
	text[size] = 0;
	xsCall1(xsGlobal, xsID("eval"), xsString((char *)text));
	free(text);
	return 1;
}

int main(int argc, char **argv)
{
	static xsCreation creation = {
		1024 * 1024,	/* initialChunkSize */
		256 * 1024,	/* incrementalChunkSize */
		32 * 1024,	/* initialHeapCount (slots) */
		8 * 1024,	/* incrementalHeapCount */
		4096,		/* stackCount */
		2048,		/* initialKeyCount */
		512,		/* incrementalKeyCount */
		127,		/* nameModulo */
		127,		/* symbolModulo */
		256 * 1024,	/* parserBufferSize */
		127,		/* parserTableModulo */
	};
	xsMachine *the;
	int status = 0;
	if (argc < 3) {
		fprintf(stderr, "usage: tempo-rv32.elf RUNTIME.js DRIVER.js [ARGS...]\n");
		return 2;
	}
	the = xsCreateMachine(&creation, "tempo-rv32", NULL);
	if (the == NULL) {
		fprintf(stderr, "device: cannot create the XS machine\n");
		return 1;
	}
	xsBeginHost(the);
	{
		xsVars(2);
		xsTry {
			int i;
			define(the, "deviceMark", xs_deviceMark, 1);
			define(the, "devicePrint", xs_devicePrint, 1);
			define(the, "deviceReadFile", xs_deviceReadFile, 1);
			tcimInstallNatives(the);
			xsVar(1) = xsNewArray(0);
			for (i = 3; i < argc; i++)
				xsCall1(xsVar(1), xsID("push"), xsString(argv[i]));
			xsDefine(xsGlobal, xsID("deviceArgs"), xsVar(1), xsDontEnum);
			if (!evaluateFile(the, argv[1]) || !evaluateFile(the, argv[2]))
				status = 1;
		}
		xsCatch {
			const char *message = xsToString(xsException);
			fprintf(stderr, "device: uncaught exception: %s\n", message);
			status = 1;
		}
	}
	xsEndHost(the);
	xsDeleteMachine(the);
	return status;
}
