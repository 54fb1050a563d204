// SPDX-License-Identifier: MIT
/* Check reports: findings collected at open time and by format checkers. */
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"
#include "util/report.h"
#include "util/vec.h"

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

struct gc_error *gc_report_vadd(struct gc_report *r, enum gc_severity sev,
				const char *code, bool has_offset,
				uint64_t offset, const char *fmt, va_list ap)
{
	if (!gc_vec_reserve(&r->items, &r->cap, r->count + 1))
		return &gc_error_nomem;
	char *msg = gc_escape_controls(gc_vasprintf(fmt, ap));
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

struct gc_error *gc_report_add(struct gc_report *r, enum gc_severity sev,
			       const char *code, bool has_offset,
			       uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct gc_error *err = gc_report_vadd(r, sev, code, has_offset, offset,
					      fmt, ap);
	va_end(ap);
	return err;
}

size_t gc_report_problems(const struct gc_report *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].severity >= GC_SEV_WARNING)
			n++;
	return n;
}

void gc_report_clear(struct gc_report *r)
{
	for (size_t i = 0; i < r->count; i++) {
		free(r->items[i].code);
		free(r->items[i].message);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

struct gc_report *gc_report_new(void)
{
	return calloc(1, sizeof(struct gc_report));
}

void gc_report_free(struct gc_report *r)
{
	if (!r)
		return;
	gc_report_clear(r);
	free(r);
}

size_t gc_report_count(const struct gc_report *r)
{
	return r ? r->count : 0;
}

const struct gc_finding *gc_report_finding(const struct gc_report *r,
					   size_t i)
{
	return r && i < r->count ? &r->items[i] : NULL;
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
