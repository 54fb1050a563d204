// SPDX-License-Identifier: MIT
/*
 * The JSON VM description QEMU appends to a migration stream
 * (QEMU_VM_VMDESCRIPTION): a small JSON reader into a flat node array,
 * and the questions the stream reader asks of it (how many bytes a
 * device section holds, where a named field lies in it).
 *
 * The description lists, per device, the fields in the order they were
 * written, each with "size" (bytes of one element, or of the whole
 * field when it was written once), "array_len" for arrays written as N
 * elements of one size, "struct" for nested descriptions, and
 * "subsections" written after the fields (each preceded on the wire by
 * 0x05, a length-prefixed name and a 32-bit version).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "qemu_stream.h"

#define QJ_MAX_DEPTH 64

struct qj_parser {
	const char *s;
	size_t len, pos;
	struct qj_node *nodes;
	size_t nr, cap;
	const char *why;
};

static void ws(struct qj_parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' ||
				   p->s[p->pos] == '\r' || p->s[p->pos] == '\t'))
		p->pos++;
}

static long new_node(struct qj_parser *p, enum qj_type t)
{
	struct qj_node n = { .type = t, .first = -1, .next = -1 };
	if (!gc_vec_push(&p->nodes, &p->nr, &p->cap, &n)) {
		p->why = NULL;
		return -1;
	}
	return (long)p->nr - 1;
}

static bool str(struct qj_parser *p, const char **s, size_t *len)
{
	if (p->pos >= p->len || p->s[p->pos] != '"') {
		p->why = "expected a string";
		return false;
	}
	size_t start = ++p->pos;
	while (p->pos < p->len && p->s[p->pos] != '"') {
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len) {
		p->why = "unterminated string";
		return false;
	}
	*s = p->s + start;
	*len = p->pos - start;
	p->pos++;
	return true;
}

static long value(struct qj_parser *p, unsigned depth);

static long container(struct qj_parser *p, unsigned depth, bool obj)
{
	long me = new_node(p, obj ? QJ_OBJ : QJ_ARR);
	if (me < 0)
		return -1;
	p->pos++;
	ws(p);
	long prev = -1;
	if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
		p->pos++;
		return me;
	}
	for (;;) {
		const char *k = NULL;
		size_t kl = 0;
		ws(p);
		if (obj) {
			if (!str(p, &k, &kl))
				return -1;
			ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				p->why = "expected ':'";
				return -1;
			}
			p->pos++;
		}
		long c = value(p, depth + 1);
		if (c < 0)
			return -1;
		p->nodes[c].key = k;
		p->nodes[c].keylen = kl;
		if (prev < 0)
			p->nodes[me].first = c;
		else
			p->nodes[prev].next = c;
		p->nodes[me].count++;
		prev = c;
		ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
			p->pos++;
			return me;
		}
		p->why = obj ? "expected ',' or '}'" : "expected ',' or ']'";
		return -1;
	}
}

static long value(struct qj_parser *p, unsigned depth)
{
	if (depth > QJ_MAX_DEPTH) {
		p->why = "nested too deeply";
		return -1;
	}
	ws(p);
	if (p->pos >= p->len) {
		p->why = "unexpected end";
		return -1;
	}
	char c = p->s[p->pos];
	if (c == '{' || c == '[')
		return container(p, depth, c == '{');
	if (c == '"') {
		long n = new_node(p, QJ_STR);
		if (n < 0)
			return -1;
		const char *s;
		size_t l;
		if (!str(p, &s, &l))
			return -1;
		p->nodes[n].str = s;
		p->nodes[n].strlen = l;
		return n;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		long n = new_node(p, QJ_NUM);
		if (n < 0)
			return -1;
		bool neg = c == '-';
		if (neg)
			p->pos++;
		uint64_t v = 0;
		bool any = false;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
			if (!gc_mul_ok(v, 10, &v) ||
			    !gc_add_ok(v, (uint64_t)(p->s[p->pos] - '0'), &v)) {
				p->why = "number out of range";
				return -1;
			}
			p->pos++;
			any = true;
		}
		if (!any || v > INT64_MAX) {
			p->why = "bad number";
			return -1;
		}
		/* a fraction or exponent: the integer part is kept (a VM
		 * description has none; other JSON may) */
		if (p->pos < p->len && p->s[p->pos] == '.') {
			p->pos++;
			while (p->pos < p->len && p->s[p->pos] >= '0' &&
			       p->s[p->pos] <= '9')
				p->pos++;
		}
		if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
			p->pos++;
			if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
				p->pos++;
			while (p->pos < p->len && p->s[p->pos] >= '0' &&
			       p->s[p->pos] <= '9')
				p->pos++;
		}
		p->nodes[n].num = neg ? -(int64_t)v : (int64_t)v;
		return n;
	}
	static const struct { const char *w; enum qj_type t; int64_t v; } lit[] = {
		{ "true", QJ_BOOL, 1 }, { "false", QJ_BOOL, 0 }, { "null", QJ_NULL, 0 },
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(lit); i++) {
		size_t l = strlen(lit[i].w);
		if (p->len - p->pos >= l && !memcmp(p->s + p->pos, lit[i].w, l)) {
			long n = new_node(p, lit[i].t);
			if (n < 0)
				return -1;
			p->nodes[n].num = lit[i].v;
			p->pos += l;
			return n;
		}
	}
	p->why = "unexpected character";
	return -1;
}

