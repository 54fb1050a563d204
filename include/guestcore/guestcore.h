/* SPDX-License-Identifier: MIT */
/*
 * libguestcore: the umbrella header (every public header).
 *
 * Thread safety: the library keeps no global mutable state.  Distinct
 * objects (dumps, kernels, guests, writers) may be used from distinct
 * threads at the same time; one object, and everything opened from it
 * (a kernel view of a dump, a guest inside a host dump), is used by one
 * thread at a time unless its header says otherwise.  Errors and reports
 * belong to whoever received them.
 */
#ifndef GUESTCORE_H
#define GUESTCORE_H

#include "error.h"
#include "arch.h"
#include "dump.h"
#include "check.h"
#include "kernel.h"
#include "writer.h"
#include "vmx.h"
#include "qemu.h"
#include "guest.h"
#include "kvm.h"
#include "svm.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version this header belongs to; gc_version() says the library's. */
#define GUESTCORE_VERSION "0.1.0"
#define GUESTCORE_VERSION_MAJOR 0
#define GUESTCORE_VERSION_MINOR 1
#define GUESTCORE_VERSION_PATCH 0

#pragma GCC visibility push(default)
/* The library's version ("0.1.0"), which may be newer than the header's. */
const char *gc_version(void);
#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
