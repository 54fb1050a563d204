// SPDX-License-Identifier: MIT
/*
 * VMCSINFO: the text that says where each VMCS field lives in a VMCS region
 * ("REVISION_ID=d\nFIELD(PIN_BASED_VM_EXEC_CONTROL)=01840180\n...": one
 * 4-hex-digit byte offset per 16-bit chunk, high chunk first), its ELF note
 * form (name "VMCSINFO", type 0), the /sys/kernel/vmcsinfo "ADDRESS SIZE"
 * pointer, the layout database and per-field reads and writes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/vmx.h"
#include "util/report.h"
#include "util/util.h"
#include "vmx_internal.h"

#define DEFAULT_REGION 4096u
#define MAX_REGION 0x10000u
#define MAX_NOTE_IN_MEMORY (1u << 20)

struct gc_error *gc_vmx_warn(struct gc_report *r, const char *code,
			     bool has_off, uint64_t off, const char *fmt, ...)
{
	if (!r)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	struct gc_error *err = gc_report_vadd(r, GC_SEV_WARNING, code, has_off,
					      off, fmt, ap);
	va_end(ap);
	return err;
}

void gc_vmcs_layout_free(struct gc_vmcs_layout *l)
{
	if (!l)
		return;
	free(l->locs);
	free(l->source);
	free(l);
}

const struct gc_vmcs_loc *gc_vmcs_layout_find(const struct gc_vmcs_layout *l,
					      uint32_t enc)
{
	size_t lo = 0, hi = l->nr_locs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->locs[mid].encoding == enc)
			return &l->locs[mid];
		if (l->locs[mid].encoding < enc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_loc(const void *a, const void *b)
{
	uint32_t x = ((const struct gc_vmcs_loc *)a)->encoding;
	uint32_t y = ((const struct gc_vmcs_loc *)b)->encoding;
	return x < y ? -1 : x > y;
}

void gc_vmx_layout_sort(struct gc_vmcs_layout *l)
{
	if (l->nr_locs)
		gc_qsort(l->locs, l->nr_locs, sizeof(*l->locs), cmp_loc);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex number of 1..MAXD digits filling [s, s+n). */
static bool parse_hex(const char *s, size_t n, size_t maxd, uint64_t *out)
{
	if (n == 0 || n > maxd)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint64_t)h;
	}
	*out = v;
	return true;
}

static bool starts(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);
	return n >= m && !memcmp(s, p, m);
}

