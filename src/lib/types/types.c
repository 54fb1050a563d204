// SPDX-License-Identifier: MIT
/*
 * The type provider chain: providers asked in order, the first answer
 * wins and names its provider's source.  Graph queries (sizeof through
 * typedefs and arrays, member paths through anonymous members, C
 * spelling of a type) are written once here over the provider interface.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "types/types_internal.h"
#include "util/util.h"
#include "util/vec.h"

struct gc_types {
	struct gc_type_provider **p;
	size_t nr, cap;
	char *missing;  /* what the chain lacks, for failed lookups */
};

static const char *const kind_names[] = {
	[GC_TYPE_VOID] = "void",         [GC_TYPE_INT] = "int",
	[GC_TYPE_PTR] = "ptr",           [GC_TYPE_ARRAY] = "array",
	[GC_TYPE_STRUCT] = "struct",     [GC_TYPE_UNION] = "union",
	[GC_TYPE_ENUM] = "enum",         [GC_TYPE_FWD] = "fwd",
	[GC_TYPE_TYPEDEF] = "typedef",   [GC_TYPE_VOLATILE] = "volatile",
	[GC_TYPE_CONST] = "const",       [GC_TYPE_RESTRICT] = "restrict",
	[GC_TYPE_FUNC] = "func",         [GC_TYPE_FUNC_PROTO] = "func_proto",
	[GC_TYPE_VAR] = "var",           [GC_TYPE_DATASEC] = "datasec",
	[GC_TYPE_FLOAT] = "float",       [GC_TYPE_DECL_TAG] = "decl_tag",
	[GC_TYPE_TYPE_TAG] = "type_tag", [GC_TYPE_ENUM64] = "enum64",
};

