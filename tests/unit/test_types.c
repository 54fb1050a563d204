// SPDX-License-Identifier: MIT
/*
 * The types layer: the BTF reader on hand-built blobs of every kind (both
 * byte orders, split BTF on a base, every kind of damage), the provider
 * chain (sources, VMCOREINFO's flat answers, what is missing), and the
 * real dumps' kernel and module BTF found in memory.
 *
 * The real-dump numbers were read from the DWARF of Debian's debug
 * vmlinux for 6.1.0-56-amd64 (linux-image-6.1.0-56-amd64-dbg 6.1.192-2)
 * and of its kvm.ko / kvm-amd.ko with `pahole -F dwarf -C NAME`; `make
 * check-btf` compares BTF and DWARF live, member by member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "fixtures/btfgen.h"
#include "guestcore/guestcore.h"

static struct gc_types *chain_of(const uint8_t *b, size_t len,
				 struct gc_type_provider **out)
{
	struct gc_type_provider *p;
	struct gc_error *err = gc_btf_provider_new(b, len, "test blob", &p);
	if (err) {
		gc_test_fail(__FILE__, __LINE__, "load: %s",
			     gc_error_string(err));
		gc_error_free(err);
		return NULL;
	}
	struct gc_types *t;
	if (gc_types_new(&t) || gc_types_add(t, p))
		return NULL;
	if (out)
		*out = p;
	return t;
}

/* G's blob (G freed) as a one-provider chain; NULL after a failure. */
static struct gc_types *chain_of_gen(struct btfgen *g,
				     struct gc_type_provider **out)
{
	size_t len;
	uint8_t *b = btfgen_finish(g, &len);
	btfgen_free(g);
	if (!b) {
		gc_test_fail(__FILE__, __LINE__, "btfgen: out of memory");
		return NULL;
	}
	struct gc_types *t = chain_of(b, len, out);
	free(b);
	return t;
}

static char *fmt(struct gc_type ty, const char *name)
{
	char *s = NULL;
	struct gc_error *err = gc_type_format(ty, name, &s);
	if (err) {
		gc_error_free(err);
		return strdup("(error)");
	}
	return s;
}

static char *gc_asprintf_test(uint64_t bit, uint32_t bits, const char *t)
{
	char *s = malloc(strlen(t) + 64);
	if (s)
		sprintf(s, "%llu:%u %s", (unsigned long long)bit, bits, t);
	return s;
}

