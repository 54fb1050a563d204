// SPDX-License-Identifier: MIT
/*
 * The DWARF type provider: a vmlinux (or module) with debug info, read
 * through elfutils' libdw.  A type's id is its DIE's offset in
 * .debug_info (0 is void), so ids are not dense: nr_types is 0.  Named
 * types (struct, union, enum, typedef, base) and enumerators of every
 * unit's top level are indexed once when the file is opened; the first
 * complete definition of a name wins (DWARF repeats types per unit).
 *
 * Mapping onto the graph interface: base types are INT (or FLOAT), a
 * declaration-only struct/union is FWD, a multi-dimensional array is one
 * ARRAY of the product of its dimensions, DW_TAG_atomic_type and other
 * qualifiers libdw knows count as VOLATILE/CONST/RESTRICT/TYPEDEF.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "types/types_internal.h"
#include "util/util.h"
#include "util/vec.h"

struct dw_name {
	const char *name;
	uint32_t off;
	uint8_t kind;   /* enum gc_type_kind */
};

struct dw_enumval {
	const char *name;
	int64_t value;
};

struct dw {
	struct gc_type_provider p;
	int fd;
	Dwarf *dbg;
	struct dw_name *names;
	size_t nr_names;
	struct dw_enumval *enums;
	size_t nr_enums;
};

static const struct gc_type_provider_ops dw_ops;

static const struct dw *dw_of(const struct gc_type_provider *p)
{
	return (const struct dw *)p;
}

static struct gc_error *dw_err(const char *what, uint64_t off)
{
	return gc_error_at(GC_ERR_FORMAT, off, what, "%s (.debug_info DIE)",
			   dwarf_errmsg(-1));
}

static struct gc_error *die_of(const struct gc_type_provider *p, uint32_t id,
			       Dwarf_Die *die)
{
	if (!dwarf_offdie(dw_of(p)->dbg, id, die))
		return gc_error_at(GC_ERR_INVALID_ARG, id, "DWARF type",
				   "no DIE at .debug_info offset 0x%" PRIx32
				   " of %s", id, p->source);
	return NULL;
}

/* The DIE's DW_AT_type as an id (0 = void, none). */
static struct gc_error *type_ref(Dwarf_Die *die, uint32_t *id)
{
	Dwarf_Attribute a;
	Dwarf_Die t;
	*id = 0;
	if (!dwarf_attr_integrate(die, DW_AT_type, &a))
		return NULL;
	if (!dwarf_formref_die(&a, &t))
		return dw_err("DW_AT_type", dwarf_dieoffset(die));
	Dwarf_Off o = dwarf_dieoffset(&t);
	if (o == 0 || o > UINT32_MAX)
		return gc_error_at(GC_ERR_UNSUPPORTED, o, "DWARF type",
				   "DIE offset past 4 GiB");
	*id = (uint32_t)o;
	return NULL;
}

static bool udata(Dwarf_Die *die, unsigned int at, Dwarf_Word *v)
{
	Dwarf_Attribute a;
	return dwarf_attr_integrate(die, at, &a) && !dwarf_formudata(&a, v);
}

static bool is_decl(Dwarf_Die *die)
{
	bool f = false;
	Dwarf_Attribute a;
	if (dwarf_attr(die, DW_AT_declaration, &a))
		dwarf_formflag(&a, &f);
	return f;
}

