// SPDX-License-Identifier: MIT
/* Error objects: construction, context, one-line rendering. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/error.h"
#include "util.h"

struct gc_error {
	enum gc_error_code code;
	char *file;          /* dump file path, or NULL */
	bool has_offset;
	uint64_t offset;     /* file offset the error is about */
	bool has_addr;
	uint64_t addr;       /* address the error is about */
	enum gc_space space; /* ... and its space */
	char *what;          /* the thing that is wrong ("section .xen_p2m") */
	char *why;           /* why, with numbers ("ends at 0x.. past EOF 0x..") */
	char *context;       /* "while X: while Y" prefixes added by callers */
	char *text;          /* cached rendering, owned */
};

struct gc_error gc_error_nomem = {
	.code = GC_ERR_NOMEM,
	.what = "out of memory",
};

static struct gc_error *error_alloc(enum gc_error_code code, const char *what,
				    const char *fmt, va_list ap)
{
	struct gc_error *err = calloc(1, sizeof(*err));
	if (!err)
		return &gc_error_nomem;
	err->code = code;
	err->what = what ? strdup(what) : NULL;
	if (fmt)
		err->why = gc_vasprintf(fmt, ap);
	if ((what && !err->what) || (fmt && !err->why)) {
		gc_error_free(err);
		return &gc_error_nomem;
	}
	return err;
}

struct gc_error *gc_error_new(enum gc_error_code code, const char *what,
			      const char *why_fmt, ...)
{
	va_list ap;
	va_start(ap, why_fmt);
	struct gc_error *err = error_alloc(code, what, why_fmt, ap);
	va_end(ap);
	return err;
}

struct gc_error *gc_error_at(enum gc_error_code code, uint64_t offset,
			     const char *what, const char *why_fmt, ...)
{
	va_list ap;
	va_start(ap, why_fmt);
	struct gc_error *err = error_alloc(code, what, why_fmt, ap);
	va_end(ap);
	if (err != &gc_error_nomem) {
		err->has_offset = true;
		err->offset = offset;
	}
	return err;
}

struct gc_error *gc_error_addr(enum gc_error_code code, enum gc_space space,
			       uint64_t addr, const char *what,
			       const char *why_fmt, ...)
{
	va_list ap;
	va_start(ap, why_fmt);
	struct gc_error *err = error_alloc(code, what, why_fmt, ap);
	va_end(ap);
	if (err != &gc_error_nomem) {
		err->has_addr = true;
		err->addr = addr;
		err->space = space;
	}
	return err;
}

struct gc_error *gc_error_set_file(struct gc_error *err, const char *file)
{
	if (!err || err == &gc_error_nomem || err->file || !file)
		return err;
	err->file = strdup(file);
	free(err->text);
	err->text = NULL;
	return err;
}

struct gc_error *gc_error_context(struct gc_error *err, const char *fmt, ...)
{
	if (!err || err == &gc_error_nomem)
		return err;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (ctx && err->context) {
		char *both = gc_asprintf("%s: %s", ctx, err->context);
		free(ctx);
		ctx = both;
	}
	if (!ctx) {
		/* not the error without its context: out of memory */
		gc_error_free(err);
		return &gc_error_nomem;
	}
	free(err->context);
	err->context = ctx;
	free(err->text);
	err->text = NULL;
	return err;
}

const char *gc_space_name(enum gc_space space)
{
	switch (space) {
	case GC_SPACE_PHYS: return "physical";
	case GC_SPACE_MACH: return "machine";
	case GC_SPACE_KVIRT: return "kernel virtual";
	case GC_SPACE_FILE: return "file";
	default: return "none";
	}
}

const char *gc_error_string(struct gc_error *err)
{
	if (!err)
		return "success";
	if (err == &gc_error_nomem)
		return "out of memory";
	if (err->text)
		return err->text;
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	if (err->file)
		gc_strbuf_printf(&sb, "%s: ", err->file);
	if (err->context)
		gc_strbuf_printf(&sb, "%s: ", err->context);
	if (err->what)
		gc_strbuf_printf(&sb, "%s", err->what);
	if (err->has_offset)
		gc_strbuf_printf(&sb, " at offset 0x%" PRIx64, err->offset);
	if (err->has_addr && !err->has_offset)
		gc_strbuf_printf(&sb, " at %s address 0x%" PRIx64,
				 gc_space_name(err->space), err->addr);
	if (err->why)
		gc_strbuf_printf(&sb, "%s%s", err->what ? ": " : "", err->why);
	err->text = gc_escape_controls(gc_strbuf_steal(&sb));
	return err->text ? err->text : "out of memory";
}

void gc_strbuf_error(struct gc_strbuf *sb, struct gc_error *err)
{
	const char *t = gc_error_string(err);
	if (err == &gc_error_nomem || (err && !err->text)) {
		sb->failed = true;
		return;
	}
	gc_strbuf_append(sb, t, strlen(t));
}

void gc_error_free(struct gc_error *err)
{
	if (!err || err == &gc_error_nomem)
		return;
	free(err->file);
	free(err->what);
	free(err->why);
	free(err->context);
	free(err->text);
	free(err);
}

enum gc_error_code gc_error_code(const struct gc_error *err)
{
	return err ? err->code : 0;
}

const char *gc_error_file(const struct gc_error *err)
{
	return err ? err->file : NULL;
}

bool gc_error_offset(const struct gc_error *err, uint64_t *offset)
{
	if (!err || !err->has_offset)
		return false;
	if (offset)
		*offset = err->offset;
	return true;
}

bool gc_error_address(const struct gc_error *err, uint64_t *addr,
		      enum gc_space *space)
{
	if (!err || !err->has_addr)
		return false;
	if (addr)
		*addr = err->addr;
	if (space)
		*space = err->space;
	return true;
}

const char *gc_error_what(const struct gc_error *err)
{
	return err ? err->what : NULL;
}

const char *gc_error_why(const struct gc_error *err)
{
	return err ? err->why : NULL;
}

const char *gc_error_context_string(const struct gc_error *err)
{
	return err ? err->context : NULL;
}