static void all_kinds(bool be)
{
	size_t len;
	uint8_t *b = btfgen_all_kinds(be, &len, NULL);
	CHECK(b);
	struct gc_type_provider *p;
	struct gc_types *t = chain_of(b, len, &p);
	free(b);
	CHECK(t);
	CHECK_EQ_U64(gc_type_provider_nr_types(p), 23);
	CHECK_STR(gc_type_provider_kind(p), "BTF");
	uint64_t v;
	const char *src;
	CHECK_OK(gc_types_sizeof(t, "struct s", &v, &src));
	CHECK_EQ_U64(v, 32);
	CHECK_STR(src, "test blob");
	CHECK_OK(gc_types_sizeof(t, "myint", &v, NULL));
	CHECK_EQ_U64(v, 4);
	CHECK_OK(gc_types_sizeof(t, "outer", &v, NULL));
	CHECK_EQ_U64(v, 40);
	CHECK_OK(gc_types_sizeof(t, "double", &v, NULL));
	CHECK_EQ_U64(v, 8);
	/* a bitfield: bit 35, 3 bits; offsetof refuses it */
	struct gc_member m;
	CHECK_OK(gc_types_member(t, "s", "flags", &m, NULL));
	CHECK_EQ_U64(m.bit_offset, 35);
	CHECK_EQ_U64(m.bitfield_size, 3);
	struct gc_error *err = gc_types_offsetof(t, "s", "flags", &v, NULL);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	CHECK_CONTAINS(gc_error_string(err), "bitfield at bit 35");
	gc_error_free(err);
	/* through the anonymous union, and a path */
	CHECK_OK(gc_types_offsetof(t, "struct s", "p", &v, NULL));
	CHECK_EQ_U64(v, 8);
	CHECK_OK(gc_types_offsetof(t, "outer", "s1.name", &v, NULL));
	CHECK_EQ_U64(v, 16);
	CHECK_OK(gc_types_member(t, "outer", "s1.x", &m, NULL));
	CHECK_EQ_U64(m.bit_offset, 64);
	char *s = fmt(m.type, m.name);
	CHECK_STR(s, "int x");
	free(s);
	CHECK_OK(gc_types_member(t, "outer", "fp", &m, NULL));
	s = fmt(m.type, m.name);
	CHECK_STR(s, "int (*fp)(int a, ...)");
	free(s);
	CHECK_OK(gc_types_member(t, "s", "name", &m, NULL));
	s = fmt(m.type, m.name);
	CHECK_STR(s, "char name[16]");
	free(s);
	err = gc_types_member(t, "s", "nosuch", &m, NULL);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(err), "s has no member 'nosuch'");
	gc_error_free(err);
	/* enums: signed 32-bit and 64-bit values */
	int64_t n;
	CHECK_OK(gc_types_number(t, "E_NEG", &n, &src));
	CHECK_EQ_U64(n, (uint64_t)-1);
	CHECK_OK(gc_types_number(t, "E_TWO", &n, NULL));
	CHECK_EQ_U64(n, 2);
	CHECK_OK(gc_types_number(t, "BIG", &n, NULL));
	CHECK_EQ_U64(n, 0x123456789ull);
	struct gc_type ty;
	CHECK_OK(gc_types_find(t, "enum e", &ty, NULL));
	struct gc_type_info ti;
	CHECK_OK(gc_type_info(ty, &ti));
	CHECK(ti.kind == GC_TYPE_ENUM && ti.is_signed && ti.vlen == 2);
	struct gc_enumerator e;
	CHECK_OK(gc_type_enumerator(ty, 0, &e));
	CHECK_STR(e.name, "E_NEG");
	CHECK(e.value == -1);
	CHECK_OK(gc_types_find(t, "e64", &ty, NULL));
	CHECK_OK(gc_type_info(ty, &ti));
	CHECK(ti.kind == GC_TYPE_ENUM64 && ti.size == 8);
	/* every other kind's record */
	static const struct {
		uint32_t id;
		enum gc_type_kind kind;
		const char *spelled;
	} k[] = {
		{1, GC_TYPE_INT, "int"},
		{3, GC_TYPE_PTR, "int *"},
		{4, GC_TYPE_ARRAY, "char [16]"},
		{6, GC_TYPE_UNION, "union (anonymous)"},
		{8, GC_TYPE_FWD, "struct fwdstruct"},
		{9, GC_TYPE_TYPEDEF, "myint"},
		{10, GC_TYPE_VOLATILE, "volatile int"},
		{11, GC_TYPE_CONST, "const char"},
		{12, GC_TYPE_RESTRICT, "int *restrict"},
		{13, GC_TYPE_FUNC_PROTO, "int (int a, ...)"},
		{14, GC_TYPE_FUNC, "int fn(int a, ...)"},
		{15, GC_TYPE_VAR, "int v"},
		{16, GC_TYPE_DATASEC, "SEC(\".data\")"},
		{17, GC_TYPE_FLOAT, "double"},
		{18, GC_TYPE_DECL_TAG, "struct s"},
		{19, GC_TYPE_TYPE_TAG, "int"},
		{21, GC_TYPE_PTR, "int (*)(int a, ...)"},
		{23, GC_TYPE_PTR, "const char *"},
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct gc_type x = {p, k[i].id};
		CHECK_OK(gc_type_info(x, &ti));
		if (ti.kind != k[i].kind) {
			gc_test_fail(__FILE__, __LINE__, "id %u kind %s",
				     k[i].id, gc_type_kind_name(ti.kind));
			return;
		}
		s = fmt(x, NULL);
		CHECK_STR(s, k[i].spelled);
		free(s);
	}
	CHECK_OK(gc_type_info((struct gc_type){p, 2}, &ti));
	CHECK(ti.int_encoding == (GC_INT_SIGNED | GC_INT_CHAR) &&
	      ti.int_bits == 8);
	CHECK_OK(gc_type_info((struct gc_type){p, 16}, &ti));
	CHECK_OK(gc_type_member((struct gc_type){p, 16}, 0, &m));
	CHECK_EQ_U64(m.type.id, 15);
	/* sizeof a function or forward declaration is refused */
	err = gc_type_sizeof((struct gc_type){p, 8}, &v);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	gc_error_free(err);
	err = gc_types_find(t, "struct fwdstruct", &ty, NULL);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	gc_error_free(err);
	err = gc_type_info((struct gc_type){p, 24}, &ti);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	gc_error_free(err);
	gc_types_free(t);
}

TEST(btf_every_kind_le) { all_kinds(false); }
TEST(btf_every_kind_be) { all_kinds(true); }