struct gc_error *gc_vmcsinfo_parse(const char *text, size_t len,
				   uint32_t region_size,
				   struct gc_report *w,
				   struct gc_vmcs_layout **out)
{
	*out = NULL;
	if (!region_size)
		region_size = DEFAULT_REGION;
	if (region_size > MAX_REGION)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCSINFO",
				    "region size 0x%x is above the 0x%x "
				    "that 16-bit offsets can address",
				    region_size, MAX_REGION);
	/* The text ends at the first NUL (note padding). */
	const char *nul = memchr(text, '\0', len);
	if (nul)
		len = (size_t)(nul - text);

	struct gc_vmcs_layout *l = calloc(1, sizeof(*l));
	/* owner[b] = 1 + index of the loc holding byte b (0 = free) */
	uint16_t *owner = calloc(region_size, sizeof(*owner));
	if (!l || !owner) {
		free(l);
		free(owner);
		return &gc_error_nomem;
	}
	l->region_size = region_size;
	l->high_first = true;
	bool have_rev = false;
	size_t cap = 0;
	struct gc_error *err = NULL;

	size_t pos = 0;
	unsigned int lineno = 0;
	while (pos < len && !err) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		uint64_t off = pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' ||
			     s[n - 1] == '\t'))
			n--;
		if (!n)
			continue;
		uint64_t v;
		if (starts(s, n, "REVISION_ID=") || starts(s, n, "VMCS_ID=")) {
			size_t k = s[0] == 'R' ? 12 : 8;
			if (!parse_hex(s + k, n - k, 8, &v)) {
				err = gc_vmx_warn(w, "vmcsinfo-syntax", true, off,
						  "VMCSINFO line %u: revision id "
						  "'%.*s' is not a hex number "
						  "of up to 8 digits", lineno,
						  (int)GC_MIN(n - k, 40),
						  s + k);
				continue;
			}
			if (have_rev && l->revision != (v & 0x7fffffffu))
				err = gc_vmx_warn(w, "vmcsinfo-syntax", true,
						  off, "VMCSINFO line %u: a "
						  "second revision id 0x%" PRIx64
						  " (keeping 0x%x)", lineno, v,
						  l->revision);
			if (!have_rev) {
				if (v & 0x80000000u)
					err = gc_vmx_warn(w, "vmcsinfo-syntax",
							  true, off,
							  "VMCSINFO revision id "
							  "0x%" PRIx64 " has bit "
							  "31 (shadow VMCS) set; "
							  "using bits 30:0",
							  v);
				l->revision = (uint32_t)(v & 0x7fffffffu);
				have_rev = true;
			}
			continue;
		}
		if (!starts(s, n, "FIELD(")) {
			const char *eq = memchr(s, '=', n);
			err = gc_vmx_warn(w, "vmcsinfo-syntax", true, off,
					  "VMCSINFO line %u: '%.*s' is %s; "
					  "ignored", lineno,
					  (int)GC_MIN(n, 60), s,
					  eq ? "an unknown key" :
					       "not KEY=VALUE");
			continue;
		}
		const char *close = memchr(s, ')', n);
		if (!close || (size_t)(close - s) + 1 >= n ||
		    close[1] != '=' || close == s + 6) {
			err = gc_vmx_warn(w, "vmcsinfo-syntax", true, off,
					  "VMCSINFO line %u: '%.*s' is not "
					  "FIELD(NAME)=OFFSETS", lineno,
					  (int)GC_MIN(n, 60), s);
			continue;
		}
		char name[80];
		size_t nlen = (size_t)(close - (s + 6));
		if (nlen >= sizeof(name)) {
			err = gc_vmx_warn(w, "vmcsinfo-unknown-field", true,
					  off, "VMCSINFO line %u: field name "
					  "of %zu characters is not in the "
					  "table", lineno, nlen);
			continue;
		}
		memcpy(name, s + 6, nlen);
		name[nlen] = '\0';
		gc_sanitize(name, name, nlen);
		const char *val = close + 2;
		size_t vlen = n - (size_t)(val - s);
		bool high;
		const struct gc_vmcs_field *f = gc_vmcs_field_by_name(name,
								      &high);
		if (!f) {
			err = gc_vmx_warn(w, "vmcsinfo-unknown-field", true,
					  off, "VMCSINFO line %u: field %s is "
					  "not in the VMCS field table; "
					  "ignored", lineno, name);
			continue;
		}
		uint32_t enc = f->encoding | (high ? 1u : 0u);
		unsigned int want = gc_vmcs_enc_bits(enc) / 16;
		if (vlen % 4 || vlen / 4 != want) {
			err = gc_vmx_warn(w, "vmcsinfo-width", true, off,
					  "VMCSINFO line %u: %s is a %u-bit "
					  "field (%u offsets of 4 hex digits) "
					  "but has '%.*s'; ignored", lineno,
					  name, want * 16, want,
					  (int)GC_MIN(vlen, 40), val);
			continue;
		}
		struct gc_vmcs_loc loc = { .encoding = enc,
					   .nr_chunks = (uint8_t)want,
					   .seq = (uint32_t)l->nr_locs };
		bool ok = true;
		for (unsigned int k = 0; k < want && ok; k++) {
			if (!parse_hex(val + 4 * k, 4, 4, &v)) {
				err = gc_vmx_warn(w, "vmcsinfo-syntax", true,
						  off, "VMCSINFO line %u: %s "
						  "offset '%.4s' is not hex; "
						  "ignored", lineno, name,
						  val + 4 * k);
				ok = false;
			} else if (v + 2 > region_size) {
				err = gc_vmx_warn(w, "vmcsinfo-range", true,
						  off, "VMCSINFO line %u: %s "
						  "chunk at 0x%" PRIx64 " ends "
						  "past the 0x%x-byte VMCS "
						  "region; ignored", lineno,
						  name, v, region_size);
				ok = false;
			} else if (v < 8) {
				err = gc_vmx_warn(w, "vmcsinfo-range", true,
						  off, "VMCSINFO line %u: %s "
						  "chunk at 0x%" PRIx64 " is "
						  "inside the 8-byte region "
						  "header; ignored", lineno,
						  name, v);
				ok = false;
			}
			loc.off[k] = (uint16_t)v;
		}
		if (!ok)
			continue;
		for (size_t i = 0; i < l->nr_locs && ok; i++)
			if (l->locs[i].encoding == enc) {
				err = gc_vmx_warn(w, "vmcsinfo-duplicate",
						  true, off, "VMCSINFO line %u: "
						  "%s given again; keeping "
						  "the first", lineno, name);
				ok = false;
			}
		for (unsigned int k = 0; k < want && ok; k++)
			for (unsigned int b = 0; b < 2 && ok; b++) {
				uint16_t o = owner[loc.off[k] + b];
				if (!o)
					continue;
				const struct gc_vmcs_field *g =
					gc_vmcs_field_by_encoding(
						l->locs[o - 1].encoding & ~1u);
				/* A _HIGH entry shares the upper chunks of
				 * its full field by design. */
				if ((l->locs[o - 1].encoding | 1u) ==
				    (enc | 1u))
					continue;
				err = gc_vmx_warn(w, "vmcsinfo-overlap", true,
						  off, "VMCSINFO line %u: %s "
						  "chunk at 0x%x overlaps %s; "
						  "ignored", lineno, name,
						  loc.off[k] + b,
						  g ? g->name : "?");
				ok = false;
			}
		if (!ok)
			continue;
		if (l->nr_locs == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct gc_vmcs_loc *nl2 = realloc(l->locs,
							  nc * sizeof(*nl2));
			if (!nl2) {
				err = &gc_error_nomem;
				break;
			}
			l->locs = nl2;
			cap = nc;
		}
		l->locs[l->nr_locs++] = loc;
		for (unsigned int k = 0; k < want; k++) {
			owner[loc.off[k]] = (uint16_t)l->nr_locs;
			owner[loc.off[k] + 1] = (uint16_t)l->nr_locs;
		}
	}
	free(owner);
	if (!err && !have_rev)
		err = gc_error_new(GC_ERR_FORMAT, "VMCSINFO",
				   "no REVISION_ID= (or VMCS_ID=) line");
	if (!err && !l->nr_locs)
		err = gc_error_new(GC_ERR_FORMAT, "VMCSINFO",
				   "no usable FIELD(NAME)=OFFSETS line");
	if (err) {
		gc_vmcs_layout_free(l);
		return err;
	}
	gc_vmx_layout_sort(l);
	*out = l;
	return NULL;
}

