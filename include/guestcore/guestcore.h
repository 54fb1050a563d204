/* SPDX-License-Identifier: MIT */
/* libguestcore: the umbrella header. */
#ifndef GUESTCORE_H
#define GUESTCORE_H

#include "error.h"
#include "dump.h"
#include "check.h"
#include "json.h"
#include "kernel.h"
#include "types.h"

#define GUESTCORE_VERSION "0.1.0"

#endif