TEST(btf_split_continues_base)
{
	size_t al, sl;
	uint32_t strs;
	uint8_t *a = btfgen_all_kinds(false, &al, &strs);
	uint8_t *sb = btfgen_split(false, strs, &sl);
	CHECK(a && sb);
	struct gc_type_provider *base, *mod;
	struct gc_types *t = chain_of(a, al, &base);
	CHECK(t);
	CHECK_OK(gc_btf_provider_new_split(base, sb, sl, "module blob", &mod));
	CHECK_OK(gc_types_add(t, mod));
	CHECK_EQ_U64(gc_type_provider_nr_types(mod), 26);
	uint64_t v;
	const char *src;
	CHECK_OK(gc_types_sizeof(t, "struct mod", &v, &src));
	CHECK_EQ_U64(v, 40);
	CHECK_STR(src, "module blob");
	CHECK_OK(gc_types_sizeof(t, "mod_t", &v, &src));
	CHECK_EQ_U64(v, 40);
	/* a member path from the split blob into the base's types */
	struct gc_member m;
	CHECK_OK(gc_types_member(t, "mod", "inner.p", &m, NULL));
	CHECK_EQ_U64(m.bit_offset, 128);
	CHECK(m.type.provider == base);
	CHECK_OK(gc_types_member(t, "mod", "name", &m, NULL));
	CHECK(m.type.provider == base && m.type.id == 23);
	char *s = fmt(m.type, "name");
	CHECK_STR(s, "const char *name");
	free(s);
	/* type 26 is named by a base string offset */
	struct gc_type_info ti;
	CHECK_OK(gc_type_info((struct gc_type){mod, 26}, &ti));
	CHECK_STR(ti.name, "int");
	/* base ids asked of the split provider are the base's */
	CHECK_OK(gc_type_info((struct gc_type){mod, 5}, &ti));
	CHECK_STR(ti.name, "s");
	/* split on a non-BTF provider is refused */
	struct gc_type_provider *bad;
	struct gc_error *err = gc_btf_provider_new_split(NULL, sb, sl, "x",
							 &bad);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	gc_error_free(err);
	/* a split blob alone is not a base (its strings do not start
	 * with "", or its names point past its strings) */
	err = gc_btf_provider_new(sb, sl, "alone", &bad);
	CHECK(err);
	gc_error_free(err);
	free(a);
	free(sb);
	gc_types_free(t);
}

/* Load BLOB damaged by FN; expect an error whose text contains WANT. */
static void expect_damage(void (*fn)(uint8_t *b, size_t *len),
			  const char *want, int line)
{
	size_t len;
	uint8_t *b = btfgen_all_kinds(false, &len, NULL);
	if (!b)
		return;
	fn(b, &len);
	struct gc_type_provider *p;
	struct gc_error *err = gc_btf_provider_new(b, len, "damaged", &p);
	free(b);
	if (!err) {
		gc_test_fail(__FILE__, line, "damage accepted (want '%s')",
			     want);
		gc_type_provider_free(p);
		return;
	}
	if (!strstr(gc_error_string(err), want))
		gc_test_fail(__FILE__, line, "'%s' does not contain '%s'",
			     gc_error_string(err), want);
	gc_error_free(err);
}

static void put32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
/* byte offset of type ID's record in the all-kinds blob */
static size_t rec(uint8_t *b, uint32_t id)
{
	size_t at = 24;
	for (uint32_t i = 1; i < id; i++) {
		uint32_t info, kind, vlen;
		memcpy(&info, b + at + 4, 4);
		kind = (info >> 24) & 0x1f;
		vlen = info & 0xffff;
		size_t x = kind == 1 || kind == 14 || kind == 17 ? 4 :
			   kind == 3 ? 12 :
			   kind == 4 || kind == 5 || kind == 15 || kind == 19 ?
				   12 * vlen :
			   kind == 6 || kind == 13 ? 8 * vlen : 0;
		at += 12 + x;
	}
	return at;
}

static void d_short(uint8_t *b, size_t *len) { (void)b; *len = 20; }
static void d_magic(uint8_t *b, size_t *len) { (void)len; b[0] = 0x12; }
static void d_version(uint8_t *b, size_t *len) { (void)len; b[2] = 2; }
static void d_hdrlen(uint8_t *b, size_t *len) { put32(b, 4, (uint32_t)*len + 1); }
static void d_types_past(uint8_t *b, size_t *len) { (void)len; put32(b, 12, 0x100000); }
static void d_strs_past(uint8_t *b, size_t *len) { (void)len; put32(b, 20, 0x100000); }
static void d_strs_nonul(uint8_t *b, size_t *len) { b[*len - 1] = 'x'; }
static void d_strs_first(uint8_t *b, size_t *len)
{
	uint32_t so;
	(void)len;
	memcpy(&so, b + 16, 4);
	b[24 + so] = 'x';
}
static void d_kind(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 9) + 4, 25u << 24); }
static void d_vlen(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 22) + 4, 4u << 24 | 0xffff); }
static void d_ref(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 9) + 8, 99); }
static void d_name(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 9), 0x7fffffff); }
static void d_int(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 1) + 8, 0); }
static void d_member(uint8_t *b, size_t *len) { (void)len; put32(b, rec(b, 22) + 12 + 12 + 8, 9999); }
static void d_overlap(uint8_t *b, size_t *len) { (void)len; put32(b, 16, 8); }
static void d_align(uint8_t *b, size_t *len) { (void)len; put32(b, 8, 2); }