static enum gc_type_kind kind_of(Dwarf_Die *die, bool *is_float)
{
	*is_float = false;
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type: {
		Dwarf_Word enc = 0;
		udata(die, DW_AT_encoding, &enc);
		if (enc == DW_ATE_float || enc == DW_ATE_complex_float) {
			*is_float = true;
			return GC_TYPE_FLOAT;
		}
		return GC_TYPE_INT;
	}
	case DW_TAG_unspecified_type: return GC_TYPE_VOID;
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type: return GC_TYPE_PTR;
	case DW_TAG_array_type: return GC_TYPE_ARRAY;
	case DW_TAG_structure_type:
	case DW_TAG_class_type:
		return is_decl(die) ? GC_TYPE_FWD : GC_TYPE_STRUCT;
	case DW_TAG_union_type:
		return is_decl(die) ? GC_TYPE_FWD : GC_TYPE_UNION;
	case DW_TAG_enumeration_type: return GC_TYPE_ENUM;
	case DW_TAG_typedef: return GC_TYPE_TYPEDEF;
	case DW_TAG_volatile_type:
	case DW_TAG_atomic_type: return GC_TYPE_VOLATILE;
	case DW_TAG_const_type: return GC_TYPE_CONST;
	case DW_TAG_restrict_type: return GC_TYPE_RESTRICT;
	case DW_TAG_subroutine_type: return GC_TYPE_FUNC_PROTO;
	case DW_TAG_subprogram: return GC_TYPE_FUNC;
	case DW_TAG_variable: return GC_TYPE_VAR;
	}
	return GC_TYPE_VOID;
}

/* Children of DIE with TAG (or either of the two): count, or the I-th. */
static int nth_child(Dwarf_Die *die, int tag1, int tag2, uint32_t i,
		     Dwarf_Die *out, uint32_t *count)
{
	Dwarf_Die c;
	uint32_t n = 0;
	if (dwarf_child(die, &c) != 0) {
		if (count)
			*count = 0;
		return 1;
	}
	do {
		int t = dwarf_tag(&c);
		if (t != tag1 && t != tag2)
			continue;
		if (out && n == i) {
			*out = c;
			return 0;
		}
		n++;
	} while (dwarf_siblingof(&c, &c) == 0);
	if (count)
		*count = n;
	return 1;
}

static struct gc_error *dw_info(const struct gc_type_provider *p, uint32_t id,
				struct gc_type_info *out)
{
	Dwarf_Die die;
	struct gc_error *err = die_of(p, id, &die);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	bool fl;
	out->kind = kind_of(&die, &fl);
	const char *nm = dwarf_diename(&die);
	out->name = nm ? nm : "";
	Dwarf_Word sz;
	int tag = dwarf_tag(&die);
	switch (out->kind) {
	case GC_TYPE_INT:
	case GC_TYPE_FLOAT: {
		Dwarf_Word enc = 0, bits = 0;
		if (!udata(&die, DW_AT_byte_size, &sz))
			return dw_err("base type without DW_AT_byte_size", id);
		out->has_size = true;
		out->size = sz;
		udata(&die, DW_AT_encoding, &enc);
		if (enc == DW_ATE_signed || enc == DW_ATE_signed_char)
			out->int_encoding |= GC_INT_SIGNED;
		if (enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char)
			out->int_encoding |= GC_INT_CHAR;
		if (enc == DW_ATE_boolean)
			out->int_encoding |= GC_INT_BOOL;
		out->int_bits = udata(&die, DW_AT_bit_size, &bits) ?
				(unsigned int)bits : (unsigned int)(sz * 8);
		return NULL;
	}
	case GC_TYPE_PTR:
		out->has_size = true;
		out->size = udata(&die, DW_AT_byte_size, &sz) ? sz : 8;
		out->has_target = true;
		out->target.provider = p;
		return type_ref(&die, &out->target.id);
	case GC_TYPE_ARRAY: {
		out->has_target = true;
		out->target.provider = p;
		if ((err = type_ref(&die, &out->target.id)))
			return err;
		uint64_t n = 1;
		Dwarf_Die c;
		bool any = false;
		if (dwarf_child(&die, &c) == 0) {
			do {
				if (dwarf_tag(&c) != DW_TAG_subrange_type)
					continue;
				Dwarf_Word cnt = 0, ub;
				if (!udata(&c, DW_AT_count, &cnt) &&
				    udata(&c, DW_AT_upper_bound, &ub))
					cnt = ub + 1;
				if (!gc_mul_ok(n, cnt, &n))
					return dw_err("array too large", id);
				any = true;
			} while (dwarf_siblingof(&c, &c) == 0);
		}
		out->nr_elems = any ? n : 0;
		return NULL;
	}
	case GC_TYPE_STRUCT:
	case GC_TYPE_UNION:
	case GC_TYPE_ENUM:
		out->has_size = true;
		out->size = udata(&die, DW_AT_byte_size, &sz) ? sz : 0;
		nth_child(&die, out->kind == GC_TYPE_ENUM ? DW_TAG_enumerator :
			  DW_TAG_member, -1, 0, NULL, &out->vlen);
		if (out->kind == GC_TYPE_ENUM) {
			uint32_t t;
			Dwarf_Die td;
			Dwarf_Word enc;
			struct gc_error *te = type_ref(&die, &t);
			gc_error_free(te);
			if (!te && t &&
			    dwarf_offdie(dw_of(p)->dbg, t, &td) &&
			    udata(&td, DW_AT_encoding, &enc))
				out->is_signed = enc == DW_ATE_signed ||
						 enc == DW_ATE_signed_char;
		}
		return NULL;
	case GC_TYPE_FWD:
		out->fwd_union = tag == DW_TAG_union_type;
		return NULL;
	case GC_TYPE_FUNC_PROTO: {
		uint32_t n;
		Dwarf_Die last;
		nth_child(&die, DW_TAG_formal_parameter,
			  DW_TAG_unspecified_parameters, 0, NULL, &n);
		out->vlen = n;
		(void)last;
		if ((err = type_ref(&die, &out->target.id)))
			return err;
		out->target.provider = p;
		out->has_target = out->target.id != 0;
		return NULL;
	}
	case GC_TYPE_VOID:
		if (tag != DW_TAG_unspecified_type)
			return gc_error_at(GC_ERR_UNSUPPORTED, id, "DWARF type",
					   "DIE tag 0x%x is not a type", tag);
		out->name = "void";
		return NULL;
	default: /* typedef, qualifiers, func, var */
		out->has_target = true;
		out->target.provider = p;
		return type_ref(&die, &out->target.id);
	}
}