struct gc_error *gc_vmcsinfo_parse_any(const uint8_t *buf, size_t len,
				       struct gc_report *w,
				       struct gc_vmcs_layout **out)
{
	*out = NULL;
	if (len >= 24 && gc_get32(buf, false) == 9 &&
	    !memcmp(buf + 12, "VMCSINFO", 9)) {
		uint32_t descsz = gc_get32(buf + 4, false);
		uint32_t type = gc_get32(buf + 8, false);
		size_t have = len - 24;
		struct gc_error *err = NULL;
		if (type != 0)
			err = gc_vmx_warn(w, "vmcsinfo-note", true, 8,
					  "VMCSINFO note type is %u, not 0",
					  type);
		if (!err && descsz > have)
			err = gc_vmx_warn(w, "vmcsinfo-note", true, 4,
					  "VMCSINFO note says 0x%x body bytes "
					  "but only 0x%zx follow; reading "
					  "those", descsz, have);
		if (err)
			return err;
		return gc_vmcsinfo_parse((const char *)buf + 24,
					 GC_MIN((size_t)descsz, have), 0, w,
					 out);
	}
	return gc_vmcsinfo_parse((const char *)buf, len, 0, w, out);
}

static int cmp_seq(const void *a, const void *b)
{
	uint32_t x = (*(const struct gc_vmcs_loc *const *)a)->seq;
	uint32_t y = (*(const struct gc_vmcs_loc *const *)b)->seq;
	return x < y ? -1 : x > y;
}