TEST(btf_damage_named)
{
	expect_damage(d_short, "BTF header at offset 0x0: 20 bytes", __LINE__);
	expect_damage(d_magic, "BTF magic at offset 0x0: 0xeb12, expected 0xeb9f", __LINE__);
	expect_damage(d_version, "BTF version at offset 0x2", __LINE__);
	expect_damage(d_hdrlen, "BTF hdr_len at offset 0x4", __LINE__);
	expect_damage(d_types_past, "BTF type section at offset 0x8", __LINE__);
	expect_damage(d_strs_past, "BTF string section at offset 0x10",
		      __LINE__);
	expect_damage(d_strs_nonul, "not NUL-terminated", __LINE__);
	expect_damage(d_strs_first, "do not start with the empty string",
		      __LINE__);
	expect_damage(d_kind, "type 9: unknown kind 25", __LINE__);
	expect_damage(d_vlen, "type 22 (kind 4, vlen 65535) needs", __LINE__);
	expect_damage(d_ref, "type 9 target refers to type 99, past the last "
		      "type 23", __LINE__);
	expect_damage(d_name, "type 9 names string 0x7fffffff", __LINE__);
	expect_damage(d_int, "int of 0 bytes", __LINE__);
	expect_damage(d_member, "member ends at bit 9999", __LINE__);
	expect_damage(d_overlap, "overlap", __LINE__);
	expect_damage(d_align, "not 4-byte aligned", __LINE__);
}

TEST(btf_cycle_bounded)
{
	/* typedef a -> typedef b -> typedef a: loads (references are in
	 * range), but following it is an error, not a hang */
	struct btfgen g;
	btfgen_init(&g, 1, 0, false);
	btfgen_type(&g, "a", BG_TYPEDEF, false, 0, 2);
	btfgen_type(&g, "b", BG_TYPEDEF, false, 0, 1);
	btfgen_type(&g, "c", BG_ARRAY, false, 0, 0);
	btfgen_u32(&g, 3);
	btfgen_u32(&g, 3);
	btfgen_u32(&g, 2);
	btfgen_type(&g, "st", BG_STRUCT, false, 1, 8);
	btfgen_member(&g, NULL, 4, 0, 0);  /* itself, anonymous */
	struct gc_type_provider *p;
	struct gc_types *t = chain_of_gen(&g, &p);
	CHECK(t);
	uint64_t v;
	struct gc_error *err = gc_types_sizeof(t, "a", &v, NULL);
	CHECK(err);
	CHECK_CONTAINS(gc_error_string(err), "a cycle?");
	gc_error_free(err);
	err = gc_type_sizeof((struct gc_type){p, 3}, &v);
	CHECK(err);
	gc_error_free(err);
	char *s = NULL;
	err = gc_type_format((struct gc_type){p, 3}, "x", &s);
	CHECK(err);
	gc_error_free(err);
	struct gc_member m;
	err = gc_types_member(t, "st", "zz", &m, NULL);
	CHECK(err);
	CHECK_CONTAINS(gc_error_string(err), "a cycle?");
	gc_error_free(err);
	gc_types_free(t);
}

TEST(btf_wide_anonymous_nesting_bounded)
{
	/* 4 levels of 1000 anonymous members each: a search for a missing
	 * name would visit 10^12 members; it stops after 2^20 */
	struct btfgen g;
	btfgen_init(&g, 1, 0, false);
	btfgen_type(&g, "int", BG_INT, false, 0, 4);
	btfgen_u32(&g, 1u << 24 | 32);
	for (uint32_t lvl = 0; lvl < 4; lvl++) {
		btfgen_type(&g, lvl == 3 ? "top" : NULL, BG_STRUCT, false,
			    1000, 8);
		for (int i = 0; i < 1000; i++)
			btfgen_member(&g, lvl ? NULL : "x", lvl ? 2 + lvl - 1 : 1,
				      0, 0);
	}
	struct gc_types *t = chain_of_gen(&g, NULL);
	CHECK(t);
	struct gc_member m;
	CHECK_OK(gc_types_member(t, "top", "x", &m, NULL));
	CHECK_EQ_U64(m.bit_offset, 0);
	struct gc_error *err = gc_types_member(t, "top", "nosuch", &m, NULL);
	CHECK(err && gc_error_code(err) == GC_ERR_FORMAT);
	CHECK_CONTAINS(gc_error_string(err), "more than 1048576 members "
		       "searched");
	gc_error_free(err);
	gc_types_free(t);
}

