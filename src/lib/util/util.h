// SPDX-License-Identifier: MIT
/* Internal helpers: strings, byte order, overflow-checked arithmetic. */
#ifndef GC_UTIL_H
#define GC_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define GC_MIN(a, b) ((a) < (b) ? (a) : (b))
#define GC_MAX(a, b) ((a) > (b) ? (a) : (b))

char *gc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gc_vasprintf(const char *fmt, va_list ap);

/* Growable string. */
struct gc_strbuf {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
};
void gc_strbuf_init(struct gc_strbuf *sb);
void gc_strbuf_printf(struct gc_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void gc_strbuf_append(struct gc_strbuf *sb, const char *s, size_t len);
/* Returns the string (caller frees) or NULL if any append failed. */
char *gc_strbuf_steal(struct gc_strbuf *sb);
void gc_strbuf_free(struct gc_strbuf *sb);
/* Append ERR's one line (gc_error_string); out of memory, ERR itself
 * included, fails SB rather than appending "out of memory". */
struct gc_error;
void gc_strbuf_error(struct gc_strbuf *sb, struct gc_error *err);

/* LEN bytes at P are all zero. */
bool gc_page_is_zero(const uint8_t *p, size_t len);

/* Overflow-checked arithmetic: false on overflow. */
/* qsort of N elements of SIZE bytes; fewer than 2 (BASE may then be NULL,
 * which qsort must not be given) is already sorted. */
static inline void gc_qsort(void *base, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static inline bool gc_add_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}
static inline bool gc_mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}
/* [off, off+len) lies within [0, size). */
static inline bool gc_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Byte-order readers from unaligned memory. */
static inline uint16_t gc_get16(const void *p, bool be)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return be ? __builtin_bswap16(v) : v;
}
static inline uint32_t gc_get32(const void *p, bool be)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be ? __builtin_bswap32(v) : v;
}
static inline uint64_t gc_get64(const void *p, bool be)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return be ? __builtin_bswap64(v) : v;
}
static inline void gc_put16(void *p, uint16_t v, bool be)
{
	if (be)
		v = __builtin_bswap16(v);
	memcpy(p, &v, 2);
}
static inline void gc_put32(void *p, uint32_t v, bool be)
{
	if (be)
		v = __builtin_bswap32(v);
	memcpy(p, &v, 4);
}
static inline void gc_put64(void *p, uint64_t v, bool be)
{
	if (be)
		v = __builtin_bswap64(v);
	memcpy(p, &v, 8);
}

/* Copy up to LEN bytes of SRC (stopping at NUL) into DST (LEN + 1 bytes),
 * every byte outside printable ASCII replaced by '?'. */
void gc_sanitize(char *dst, const void *src, size_t len);

/* S with every control byte (below 0x20, and 0x7f) written as \xNN, so
 * that text taken from a dump cannot drive the terminal it is printed on
 * (an ESC in a VMCSINFO key).  Returns a new string (NULL: no memory);
 * S itself is freed. */
char *gc_escape_controls(char *s);

/* The file offset an error names, 0 when it names none. */
#include "guestcore/error.h"
static inline uint64_t gc_err_off(const struct gc_error *e)
{
	uint64_t o = 0;
	gc_error_offset(e, &o);
	return o;
}

#endif
