/* SPDX-License-Identifier: MIT */
/*
 * guestcore checks: validate everything checkable in a dump and explain
 * each finding in plain words with numbers.
 */
#ifndef GUESTCORE_CHECK_H
#define GUESTCORE_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "dump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

enum gc_severity {
	GC_SEV_OK = 0,    /* a check that passed (listed for completeness) */
	GC_SEV_NOTE,      /* worth knowing, not a problem */
	GC_SEV_WARNING,   /* a problem: some data is missing or suspect */
	GC_SEV_ERROR,     /* a problem that makes part of the dump unusable */
};
const char *gc_severity_name(enum gc_severity sev);

struct gc_finding {
	enum gc_severity severity;
	char *code;      /* stable short id: "index-size", "cr3-missing" */
	char *message;   /* one line, plain words, with numbers */
	bool has_offset;
	uint64_t offset; /* file offset it is about */
};

/* A list of findings (opaque): gc_report_new, gc_report_count,
 * gc_report_finding, gc_report_free. */
struct gc_report;
struct gc_report *gc_report_new(void);
size_t gc_report_count(const struct gc_report *report);
/* Finding I (< gc_report_count), owned by the report. */
const struct gc_finding *gc_report_finding(const struct gc_report *report,
					   size_t i);

enum {
	GC_CHECK_DEEP = 1 << 0,  /* read (and decompress) every page */
};

/* Run every check; findings are appended to REPORT. */
struct gc_error *gc_dump_check(struct gc_dump *dump, unsigned int flags,
			       struct gc_report *report);
/* Number of findings with severity >= WARNING. */
size_t gc_report_problems(const struct gc_report *report);
/* Free a report from gc_report_new and its findings (NULL is fine). */
void gc_report_free(struct gc_report *report);

/* Append a finding (used by the library's checkers). */
struct gc_error *gc_report_add(struct gc_report *report, enum gc_severity sev,
			       const char *code, bool has_offset,
			       uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
