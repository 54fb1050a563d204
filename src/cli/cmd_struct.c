// SPDX-License-Identifier: MIT
/*
 * guestcore struct: a kernel type's layout, or an object of that type at
 * a kernel virtual address printed member by member (crash's `struct`),
 * from the kernel's types (BTF in memory, --vmlinux's .BTF, VMCOREINFO).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OBJECT (1u << 20)   /* bytes read for one object */
#define MAX_DEPTH 16            /* nested structs printed */
#define MAX_ELEMS 4096          /* array elements printed */
#define MAX_LINES (1u << 20)    /* members printed in all */

struct ctx {
	struct gc_json *j;          /* NULL = text */
	const uint8_t *obj;         /* object bytes, NULL = layout only */
	uint64_t size;
	struct gc_error *err;       /* first failure */
	unsigned int lines;         /* members and elements printed */
};


/* A type, member or object that is not there is "not found" (exit 1) when
 * the dump has types to look in; with no type information at all (only
 * VMCOREINFO's few sizes) the input is unusable for this command (2). */
static int lookup_rc(const struct gc_types *types, struct gc_error *err)
{
	for (size_t i = 0; types && i < gc_types_nr_providers(types); i++)
		if (gc_type_provider_nr_types(gc_types_provider(types, i)))
			return cli_lookup_error(err);
	return cli_error(err);
}

static void indent(int n)
{
	printf("%*s", 2 * n, "");
}

static char *spell(struct ctx *c, struct gc_type ty, const char *name)
{
	char *s = NULL;
	struct gc_error *err = gc_type_format(ty, name, &s);
	if (err) {
		if (!c->err)
			c->err = err;
		else
			gc_error_free(err);
		return strdup("?");
	}
	return s;
}

static bool note_err(struct ctx *c, struct gc_error *err)
{
	if (!err)
		return false;
	if (!c->err)
		c->err = err;
	else
		gc_error_free(err);
	return true;
}

/* Bits [BIT, BIT+N) of the object as an unsigned number (N <= 64). */
static uint64_t get_bits(const struct ctx *c, uint64_t bit, unsigned int n)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t b = bit + i;
		if (c->obj[b / 8] >> (b % 8) & 1)
			v |= 1ull << i;
	}
	return v;
}

static void print_value(struct ctx *c, struct gc_type ty, uint64_t bit,
			uint32_t bitfield, int depth);

static void print_members(struct ctx *c, struct gc_type s, uint64_t base,
			  int depth);

static void print_string(struct ctx *c, uint64_t off, uint64_t n)
{
	size_t len = strnlen((const char *)c->obj + off, n);
	char *buf = malloc(4 * len + 1);
	if (!buf) {
		note_err(c, &gc_error_nomem);
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = c->obj[off + i];
		if (ch == '"' || ch == '\\')
			o += (size_t)sprintf(buf + o, "\\%c", ch);
		else if (ch >= 0x20 && ch < 0x7f)
			buf[o++] = (char)ch;
		else
			o += (size_t)sprintf(buf + o, "\\%03o", ch);
	}
	buf[o] = 0;
	if (c->j)
		gc_json_string(c->j, buf);
	else
		printf("\"%s\"", buf);
	free(buf);
}

/* Every member and array element printed counts: arrays of empty structs
 * nest without growing the object (x[4096][4096][4096] of a 0-byte
 * struct is 2^36 elements in 8 bytes). */
static bool over_budget(struct ctx *c)
{
	if (c->lines++ < MAX_LINES)
		return false;
	if (c->lines == MAX_LINES + 1)
		note_err(c, gc_error_new(GC_ERR_UNSUPPORTED, "type",
					 "more than %u members and array "
					 "elements to print (nesting too wide "
					 "or deep)", MAX_LINES));
	return true;
}