static struct gc_error *dw_member(const struct gc_type_provider *p,
				  uint32_t id, uint32_t i,
				  struct gc_member *out)
{
	Dwarf_Die die, m;
	struct gc_error *err = die_of(p, id, &die);
	if (err)
		return err;
	int tag = dwarf_tag(&die);
	bool proto = tag == DW_TAG_subroutine_type;
	if (nth_child(&die, proto ? DW_TAG_formal_parameter : DW_TAG_member,
		      proto ? DW_TAG_unspecified_parameters : -1, i, &m, NULL))
		return gc_error_at(GC_ERR_INVALID_ARG, id, "DWARF member",
				   "type has no member %" PRIu32, i);
	memset(out, 0, sizeof(*out));
	const char *nm = dwarf_diename(&m);
	out->name = nm ? nm : "";
	out->type.provider = p;
	if (dwarf_tag(&m) == DW_TAG_unspecified_parameters)
		return NULL; /* "...": type void, no name */
	if ((err = type_ref(&m, &out->type.id)))
		return err;
	if (proto)
		return NULL;
	Dwarf_Word loc = 0, bits = 0, dbo;
	Dwarf_Attribute a;
	if (dwarf_attr_integrate(&m, DW_AT_data_member_location, &a) &&
	    dwarf_formudata(&a, &loc)) {
		/* an expression: DW_OP_plus_uconst N (old compilers) */
		Dwarf_Op *ops;
		size_t nops;
		if (dwarf_getlocation(&a, &ops, &nops) || nops != 1 ||
		    ops[0].atom != DW_OP_plus_uconst)
			return dw_err("DW_AT_data_member_location",
				      dwarf_dieoffset(&m));
		loc = ops[0].number;
	}
	if (udata(&m, DW_AT_bit_size, &bits)) {
		out->bitfield_size = (uint32_t)bits;
		if (udata(&m, DW_AT_data_bit_offset, &dbo)) {
			out->bit_offset = dbo;
		} else {
			/* DWARF 2/3: DW_AT_bit_offset counts from the most
			 * significant bit of a DW_AT_byte_size storage unit
			 * (little-endian: from its top) */
			Dwarf_Word bo = 0, bs = 0;
			udata(&m, DW_AT_bit_offset, &bo);
			if (!udata(&m, DW_AT_byte_size, &bs)) {
				uint32_t t = out->type.id;
				Dwarf_Die td;
				if (dwarf_offdie(dw_of(p)->dbg, t, &td))
					udata(&td, DW_AT_byte_size, &bs);
			}
			out->bit_offset = loc * 8 + bs * 8 - bo - bits;
		}
	} else {
		out->bit_offset = loc * 8;
	}
	return NULL;
}

