// SPDX-License-Identifier: MIT
/* VMCOREINFO text: KEY=VALUE lines into a key table, raw text kept. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/kernel.h"
#include "kernel/vmcoreinfo.h"
#include "util/util.h"

struct gc_vmcoreinfo {
	char *raw;    /* NUL-terminated copy of the text */
	size_t raw_len;
	char *store;  /* split copy: keys and values point in here */
	struct gc_vmcoreinfo_entry *e;
	size_t n;
};

void gc_vmcoreinfo_free(struct gc_vmcoreinfo *vi)
{
	if (!vi)
		return;
	free(vi->raw);
	free(vi->store);
	free(vi->e);
	free(vi);
}

static bool key_ok(const char *k, size_t len)
{
	if (!len || len > 128)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c <= 0x20 || c >= 0x7f)
			return false;
	}
	return true;
}

struct gc_error *gc_vmcoreinfo_parse(const char *text, size_t len,
				     struct gc_vmcoreinfo **out)
{
	*out = NULL;
	/* Stop at the first NUL: the kernel's buffer is zero-padded. */
	const char *nul = memchr(text, '\0', len);
	if (nul)
		len = (size_t)(nul - text);
	if (len > (16u << 20))
		return gc_error_new(GC_ERR_FORMAT, "VMCOREINFO",
				    "text of %zu bytes is implausibly large",
				    len);
	struct gc_vmcoreinfo *vi = calloc(1, sizeof(*vi));
	if (!vi)
		return &gc_error_nomem;
	vi->raw = malloc(len + 1);
	vi->store = malloc(len + 1);
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	vi->e = calloc(lines, sizeof(*vi->e));
	if (!vi->raw || !vi->store || !vi->e) {
		gc_vmcoreinfo_free(vi);
		return &gc_error_nomem;
	}
	memcpy(vi->raw, text, len);
	vi->raw[len] = '\0';
	vi->raw_len = len;
	memcpy(vi->store, text, len);
	vi->store[len] = '\0';
	char *p = vi->store, *end = vi->store + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		*le = '\0';
		if (le > p && le[-1] == '\r')
			le[-1] = '\0';
		char *eq = strchr(p, '=');
		if (eq && key_ok(p, (size_t)(eq - p))) {
			*eq = '\0';
			vi->e[vi->n].key = p;
			vi->e[vi->n].value = eq + 1;
			vi->n++;
		}
		p = le + 1;
	}
	if (!vi->n) {
		gc_vmcoreinfo_free(vi);
		return gc_error_new(GC_ERR_FORMAT, "VMCOREINFO",
				    "no KEY=VALUE line in %zu bytes of text",
				    len);
	}
	*out = vi;
	return NULL;
}

const char *gc_vmcoreinfo_text(const struct gc_vmcoreinfo *vi, size_t *len)
{
	if (len)
		*len = vi->raw_len;
	return vi->raw;
}

size_t gc_vmcoreinfo_count(const struct gc_vmcoreinfo *vi) { return vi->n; }

const struct gc_vmcoreinfo_entry *
gc_vmcoreinfo_entry(const struct gc_vmcoreinfo *vi, size_t i)
{
	return i < vi->n ? &vi->e[i] : NULL;
}

const char *gc_vmcoreinfo_value(const struct gc_vmcoreinfo *vi,
			      const char *key)
{
	if (!vi)
		return NULL;
	/* The last definition wins, as in the kernel's own parsers. */
	for (size_t i = vi->n; i-- > 0;)
		if (!strcmp(vi->e[i].key, key))
			return vi->e[i].value;
	return NULL;
}

static const char *get_wrapped(const struct gc_vmcoreinfo *vi,
			       const char *kind, const char *name)
{
	char key[192];
	if (snprintf(key, sizeof(key), "%s(%s)", kind, name) >=
	    (int)sizeof(key))
		return NULL;
	return gc_vmcoreinfo_value(vi, key);
}

bool gc_vi_parse_u64(const char *s, int base, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == ' ')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || end == s || *end)
		return false;
	*out = v;
	return true;
}