static void print_array(struct ctx *c, const struct gc_type_info *ti,
			uint64_t bit, int depth)
{
	struct gc_type el;
	struct gc_type_info ei;
	uint64_t esz;
	if (note_err(c, gc_type_strip(ti->target, &el)) ||
	    note_err(c, gc_type_info(el, &ei)) ||
	    note_err(c, gc_type_sizeof(ti->target, &esz)))
		return;
	/* char arrays as strings (BTF marks char by name, not encoding) */
	if (ei.kind == GC_TYPE_INT && ei.size == 1 &&
	    ((ei.int_encoding & GC_INT_CHAR) || strstr(ei.name, "char"))) {
		print_string(c, bit / 8, ti->nr_elems);
		return;
	}
	uint64_t n = ti->nr_elems < MAX_ELEMS ? ti->nr_elems : MAX_ELEMS;
	if (c->j)
		gc_json_array_begin(c->j);
	else
		printf("{");
	for (uint64_t i = 0; i < n && !over_budget(c); i++) {
		if (!c->j && i)
			printf(", ");
		print_value(c, ti->target, bit + i * esz * 8, 0, depth + 1);
	}
	if (c->j) {
		gc_json_array_end(c->j);
	} else {
		if (n < ti->nr_elems)
			printf(", ... %" PRIu64 " more", ti->nr_elems - n);
		printf("}");
	}
}

static void print_value(struct ctx *c, struct gc_type ty, uint64_t bit,
			uint32_t bitfield, int depth)
{
	struct gc_type s;
	struct gc_type_info ti;
	if (note_err(c, gc_type_strip(ty, &s)) ||
	    note_err(c, gc_type_info(s, &ti)))
		return;
	uint64_t size = 0;
	if (ti.kind != GC_TYPE_VOID && ti.kind != GC_TYPE_FUNC_PROTO &&
	    note_err(c, gc_type_sizeof(s, &size)))
		return;
	if (bitfield ? bit + bitfield > c->size * 8 :
		       bit / 8 + size > c->size || bit % 8) {
		note_err(c, gc_error_new(GC_ERR_FORMAT, "member",
					 "bits %" PRIu64 "+%" PRIu64 " lie "
					 "outside the %" PRIu64 "-byte object",
					 bit, bitfield ? bitfield : size * 8,
					 c->size));
		return;
	}
	switch (ti.kind) {
	case GC_TYPE_STRUCT:
	case GC_TYPE_UNION:
		if (depth >= MAX_DEPTH) {
			if (c->j)
				gc_json_null(c->j);
			else
				printf("{...}");
			return;
		}
		if (c->j) {
			gc_json_object_begin(c->j);
			print_members(c, s, bit, depth + 1);
			gc_json_object_end(c->j);
		} else {
			printf("{\n");
			print_members(c, s, bit, depth + 1);
			indent(depth);
			printf("}");
		}
		return;
	case GC_TYPE_ARRAY:
		print_array(c, &ti, bit, depth);
		return;
	case GC_TYPE_PTR: {
		uint64_t v = get_bits(c, bit, 64);
		if (c->j)
			gc_json_hex(c->j, v);
		else
			printf("0x%" PRIx64, v);
		return;
	}
	case GC_TYPE_INT:
	case GC_TYPE_ENUM:
	case GC_TYPE_ENUM64: {
		if (!bitfield && size > 8)
			goto raw; /* __int128: printed as its bytes */
		unsigned int n = bitfield ? bitfield :
				 ti.kind == GC_TYPE_INT ? ti.int_bits :
				 (unsigned int)size * 8;
		if (n == 0 || n > 64)
			goto raw;
		uint64_t v = get_bits(c, bit + (ti.kind == GC_TYPE_INT ?
						 ti.int_offset : 0), n);
		bool sgn = ti.kind == GC_TYPE_INT ?
			   (ti.int_encoding & GC_INT_SIGNED) : ti.is_signed;
		int64_t sv = (int64_t)v;
		if (sgn && n < 64 && (v >> (n - 1) & 1))
			sv = (int64_t)(v | ~0ull << n);
		const char *ename = NULL;
		for (uint32_t i = 0; ti.kind != GC_TYPE_INT && i < ti.vlen;
		     i++) {
			struct gc_enumerator e;
			if (note_err(c, gc_type_enumerator(s, i, &e)))
				return;
			if ((uint64_t)e.value == (sgn ? (uint64_t)sv : v)) {
				ename = e.name;
				break;
			}
		}
		if (c->j) {
			if (ename)
				gc_json_string(c->j, ename);
			else if (ti.int_encoding & GC_INT_BOOL)
				gc_json_bool(c->j, v != 0);
			else if (sgn)
				gc_json_i64(c->j, sv);
			else
				gc_json_u64(c->j, v);
		} else if (ename) {
			printf("%s", ename);
		} else if (ti.int_encoding & GC_INT_BOOL) {
			printf("%s", v ? "true" : "false");
		} else if (sgn) {
			printf("%" PRId64, sv);
		} else {
			printf("%" PRIu64, v);
		}
		return;
	}
	default:
	raw: {
		/* floats and anything else: the raw bytes in hex */
		char hex[2 * 16 + 3] = "0x";
		uint64_t n = size < 16 ? size : 16;
		for (uint64_t i = 0; i < n; i++)
			snprintf(hex + 2 + 2 * i, 3, "%02x",
				 c->obj[bit / 8 + n - 1 - i]);
		if (c->j)
			gc_json_string(c->j, hex);
		else
			printf("%s", hex);
	}
	}
}

