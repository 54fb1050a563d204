// SPDX-License-Identifier: MIT
/* Strings: asprintf and a growable buffer. */
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

char *gc_vasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *gc_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = gc_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void gc_strbuf_init(struct gc_strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

static bool strbuf_reserve(struct gc_strbuf *sb, size_t extra)
{
	if (sb->failed)
		return false;
	if (sb->len + extra + 1 <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	char *b = realloc(sb->buf, cap);
	if (!b) {
		sb->failed = true;
		return false;
	}
	sb->buf = b;
	sb->cap = cap;
	return true;
}

void gc_strbuf_append(struct gc_strbuf *sb, const char *s, size_t len)
{
	if (!strbuf_reserve(sb, len))
		return;
	memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void gc_strbuf_printf(struct gc_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (!s) {
		sb->failed = true;
		return;
	}
	gc_strbuf_append(sb, s, strlen(s));
	free(s);
}

char *gc_strbuf_steal(struct gc_strbuf *sb)
{
	if (sb->failed) {
		gc_strbuf_free(sb);
		return NULL;
	}
	if (!sb->buf) {
		char *e = malloc(1);
		if (e)
			e[0] = '\0';
		return e;
	}
	char *b = sb->buf;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return b;
}

void gc_strbuf_free(struct gc_strbuf *sb)
{
	free(sb->buf);
	gc_strbuf_init(sb);
}

void gc_sanitize(char *dst, const void *src, size_t len)
{
	const unsigned char *s = src;
	size_t i;
	for (i = 0; i < len && s[i]; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	dst[i] = '\0';
}

char *gc_escape_controls(char *s)
{
	if (!s)
		return NULL;
	size_t n = 0, extra = 0;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			extra += 3;
	if (!extra)
		return s;
	char *o = malloc(n + extra + 1), *p = o;
	if (!o) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	*p = '\0';
	free(s);
	return o;
}
