// SPDX-License-Identifier: MIT
/*
 * BTF: the kernel's compact type format (Documentation/bpf/btf.rst).
 *
 *   header   magic 0xeb9f (u16; its byte order is the blob's), version 1,
 *            flags, hdr_len, then type_off/type_len/str_off/str_len
 *            (u32 each, relative to the end of the header)
 *   types    records of 12 bytes (name_off, info, size|type) followed by
 *            kind-specific data; ids count from 1 (0 is void)
 *   strings  NUL-separated, offset 0 is ""
 *
 * Split BTF (a module's) continues its base: its first type id is the
 * base's last + 1 and its string offsets start at the base's string
 * length.  Everything is checked when the blob is loaded (sections inside
 * the blob, every record inside the type section, every kind known, every
 * type id and string offset in range), so the accessors cannot read out
 * of bounds; cycles are bounded where the graph is followed (types.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types/types_internal.h"
#include "util/util.h"
#include "util/vec.h"

#define BTF_MAGIC 0xeb9f
#define BTF_HDR_MIN 24
#define BTF_KIND_MAX 19

struct btf_name {
	const char *name;
	uint32_t id;
	uint8_t kind;
};

struct btf_enumval {
	const char *name;
	int64_t value;
};

struct btf {
	struct gc_type_provider p;
	const struct btf *base;
	uint8_t *data;
	size_t len;
	bool be;
	uint64_t types_at, types_len;  /* absolute in data */
	uint64_t strs_at, strs_len;
	uint32_t start_id;    /* first id of this blob */
	uint32_t start_str;   /* first string offset of this blob */
	uint32_t n;           /* types in this blob */
	uint32_t *off;        /* absolute offset of each type record */
	struct btf_name *names;
	size_t nr_names;
	struct btf_enumval *enums;
	size_t nr_enums;
};

static const struct gc_type_provider_ops btf_ops;

static uint32_t rd32(const struct btf *b, uint64_t at)
{
	return gc_get32(b->data + at, b->be);
}

static uint32_t info_kind(uint32_t info) { return (info >> 24) & 0x1f; }
static uint32_t info_vlen(uint32_t info) { return info & 0xffff; }
static bool info_kflag(uint32_t info) { return info >> 31; }

/* The string at OFF (already validated: inside and NUL-terminated). */
static const char *btf_str(const struct btf *b, uint32_t off)
{
	while (b->base && off < b->start_str)
		b = b->base;
	if (off < b->start_str || off - b->start_str >= b->strs_len)
		return "";
	return (const char *)b->data + b->strs_at + (off - b->start_str);
}

static uint32_t strs_end(const struct btf *b)
{
	return b->start_str + (uint32_t)b->strs_len;
}

static uint32_t ids_end(const struct btf *b)
{
	return b->start_id + b->n;
}

/* The blob that holds ID (ID >= 1). */
static const struct btf *owner(const struct btf *b, uint32_t id)
{
	while (b->base && id < b->start_id)
		b = b->base;
	return b;
}

static struct gc_type handle(const struct btf *b, uint32_t id)
{
	if (id == 0)
		return (struct gc_type){&b->p, 0};
	return (struct gc_type){&owner(b, id)->p, id};
}

/* Bytes of kind-specific data after the 12-byte record. */
static bool extra_size(uint32_t kind, uint32_t vlen, uint64_t *out)
{
	switch (kind) {
	case 1: /* INT */
	case 14: /* VAR */
	case 17: /* DECL_TAG */
		*out = 4;
		return true;
	case 3: /* ARRAY */
		*out = 12;
		return true;
	case 4: /* STRUCT */
	case 5: /* UNION */
	case 15: /* DATASEC */
	case 19: /* ENUM64 */
		*out = (uint64_t)vlen * 12;
		return true;
	case 6: /* ENUM */
	case 13: /* FUNC_PROTO */
		*out = (uint64_t)vlen * 8;
		return true;
	case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16:
	case 18:
		*out = 0;
		return true;
	}
	return false;
}

