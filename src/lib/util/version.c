// SPDX-License-Identifier: MIT
#include "guestcore/guestcore.h"

const char *gc_version(void)
{
	return GUESTCORE_VERSION;
}