TEST(btf_parameter_fanout_bounded)
{
	/* 30 levels of "pointer to a function taking two pointers to the
	 * next level" (60 deep, within the depth bound): 1.2 KB of BTF whose
	 * C spelling has 2^31 parts.  It took hours and all memory; now the
	 * spelling stops after 1024 types, and the levels near the bottom
	 * still spell as C. */
	struct btfgen g;
	btfgen_init(&g, 1, 0, false);
	btfgen_type(&g, "int", BG_INT, false, 0, 4);
	btfgen_u32(&g, 1u << 24 | 32);
	enum { LEVELS = 30 };
	for (uint32_t i = 0; i < LEVELS; i++) {
		uint32_t ptr = 2 + 2 * i, next = i + 1 < LEVELS ? ptr + 2 : 1;
		btfgen_type(&g, NULL, BG_PTR, false, 0, ptr + 1);
		btfgen_type(&g, NULL, BG_FUNC_PROTO, false, 2, 0);
		for (int k = 0; k < 2; k++) {
			btfgen_u32(&g, 0);
			btfgen_u32(&g, next);
		}
	}
	struct gc_type_provider *p;
	struct gc_types *t = chain_of_gen(&g, &p);
	CHECK(t);
	char *s = NULL;
	struct gc_error *err = gc_type_format((struct gc_type){p, 2}, "x", &s);
	CHECK(err && gc_error_code(err) == GC_ERR_FORMAT);
	CHECK_CONTAINS(gc_error_string(err), "type id 2 of ");
	CHECK_CONTAINS(gc_error_string(err), "its C declaration takes more "
		       "than 1024 types");
	gc_error_free(err);
	uint32_t last = 2 + 2 * (LEVELS - 1);
	CHECK_OK(gc_type_format((struct gc_type){p, last}, "x", &s));
	CHECK_STR(s, "void (*x)(int, int)");
	free(s);
	CHECK_OK(gc_type_format((struct gc_type){p, last - 2}, "x", &s));
	CHECK_STR(s, "void (*x)(void (*)(int, int), void (*)(int, int))");
	free(s);
	/* 8 levels from the bottom: 2^9 - 1 pointers, as many prototypes */
	CHECK_OK(gc_type_format((struct gc_type){p, last - 14}, "x", &s));
	free(s);
	gc_types_free(t);
}

TEST(vmcoreinfo_provider_flat)
{
	static const char text[] = "OSRELEASE=6.1.0-56-amd64\n"
				   "SYMBOL(init_top_pgt)=ffffffff82a10000\n"
				   "SIZE(page)=64\n"
				   "OFFSET(page.flags)=0\n"
				   "OFFSET(page.lru)=8\n"
				   "LENGTH(node_data)=1024\n"
				   "NUMBER(PG_lru)=4\n";
	struct gc_vmcoreinfo *vi;
	CHECK_OK(gc_vmcoreinfo_parse(text, sizeof(text) - 1, &vi));
	struct gc_types *t;
	struct gc_type_provider *p;
	CHECK_OK(gc_types_new(&t));
	CHECK_OK(gc_vmcoreinfo_provider_new(vi, "VMCOREINFO note", &p));
	CHECK_OK(gc_types_add(t, p));
	uint64_t v;
	int64_t n;
	const char *src;
	CHECK_OK(gc_types_sizeof(t, "struct page", &v, &src));
	CHECK_EQ_U64(v, 64);
	CHECK_STR(src, "VMCOREINFO note");
	CHECK_OK(gc_types_offsetof(t, "page", "lru", &v, NULL));
	CHECK_EQ_U64(v, 8);
	CHECK_OK(gc_types_symbol(t, "init_top_pgt", &v, NULL));
	CHECK_EQ_U64(v, 0xffffffff82a10000ull);
	CHECK_OK(gc_types_number(t, "PG_lru", &n, NULL));
	CHECK_EQ_U64(n, 4);
	CHECK_OK(gc_types_number(t, "node_data", &n, NULL));
	CHECK_EQ_U64(n, 1024);
	/* no type graph: a type lookup says what was asked */
	struct gc_type ty;
	struct gc_error *err = gc_types_find(t, "struct page", &ty, NULL);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(err), "struct page is in none of: "
		       "VMCOREINFO note");
	gc_error_free(err);
	/* BTF first in the chain answers before VMCOREINFO */
	size_t len;
	uint8_t *b = btfgen_all_kinds(false, &len, NULL);
	struct gc_types *t2;
	struct gc_type_provider *bp, *vp;
	CHECK_OK(gc_types_new(&t2));
	CHECK_OK(gc_btf_provider_new(b, len, "blob", &bp));
	free(b);
	CHECK_OK(gc_types_add(t2, bp));
	CHECK_OK(gc_vmcoreinfo_provider_new(vi, NULL, &vp));
	CHECK_OK(gc_types_add(t2, vp));
	CHECK_OK(gc_types_sizeof(t2, "s", &v, &src));
	CHECK_STR(src, "blob");
	CHECK_OK(gc_types_sizeof(t2, "page", &v, &src));
	CHECK_STR(src, "VMCOREINFO");
	CHECK_EQ_U64(gc_types_nr_providers(t2), 2);
	gc_types_free(t2);
	gc_types_free(t);
	gc_vmcoreinfo_free(vi);
}