static struct gc_error *bad(const struct btf *b, uint64_t at, uint32_t id,
			    const char *why_fmt, const char *a, uint64_t v)
{
	(void)b;
	char what[48];
	snprintf(what, sizeof(what), "BTF type %" PRIu32, id);
	char why[160];
	snprintf(why, sizeof(why), why_fmt, a, v);
	return gc_error_at(GC_ERR_FORMAT, at, what, "%s", why);
}

static struct gc_error *check_ref(const struct btf *b, uint64_t at,
				  uint32_t id, const char *field, uint32_t ref)
{
	if (ref >= ids_end(b))
		return gc_error_at(GC_ERR_FORMAT, at, "BTF type reference",
				   "type %" PRIu32 " %s refers to type %" PRIu32
				   ", past the last type %" PRIu32, id, field,
				   ref, ids_end(b) - 1);
	return NULL;
}

static struct gc_error *check_name(const struct btf *b, uint64_t at,
				   uint32_t id, uint32_t off)
{
	if (off >= strs_end(b))
		return gc_error_at(GC_ERR_FORMAT, at, "BTF string offset",
				   "type %" PRIu32 " names string 0x%" PRIx32
				   ", past the string section's end 0x%" PRIx32,
				   id, off, strs_end(b));
	return NULL;
}

/* Second pass over one record: references, names and per-kind limits. */
static struct gc_error *check_type(const struct btf *b, uint32_t id)
{
	uint64_t at = b->off[id - b->start_id];
	uint32_t name = rd32(b, at), info = rd32(b, at + 4),
		 st = rd32(b, at + 8);
	uint32_t kind = info_kind(info), vlen = info_vlen(info);
	uint64_t x = at + 12;
	struct gc_error *err = check_name(b, at, id, name);
	if (err)
		return err;
	switch (kind) {
	case 0:
		return bad(b, at, id, "%skind 0 (void) is not a type record%"
			   PRIu64, "", 0);
	case 1: { /* INT */
		uint32_t e = rd32(b, x);
		uint32_t bits = e & 0xff, boff = (e >> 16) & 0xff;
		if (st == 0 || st > 16)
			return bad(b, at, id, "%sint of %" PRIu64 " bytes "
				   "(1..16 expected)", "", st);
		if (bits > 128 || bits + boff > st * 8)
			return bad(b, at, id, "%sint bits %" PRIu64
				   " do not fit its size", "",
				   (uint64_t)bits + boff);
		return NULL;
	}
	case 2: case 8: case 9: case 10: case 11: case 12: case 18:
		/* PTR TYPEDEF VOLATILE CONST RESTRICT FUNC TYPE_TAG */
		if (kind == 12 && vlen > 2)
			return bad(b, at, id, "%sfunc linkage %" PRIu64
				   " unknown", "", vlen);
		return check_ref(b, at, id, "target", st);
	case 3: /* ARRAY */
		if ((err = check_ref(b, x, id, "element", rd32(b, x))))
			return err;
		return check_ref(b, x + 4, id, "index", rd32(b, x + 4));
	case 4: case 5: /* STRUCT UNION */
		for (uint32_t i = 0; i < vlen; i++) {
			uint64_t m = x + (uint64_t)i * 12;
			if ((err = check_name(b, m, id, rd32(b, m))) ||
			    (err = check_ref(b, m + 4, id, "member",
					     rd32(b, m + 4))))
				return err;
			uint32_t o = rd32(b, m + 8);
			uint64_t bit = info_kflag(info) ? (o & 0xffffff) : o;
			uint32_t bsz = info_kflag(info) ? o >> 24 : 0;
			if (bit + bsz > (uint64_t)st * 8)
				return bad(b, m + 8, id, "%smember ends at bit %"
					   PRIu64 ", past the type's size",
					   "", bit + bsz);
		}
		return NULL;
	case 6: case 19: /* ENUM ENUM64 */
		if (st != 1 && st != 2 && st != 4 && st != 8)
			return bad(b, at, id, "%senum of %" PRIu64 " bytes", "",
				   st);
		for (uint32_t i = 0; i < vlen; i++) {
			uint64_t m = x + (uint64_t)i * (kind == 6 ? 8 : 12);
			if ((err = check_name(b, m, id, rd32(b, m))))
				return err;
		}
		return NULL;
	case 7: /* FWD */
		return NULL;
	case 13: /* FUNC_PROTO */
		if ((err = check_ref(b, at + 8, id, "return", st)))
			return err;
		for (uint32_t i = 0; i < vlen; i++) {
			uint64_t m = x + (uint64_t)i * 8;
			if ((err = check_name(b, m, id, rd32(b, m))) ||
			    (err = check_ref(b, m + 4, id, "parameter",
					     rd32(b, m + 4))))
				return err;
		}
		return NULL;
	case 14: /* VAR */
		return check_ref(b, at + 8, id, "type", st);
	case 15: /* DATASEC */
		for (uint32_t i = 0; i < vlen; i++) {
			uint64_t m = x + (uint64_t)i * 12;
			if ((err = check_ref(b, m, id, "variable", rd32(b, m))))
				return err;
		}
		return NULL;
	case 16: /* FLOAT */
		if (st != 2 && st != 4 && st != 8 && st != 12 && st != 16)
			return bad(b, at, id, "%sfloat of %" PRIu64 " bytes", "",
				   st);
		return NULL;
	case 17: /* DECL_TAG */
		return check_ref(b, at + 8, id, "target", st);
	}
	return bad(b, at, id, "%sunknown kind %" PRIu64, "", kind);
}