struct gc_error *gc_qj_parse(const char *text, size_t len, uint64_t offset,
			     struct qj_doc *out)
{
	memset(out, 0, sizeof(*out));
	struct qj_parser p = { .s = text, .len = len, .why = "?" };
	long root = value(&p, 0);
	if (root >= 0) {
		ws(&p);
		if (p.pos != len) {
			root = -1;
			p.why = "bytes after the end of the JSON value";
		}
	}
	if (root < 0) {
		free(p.nodes);
		if (!p.why)
			return &gc_error_nomem;
		return gc_error_at(GC_ERR_FORMAT, offset + p.pos,
				   "VM description (JSON)", "%s at byte %zu of %zu",
				   p.why, p.pos, len);
	}
	out->nodes = p.nodes;
	out->nr = p.nr;
	out->text = text;
	return NULL;
}

void gc_qj_free(struct qj_doc *doc)
{
	free(doc->nodes);
	memset(doc, 0, sizeof(*doc));
}

const struct qj_node *gc_qj_get(const struct qj_doc *doc,
				const struct qj_node *obj, const char *key)
{
	if (!obj || obj->type != QJ_OBJ)
		return NULL;
	size_t kl = strlen(key);
	for (long c = obj->first; c >= 0; c = doc->nodes[c].next) {
		const struct qj_node *n = &doc->nodes[c];
		if (n->keylen == kl && !memcmp(n->key, key, kl))
			return n;
	}
	return NULL;
}

bool gc_qj_int(const struct qj_doc *doc, const struct qj_node *obj,
	       const char *key, int64_t *v)
{
	const struct qj_node *n = gc_qj_get(doc, obj, key);
	if (!n || n->type != QJ_NUM)
		return false;
	*v = n->num;
	return true;
}

bool gc_qj_streq(const struct qj_node *n, const char *s)
{
	size_t l = strlen(s);
	return n && n->type == QJ_STR && n->strlen == l && !memcmp(n->str, s, l);
}

const struct qj_node *gc_qj_child(const struct qj_doc *doc,
				  const struct qj_node *n, long *it)
{
	long c = *it < 0 ? n->first : doc->nodes[*it].next;
	if (c < 0)
		return NULL;
	*it = c;
	return &doc->nodes[c];
}

/* Field F's element "size" and count ("array_len", 1 without one); false
 * when either is missing or negative. */
static bool field_dims(const struct qj_doc *doc, const struct qj_node *f,
		       int64_t *size, int64_t *n)
{
	*n = 1;
	if (!gc_qj_int(doc, f, "size", size) || *size < 0)
		return false;
	if (gc_qj_get(doc, f, "array_len") &&
	    (!gc_qj_int(doc, f, "array_len", n) || *n < 0))
		return false;
	return true;
}

/* *TOTAL += SIZE * N; false on overflow. */
static bool add_field_bytes(int64_t size, int64_t n, uint64_t *total)
{
	uint64_t b;
	return gc_mul_ok((uint64_t)size, (uint64_t)n, &b) &&
	       gc_add_ok(*total, b, total);
}

/* Bytes written for the "fields" and "subsections" of DESC. */
static bool desc_size(const struct qj_doc *doc, const struct qj_node *desc,
		      unsigned depth, uint64_t *out)
{
	if (depth > QJ_MAX_DEPTH)
		return false;
	uint64_t total = 0;
	const struct qj_node *fields = gc_qj_get(doc, desc, "fields");
	if (fields) {
		if (fields->type != QJ_ARR)
			return false;
		long it = -1;
		const struct qj_node *f;
		while ((f = gc_qj_child(doc, fields, &it))) {
			int64_t size, n;
			if (!field_dims(doc, f, &size, &n) ||
			    !add_field_bytes(size, n, &total))
				return false;
		}
	}
	const struct qj_node *subs = gc_qj_get(doc, desc, "subsections");
	if (subs) {
		if (subs->type != QJ_ARR)
			return false;
		long it = -1;
		const struct qj_node *s;
		while ((s = gc_qj_child(doc, subs, &it))) {
			const struct qj_node *nm = gc_qj_get(doc, s, "vmsd_name");
			uint64_t b;
			if (!nm || nm->type != QJ_STR || nm->strlen > 255 ||
			    !desc_size(doc, s, depth + 1, &b))
				return false;
			/* 0x05, name length, name, version */
			if (!gc_add_ok(total, 1 + 1 + nm->strlen + 4, &total) ||
			    !gc_add_ok(total, b, &total))
				return false;
		}
	}
	*out = total;
	return true;
}

bool gc_qj_device_size(const struct qj_doc *doc, const struct qj_node *dev,
		       uint64_t *size)
{
	/* a device saved by old-style code has no field list: its length
	 * is not described */
	if (!gc_qj_get(doc, dev, "fields"))
		return false;
	return desc_size(doc, dev, 0, size);
}

bool gc_qj_field(const struct qj_doc *doc, const struct qj_node *desc,
		 const char *name, struct qj_field *out)
{
	const struct qj_node *fields = gc_qj_get(doc, desc, "fields");
	if (!fields || fields->type != QJ_ARR)
		return false;
	uint64_t off = 0;
	long it = -1;
	const struct qj_node *f;
	while ((f = gc_qj_child(doc, fields, &it))) {
		int64_t size, n;
		if (!field_dims(doc, f, &size, &n))
			return false;
		if (gc_qj_streq(gc_qj_get(doc, f, "name"), name)) {
			out->offset = off;
			out->size = (uint64_t)size;
			out->count = (uint64_t)n;
			out->desc = gc_qj_get(doc, f, "struct");
			return true;
		}
		if (!add_field_bytes(size, n, &off))
			return false;
	}
	return false;
}