char *gc_vmcsinfo_format(const struct gc_vmcs_layout *l)
{
	const struct gc_vmcs_loc **order = malloc((l->nr_locs + 1) *
						  sizeof(*order));
	if (!order)
		return NULL;
	for (size_t i = 0; i < l->nr_locs; i++)
		order[i] = &l->locs[i];
	if (l->nr_locs)
		gc_qsort(order, l->nr_locs, sizeof(*order), cmp_seq);
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	gc_strbuf_printf(&sb, "REVISION_ID=%x\n", l->revision);
	for (size_t i = 0; i < l->nr_locs; i++) {
		const struct gc_vmcs_loc *c = order[i];
		const struct gc_vmcs_field *f =
			gc_vmcs_field_by_encoding(c->encoding & ~1u);
		if (!f)
			continue;
		gc_strbuf_printf(&sb, "FIELD(%s%s)=", f->name,
				 (c->encoding & 1) ? "_HIGH" : "");
		for (unsigned int k = 0; k < c->nr_chunks && k < 4; k++)
			gc_strbuf_printf(&sb, "%04x", c->off[k]);
		gc_strbuf_append(&sb, "\n", 1);
	}
	free(order);
	return gc_strbuf_steal(&sb);
}

struct gc_error *gc_vmcsinfo_note(const struct gc_vmcs_layout *l,
				  uint8_t **out, size_t *len)
{
	*out = NULL;
	char *body = gc_vmcsinfo_format(l);
	if (!body)
		return &gc_error_nomem;
	size_t bl = strlen(body);
	size_t total = 24 + ((bl + 3) & ~(size_t)3);
	uint8_t *b = calloc(1, total);
	if (!b) {
		free(body);
		return &gc_error_nomem;
	}
	gc_put32(b, 9, false);
	gc_put32(b + 4, (uint32_t)bl, false);
	gc_put32(b + 8, 0, false);
	memcpy(b + 12, "VMCSINFO", 8);
	memcpy(b + 24, body, bl);
	free(body);
	*out = b;
	*len = total;
	return NULL;
}

bool gc_vmcsinfo_parse_sysfs(const char *text, uint64_t *addr, uint64_t *size)
{
	const char *p = text;
	uint64_t v[2];
	for (int i = 0; i < 2; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
			p += 2;
		const char *s = p;
		while (hexval(*p) >= 0)
			p++;
		if (!parse_hex(s, (size_t)(p - s), 16, &v[i]))
			return false;
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p || !v[1])
		return false;
	*addr = v[0];
	*size = v[1];
	return true;
}

struct gc_error *gc_vmcsinfo_from_dump(struct gc_dump *d,
				       struct gc_report *w,
				       struct gc_vmcs_layout **out)
{
	*out = NULL;
	for (size_t i = 0; i < gc_dump_nr_notes(d); i++) {
		const struct gc_note *n = gc_dump_note(d, i);
		if (!n || !n->name || strcmp(n->name, "VMCSINFO"))
			continue;
		struct gc_error *err = NULL;
		if (n->type != 0)
			err = gc_vmx_warn(w, "vmcsinfo-note", true, n->offset,
					  "VMCSINFO note type is %u, not 0",
					  n->type);
		if (!err && n->size > MAX_NOTE_IN_MEMORY)
			err = gc_error_at(GC_ERR_FORMAT, n->offset,
					  "VMCSINFO note",
					  "body of 0x%" PRIx64 " bytes is "
					  "implausibly large", n->size);
		if (!err)
			err = gc_vmcsinfo_parse((const char *)n->desc,
						(size_t)n->size, 0, w, out);
		if (err)
			return gc_error_set_file(
				gc_error_context(err, "VMCSINFO note at "
						 "offset 0x%" PRIx64,
						 n->offset), gc_dump_path(d));
		(*out)->source = gc_asprintf("note in %s", gc_dump_path(d));
		return NULL;
	}
	return gc_error_new(GC_ERR_NOT_PRESENT, "VMCSINFO note",
			    "the dump carries none");
}