/* Layout or values of struct/union S's members at bit BASE. */
static void print_members(struct ctx *c, struct gc_type s, uint64_t base,
			  int depth)
{
	struct gc_type_info ti;
	if (note_err(c, gc_type_info(s, &ti)))
		return;
	if (c->j && !c->obj) {
		gc_json_key(c->j, "members");
		gc_json_array_begin(c->j);
	}
	for (uint32_t i = 0; i < ti.vlen; i++) {
		struct gc_member m;
		if (over_budget(c))
			break;
		if (note_err(c, gc_type_member(s, i, &m)))
			break;
		uint64_t bit = base + m.bit_offset;
		struct gc_type ms;
		struct gc_type_info mi;
		if (note_err(c, gc_type_strip(m.type, &ms)) ||
		    note_err(c, gc_type_info(ms, &mi)))
			break;
		bool anon = !*m.name && (mi.kind == GC_TYPE_STRUCT ||
					 mi.kind == GC_TYPE_UNION);
		if (c->obj) { /* values */
			if (anon && c->j) {
				/* anonymous members' members appear in place */
				print_members(c, ms, bit, depth);
				continue;
			}
			if (c->j) {
				gc_json_key(c->j, m.name);
			} else {
				indent(depth);
				if (!anon)
					printf("%s = ", m.name);
			}
			print_value(c, m.type, bit, m.bitfield_size, depth);
			if (!c->j)
				printf(",\n");
			continue;
		}
		/* layout */
		uint64_t msize = 0;
		if (!m.bitfield_size && mi.kind != GC_TYPE_FUNC_PROTO)
			note_err(c, gc_type_sizeof(m.type, &msize));
		if (c->j) {
			gc_json_object_begin(c->j);
			gc_json_key(c->j, "name");
			gc_json_string(c->j, m.name);
			char *t = anon ? strdup(mi.kind == GC_TYPE_UNION ?
						"union" : "struct") :
					 spell(c, m.type, NULL);
			gc_json_key(c->j, "type");
			gc_json_string(c->j, t ? t : "?");
			free(t);
			gc_json_key(c->j, "offset");
			gc_json_u64(c->j, bit / 8);
			if (m.bitfield_size) {
				gc_json_key(c->j, "bit_offset");
				gc_json_u64(c->j, bit);
				gc_json_key(c->j, "bitfield_size");
				gc_json_u64(c->j, m.bitfield_size);
			} else {
				gc_json_key(c->j, "size");
				gc_json_u64(c->j, msize);
			}
			if (anon && depth < MAX_DEPTH)
				print_members(c, ms, bit, depth + 1);
			gc_json_object_end(c->j);
			continue;
		}
		if (anon && depth < MAX_DEPTH) {
			printf("%*s", 10, "");
			indent(depth);
			printf("%s {\n", mi.kind == GC_TYPE_UNION ? "union" :
								 "struct");
			print_members(c, ms, bit, depth + 1);
			printf("%*s", 10, "");
			indent(depth);
			printf("};\n");
			continue;
		}
		char *t = spell(c, m.type, m.name);
		char off[32];
		snprintf(off, sizeof(off), "[%" PRIu64 "]", bit / 8);
		printf("%9s ", off);
		indent(depth);
		if (m.bitfield_size)
			printf("%s : %u; /* bit %u */\n", t ? t : "?",
			       m.bitfield_size, (unsigned int)(bit % 8));
		else
			printf("%s;\n", t ? t : "?");
		free(t);
	}
	if (c->j && !c->obj)
		gc_json_array_end(c->j);
}

