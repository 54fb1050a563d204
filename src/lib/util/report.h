// SPDX-License-Identifier: MIT
/*
 * The inside of a check report.  The library embeds reports in its own
 * objects (a dump's open-time findings) and on the stack; those are
 * emptied with gc_report_clear, not gc_report_free.
 */
#ifndef GC_UTIL_REPORT_H
#define GC_UTIL_REPORT_H

#include <stdarg.h>

#include "guestcore/check.h"

struct gc_report {
	struct gc_finding *items;
	size_t count;
	size_t cap;
};

/* Free the findings of R and leave it empty (R itself stays). */
void gc_report_clear(struct gc_report *r);

/* gc_report_add with the format's arguments in AP. */
struct gc_error *gc_report_vadd(struct gc_report *r, enum gc_severity sev,
				const char *code, bool has_offset,
				uint64_t offset, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

#endif