struct gc_error *gc_vmcsinfo_from_memory(struct gc_dump *d, uint64_t addr,
					 uint64_t size, struct gc_report *w,
					 struct gc_vmcs_layout **out)
{
	*out = NULL;
	if (!size || size > MAX_NOTE_IN_MEMORY)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCSINFO buffer",
				    "size 0x%" PRIx64 " is not in 1..0x%x",
				    size, MAX_NOTE_IN_MEMORY);
	uint8_t *buf = malloc((size_t)size);
	if (!buf)
		return &gc_error_nomem;
	struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS, addr, buf,
					    (size_t)size);
	if (!err)
		err = gc_vmcsinfo_parse_any(buf, (size_t)size, w, out);
	free(buf);
	if (err)
		return gc_error_context(err, "VMCSINFO at physical 0x%" PRIx64,
					addr);
	(*out)->source = gc_asprintf("memory at 0x%" PRIx64 " of %s", addr,
				     gc_dump_path(d));
	return NULL;
}

/* ---- field access ------------------------------------------------------ */

static unsigned int chunk_off(const struct gc_vmcs_loc *c, unsigned int k,
			      bool high_first)
{
	return high_first ? c->off[c->nr_chunks - 1 - k] : c->off[k];
}

bool gc_vmcs_get(const struct gc_vmcs_layout *l, const uint8_t *region,
		 size_t len, bool high_first, uint32_t enc, uint64_t *value)
{
	const struct gc_vmcs_loc *c = gc_vmcs_layout_find(l, enc);
	if (!c || c->nr_chunks > 4)
		return false;
	uint64_t v = 0;
	for (unsigned int k = 0; k < c->nr_chunks; k++) {
		unsigned int o = chunk_off(c, k, high_first);
		if ((size_t)o + 2 > len)
			return false;
		v |= (uint64_t)gc_get16(region + o, false) << (16 * k);
	}
	*value = v;
	return true;
}

bool gc_vmcs_put(const struct gc_vmcs_layout *l, uint8_t *region, size_t len,
		 bool high_first, uint32_t enc, uint64_t value)
{
	const struct gc_vmcs_loc *c = gc_vmcs_layout_find(l, enc);
	if (!c || c->nr_chunks > 4)
		return false;
	for (unsigned int k = 0; k < c->nr_chunks; k++)
		if ((size_t)chunk_off(c, k, high_first) + 2 > len)
			return false;
	for (unsigned int k = 0; k < c->nr_chunks; k++)
		gc_put16(region + chunk_off(c, k, high_first),
			 (uint16_t)(value >> (16 * k)), false);
	return true;
}

static int order_score(const struct gc_vmcs_layout *l, const uint8_t *r,
		       size_t len, bool hf)
{
	int s = 0;
	uint64_t v;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_HOST_CR0, &v))
		s += (v & 0x80000021u) == 0x80000021u ? 2 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_HOST_CR4, &v))
		s += (v & (1u << 13)) && !(v >> 32) ? 2 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_GUEST_CR0, &v))
		s += (v & (1u << 5)) && !(v >> 32) ? 1 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_GUEST_CR4, &v))
		s += (v & (1u << 13)) && !(v >> 32) ? 1 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_HOST_CR3, &v))
		s += v && !(v >> 52) ? 1 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_GUEST_RFLAGS, &v))
		s += (v & 2) && !(v >> 22) ? 1 : -1;
	if (gc_vmcs_get(l, r, len, hf, GC_VMCS_EPT_POINTER, &v) && v) {
		struct gc_eptp_info ei;
		struct gc_error *e = gc_eptp_decode(v, 0, &ei);
		s += e ? -1 : 2;
		gc_error_free(e);
	}
	return s;
}

void gc_vmcs_detect_order(const struct gc_vmcs_layout *l,
			  const uint8_t *region, size_t len, bool *high_first,
			  bool *decided)
{
	int hi = order_score(l, region, len, true);
	int lo = order_score(l, region, len, false);
	*decided = hi != lo;
	*high_first = hi == lo ? l->high_first : hi > lo;
}