/* Only the members SEL ("pid,comm,se.vruntime") of type NAME. */
static int print_selected(struct ctx *c, const char *file,
			  const struct gc_types *types, const char *name, const char *sel, const char *tname,
			  uint64_t size, const char *source, bool has_addr,
			  uint64_t addr)
{
	if (c->j) {
		gc_json_init(c->j, stdout, true);
		gc_json_object_begin(c->j);
		gc_json_key(c->j, "type");
		gc_json_string(c->j, tname);
		gc_json_key(c->j, "size");
		gc_json_u64(c->j, size);
		gc_json_key(c->j, "source");
		gc_json_string(c->j, source);
		if (has_addr) {
			gc_json_key(c->j, "address");
			gc_json_hex(c->j, addr);
		}
		gc_json_key(c->j, "members");
		gc_json_array_begin(c->j);
	}
	const char *p = sel;
	while (*p && !c->err) {
		size_t n = strcspn(p, ",");
		char path[256];
		snprintf(path, sizeof(path), "%.*s", (int)(n < 255 ? n : 255), p);
		p += n + (p[n] == ',');
		struct gc_member m;
		struct gc_error *err = gc_types_member(types, name, path, &m,
						       NULL);
		if (err) {
			if (c->j) {
				gc_json_array_end(c->j);
				gc_json_object_end(c->j);
				gc_json_end(c->j);
			}
			fflush(stdout);
			return lookup_rc(types, gc_error_set_file(err, file));
		}
		uint64_t msize = 0;
		if (!m.bitfield_size)
			note_err(c, gc_type_sizeof(m.type, &msize));
		char *t = spell(c, m.type, NULL);
		if (c->j) {
			gc_json_object_begin(c->j);
			gc_json_key(c->j, "name");
			gc_json_string(c->j, path);
			gc_json_key(c->j, "type");
			gc_json_string(c->j, t ? t : "?");
			gc_json_key(c->j, "offset");
			gc_json_u64(c->j, m.bit_offset / 8);
			if (m.bitfield_size) {
				gc_json_key(c->j, "bit_offset");
				gc_json_u64(c->j, m.bit_offset);
				gc_json_key(c->j, "bitfield_size");
				gc_json_u64(c->j, m.bitfield_size);
			} else {
				gc_json_key(c->j, "size");
				gc_json_u64(c->j, msize);
			}
			if (has_addr) {
				gc_json_key(c->j, "value");
				print_value(c, m.type, m.bit_offset,
					    m.bitfield_size, 1);
			}
			gc_json_object_end(c->j);
		} else if (has_addr) {
			printf("  %s = ", path);
			print_value(c, m.type, m.bit_offset, m.bitfield_size, 1);
			printf("\n");
		} else {
			char off[32];
			snprintf(off, sizeof(off), "[%" PRIu64 "]",
				 m.bit_offset / 8);
			char *decl = spell(c, m.type, path);
			if (m.bitfield_size)
				printf("%9s %s : %u; /* bit %u */\n", off,
				       decl ? decl : "?", m.bitfield_size,
				       (unsigned int)(m.bit_offset % 8));
			else
				printf("%9s %s;\n", off, decl ? decl : "?");
			free(decl);
		}
		free(t);
	}
	if (c->j) {
		gc_json_array_end(c->j);
		gc_json_object_end(c->j);
		gc_json_end(c->j);
	} else {
		printf("SIZE: %" PRIu64 "  [%s]\n", size, source);
	}
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	/* options were parsed by cli_parse_options: what is left is
	 * DUMP NAME [ADDR] and the canonical --json */
	bool json = cli_take_flag(&argc, argv, "--json");
	int optind = 1;
	int nargs = argc - optind;
	if (nargs != 2 && nargs != 3)
		return cli_usage(&cmd_struct);
	const char *path = argv[optind];
	/* NAME.m1,m2 (crash's form): only those members */
	char name[256];
	const char *sel = NULL;
	snprintf(name, sizeof(name), "%s", argv[optind + 1]);
	char *dot = strchr(name, '.');
	if (dot) {
		*dot = 0;
		sel = argv[optind + 1] + (dot - name) + 1;
		if (!*sel)
			return cli_fail("struct: no member after '%s.'", name);
	}
	uint64_t addr = 0;
	bool has_addr = nargs == 3;
	if (has_addr && !cli_parse_hex(argv[optind + 2], &addr))
		return cli_fail("struct: '%s' is not a hex address",
				argv[optind + 2]);
	struct gc_dump *d = cli_open(path);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	int rc = EXIT_OK;
	const struct gc_types *types = NULL;
	struct gc_type ty, s;
	struct gc_type_info ti;
	const char *source;
	uint64_t size = 0;
	uint8_t *obj = NULL;
	char *tname = NULL;
	struct gc_error *err = gc_kernel_types(k, &types);
	if (!err)
		err = gc_types_find(types, name, &ty, &source);
	if (!err)
		err = gc_type_strip(ty, &s);
	if (!err)
		err = gc_type_info(s, &ti);
	if (!err && ti.kind != GC_TYPE_STRUCT && ti.kind != GC_TYPE_UNION)
		err = gc_error_new(GC_ERR_INVALID_ARG, name,
				   "is of kind %s, not a struct or union (in %s)",
				   gc_type_kind_name(ti.kind), source);
	if (!err)
		err = gc_type_sizeof(s, &size);
	if (!err)
		err = gc_type_format(s, NULL, &tname);
	if (!err && has_addr) {
		if (size > MAX_OBJECT)
			err = gc_error_new(GC_ERR_UNSUPPORTED, name,
					   "%" PRIu64 " bytes is more than the "
					   "%u this command prints", size,
					   MAX_OBJECT);
		else if (!(obj = malloc(size ? size : 1)))
			err = &gc_error_nomem;
		else
			err = gc_kernel_read(k, addr, obj, size);
		if (err)
			err = gc_error_context(err, "reading %s at 0x%" PRIx64,
					       name, addr);
	}
	if (err) {
		rc = lookup_rc(types, gc_error_set_file(err, gc_dump_path(d)));
		goto out;
	}
	struct gc_json j;
	struct ctx c = {.j = json ? &j : NULL, .obj = obj, .size = size};
	if (sel) {
		rc = print_selected(&c, gc_dump_path(d), types, name, sel, tname, size, source,
				    has_addr, addr);
		if (rc == EXIT_ERROR)
			goto out;
	} else if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "type");
		gc_json_string(&j, tname);
		gc_json_key(&j, "size");
		gc_json_u64(&j, size);
		gc_json_key(&j, "source");
		gc_json_string(&j, source);
		if (has_addr) {
			gc_json_key(&j, "address");
			gc_json_hex(&j, addr);
			gc_json_key(&j, "value");
			gc_json_object_begin(&j);
			print_members(&c, s, 0, 1);
			gc_json_object_end(&j);
		} else {
			print_members(&c, s, 0, 0);
		}
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else if (has_addr) {
		printf("%s {\n", tname);
		print_members(&c, s, 0, 1);
		printf("}\n");
		printf("SIZE: %" PRIu64 "  [%s]\n", size, source);
	} else {
		printf("%s {\n", tname);
		print_members(&c, s, 0, 0);
		printf("}\nSIZE: %" PRIu64 "  [%s]\n", size, source);
	}
	fflush(stdout);
	if (c.err && rc == EXIT_OK)
		rc = cli_error(gc_error_set_file(c.err, gc_dump_path(d)));
out:
	free(obj);
	free(tname);
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_struct = {
	.name = "struct",
	.run = run,
	.summary = "a kernel struct's layout, or the object at ADDR member by "
		   "member (BTF in the dump, --vmlinux's .BTF or DWARF)",
	.usage = "struct DUMP NAME[.MEMBER[,MEMBER...]] [ADDR] [--json] "
		 "[--vmlinux FILE] "
		 "[--vmcoreinfo FILE] [--system-map FILE] "
		 "[--kallsyms auto|vmcoreinfo|search]",
	.opts = cli_json_only,
	.kernel = true,
};