static struct gc_error *dw_enumerator(const struct gc_type_provider *p,
				      uint32_t id, uint32_t i,
				      struct gc_enumerator *out)
{
	Dwarf_Die die, e;
	struct gc_error *err = die_of(p, id, &die);
	if (err)
		return err;
	if (dwarf_tag(&die) != DW_TAG_enumeration_type ||
	    nth_child(&die, DW_TAG_enumerator, -1, i, &e, NULL))
		return gc_error_at(GC_ERR_INVALID_ARG, id, "DWARF enumerator",
				   "type has no enumerator %" PRIu32, i);
	const char *nm = dwarf_diename(&e);
	out->name = nm ? nm : "";
	Dwarf_Attribute a;
	Dwarf_Sword v = 0;
	if (!dwarf_attr(&e, DW_AT_const_value, &a) || dwarf_formsdata(&a, &v))
		return dw_err("DW_AT_const_value", dwarf_dieoffset(&e));
	out->value = v;
	struct gc_type_info ti;
	struct gc_error *ie = dw_info(p, id, &ti);
	out->is_signed = !ie && ti.is_signed;
	gc_error_free(ie);
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	const struct dw_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int enum_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dw_enumval *)a)->name,
		      ((const struct dw_enumval *)b)->name);
}

static bool dw_find(const struct gc_type_provider *p, const char *name,
		    enum gc_type_kind kind, uint32_t *id)
{
	const struct dw *d = dw_of(p);
	size_t lo = 0, hi = d->nr_names;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(d->names[mid].name, name);
		if (c < 0 || (c == 0 && d->names[mid].kind < kind))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nr_names && !strcmp(d->names[lo].name, name) &&
	    d->names[lo].kind == kind) {
		*id = d->names[lo].off;
		return true;
	}
	return false;
}

static bool dw_enum_value(const struct gc_type_provider *p, const char *name,
			  int64_t *value)
{
	const struct dw *d = dw_of(p);
	struct dw_enumval key = {name, 0};
	const struct dw_enumval *e = d->nr_enums ?
		bsearch(&key, d->enums, d->nr_enums, sizeof(key), enum_cmp) :
		NULL;
	if (e)
		*value = e->value;
	return e != NULL;
}

static void dw_destroy(struct gc_type_provider *p)
{
	struct dw *d = (struct dw *)p;
	if (d->dbg)
		dwarf_end(d->dbg);
	if (d->fd >= 0)
		close(d->fd);
	free(d->names);
	free(d->enums);
	gc_type_provider_fini(p);
	free(d);
}