/* ---- the layout database ---------------------------------------------- */

struct gc_vmcs_db {
	struct gc_vmcs_layout **items;
	size_t n, cap;
	/* published layouts: tried after a synthetic built-in of the same
	 * revision, never when a note or --layout gave that revision */
	struct gc_vmcs_layout **alts;
	size_t nalts;
};

struct gc_error *gc_vmcs_db_new(bool builtins, struct gc_vmcs_db **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return &gc_error_nomem;
	if (!builtins)
		return NULL;
	static const uint32_t revs[] = { GC_VMCS_REV_CORE2, GC_VMCS_REV_SYNTH };
	for (size_t i = 0; i < GC_ARRAY_SIZE(revs); i++) {
		struct gc_vmcs_layout *l = gc_vmcs_builtin_layout(revs[i]);
		struct gc_error *err = l ? gc_vmcs_db_add(*out, l) :
					   &gc_error_nomem;
		if (err) {
			gc_vmcs_db_free(*out);
			*out = NULL;
			return err;
		}
	}
	return NULL;
}

void gc_vmcs_db_free(struct gc_vmcs_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		gc_vmcs_layout_free(db->items[i]);
	for (size_t i = 0; i < db->nalts; i++)
		gc_vmcs_layout_free(db->alts[i]);
	free(db->items);
	free(db->alts);
	free(db);
}

struct gc_error *gc_vmcs_db_add(struct gc_vmcs_db *db,
				struct gc_vmcs_layout *l)
{
	for (size_t i = 0; i < db->n; i++)
		if (db->items[i]->revision == l->revision) {
			gc_vmcs_layout_free(db->items[i]);
			db->items[i] = l;
			return NULL;
		}
	if (db->n == db->cap) {
		size_t nc = db->cap ? db->cap * 2 : 4;
		struct gc_vmcs_layout **ni = realloc(db->items,
						     nc * sizeof(*ni));
		if (!ni) {
			gc_vmcs_layout_free(l);
			return &gc_error_nomem;
		}
		db->items = ni;
		db->cap = nc;
	}
	db->items[db->n++] = l;
	return NULL;
}

const struct gc_vmcs_layout *gc_vmcs_db_find(const struct gc_vmcs_db *db,
					     uint32_t revision)
{
	return gc_vmcs_db_candidate(db, revision, 0);
}

struct gc_error *gc_vmcs_db_add_published(struct gc_vmcs_db *db)
{
	size_t n = gc_vmcs_nr_published();
	struct gc_vmcs_layout **na = realloc(db->alts,
					     (db->nalts + n) * sizeof(*na));
	if (!na)
		return &gc_error_nomem;
	db->alts = na;
	for (size_t i = 0; i < n; i++) {
		struct gc_vmcs_layout *l = gc_vmcs_published_layout(
			gc_vmcs_published_revision(i, NULL));
		if (!l)
			return &gc_error_nomem;
		db->alts[db->nalts++] = l;
	}
	return NULL;
}

const struct gc_vmcs_layout *gc_vmcs_db_candidate(const struct gc_vmcs_db *db,
						  uint32_t revision, size_t k)
{
	revision &= 0x7fffffffu;
	const struct gc_vmcs_layout *prim = NULL;
	for (size_t i = 0; i < db->n && !prim; i++)
		if (db->items[i]->revision == revision)
			prim = db->items[i];
	if (prim) {
		if (k == 0)
			return prim;
		if (!prim->synthetic)
			return NULL;  /* a note or --layout decides alone */
		k--;
	}
	for (size_t i = 0; i < db->nalts; i++)
		if (db->alts[i]->revision == revision && k-- == 0)
			return db->alts[i];
	return NULL;
}

size_t gc_vmcs_db_count(const struct gc_vmcs_db *db)
{
	return db->n;
}

const struct gc_vmcs_layout *gc_vmcs_db_at(const struct gc_vmcs_db *db,
					   size_t i)
{
	return i < db->n ? db->items[i] : NULL;
}