const char *gc_type_kind_name(enum gc_type_kind kind)
{
	if ((unsigned int)kind < GC_ARRAY_SIZE(kind_names) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

bool gc_type_provider_init(struct gc_type_provider *p,
			   const struct gc_type_provider_ops *ops,
			   const char *source)
{
	p->ops = ops;
	p->nr_types = 0;
	p->source = strdup(source ? source : ops->kind);
	return p->source != NULL;
}

void gc_type_provider_fini(struct gc_type_provider *p)
{
	free(p->source);
	p->source = NULL;
}

static void provider_destroy(struct gc_type_provider *p)
{
	if (p)
		p->ops->destroy(p);
}

void gc_type_provider_free(struct gc_type_provider *p)
{
	provider_destroy(p);
}

const char *gc_type_provider_kind(const struct gc_type_provider *p)
{
	return p->ops->kind;
}

const char *gc_type_provider_source(const struct gc_type_provider *p)
{
	return p->source;
}

uint32_t gc_type_provider_nr_types(const struct gc_type_provider *p)
{
	return p->nr_types;
}

struct gc_error *gc_types_new(struct gc_types **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? NULL : &gc_error_nomem;
}

void gc_types_free(struct gc_types *t)
{
	if (!t)
		return;
	/* split providers point at their base: free the last added first */
	for (size_t i = t->nr; i-- > 0;)
		provider_destroy(t->p[i]);
	free(t->p);
	free(t->missing);
	free(t);
}

struct gc_error *gc_types_set_missing(struct gc_types *t, const char *text)
{
	char *c = strdup(text);
	if (!c)
		return &gc_error_nomem;
	free(t->missing);
	t->missing = c;
	return NULL;
}

struct gc_error *gc_types_add(struct gc_types *t, struct gc_type_provider *p)
{
	if (!gc_vec_push(&t->p, &t->nr, &t->cap, &p)) {
		provider_destroy(p);
		return &gc_error_nomem;
	}
	return NULL;
}

size_t gc_types_nr_providers(const struct gc_types *t)
{
	return t->nr;
}

const struct gc_type_provider *gc_types_provider(const struct gc_types *t,
						 size_t i)
{
	return i < t->nr ? t->p[i] : NULL;
}

/* ---- one type ------------------------------------------------------- */

static struct gc_error *no_type(void)
{
	return gc_error_new(GC_ERR_INVALID_ARG, "type", "no type (null handle)");
}

struct gc_error *gc_type_info(struct gc_type ty, struct gc_type_info *out)
{
	if (!ty.provider)
		return no_type();
	memset(out, 0, sizeof(*out));
	if (ty.id == 0) {
		out->kind = GC_TYPE_VOID;
		out->name = "void";
		return NULL;
	}
	if (!ty.provider->ops->info)
		return gc_error_new(GC_ERR_UNSUPPORTED, "type",
				    "%s has no type graph",
				    ty.provider->source);
	return ty.provider->ops->info(ty.provider, ty.id, out);
}

struct gc_error *gc_type_member(struct gc_type ty, uint32_t i,
				struct gc_member *out)
{
	if (!ty.provider)
		return no_type();
	if (!ty.provider->ops->member)
		return gc_error_new(GC_ERR_UNSUPPORTED, "type",
				    "%s has no type graph",
				    ty.provider->source);
	return ty.provider->ops->member(ty.provider, ty.id, i, out);
}

struct gc_error *gc_type_enumerator(struct gc_type ty, uint32_t i,
				    struct gc_enumerator *out)
{
	if (!ty.provider)
		return no_type();
	if (!ty.provider->ops->enumerator)
		return gc_error_new(GC_ERR_UNSUPPORTED, "type",
				    "%s has no type graph",
				    ty.provider->source);
	return ty.provider->ops->enumerator(ty.provider, ty.id, i, out);
}

const char *gc_type_source(struct gc_type ty)
{
	return ty.provider ? ty.provider->source : "";
}

static bool is_qualifier(enum gc_type_kind k)
{
	return k == GC_TYPE_TYPEDEF || k == GC_TYPE_CONST ||
	       k == GC_TYPE_VOLATILE || k == GC_TYPE_RESTRICT ||
	       k == GC_TYPE_TYPE_TAG;
}

static struct gc_error *too_deep(struct gc_type ty)
{
	return gc_error_new(GC_ERR_FORMAT, "type graph",
			    "type id %" PRIu32 " of %s: more than %d "
			    "typedefs/modifiers/arrays in a row (a cycle?)",
			    ty.id, gc_type_source(ty), GC_TYPE_MAX_DEPTH);
}

struct gc_error *gc_type_strip(struct gc_type ty, struct gc_type *out)
{
	for (int depth = 0; depth <= GC_TYPE_MAX_DEPTH; depth++) {
		struct gc_type_info ti;
		struct gc_error *err = gc_type_info(ty, &ti);
		if (err)
			return err;
		if (!is_qualifier(ti.kind) || !ti.has_target) {
			*out = ty;
			return NULL;
		}
		ty = ti.target;
	}
	return too_deep(ty);
}

struct gc_error *gc_type_sizeof(struct gc_type ty, uint64_t *size)
{
	uint64_t mult = 1;
	struct gc_type start = ty;
	for (int depth = 0; depth <= GC_TYPE_MAX_DEPTH; depth++) {
		struct gc_type_info ti;
		struct gc_error *err = gc_type_info(ty, &ti);
		if (err)
			return err;
		if (ti.kind == GC_TYPE_ARRAY) {
			if (!gc_mul_ok(mult, ti.nr_elems, &mult))
				return gc_error_new(GC_ERR_FORMAT, "type graph",
						    "type id %" PRIu32 " of %s:"
						    " array size overflows",
						    start.id, gc_type_source(start));
			ty = ti.target;
			continue;
		}
		if ((is_qualifier(ti.kind) || ti.kind == GC_TYPE_VAR) &&
		    ti.has_target) {
			ty = ti.target;
			continue;
		}
		if (!ti.has_size)
			return gc_error_new(GC_ERR_INVALID_ARG, "type",
					    "%s%s%s (id %" PRIu32 " of %s) has "
					    "no size", gc_type_kind_name(ti.kind),
					    *ti.name ? " " : "", ti.name,
					    ty.id, gc_type_source(ty));
		if (!gc_mul_ok(mult, ti.size, size))
			return gc_error_new(GC_ERR_FORMAT, "type graph",
					    "type id %" PRIu32 " of %s: size "
					    "overflows", start.id,
					    gc_type_source(start));
		return NULL;
	}
	return too_deep(start);
}

/* ---- C spelling ------------------------------------------------------ */

static bool is_base(enum gc_type_kind k)
{
	return k == GC_TYPE_VOID || k == GC_TYPE_INT || k == GC_TYPE_STRUCT ||
	       k == GC_TYPE_UNION || k == GC_TYPE_ENUM || k == GC_TYPE_ENUM64 ||
	       k == GC_TYPE_FWD || k == GC_TYPE_TYPEDEF || k == GC_TYPE_FLOAT;
}

static void base_name(struct gc_strbuf *sb, const struct gc_type_info *ti)
{
	const char *tag = "";
	if (ti->kind == GC_TYPE_STRUCT)
		tag = "struct ";
	else if (ti->kind == GC_TYPE_UNION)
		tag = "union ";
	else if (ti->kind == GC_TYPE_ENUM || ti->kind == GC_TYPE_ENUM64)
		tag = "enum ";
	else if (ti->kind == GC_TYPE_FWD)
		tag = ti->fwd_union ? "union " : "struct ";
	gc_strbuf_printf(sb, "%s%s", tag,
			 *ti->name ? ti->name : "(anonymous)");
}

static struct gc_error *format_rec(struct gc_type ty, const char *decl,
				   struct gc_strbuf *sb, int depth,
				   unsigned int *steps);

static struct gc_error *format_proto(struct gc_type ty,
				     const struct gc_type_info *ti,
				     const char *decl, struct gc_strbuf *sb,
				     int depth, unsigned int *steps)
{
	struct gc_strbuf d;
	gc_strbuf_init(&d);
	gc_strbuf_printf(&d, "%s(", decl);
	if (ti->vlen == 0)
		gc_strbuf_printf(&d, "void");
	for (uint32_t i = 0; i < ti->vlen; i++) {
		struct gc_member m;
		struct gc_error *err = gc_type_member(ty, i, &m);
		if (err) {
			gc_strbuf_free(&d);
			return err;
		}
		if (i)
			gc_strbuf_printf(&d, ", ");
		if (m.type.id == 0 && !*m.name && i + 1 == ti->vlen) {
			gc_strbuf_printf(&d, "...");
			continue;
		}
		struct gc_strbuf p;
		gc_strbuf_init(&p);
		err = format_rec(m.type, m.name, &p, depth + 1, steps);
		if (!err && !p.failed)
			gc_strbuf_append(&d, p.buf ? p.buf : "", p.len);
		gc_strbuf_free(&p);
		if (err) {
			gc_strbuf_free(&d);
			return err;
		}
	}
	gc_strbuf_printf(&d, ")");
	char *nd = gc_strbuf_steal(&d);
	if (!nd)
		return &gc_error_nomem;
	struct gc_error *err = ti->has_target ?
		format_rec(ti->target, nd, sb, depth + 1, steps) :
		(gc_strbuf_printf(sb, "void %s", nd), NULL);
	free(nd);
	return err;
}

/*
 * STEPS bounds the whole declaration, not just its depth: parameters fan
 * out, so hostile types nested 64 deep with two pointer parameters each
 * would take 2^32 steps (and as many bytes); a real kernel type takes a
 * few dozen.
 */
#define FORMAT_MAX_STEPS 1024u

static struct gc_error *format_rec(struct gc_type ty, const char *decl,
				   struct gc_strbuf *sb, int depth,
				   unsigned int *steps)
{
	if (depth > GC_TYPE_MAX_DEPTH)
		return too_deep(ty);
	if (++*steps > FORMAT_MAX_STEPS)
		return gc_error_new(GC_ERR_FORMAT, "type graph", "too many "
				    "types"); /* gc_type_format says which */
	struct gc_type_info ti;
	struct gc_error *err = gc_type_info(ty, &ti);
	if (err)
		return err;
	const char *sp = *decl ? " " : "";
	if (is_base(ti.kind)) {
		base_name(sb, &ti);
		gc_strbuf_printf(sb, "%s%s", sp, decl);
		return NULL;
	}
	char *nd = NULL;
	switch (ti.kind) {
	case GC_TYPE_PTR: {
		struct gc_type_info tt;
		if (!ti.has_target)
			return gc_error_new(GC_ERR_FORMAT, "type", "pointer "
					    "without target");
		err = gc_type_info(ti.target, &tt);
		if (err)
			return err;
		bool paren = tt.kind == GC_TYPE_ARRAY ||
			     tt.kind == GC_TYPE_FUNC_PROTO;
		nd = gc_asprintf(paren ? "(*%s)" : "*%s", decl);
		break;
	}
	case GC_TYPE_ARRAY:
		nd = gc_asprintf("%s[%" PRIu64 "]", decl, ti.nr_elems);
		break;
	case GC_TYPE_CONST:
	case GC_TYPE_VOLATILE:
	case GC_TYPE_RESTRICT: {
		const char *q = ti.kind == GC_TYPE_CONST ? "const" :
				ti.kind == GC_TYPE_VOLATILE ? "volatile" :
							      "restrict";
		struct gc_type_info tt;
		err = ti.has_target ? gc_type_info(ti.target, &tt) : NULL;
		if (err)
			return err;
		if (!ti.has_target || is_base(tt.kind)) {
			gc_strbuf_printf(sb, "%s ", q);
			if (!ti.has_target) {
				gc_strbuf_printf(sb, "void%s%s", sp, decl);
				return NULL;
			}
			return format_rec(ti.target, decl, sb, depth + 1, steps);
		}
		nd = gc_asprintf("%s%s%s", q, sp, decl);
		break;
	}
	case GC_TYPE_FUNC_PROTO:
		return format_proto(ty, &ti, decl, sb, depth, steps);
	case GC_TYPE_FUNC:
		nd = gc_asprintf("%s%s", ti.name, decl);
		break;
	case GC_TYPE_VAR:
		nd = gc_asprintf("%s%s", *decl ? decl : ti.name, "");
		break;
	case GC_TYPE_DATASEC:
		gc_strbuf_printf(sb, "SEC(\"%s\")%s%s", ti.name, sp, decl);
		return NULL;
	case GC_TYPE_DECL_TAG:
	case GC_TYPE_TYPE_TAG:
		nd = strdup(decl);
		break;
	default:
		gc_strbuf_printf(sb, "%s%s%s", gc_type_kind_name(ti.kind), sp,
				 decl);
		return NULL;
	}
	if (!nd)
		return &gc_error_nomem;
	if (!ti.has_target) {
		gc_strbuf_printf(sb, "void %s", nd);
		free(nd);
		return NULL;
	}
	err = format_rec(ti.target, nd, sb, depth + 1, steps);
	free(nd);
	return err;
}

struct gc_error *gc_type_format(struct gc_type ty, const char *name,
				char **out)
{
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	unsigned int steps = 0;
	struct gc_error *err = format_rec(ty, name ? name : "", &sb, 0, &steps);
	if (err && steps > FORMAT_MAX_STEPS) {
		gc_error_free(err);
		err = gc_error_new(GC_ERR_FORMAT, "type graph", "type id %"
				   PRIu32 " of %s: its C declaration takes "
				   "more than %u types (parameters nested in "
				   "parameters?)", ty.id, gc_type_source(ty),
				   FORMAT_MAX_STEPS);
	}
	if (err) {
		gc_strbuf_free(&sb);
		return err;
	}
	*out = gc_strbuf_steal(&sb);
	if (!*out)
		*out = strdup("");
	return *out ? NULL : &gc_error_nomem;
}

/* ---- chain queries ---------------------------------------------------- */

/* "struct x" -> (STRUCT, "x"); bare names get KIND VOID (any). */
static const char *split_name(const char *name, enum gc_type_kind *kind)
{
	static const struct { const char *p; enum gc_type_kind k; } pre[] = {
		{"struct ", GC_TYPE_STRUCT},
		{"union ", GC_TYPE_UNION},
		{"enum ", GC_TYPE_ENUM},
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(pre); i++) {
		size_t l = strlen(pre[i].p);
		if (!strncmp(name, pre[i].p, l)) {
			*kind = pre[i].k;
			name += l;
			while (*name == ' ')
				name++;
			return name;
		}
	}
	*kind = GC_TYPE_VOID;
	return name;
}

static bool provider_find(const struct gc_type_provider *p, const char *bare,
			  enum gc_type_kind kind, uint32_t *id)
{
	static const enum gc_type_kind any[] = {
		GC_TYPE_STRUCT, GC_TYPE_UNION, GC_TYPE_TYPEDEF, GC_TYPE_ENUM,
		GC_TYPE_INT, GC_TYPE_FLOAT,
	};
	if (!p->ops->find)
		return false;
	if (kind != GC_TYPE_VOID)
		return p->ops->find(p, bare, kind, id);
	for (size_t i = 0; i < GC_ARRAY_SIZE(any); i++)
		if (p->ops->find(p, bare, any[i], id))
			return true;
	return false;
}

static struct gc_error *not_found(const struct gc_types *t, const char *what,
				  const char *name)
{
	if (!t->nr)
		return gc_error_new(GC_ERR_NOT_PRESENT, what,
				    "%s: no type information%s%s", name,
				    t->missing ? ": " : "",
				    t->missing ? t->missing : "");
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	for (size_t i = 0; i < t->nr; i++)
		gc_strbuf_printf(&sb, "%s%s", i ? "; " : "", t->p[i]->source);
	struct gc_error *err = gc_error_new(GC_ERR_NOT_PRESENT, what,
					    "%s is in none of: %s%s%s", name,
					    sb.buf ? sb.buf : "",
					    t->missing ? "; " : "",
					    t->missing ? t->missing : "");
	gc_strbuf_free(&sb);
	return err;
}

struct gc_error *gc_types_find(const struct gc_types *t, const char *name,
			       struct gc_type *out, const char **source)
{
	enum gc_type_kind kind;
	const char *bare = split_name(name, &kind);
	if (!*bare)
		return gc_error_new(GC_ERR_INVALID_ARG, "type name",
				    "'%s' names no type", name);
	if (kind == GC_TYPE_VOID && !strcmp(bare, "void")) {
		for (size_t i = 0; i < t->nr; i++)
			if (t->p[i]->ops->info) {
				*out = (struct gc_type){t->p[i], 0};
				if (source)
					*source = t->p[i]->source;
				return NULL;
			}
	}
	for (size_t i = 0; i < t->nr; i++) {
		uint32_t id;
		if (provider_find(t->p[i], bare, kind, &id)) {
			*out = (struct gc_type){t->p[i], id};
			if (source)
				*source = t->p[i]->source;
			return NULL;
		}
	}
	return not_found(t, "type", name);
}

struct gc_error *gc_types_sizeof(const struct gc_types *t, const char *name,
				 uint64_t *size, const char **source)
{
	enum gc_type_kind kind;
	const char *bare = split_name(name, &kind);
	for (size_t i = 0; i < t->nr; i++) {
		const struct gc_type_provider *p = t->p[i];
		uint32_t id;
		if (provider_find(p, bare, kind, &id)) {
			struct gc_error *err =
				gc_type_sizeof((struct gc_type){p, id}, size);
			if (err)
				return gc_error_context(err, "sizeof(%s)", name);
			if (source)
				*source = p->source;
			return NULL;
		}
		if (p->ops->size && p->ops->size(p, bare, size)) {
			if (source)
				*source = p->source;
			return NULL;
		}
	}
	return not_found(t, "sizeof", name);
}

/* Find member NAME in struct/union TY (stripped), descending into
 * anonymous members; adds to *BITS.  DEPTH bounds hostile nesting. */
static struct gc_error *find_member(struct gc_type ty, const char *name,
				    size_t nlen, struct gc_member *out,
				    bool *found, int depth, uint64_t *budget)
{
	*found = false;
	if (depth > GC_TYPE_MAX_DEPTH)
		return too_deep(ty);
	struct gc_type s;
	struct gc_error *err = gc_type_strip(ty, &s);
	if (err)
		return err;
	struct gc_type_info ti;
	if ((err = gc_type_info(s, &ti)))
		return err;
	if (ti.kind != GC_TYPE_STRUCT && ti.kind != GC_TYPE_UNION)
		return NULL;
	for (uint32_t i = 0; i < ti.vlen; i++) {
		struct gc_member m;
		if (!(*budget)--)
			return gc_error_new(GC_ERR_FORMAT, "type graph",
					    "type id %" PRIu32 " of %s: more "
					    "than %d members searched through "
					    "anonymous members", s.id,
					    gc_type_source(s),
					    GC_TYPE_MAX_MEMBERS);
		if ((err = gc_type_member(s, i, &m)))
			return err;
		if (*m.name) {
			if (strlen(m.name) == nlen &&
			    !memcmp(m.name, name, nlen)) {
				*out = m;
				*found = true;
				return NULL;
			}
			continue;
		}
		struct gc_member inner;
		if ((err = find_member(m.type, name, nlen, &inner, found,
				       depth + 1, budget)))
			return err;
		if (*found) {
			inner.bit_offset += m.bit_offset;
			*out = inner;
			return NULL;
		}
	}
	return NULL;
}

struct gc_error *gc_types_member(const struct gc_types *t, const char *name,
				 const char *path, struct gc_member *out,
				 const char **source)
{
	enum gc_type_kind kind;
	const char *bare = split_name(name, &kind);
	if (!*path)
		return gc_error_new(GC_ERR_INVALID_ARG, "member", "empty "
				    "member name");
	for (size_t i = 0; i < t->nr; i++) {
		const struct gc_type_provider *p = t->p[i];
		uint32_t id;
		if (provider_find(p, bare, kind, &id)) {
			struct gc_type cur = {p, id};
			uint64_t bits = 0;
			const char *c = path;
			struct gc_member m = {0};
			for (;;) {
				size_t n = strcspn(c, ".");
				bool found;
				uint64_t budget = GC_TYPE_MAX_MEMBERS;
				struct gc_error *err = find_member(
					cur, c, n, &m, &found, 0, &budget);
				if (err)
					return gc_error_context(
						err, "%s.%s", name, path);
				if (!found || !n)
					return gc_error_new(
						GC_ERR_NOT_PRESENT, "member",
						"%s has no member '%.*s' "
						"(in %s)", name, (int)n, c,
						p->source);
				bits += m.bit_offset;
				cur = m.type;
				if (!c[n])
					break;
				c += n + 1;
			}
			*out = m;
			out->bit_offset = bits;
			if (source)
				*source = p->source;
			return NULL;
		}
		uint64_t off;
		if (p->ops->offset && p->ops->offset(p, bare, path, &off)) {
			if (off > UINT64_MAX / 8)
				continue;
			*out = (struct gc_member){.name = "",
						  .bit_offset = off * 8};
			if (source)
				*source = p->source;
			return NULL;
		}
	}
	char *both = gc_asprintf("%s.%s", name, path);
	struct gc_error *err = not_found(t, "offsetof", both ? both : name);
	free(both);
	return err;
}

struct gc_error *gc_types_offsetof(const struct gc_types *t, const char *name,
				   const char *path, uint64_t *offset,
				   const char **source)
{
	struct gc_member m;
	struct gc_error *err = gc_types_member(t, name, path, &m, source);
	if (err)
		return err;
	if (m.bit_offset % 8)
		return gc_error_new(GC_ERR_INVALID_ARG, "offsetof",
				    "%s.%s is a bitfield at bit %" PRIu64
				    " (byte %" PRIu64 " bit %u)", name, path,
				    m.bit_offset, m.bit_offset / 8,
				    (unsigned int)(m.bit_offset % 8));
	*offset = m.bit_offset / 8;
	return NULL;
}

struct gc_error *gc_types_number(const struct gc_types *t, const char *name,
				 int64_t *value, const char **source)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct gc_type_provider *p = t->p[i];
		if ((p->ops->enum_value && p->ops->enum_value(p, name, value)) ||
		    (p->ops->number && p->ops->number(p, name, value))) {
			if (source)
				*source = p->source;
			return NULL;
		}
	}
	return not_found(t, "number", name);
}

struct gc_error *gc_types_symbol(const struct gc_types *t, const char *name,
				 uint64_t *addr, const char **source)
{
	for (size_t i = 0; i < t->nr; i++) {
		const struct gc_type_provider *p = t->p[i];
		if (p->ops->symbol && p->ops->symbol(p, name, addr)) {
			if (source)
				*source = p->source;
			return NULL;
		}
	}
	return not_found(t, "symbol", name);
}