/* Index every unit's top-level named types and enumerators. */
static struct gc_error *build_index(struct dw *d)
{
	size_t capn = 0, cape = 0;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, c;
	Dwarf_Half version;
	uint8_t unit_type;
	while (dwarf_get_units(d->dbg, cu, &cu, &version, &unit_type, &cudie,
			       NULL) == 0) {
		if (dwarf_child(&cudie, &c) != 0)
			continue;
		do {
			bool fl;
			enum gc_type_kind k = kind_of(&c, &fl);
			int tag = dwarf_tag(&c);
			if (tag == DW_TAG_enumeration_type) {
				Dwarf_Die e;
				if (dwarf_child(&c, &e) == 0) {
					do {
						Dwarf_Attribute a;
						Dwarf_Sword v;
						const char *en = dwarf_diename(&e);
						if (!en ||
						    !dwarf_attr(&e, DW_AT_const_value, &a) ||
						    dwarf_formsdata(&a, &v))
							continue;
						struct dw_enumval ev = {en, v};
						if (!gc_vec_push(&d->enums, &d->nr_enums,
								 &cape, &ev))
							return &gc_error_nomem;
					} while (dwarf_siblingof(&e, &e) == 0);
				}
			}
			if (k != GC_TYPE_STRUCT && k != GC_TYPE_UNION &&
			    k != GC_TYPE_ENUM && k != GC_TYPE_TYPEDEF &&
			    k != GC_TYPE_INT && k != GC_TYPE_FLOAT)
				continue;
			const char *nm = dwarf_diename(&c);
			Dwarf_Off off = dwarf_dieoffset(&c);
			if (!nm || off > UINT32_MAX)
				continue;
			struct dw_name e = {nm, (uint32_t)off, (uint8_t)k};
			if (!gc_vec_push(&d->names, &d->nr_names, &capn, &e))
				return &gc_error_nomem;
		} while (dwarf_siblingof(&c, &c) == 0);
	}
	if (!d->nr_names)
		return gc_error_new(GC_ERR_NOT_PRESENT, "DWARF",
				    "no named types in .debug_info");
	/* one entry per (name, kind): the first definition */
	gc_qsort(d->names, d->nr_names, sizeof(*d->names), name_cmp);
	size_t w = 0;
	for (size_t i = 0; i < d->nr_names; i++)
		if (!w || strcmp(d->names[w - 1].name, d->names[i].name) ||
		    d->names[w - 1].kind != d->names[i].kind)
			d->names[w++] = d->names[i];
	d->nr_names = w;
	if (d->nr_enums)
		gc_qsort(d->enums, d->nr_enums, sizeof(*d->enums), enum_cmp);
	return NULL;
}

struct gc_error *gc_dwarf_provider_open(const char *path,
					struct gc_type_provider **out)
{
	*out = NULL;
	struct dw *d = calloc(1, sizeof(*d));
	if (!d)
		return &gc_error_nomem;
	d->fd = -1;
	char src[512];
	snprintf(src, sizeof(src), "DWARF of %s", path);
	if (!gc_type_provider_init(&d->p, &dw_ops, src)) {
		free(d);
		return &gc_error_nomem;
	}
	struct gc_error *err = NULL;
	d->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (d->fd < 0) {
		err = gc_error_new(GC_ERR_IO, path, "open: %s", strerror(errno));
	} else if (!(d->dbg = dwarf_begin(d->fd, DWARF_C_READ))) {
		err = gc_error_new(GC_ERR_NOT_PRESENT, "DWARF", "%s (no debug "
				   "info: a vmlinux from a -dbg/-debuginfo "
				   "package has it)", dwarf_errmsg(-1));
	} else {
		GElf_Ehdr eh;
		Elf *elf = dwarf_getelf(d->dbg);
		if (elf && gelf_getehdr(elf, &eh) && eh.e_type == ET_REL)
			err = gc_error_new(GC_ERR_UNSUPPORTED, "DWARF",
					   "a relocatable object (a module .ko) "
					   "is not read; give the vmlinux");
		else
			err = build_index(d);
	}
	if (err) {
		dw_destroy(&d->p);
		return gc_error_set_file(err, path);
	}
	*out = &d->p;
	return NULL;
}

static const struct gc_type_provider_ops dw_ops = {
	.kind = "DWARF",
	.destroy = dw_destroy,
	.find = dw_find,
	.info = dw_info,
	.member = dw_member,
	.enumerator = dw_enumerator,
	.enum_value = dw_enum_value,
};
