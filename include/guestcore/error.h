/* SPDX-License-Identifier: MIT */
/*
 * guestcore error objects.
 *
 * Every fallible library call returns a struct gc_error * (NULL on success)
 * and writes its results through out-parameters.  An error names where it
 * applies (file, file offset, address and address space) and what was
 * expected; callers add context with gc_error_context() instead of printing.
 */
#ifndef GUESTCORE_ERROR_H
#define GUESTCORE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

enum gc_error_code {
	GC_ERR_NOMEM = 1,     /* allocation failed */
	GC_ERR_IO,            /* the operating system refused a read/open */
	GC_ERR_FORMAT,        /* the file is not what it claims (bad field) */
	GC_ERR_TRUNCATED,     /* a structure runs past the end of the file */
	GC_ERR_NOT_PRESENT,   /* the page/frame is not in the dump */
	GC_ERR_EXCLUDED,      /* the page existed but was filtered out */
	GC_ERR_INVALID_ARG,   /* the caller asked for something meaningless */
	GC_ERR_UNSUPPORTED,   /* recognised, but not handled (yet) */
	GC_ERR_TRANSLATION,   /* an address translation stopped */
	GC_ERR_CORRUPT,       /* data failed to decode (codec, checksum) */
	GC_ERR_CANCELLED,     /* the caller asked the work to stop */
};

/* Address spaces an error (or a read) can refer to. */
enum gc_space {
	GC_SPACE_NONE = 0,
	GC_SPACE_PHYS,   /* guest (pseudo-)physical addresses: pfn space */
	GC_SPACE_MACH,   /* machine addresses: mfn space (Xen PV) */
	GC_SPACE_KVIRT,  /* kernel virtual addresses */
	GC_SPACE_FILE,   /* byte offsets in the dump file */
};

/*
 * An error object is opaque: read it through the accessors below.  Errors
 * are owned by whoever receives them and freed with gc_error_free().
 */
struct gc_error;

/* The error returned when allocation fails; never freed (an incomplete
 * object: take its address only). */
extern struct gc_error gc_error_nomem;

/* ---- accessors -------------------------------------------------------- */

enum gc_error_code gc_error_code(const struct gc_error *err);
/* The dump file the error is about, or NULL. */
const char *gc_error_file(const struct gc_error *err);
/* True, with *OFFSET, when the error is about a file offset. */
bool gc_error_offset(const struct gc_error *err, uint64_t *offset);
/* True, with *ADDR and *SPACE, when the error is about an address. */
bool gc_error_address(const struct gc_error *err, uint64_t *addr,
		      enum gc_space *space);
/* What is wrong ("section .xen_p2m"), or NULL. */
const char *gc_error_what(const struct gc_error *err);
/* Why, with numbers ("ends at 0x.. past EOF 0x.."), or NULL. */
const char *gc_error_why(const struct gc_error *err);
/* The callers' context ("while X: while Y"), or NULL. */
const char *gc_error_context_string(const struct gc_error *err);

/* New error: WHAT and a printf-style WHY. */
struct gc_error *gc_error_new(enum gc_error_code code, const char *what,
			      const char *why_fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* New error about file offset OFFSET. */
struct gc_error *gc_error_at(enum gc_error_code code, uint64_t offset,
			     const char *what, const char *why_fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* New error about address ADDR in SPACE. */
struct gc_error *gc_error_addr(enum gc_error_code code, enum gc_space space,
			       uint64_t addr, const char *what,
			       const char *why_fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Attach the file name if none is set yet.  Returns ERR. */
struct gc_error *gc_error_set_file(struct gc_error *err, const char *file);
/* Prefix context ("reading pfn 0x12"); returns ERR (or nomem). */
struct gc_error *gc_error_context(struct gc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * One line: "FILE: CONTEXT: WHAT at offset 0xOFF: WHY".  The string is
 * owned by the error and lives until gc_error_free().
 */
const char *gc_error_string(struct gc_error *err);
void gc_error_free(struct gc_error *err);

const char *gc_space_name(enum gc_space space);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