/* ---- the real dumps --------------------------------------------------- */

struct real {
	struct gc_dump *d;
	struct gc_kernel *k;
	const struct gc_types *t;
};

static bool open_real(const char *rel, struct real *r)
{
	memset(r, 0, sizeof(*r));
	const char *path = gc_test_real_dump(rel);
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return false;
	}
	struct gc_error *err = gc_dump_open(path, NULL, &r->d);
	if (!err)
		err = gc_kernel_open(r->d, NULL, &r->k);
	if (!err)
		err = gc_kernel_types(r->k, &r->t);
	if (err) {
		gc_test_fail(__FILE__, __LINE__, "%s: %s", rel,
			     gc_error_string(err));
		gc_error_free(err);
		return false;
	}
	return true;
}

static void close_real(struct real *r)
{
	gc_kernel_close(r->k);
	gc_dump_close(r->d);
}

static void vmlinux_btf(const char *rel)
{
	struct real r;
	if (!open_real(rel, &r))
		return;
	const struct gc_types *t = r.t;
	uint64_t v;
	const char *src;
	/* from pahole -F dwarf -C task_struct (debug vmlinux) */
	CHECK_OK(gc_types_sizeof(t, "struct task_struct", &v, &src));
	CHECK_EQ_U64(v, 9792);
	CHECK_CONTAINS(src, "kernel BTF at 0xffffffff");
	CHECK_CONTAINS(src, "(4359789 bytes, __start_BTF from kallsyms)");
	CHECK_OK(gc_types_offsetof(t, "task_struct", "pid", &v, NULL));
	CHECK_EQ_U64(v, 2416);
	CHECK_OK(gc_types_offsetof(t, "task_struct", "comm", &v, NULL));
	CHECK_EQ_U64(v, 2976);
	CHECK_OK(gc_types_offsetof(t, "task_struct", "__state", &v, NULL));
	CHECK_EQ_U64(v, 24);
	CHECK_OK(gc_types_offsetof(t, "task_struct", "tasks", &v, NULL));
	CHECK_EQ_U64(v, 2192);
	CHECK_OK(gc_types_offsetof(t, "task_struct", "mm", &v, NULL));
	CHECK_EQ_U64(v, 2272);
	/* in_execve:1 at byte 2344 bit 2 ("2344: 2" in pahole) */
	struct gc_member m;
	CHECK_OK(gc_types_member(t, "task_struct", "in_execve", &m, NULL));
	CHECK_EQ_U64(m.bit_offset, 2344 * 8 + 2);
	CHECK_EQ_U64(m.bitfield_size, 1);
	CHECK_OK(gc_types_member(t, "task_struct", "comm", &m, NULL));
	char *s = fmt(m.type, m.name);
	CHECK_STR(s, "char comm[16]");
	free(s);
	/* mm_struct: its members sit in an anonymous struct */
	CHECK_OK(gc_types_sizeof(t, "struct mm_struct", &v, NULL));
	CHECK_EQ_U64(v, 1096);
	CHECK_OK(gc_types_offsetof(t, "mm_struct", "pgd", &v, NULL));
	CHECK_EQ_U64(v, 72);
	CHECK_OK(gc_types_offsetof(t, "mm_struct", "mmap_lock", &v, NULL));
	CHECK_EQ_U64(v, 112);
	/* struct page: mapping inside an anonymous union's struct */
	CHECK_OK(gc_types_offsetof(t, "struct page", "mapping", &v, &src));
	CHECK_EQ_U64(v, 24);
	CHECK_CONTAINS(src, "kernel BTF");
	CHECK_OK(gc_types_offsetof(t, "page", "lru", &v, NULL));
	CHECK_EQ_U64(v, 8);
	CHECK_OK(gc_types_sizeof(t, "struct module", &v, NULL));
	CHECK_EQ_U64(v, 896);
	CHECK_OK(gc_types_offsetof(t, "module", "name", &v, NULL));
	CHECK_EQ_U64(v, 24);
	CHECK_OK(gc_types_offsetof(t, "module", "list", &v, NULL));
	CHECK_EQ_U64(v, 8);
	/* enum pid_type { ..., PIDTYPE_SID = 3, PIDTYPE_MAX = 4 } */
	int64_t n;
	CHECK_OK(gc_types_number(t, "PIDTYPE_MAX", &n, &src));
	CHECK_EQ_U64(n, 4);
	CHECK_OK(gc_types_number(t, "PIDTYPE_SID", &n, NULL));
	CHECK_EQ_U64(n, 3);
	/* VMCOREINFO still answers what BTF cannot: symbols */
	CHECK_OK(gc_types_symbol(t, "init_top_pgt", &v, &src));
	CHECK_STR(src, "VMCOREINFO");
	close_real(&r);
}

