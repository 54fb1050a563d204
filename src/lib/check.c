// SPDX-License-Identifier: MIT
/* Check reports: findings collected at open time and by format checkers. */
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"

const char *gc_severity_name(enum gc_severity sev)
{
	switch (sev) {
	case GC_SEV_OK: return "ok";
	case GC_SEV_NOTE: return "note";
	case GC_SEV_WARNING: return "warning";
	case GC_SEV_ERROR: return "error";
	}
	return "?";
}

struct gc_error *gc_report_add(struct gc_report *r, enum gc_severity sev,
			       const char *code, bool has_offset,
			       uint64_t offset, const char *fmt, ...)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct gc_finding *n = realloc(r->items, cap * sizeof(*n));
		if (!n)
			return &gc_error_nomem;
		r->items = n;
		r->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = gc_vasprintf(fmt, ap);
	va_end(ap);
	char *c = strdup(code);
	if (!msg || !c) {
		free(msg);
		free(c);
		return &gc_error_nomem;
	}
	r->items[r->count++] = (struct gc_finding){
		.severity = sev, .code = c, .message = msg,
		.has_offset = has_offset, .offset = offset,
	};
	return NULL;
}

size_t gc_report_problems(const struct gc_report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].severity >= GC_SEV_WARNING)
			n++;
	return n;
}

void gc_report_free(struct gc_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].code);
		free(r->items[i].message);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

struct gc_error *gc_dump_check(struct gc_dump *d, unsigned int flags,
			       struct gc_report *report)
{
	for (size_t i = 0; i < d->findings.count; i++) {
		const struct gc_finding *f = &d->findings.items[i];
		struct gc_error *err = gc_report_add(report, f->severity,
						     f->code, f->has_offset,
						     f->offset, "%s",
						     f->message);
		if (err)
			return err;
	}
	if (d->ops->check)
		return d->ops->check(d, flags, report);
	return NULL;
}
