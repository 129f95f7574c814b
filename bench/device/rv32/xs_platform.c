/* The platform functions XS needs beyond its defaults, for the RV32 device image. */
#include "xsAll.h"

int deviceGettimeofday(c_timeval *tp, struct timezone *tzp)
{
	tp->tv_sec = 0;
	tp->tv_usec = 0;
	if (tzp) {
		tzp->tz_minuteswest = 0;
		tzp->tz_dsttime = 0;
	}
	return 0;
}

uint32_t modMilliseconds(void)
{
	return 0;
}

/* Scripts only: the image has no module loader. */
txID fxFindModule(txMachine* the, txSlot* realm, txID moduleID, txSlot* slot)
{
	return XS_NO_ID;
}

void fxLoadModule(txMachine* the, txSlot* module, txID moduleID)
{
}