TEST(real_btf_qemu_kaslr)
{
	vmlinux_btf("qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf");
}
TEST(real_btf_xen_pv) { vmlinux_btf("xen-pv-idle/xen-pv-idle.core"); }
TEST(real_btf_kdump_d31)
{
	vmlinux_btf("qemu-idle-nokaslr/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib");
}

TEST(real_module_btf_kvm_host)
{
	struct real r;
	if (!open_real("kvm-host-vmm/host.elf", &r))
		return;
	const struct gc_types *t = r.t;
	/* the kernel's BTF, then the 7 loaded modules' split BTF, then
	 * VMCOREINFO (kvm_amd, ccp, kvm, irqbypass, pvpanic_mmio, pvpanic,
	 * qemu_fw_cfg: the host's lsmod) */
	CHECK_EQ_U64(gc_types_nr_providers(t), 9);
	uint64_t v;
	const char *src;
	/* from pahole -F dwarf on kvm.ko: struct kvm is 40504 bytes */
	CHECK_OK(gc_types_sizeof(t, "struct kvm", &v, &src));
	CHECK_EQ_U64(v, 40504);
	CHECK_OK(gc_types_offsetof(t, "kvm", "mm", &v, NULL));
	CHECK_EQ_U64(v, 72);
	CHECK_OK(gc_types_offsetof(t, "kvm", "online_vcpus", &v, NULL));
	CHECK_EQ_U64(v, 4456);
	CHECK_OK(gc_types_offsetof(t, "kvm", "userspace_pid", &v, NULL));
	CHECK_EQ_U64(v, 40408);
	/* kvm_mmu_page exists only in kvm.ko's BTF: 184 bytes (kvm.ko DWARF) */
	CHECK_OK(gc_types_sizeof(t, "struct kvm_mmu_page", &v, &src));
	CHECK_EQ_U64(v, 184);
	CHECK_CONTAINS(src, "BTF of module kvm at 0x");
	/* vcpu_svm only in kvm_amd's; its first member is struct kvm_vcpu */
	CHECK_OK(gc_types_offsetof(t, "struct vcpu_svm", "vcpu", &v, &src));
	CHECK_EQ_U64(v, 0);
	CHECK_CONTAINS(src, "BTF of module kvm_amd at 0x");
	struct gc_type ty;
	CHECK_OK(gc_types_find(t, "struct vcpu_svm", &ty, NULL));
	CHECK(gc_type_provider_nr_types(ty.provider) >
	      gc_type_provider_nr_types(gc_types_provider(t, 0)));
	/* an object: the vmm's vCPU thread (truth.json: task
	 * 0xffff8ea3c214c200 is pid 125, tgid 122) */
	uint64_t pid_off, tgid_off;
	CHECK_OK(gc_types_offsetof(t, "task_struct", "pid", &pid_off, NULL));
	CHECK_OK(gc_types_offsetof(t, "task_struct", "tgid", &tgid_off, NULL));
	uint32_t pid, tgid;
	CHECK_OK(gc_kernel_read(r.k, 0xffff8ea3c214c200ull + pid_off, &pid, 4));
	CHECK_OK(gc_kernel_read(r.k, 0xffff8ea3c214c200ull + tgid_off, &tgid, 4));
	CHECK_EQ_U64(pid, 125);
	CHECK_EQ_U64(tgid, 122);
	close_real(&r);
}