static int name_cmp(const void *a, const void *b)
{
	const struct btf_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int enum_cmp(const void *a, const void *b)
{
	const struct btf_enumval *x = a, *y = b;
	return strcmp(x->name, y->name);
}

static bool indexed_kind(uint32_t k)
{
	return k == 1 || k == 4 || k == 5 || k == 6 || k == 7 || k == 8 ||
	       k == 16 || k == 19;
}

static struct gc_error *build_index(struct btf *b)
{
	size_t capn = 0, cape = 0;
	for (uint32_t i = 0; i < b->n; i++) {
		uint64_t at = b->off[i];
		uint32_t name = rd32(b, at), info = rd32(b, at + 4);
		uint32_t kind = info_kind(info);
		const char *s = btf_str(b, name);
		if (*s && indexed_kind(kind)) {
			struct btf_name e = {s, b->start_id + i, (uint8_t)kind};
			if (!gc_vec_push(&b->names, &b->nr_names, &capn, &e))
				return &gc_error_nomem;
		}
		if (kind != 6 && kind != 19)
			continue;
		uint32_t vlen = info_vlen(info);
		for (uint32_t j = 0; j < vlen; j++) {
			uint64_t m = at + 12 + (uint64_t)j * (kind == 6 ? 8 : 12);
			struct btf_enumval e = {btf_str(b, rd32(b, m)), 0};
			if (!*e.name)
				continue;
			if (kind == 6)
				e.value = info_kflag(info) ?
					(int64_t)(int32_t)rd32(b, m + 4) :
					(int64_t)rd32(b, m + 4);
			else
				e.value = (int64_t)((uint64_t)rd32(b, m + 8) << 32 |
						    rd32(b, m + 4));
			if (!gc_vec_push(&b->enums, &b->nr_enums, &cape, &e))
				return &gc_error_nomem;
		}
	}
	if (b->nr_names)
		gc_qsort(b->names, b->nr_names, sizeof(*b->names), name_cmp);
	if (b->nr_enums)
		gc_qsort(b->enums, b->nr_enums, sizeof(*b->enums), enum_cmp);
	return NULL;
}

static struct gc_error *parse(struct btf *b)
{
	if (b->len < BTF_HDR_MIN)
		return gc_error_at(GC_ERR_TRUNCATED, 0, "BTF header",
				   "%zu bytes, a header needs %d", b->len,
				   BTF_HDR_MIN);
	uint16_t magic = gc_get16(b->data, false);
	if (magic == BTF_MAGIC)
		b->be = false;
	else if (magic == __builtin_bswap16(BTF_MAGIC))
		b->be = true;
	else
		return gc_error_at(GC_ERR_FORMAT, 0, "BTF magic",
				   "0x%04x, expected 0xeb9f", magic);
	if (b->data[2] != 1)
		return gc_error_at(GC_ERR_UNSUPPORTED, 2, "BTF version",
				   "%u, only version 1 is known", b->data[2]);
	uint32_t hdr_len = rd32(b, 4);
	if (hdr_len < BTF_HDR_MIN || hdr_len > b->len)
		return gc_error_at(GC_ERR_FORMAT, 4, "BTF hdr_len",
				   "%" PRIu32 " (at least %d, at most the blob's "
				   "%zu bytes)", hdr_len, BTF_HDR_MIN, b->len);
	uint64_t type_off = rd32(b, 8), type_len = rd32(b, 12),
		 str_off = rd32(b, 16), str_len = rd32(b, 20);
	uint64_t room = b->len - hdr_len;
	if (!gc_range_ok(type_off, type_len, room))
		return gc_error_at(GC_ERR_TRUNCATED, 8, "BTF type section",
				   "0x%" PRIx64 "+0x%" PRIx64 " past the blob's "
				   "0x%" PRIx64 " bytes after the header",
				   type_off, type_len, room);
	if (!gc_range_ok(str_off, str_len, room))
		return gc_error_at(GC_ERR_TRUNCATED, 16, "BTF string section",
				   "0x%" PRIx64 "+0x%" PRIx64 " past the blob's "
				   "0x%" PRIx64 " bytes after the header",
				   str_off, str_len, room);
	if (type_off % 4)
		return gc_error_at(GC_ERR_FORMAT, 8, "BTF type_off",
				   "0x%" PRIx64 " is not 4-byte aligned",
				   type_off);
	if (type_off < str_off + str_len && str_off < type_off + type_len &&
	    type_len && str_len)
		return gc_error_at(GC_ERR_FORMAT, 8, "BTF sections",
				   "types 0x%" PRIx64 "+0x%" PRIx64 " overlap "
				   "strings 0x%" PRIx64 "+0x%" PRIx64, type_off,
				   type_len, str_off, str_len);
	b->types_at = hdr_len + type_off;
	b->types_len = type_len;
	b->strs_at = hdr_len + str_off;
	b->strs_len = str_len;
	const uint8_t *s = b->data + b->strs_at;
	if (!b->base && (str_len == 0 || s[0]))
		return gc_error_at(GC_ERR_FORMAT, b->strs_at, "BTF strings",
				   "%s", str_len ? "do not start with the empty "
				   "string" : "section is empty");
	if (str_len && s[str_len - 1])
		return gc_error_at(GC_ERR_FORMAT, b->strs_at + str_len - 1,
				   "BTF strings", "the last string is not "
				   "NUL-terminated");
	/* Names, section names and tags are printable ASCII in every BTF
	 * a compiler writes; any other byte (an escape sequence, invalid
	 * UTF-8) becomes '?' here, in our copy, so that no output made
	 * from these types can carry it. */
	for (uint8_t *c = b->data + b->strs_at; c < b->data + b->strs_at +
							  str_len; c++)
		if (*c && (*c < 0x20 || *c >= 0x7f))
			*c = '?';
	if (b->base) {
		b->start_id = ids_end(b->base);
		b->start_str = strs_end(b->base);
	} else {
		b->start_id = 1;
		b->start_str = 0;
	}
	if ((uint64_t)b->start_str + str_len > 0xffffffffu)
		return gc_error_at(GC_ERR_FORMAT, 20, "BTF str_len",
				   "strings end past offset 2^32");

	/* first pass: records inside the type section */
	size_t cap = 0, nr = 0;
	uint64_t end = b->types_at + type_len;
	for (uint64_t at = b->types_at; at < end;) {
		uint32_t id = b->start_id + b->n;
		if (end - at < 12)
			return gc_error_at(GC_ERR_TRUNCATED, at, "BTF type record",
					   "type %" PRIu32 ": 12 bytes needed, "
					   "%" PRIu64 " left in the type "
					   "section", id, end - at);
		uint32_t info = rd32(b, at + 4);
		uint64_t extra;
		if (!extra_size(info_kind(info), info_vlen(info), &extra) ||
		    info_kind(info) == 0)
			return gc_error_at(GC_ERR_FORMAT, at + 4, "BTF type record",
					   "type %" PRIu32 ": unknown kind %"
					   PRIu32, id, info_kind(info));
		if (extra > end - at - 12)
			return gc_error_at(GC_ERR_TRUNCATED, at, "BTF type record",
					   "type %" PRIu32 " (kind %" PRIu32
					   ", vlen %" PRIu32 ") needs %" PRIu64
					   " bytes, %" PRIu64 " left", id,
					   info_kind(info), info_vlen(info),
					   12 + extra, end - at);
		if (id == UINT32_MAX)
			return gc_error_at(GC_ERR_FORMAT, at, "BTF type record",
					   "too many types");
		uint32_t o32 = (uint32_t)at;
		if (at > UINT32_MAX)
			return gc_error_at(GC_ERR_FORMAT, at, "BTF type record",
					   "past 4 GiB");
		if (!gc_vec_push(&b->off, &nr, &cap, &o32))
			return &gc_error_nomem;
		b->n = (uint32_t)nr;
		at += 12 + extra;
	}
	b->p.nr_types = ids_end(b) - 1;
	/* second pass: references and names */
	for (uint32_t i = 0; i < b->n; i++) {
		struct gc_error *err = check_type(b, b->start_id + i);
		if (err)
			return err;
	}
	return build_index(b);
}

static void btf_destroy(struct gc_type_provider *p)
{
	struct btf *b = (struct btf *)p;
	free(b->data);
	free(b->off);
	free(b->names);
	free(b->enums);
	gc_type_provider_fini(p);
	free(b);
}

static struct gc_error *btf_new(const struct btf *base, const void *data,
				size_t len, const char *source,
				struct gc_type_provider **out)
{
	*out = NULL;
	struct btf *b = calloc(1, sizeof(*b));
	if (!b)
		return &gc_error_nomem;
	b->base = base;
	b->len = len;
	b->data = malloc(len ? len : 1);
	if (!b->data || !gc_type_provider_init(&b->p, &btf_ops, source)) {
		free(b->data);
		free(b);
		return &gc_error_nomem;
	}
	if (len)
		memcpy(b->data, data, len);
	struct gc_error *err = parse(b);
	if (err) {
		btf_destroy(&b->p);
		return err;
	}
	*out = &b->p;
	return NULL;
}

struct gc_error *gc_btf_provider_new(const void *data, size_t len,
				     const char *source,
				     struct gc_type_provider **out)
{
	return btf_new(NULL, data, len, source, out);
}

struct gc_error *gc_btf_provider_new_split(const struct gc_type_provider *base,
					   const void *data, size_t len,
					   const char *source,
					   struct gc_type_provider **out)
{
	*out = NULL;
	if (!base || base->ops != &btf_ops)
		return gc_error_new(GC_ERR_INVALID_ARG, "split BTF",
				    "the base is not a BTF provider");
	return btf_new((const struct btf *)base, data, len, source, out);
}

/* ---- graph queries ------------------------------------------------- */

static const struct btf *btf_of(const struct gc_type_provider *p)
{
	return (const struct btf *)p;
}

static struct gc_error *record(const struct gc_type_provider *p, uint32_t id,
			       const struct btf **ob, uint64_t *at)
{
	const struct btf *b = btf_of(p);
	if (id == 0 || id >= ids_end(b))
		return gc_error_new(GC_ERR_INVALID_ARG, "BTF type",
				    "id %" PRIu32 " is not in %s (1..%" PRIu32
				    ")", id, p->source, ids_end(b) - 1);
	*ob = owner(b, id);
	*at = (*ob)->off[id - (*ob)->start_id];
	return NULL;
}

static const enum gc_type_kind kind_map[BTF_KIND_MAX + 1] = {
	GC_TYPE_VOID, GC_TYPE_INT, GC_TYPE_PTR, GC_TYPE_ARRAY, GC_TYPE_STRUCT,
	GC_TYPE_UNION, GC_TYPE_ENUM, GC_TYPE_FWD, GC_TYPE_TYPEDEF,
	GC_TYPE_VOLATILE, GC_TYPE_CONST, GC_TYPE_RESTRICT, GC_TYPE_FUNC,
	GC_TYPE_FUNC_PROTO, GC_TYPE_VAR, GC_TYPE_DATASEC, GC_TYPE_FLOAT,
	GC_TYPE_DECL_TAG, GC_TYPE_TYPE_TAG, GC_TYPE_ENUM64,
};

static struct gc_error *btf_info(const struct gc_type_provider *p,
				 uint32_t id, struct gc_type_info *out)
{
	const struct btf *b;
	uint64_t at;
	struct gc_error *err = record(p, id, &b, &at);
	if (err)
		return err;
	uint32_t info = rd32(b, at + 4), st = rd32(b, at + 8);
	uint32_t kind = info_kind(info);
	memset(out, 0, sizeof(*out));
	out->kind = kind_map[kind];
	out->name = btf_str(b, rd32(b, at));
	out->vlen = info_vlen(info);
	switch (kind) {
	case 1: {
		uint32_t e = rd32(b, at + 12);
		out->has_size = true;
		out->size = st;
		out->int_encoding = (e >> 24) & 0xf;
		out->int_offset = (e >> 16) & 0xff;
		out->int_bits = e & 0xff;
		out->vlen = 0;
		break;
	}
	case 2:
		out->has_size = true;
		out->size = 8;
		out->has_target = true;
		out->target = handle(b, st);
		out->vlen = 0;
		break;
	case 3:
		out->has_target = true;
		out->target = handle(b, rd32(b, at + 12));
		out->nr_elems = rd32(b, at + 20);
		out->vlen = 0;
		break;
	case 4: case 5: case 15: case 16:
		out->has_size = true;
		out->size = st;
		if (kind == 16)
			out->vlen = 0;
		break;
	case 6: case 19:
		out->has_size = true;
		out->size = st;
		out->is_signed = info_kflag(info);
		break;
	case 7:
		out->fwd_union = info_kflag(info);
		out->vlen = 0;
		break;
	case 8: case 9: case 10: case 11: case 12: case 18: case 14: case 17:
		out->has_target = true;
		out->target = handle(b, st);
		out->vlen = 0;
		break;
	case 13:
		out->has_target = st != 0;
		out->target = handle(b, st);
		break;
	}
	/* a pointer's size is the machine word: 8 for the x86-64 kernels
	 * guestcore reads */
	return NULL;
}

/* Type ID's record, info word and kind, for reading its entry I (a WHAT,
 * "member" or "enumerator"; the error names CTX); an error when the type's
 * kind is not in KINDS (a mask, 1 << kind) or it has no entry I. */
static struct gc_error *entry_record(const struct gc_type_provider *p,
				     uint32_t id, uint32_t i, const char *ctx,
				     const char *what, uint32_t kinds,
				     const struct btf **b, uint64_t *at,
				     uint32_t *info, uint32_t *kind)
{
	struct gc_error *err = record(p, id, b, at);
	if (err)
		return err;
	*info = rd32(*b, *at + 4);
	*kind = info_kind(*info);
	if (i >= info_vlen(*info) || !(kinds >> *kind & 1))
		return gc_error_new(GC_ERR_INVALID_ARG, ctx,
				    "type %" PRIu32 " (kind %" PRIu32 ", vlen %"
				    PRIu32 ") has no %s %" PRIu32, id, *kind,
				    info_vlen(*info), what, i);
	return NULL;
}

static struct gc_error *btf_member(const struct gc_type_provider *p,
				   uint32_t id, uint32_t i,
				   struct gc_member *out)
{
	const struct btf *b;
	uint64_t at;
	uint32_t info, kind;
	struct gc_error *err = entry_record(p, id, i, "BTF member", "member",
					    1u << 4 | 1u << 5 | 1u << 13 |
					    1u << 15, &b, &at, &info, &kind);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	if (kind == 13) { /* parameters */
		uint64_t m = at + 12 + (uint64_t)i * 8;
		out->name = btf_str(b, rd32(b, m));
		out->type = handle(b, rd32(b, m + 4));
		return NULL;
	}
	uint64_t m = at + 12 + (uint64_t)i * 12;
	if (kind == 15) { /* datasec: variable, offset, size */
		out->name = "";
		out->type = handle(b, rd32(b, m));
		out->bit_offset = (uint64_t)rd32(b, m + 4) * 8;
		return NULL;
	}
	out->name = btf_str(b, rd32(b, m));
	out->type = handle(b, rd32(b, m + 4));
	uint32_t o = rd32(b, m + 8);
	if (info_kflag(info)) {
		out->bit_offset = o & 0xffffff;
		out->bitfield_size = o >> 24;
	} else {
		out->bit_offset = o;
	}
	return NULL;
}

static struct gc_error *btf_enumerator(const struct gc_type_provider *p,
				       uint32_t id, uint32_t i,
				       struct gc_enumerator *out)
{
	const struct btf *b;
	uint64_t at;
	uint32_t info, kind;
	struct gc_error *err = entry_record(p, id, i, "BTF enumerator",
					    "enumerator", 1u << 6 | 1u << 19,
					    &b, &at, &info, &kind);
	if (err)
		return err;
	out->is_signed = info_kflag(info);
	if (kind == 6) {
		uint64_t m = at + 12 + (uint64_t)i * 8;
		out->name = btf_str(b, rd32(b, m));
		out->value = out->is_signed ? (int64_t)(int32_t)rd32(b, m + 4) :
					      (int64_t)rd32(b, m + 4);
	} else {
		uint64_t m = at + 12 + (uint64_t)i * 12;
		out->name = btf_str(b, rd32(b, m));
		out->value = (int64_t)((uint64_t)rd32(b, m + 8) << 32 |
				       rd32(b, m + 4));
	}
	return NULL;
}

static bool kind_matches(uint8_t have, enum gc_type_kind want)
{
	enum gc_type_kind k = kind_map[have];
	if (want == GC_TYPE_ENUM)
		return k == GC_TYPE_ENUM || k == GC_TYPE_ENUM64;
	return k == want;
}

static bool find_in(const struct btf *b, const char *name,
		    enum gc_type_kind kind, uint32_t *id)
{
	size_t lo = 0, hi = b->nr_names;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(b->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < b->nr_names && !strcmp(b->names[lo].name, name); lo++)
		if (kind_matches(b->names[lo].kind, kind)) {
			*id = b->names[lo].id;
			return true;
		}
	return false;
}

static bool btf_find(const struct gc_type_provider *p, const char *name,
		     enum gc_type_kind kind, uint32_t *id)
{
	for (const struct btf *b = btf_of(p); b; b = b->base)
		if (find_in(b, name, kind, id))
			return true;
	return false;
}

static bool btf_enum_value(const struct gc_type_provider *p, const char *name,
			   int64_t *value)
{
	for (const struct btf *b = btf_of(p); b; b = b->base) {
		struct btf_enumval key = {name, 0};
		const struct btf_enumval *e =
			b->nr_enums ? bsearch(&key, b->enums, b->nr_enums,
					      sizeof(key), enum_cmp) : NULL;
		if (e) {
			*value = e->value;
			return true;
		}
	}
	return false;
}

static const struct gc_type_provider_ops btf_ops = {
	.kind = "BTF",
	.destroy = btf_destroy,
	.find = btf_find,
	.info = btf_info,
	.member = btf_member,
	.enumerator = btf_enumerator,
	.enum_value = btf_enum_value,
};