bool gc_vmcoreinfo_symbol(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out)
{
	return gc_vi_parse_u64(get_wrapped(vi, "SYMBOL", name), 16, out);
}

bool gc_vmcoreinfo_number(const struct gc_vmcoreinfo *vi, const char *name,
			  int64_t *out)
{
	const char *s = get_wrapped(vi, "NUMBER", name);
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end) {
		/* Very large unsigned values (sme_mask bit 63). */
		uint64_t u;
		if (!gc_vi_parse_u64(s, 10, &u))
			return false;
		v = (long long)u;
	}
	*out = v;
	return true;
}

bool gc_vmcoreinfo_offset(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out)
{
	return gc_vi_parse_u64(get_wrapped(vi, "OFFSET", name), 10, out);
}

bool gc_vmcoreinfo_size(const struct gc_vmcoreinfo *vi, const char *name,
			uint64_t *out)
{
	return gc_vi_parse_u64(get_wrapped(vi, "SIZE", name), 10, out);
}

bool gc_vmcoreinfo_length(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out)
{
	return gc_vi_parse_u64(get_wrapped(vi, "LENGTH", name), 10, out);
}

bool gc_vmcoreinfo_kerneloffset(const struct gc_vmcoreinfo *vi,
				uint64_t *out)
{
	return gc_vi_parse_u64(gc_vmcoreinfo_value(vi, "KERNELOFFSET"), 16,
			       out);
}

struct gc_error *gc_vmcoreinfo_text_check(const char *text, size_t len,
					  const char *file)
{
	static const char *const keys[] = {
		"OSRELEASE=", "PAGESIZE=", "SYMBOL(", "OFFSET(", "SIZE(",
		"NUMBER(", "LENGTH(", "KERNELOFFSET=", "BUILD-ID=",
		"CRASHTIME=",
	};
	size_t n = 0;
	for (; n < len && text[n]; n++) {
		unsigned char c = (unsigned char)text[n];
		if (c != '\n' && c != '\r' && c != '\t' && (c < 0x20 || c >= 0x7f))
			return gc_error_set_file(
				gc_error_at(GC_ERR_FORMAT, n, "VMCOREINFO text",
					    "byte 0x%02x is not text: not a "
					    "VMCOREINFO file", c), file);
	}
	/* NULs may only pad the end (as in the kernel's note) */
	for (size_t i = n; i < len; i++)
		if (text[i])
			return gc_error_set_file(
				gc_error_at(GC_ERR_FORMAT, n, "VMCOREINFO text",
					    "byte 0x00 is not text: not a "
					    "VMCOREINFO file"), file);
	for (size_t i = 0; i < n; i++) {
		if (i && text[i - 1] != '\n')
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k]);
			if (n - i > kl && !memcmp(text + i, keys[k], kl) &&
			    memchr(text + i, '=', n - i))
				return NULL;
		}
	}
	return gc_error_set_file(
		gc_error_new(GC_ERR_FORMAT, "VMCOREINFO text",
			     "no KEY=VALUE line the kernel writes (OSRELEASE=, "
			     "PAGESIZE=, SYMBOL(name)=, ...) in %zu bytes: not a "
			     "VMCOREINFO file", n), file);
}

bool gc_vmcoreinfo_plausible(const char *text, size_t len)
{
	/* Printable text, starts like the kernel's (OSRELEASE first) and
	 * carries PAGESIZE. */
	if (len < 16 || strncmp(text, "OSRELEASE=", 10))
		return false;
	size_t n = 0;
	for (; n < len && text[n]; n++) {
		unsigned char c = (unsigned char)text[n];
		if (c != '\n' && (c < 0x20 || c >= 0x7f))
			return false;
	}
	const char *nl = memchr(text, '\n', n);
	if (!nl || nl == text + 10)
		return false;
	for (size_t i = 0; i + 9 <= n; i++)
		if (!memcmp(text + i, "PAGESIZE=", 9) &&
		    (i == 0 || text[i - 1] == '\n'))
			return true;
	return false;
}