/* ---- DWARF (libdw) against BTF, both from the debug vmlinux ----------- */

static const char *debug_vmlinux(void)
{
	static char path[1024];
	const char *rc = getenv("GC_REFEREE_CACHE");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	if (rc)
		snprintf(path, sizeof(path), "%s/vmlinux-6.1.0-56-amd64", rc);
	else if (xdg)
		snprintf(path, sizeof(path),
			 "%s/guestcore/vmlinux-6.1.0-56-amd64", xdg);
	else
		snprintf(path, sizeof(path),
			 "%s/.cache/guestcore/vmlinux-6.1.0-56-amd64",
			 home ? home : "");
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fclose(f);
	return path;
}

/* Members of S flattened through anonymous members into LINES. */
static bool flatten(struct gc_type s, uint64_t base, int depth, char **lines,
		    size_t *n, size_t max)
{
	struct gc_type st;
	struct gc_type_info ti;
	if (depth > 8 || gc_type_strip(s, &st) || gc_type_info(st, &ti))
		return false;
	for (uint32_t i = 0; i < ti.vlen; i++) {
		struct gc_member m;
		struct gc_type ms;
		struct gc_type_info mi;
		if (gc_type_member(st, i, &m) || gc_type_strip(m.type, &ms) ||
		    gc_type_info(ms, &mi))
			return false;
		if (!*m.name && (mi.kind == GC_TYPE_STRUCT ||
				 mi.kind == GC_TYPE_UNION)) {
			if (!flatten(m.type, base + m.bit_offset, depth + 1,
				     lines, n, max))
				return false;
			continue;
		}
		char *t = fmt(m.type, m.name);
		if (*n >= max)
			return false;
		lines[(*n)++] = gc_asprintf_test(base + m.bit_offset,
						 m.bitfield_size, t);
		free(t);
	}
	return true;
}

TEST(dwarf_equals_btf_debug_vmlinux)
{
	const char *path = debug_vmlinux();
	if (!path) {
		gc_test_skip("no debug vmlinux in the referee cache "
			     "(make check-btf fetches it)");
		return;
	}
	struct gc_type_provider *bp, *dp;
	CHECK_OK(gc_btf_provider_from_elf(path, NULL, &bp));
	CHECK_OK(gc_dwarf_provider_open(path, &dp));
	struct gc_types *bt, *dt;
	CHECK_OK(gc_types_new(&bt));
	CHECK_OK(gc_types_add(bt, bp));
	CHECK_OK(gc_types_new(&dt));
	CHECK_OK(gc_types_add(dt, dp));
	static const char *const names[] = {
		"struct task_struct", "struct mm_struct", "struct module",
		"struct page", "struct sched_entity", "struct btf",
		"struct btf_module", "struct list_head", "struct kvm",
	};
	enum { MAX = 1024 };
	char **a = calloc(MAX, sizeof(*a)), **b = calloc(MAX, sizeof(*b));
	CHECK(a && b);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gc_type x, y;
		uint64_t sx, sy;
		const char *src;
		CHECK_OK(gc_types_find(bt, names[i], &x, NULL));
		CHECK_OK(gc_types_find(dt, names[i], &y, &src));
		CHECK_CONTAINS(src, "DWARF of ");
		CHECK_OK(gc_type_sizeof(x, &sx));
		CHECK_OK(gc_type_sizeof(y, &sy));
		CHECK_EQ_U64(sy, sx);
		size_t na = 0, nb = 0;
		CHECK(flatten(x, 0, 0, a, &na, MAX));
		CHECK(flatten(y, 0, 0, b, &nb, MAX));
		CHECK_EQ_U64(nb, na);
		CHECK(na >= 2);
		for (size_t j = 0; j < na; j++) {
			if (strcmp(a[j], b[j]))
				gc_test_fail(__FILE__, __LINE__, "%s: BTF '%s' "
					     "DWARF '%s'", names[i], a[j], b[j]);
			free(a[j]);
			free(b[j]);
		}
		if (gc_test_failed)
			break;
	}
	free(a);
	free(b);
	int64_t v1, v2;
	CHECK_OK(gc_types_number(bt, "PIDTYPE_MAX", &v1, NULL));
	CHECK_OK(gc_types_number(dt, "PIDTYPE_MAX", &v2, NULL));
	CHECK_EQ_U64(v2, v1);
	CHECK_OK(gc_types_number(dt, "TASK_COMM_LEN", &v2, NULL));
	CHECK_EQ_U64(v2, 16);
	gc_types_free(bt);
	gc_types_free(dt);
}

TEST_MAIN()
