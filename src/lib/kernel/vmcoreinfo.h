// SPDX-License-Identifier: MIT
/* VMCOREINFO helpers shared inside the kernel layer. */
#ifndef GC_KERNEL_VMCOREINFO_H
#define GC_KERNEL_VMCOREINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whole-string unsigned number in BASE; false on junk or overflow. */
bool gc_vi_parse_u64(const char *s, int base, uint64_t *out);
/* Does TEXT (LEN bytes, may hold a NUL) look like the kernel's
 * VMCOREINFO: OSRELEASE= first, printable, with a PAGESIZE= line? */
bool gc_vmcoreinfo_plausible(const char *text, size_t len);

#endif
