// SPDX-License-Identifier: MIT
/*
 * The physical view of a hand-made legacy PV xc_core dump (the guest's
 * p2m as an xlat composed over the dump's machine space, gc_p2m_view_new),
 * and the walker's machine-only mode the kernel layer uses to read it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "harness.h"
#include "dump_internal.h"
#include "kernel/xen_p2m.h"
#include "arch/x86_64/x86_64.h"

#define PG 4096u
#define NP 4u
static const uint64_t mfns[NP] = {0x5003, 0x5001, 0x7000, 0x5002};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* 24-byte header, one 5168-byte context, 4 8-byte mfns, 4 pages whose
 * first bytes name their mfn. */
static const char *write_legacy(void)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/legacy-pv.core", gc_test_tmpdir());
	uint64_t ctx = 24, idx = ctx + 5168, pages = 3 * PG;
	uint8_t *f = calloc(1, pages + NP * PG);
	if (!f)
		return NULL;
	put32(f, 0xF00FEBEDu);
	put32(f + 4, 1);
	put32(f + 8, NP);
	put32(f + 12, (uint32_t)ctx);
	put32(f + 16, (uint32_t)idx);
	put32(f + 20, (uint32_t)pages);
	for (unsigned i = 0; i < NP; i++) {
		memcpy(f + idx + 8 * i, &mfns[i], 8);
		snprintf((char *)f + pages + i * PG, 32, "page of mfn 0x%" PRIx64,
			 mfns[i]);
	}
	FILE *o = fopen(path, "wb");
	bool ok = o && fwrite(f, 1, pages + NP * PG, o) == pages + NP * PG;
	if (o && fclose(o))
		ok = false;
	free(f);
	return ok ? path : NULL;
}

TEST(legacy_pv_view_reads)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *d;
	CHECK(!gc_dump_open(path, NULL, &d));
	CHECK(gc_dump_needs_p2m(d));
	char buf[32];
	struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, 0, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED);
	gc_error_free(e);
	/* pfn 0 -> 0x5001, 1 -> none, 2 -> 0x7000 with FOREIGN_FRAME_BIT
	 * (another domain's frame: left unmapped), 3 -> 0x9999 (not
	 * dumped), 4 -> 0x5003 */
	const uint64_t p2m[] = {0x5001, ~0ull, 0x7000 | (1ull << 63), 0x9999,
				0x5003};
	struct gc_xlat *x;
	CHECK(!gc_xen_p2m_table_xlat(p2m, 5, 12, UINT64_MAX, NULL, &x));
	struct gc_dump *base = d;
	CHECK(!gc_p2m_view_new(base, x, "test table", false, &d));
	CHECK(!gc_dump_needs_p2m(d));
	/* the base dump is not changed by its view */
	CHECK(gc_dump_needs_p2m(base));
	CHECK(!gc_dump_field_by_name(base, "p2m_source"));
	e = gc_dump_read(base, GC_SPACE_PHYS, 0, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED);
	gc_error_free(e);
	CHECK(!gc_xen_p2m_table_xlat(p2m, 5, 12, UINT64_MAX, NULL, &x));
	struct gc_dump *again;
	e = gc_p2m_view_new(d, x, "again", false, &again);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED);
	gc_error_free(e);
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "page of mfn 0x5001");
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 4 * PG, buf, sizeof(buf)));
	CHECK_STR(buf, "page of mfn 0x5003");
	e = gc_dump_read(d, GC_SPACE_PHYS, 1 * PG, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	e = gc_dump_read(d, GC_SPACE_PHYS, 3 * PG, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	e = gc_dump_read(d, GC_SPACE_PHYS, 2 * PG, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	uint64_t v;
	e = gc_dump_pfn_to_mfn(d, 2, &v);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	CHECK(!gc_dump_mfn_to_pfn(d, 0x5003, &v));
	CHECK_EQ_U64(v, 4);
	/* mfn 0x5002 is dumped but the guest's p2m names no pfn for it */
	e = gc_dump_mfn_to_pfn(d, 0x5002, &v);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED);
	gc_error_free(e);
	struct gc_frame_run *runs;
	size_t nr;
	CHECK(!gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &nr));
	bool shape = nr == 2 && runs[0].start == 0 && runs[0].count == 1 &&
		     runs[1].start == 4 && runs[1].count == 1;
	free(runs);
	CHECK(shape);
	const struct gc_field *f = gc_dump_field_by_name(d, "p2m_source");
	CHECK(f);
	CHECK_STR(f->value, "test table (5 entries; 2 of 4 dumped frames get a "
			    "pfn)");
	struct gc_report r = {0};
	CHECK(!gc_dump_check(d, 0, &r));
	bool found = false;
	for (size_t i = 0; i < r.count; i++)
		if (!strcmp(r.items[i].code, "p2m-legacy") &&
		    r.items[i].severity == GC_SEV_WARNING &&
		    strstr(r.items[i].message, "2 of 4 dumped frames have a "
					       "pfn; 1 mfns it names are not "
					       "in the dump"))
			found = true;
	gc_report_clear(&r);
	gc_dump_close(d);
	gc_dump_close(base);
	CHECK(found);
}

/* IDENTITY and FOREIGN entries name no frame of the guest's RAM: an
 * identity pfn whose number equals a dumped mfn read that other page, and a
 * foreign entry read the machine frame its low bits name. */
TEST(legacy_pv_view_flagged_entries)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *base, *d;
	CHECK(!gc_dump_open(path, NULL, &base));
	uint64_t *p2m = malloc(0x5002 * sizeof(*p2m));
	CHECK(p2m);
	for (unsigned i = 0; i < 0x5002; i++)
		p2m[i] = ~0ull;
	p2m[0] = 0x5003;
	p2m[1] = 0x5002 | (1ull << 63);    /* FOREIGN_FRAME(0x5002) */
	p2m[2] = 1ull << 41;               /* past 52 bits of address */
	p2m[0x5001] = 0x5001 | (1ull << 62); /* IDENTITY_FRAME(0x5001) */
	struct gc_xen_p2m_stats st;
	struct gc_xlat *x;
	struct gc_error *e = gc_xen_p2m_table_xlat(p2m, 0x5002, 12, UINT64_MAX,
						   &st, &x);
	free(p2m);
	CHECK(!e);
	CHECK_EQ_U64(st.mapped, 1);
	CHECK_EQ_U64(st.identity, 1);
	CHECK_EQ_U64(st.foreign, 1);
	CHECK_EQ_U64(st.wild, 1);
	CHECK(!gc_p2m_view_new(base, x, "flagged", false, &d));
	char buf[32];
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0, buf, sizeof(buf)));
	CHECK_STR(buf, "page of mfn 0x5003");
	e = gc_dump_read(d, GC_SPACE_PHYS, 0x5001ull * PG, buf, 8);
	bool id_absent = e && gc_error_code(e) == GC_ERR_NOT_PRESENT;
	gc_error_free(e);
	e = gc_dump_read(d, GC_SPACE_PHYS, 1 * PG, buf, 8);
	bool foreign_absent = e && gc_error_code(e) == GC_ERR_NOT_PRESENT;
	gc_error_free(e);
	uint64_t v = 0;
	e = gc_dump_mfn_to_pfn(d, 0x5001, &v);
	bool no_pfn = e && gc_error_code(e) == GC_ERR_UNSUPPORTED;
	gc_error_free(e);
	gc_dump_close(d);
	gc_dump_close(base);
	CHECK(id_absent);
	CHECK(foreign_absent);
	CHECK(no_pfn);
}

/* A dumped frame named by several pfns: which is right is unknown, so all
 * of them are left unmapped and check says so (before, each of them read
 * that one page). */
TEST(legacy_pv_view_many_to_one)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *base, *d;
	CHECK(!gc_dump_open(path, NULL, &base));
	const uint64_t p2m[] = {0x5001, 0x5001, 0x5003, ~0ull, 0x5001};
	struct gc_xlat *x;
	CHECK(!gc_xen_p2m_table_xlat(p2m, 5, 12, 4, NULL, &x));
	CHECK(!gc_p2m_view_new(base, x, "dup", false, &d));
	char buf[32];
	bool ok = true;
	for (uint64_t pfn = 0; pfn < 5; pfn += 1) {
		if (pfn == 2 || pfn == 3)
			continue;
		struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, pfn * PG,
						  buf, 8);
		ok = ok && e && gc_error_code(e) == GC_ERR_NOT_PRESENT;
		gc_error_free(e);
	}
	struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, 2 * PG, buf,
					  sizeof(buf));
	ok = ok && !e && !strcmp(buf, "page of mfn 0x5003");
	gc_error_free(e);
	uint64_t v;
	e = gc_dump_mfn_to_pfn(d, 0x5001, &v);
	ok = ok && e && gc_error_code(e) == GC_ERR_UNSUPPORTED;
	gc_error_free(e);
	struct gc_report r = {0};
	e = gc_dump_check(d, 0, &r);
	bool found = false;
	for (size_t i = 0; !e && i < r.count; i++)
		if (!strcmp(r.items[i].code, "p2m-many-to-one") &&
		    r.items[i].severity == GC_SEV_WARNING &&
		    !strcmp(r.items[i].message, "3 pfns of the guest's p2m "
			    "name 1 dumped frame that another pfn names too "
			    "(the first: mfn 0x5001, named by pfn 0x0 and pfn "
			    "0x1); which of them is right is unknown, so all "
			    "are left unmapped"))
			found = true;
	gc_error_free(e);
	gc_report_clear(&r);
	const struct gc_field *f = gc_dump_field_by_name(d, "p2m_source");
	bool src = f && !strcmp(f->value, "dup (5 entries; 1 of 4 dumped "
				"frames get a pfn)");
	gc_dump_close(d);
	gc_dump_close(base);
	CHECK(ok);
	CHECK(found);
	CHECK(src);
}

/* 8192 entries naming one dumped frame of a 4-frame dump: refused before
 * they cost memory (they were 8192 runs and 8192 pfns reading one page;
 * 2^28 of them took gigabytes), by the table and by the view. */
TEST(legacy_pv_p2m_many_to_one_refused)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *base, *d = NULL;
	CHECK(!gc_dump_open(path, NULL, &base));
	uint64_t *p2m = malloc(8192 * sizeof(*p2m));
	CHECK(p2m);
	for (unsigned i = 0; i < 8192; i++)
		p2m[i] = 0x5001;
	struct gc_xlat *x = NULL;
	struct gc_error *e = gc_xen_p2m_table_xlat(p2m, 8192, 12,
						   gc_dump_nr_frames(base),
						   NULL, &x);
	bool table_refused = e && gc_error_code(e) == GC_ERR_CORRUPT && !x &&
		!strcmp(gc_error_why(e), "more than 1032 entries (twice the "
			"dump's 4 frames, plus 1024) name a machine frame, but "
			"a guest's p2m names each of its frames once: "
			"refused");
	gc_error_free(e);
	/* an xlat from elsewhere: the view refuses it */
	e = gc_xen_p2m_table_xlat(p2m, 8192, 12, UINT64_MAX, NULL, &x);
	free(p2m);
	bool built = !e;
	gc_error_free(e);
	bool view_refused = false;
	if (built) {
		e = gc_p2m_view_new(base, x, "many", false, &d);
		view_refused = e && gc_error_code(e) == GC_ERR_CORRUPT && !d &&
			!strcmp(gc_error_why(e), "more than 1032 of its "
				"entries name dumped frames, but the dump holds "
				"4 frames: refused");
		gc_error_free(e);
	}
	if (d)
		gc_dump_close(d);
	gc_dump_close(base);
	CHECK(table_refused);
	CHECK(built);
	CHECK(view_refused);
}

TEST(legacy_pv_view_absurd_size)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *d;
	CHECK(!gc_dump_open(path, NULL, &d));
	const uint64_t big = 1;
	/* absurd sizes are refused before any allocation */
	struct gc_xlat *x;
	struct gc_error *e = gc_xen_p2m_table_xlat(&big, 1ull << 40, 12,
						   UINT64_MAX, NULL, &x);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	gc_error_free(e);
	/* ... also as an xlat (its limit is the number of entries) */
	CHECK(!gc_xen_p2m_table_xlat(&big, 1, 12, UINT64_MAX, NULL, &x));
	x->limit = (1ull << 40) << 12;
	struct gc_dump *v;
	e = gc_p2m_view_new(d, x, "absurd", false, &v);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	gc_error_free(e);
	CHECK(gc_dump_needs_p2m(d));
	gc_dump_close(d);
}

/* The view's translations are coalesced runs; everything but pfns is the
 * base dump's; no kernel in the file means no view from the kernel layer
 * and the dump stays as it was. */
TEST(legacy_pv_view_xlats)
{
	const char *path = write_legacy();
	CHECK(path);
	struct gc_dump *base, *d;
	CHECK(!gc_dump_open(path, NULL, &base));
	struct gc_dump *v = NULL;
	struct gc_error *e = gc_kernel_phys_view(base, NULL, &v);
	CHECK(e && !v);
	gc_error_free(e);
	CHECK(gc_dump_needs_p2m(base));
	const uint64_t p2m[] = {0x5001, 0x5002, 0x5003, 0x7000, ~0ull, 0x9999};
	struct gc_xlat *x;
	CHECK(!gc_xen_p2m_table_xlat(p2m, 6, 12, UINT64_MAX, NULL, &x));
	CHECK(!gc_p2m_view_new(base, x, "six", false, &d));
	CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_XC_CORE_LEGACY);
	CHECK_STR(gc_dump_path(d), gc_dump_path(base));
	CHECK_EQ_U64(gc_dump_nr_vcpus(d), gc_dump_nr_vcpus(base));
	CHECK(gc_p2m_view_base(d) == base && !gc_p2m_view_base(base));
	struct gc_xlat *p, *m;
	struct gc_xlat_run r;
	CHECK(!gc_dump_xlat(d, GC_SPACE_PHYS, GC_SPACE_MACH, &p));
	CHECK(!gc_dump_xlat(d, GC_SPACE_MACH, GC_SPACE_PHYS, &m));
	CHECK(!gc_xlat_lookup(p, 0x10, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x5001010);
	CHECK_EQ_U64(r.len, 3 * PG - 0x10);
	CHECK(!gc_xlat_lookup(m, 0x5002000, &r));
	CHECK_EQ_U64(r.target, 0x1000);
	CHECK_EQ_U64(r.len, 2 * PG);
	e = gc_dump_xlat(base, GC_SPACE_PHYS, GC_SPACE_MACH, &p);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED && !p);
	gc_error_free(e);
	struct gc_frame_run *runs;
	size_t nr;
	CHECK(!gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &nr));
	bool shape = nr == 1 && runs[0].start == 0 && runs[0].count == 4;
	free(runs);
	CHECK(shape);
	uint64_t f;
	e = gc_dump_pfn_to_mfn(d, 5, &f);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_STR(gc_error_why(e), "pfn 0x5 has no dumped frame in the guest's p2m "
			  "(6 entries)");
	gc_error_free(e);
	e = gc_dump_mfn_to_pfn(d, 0x1234, &f);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_STR(gc_error_why(e), "mfn 0x1234 is not among the 4 dumped frames");
	gc_error_free(e);
	char buf[32];
	CHECK(!gc_dump_read(d, GC_SPACE_MACH, 0x7000000, buf, sizeof(buf)));
	CHECK_STR(buf, "page of mfn 0x7000");
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 3 * PG, buf, sizeof(buf)));
	CHECK_STR(buf, "page of mfn 0x7000");
	gc_dump_close(d);
	/* a view that owns its base closes it */
	CHECK(!gc_xen_p2m_table_xlat(p2m, 6, 12, UINT64_MAX, NULL, &x));
	CHECK(!gc_p2m_view_new(base, x, "six", true, &d));
	gc_dump_close(d);
}

/* The walker in machine-only mode: a PV table whose leaf frame has no
 * pfn translates (phys = machine) only when mach_only is set. */
static uint64_t mem[3][512];
static struct gc_error *rd(void *ctx, enum gc_space sp, uint64_t a,
			   uint64_t *out)
{
	(void)ctx;
	(void)sp;
	uint64_t page = (a >> 12) - 0x100;
	if (page >= 3)
		return gc_error_new(GC_ERR_NOT_PRESENT, "test", "no frame");
	*out = mem[page][(a & 4095) / 8];
	return NULL;
}
static struct gc_error *m2p(void *ctx, uint64_t mfn, uint64_t *pfn)
{
	(void)ctx;
	(void)mfn;
	(void)pfn;
	return gc_error_new(GC_ERR_UNSUPPORTED, "test", "no pfn column");
}

TEST(walker_machine_only)
{
	/* 0xffffffff80000000: PGD 511 -> PUD 510 -> PMD 0 = 2 MiB page */
	memset(mem, 0, sizeof(mem));
	mem[0][511] = 0x101000 | 0x67;
	mem[1][510] = 0x102000 | 0x67;
	mem[2][0] = 0x40000000 | 0xe7;
	struct gc_arch_paging pg = {.levels = 4, .xen_pv = true};
	struct gc_arch_mem m = {.read_u64 = rd, .m2p = m2p};
	struct gc_walk w;
	struct gc_error *e = gc_x86_walk(&pg, &m, 0x100000, GC_SPACE_MACH,
					 0xffffffff80012345ull, &w);
	CHECK(e);
	gc_error_free(e);
	pg.mach_only = true;
	CHECK(!gc_x86_walk(&pg, &m, 0x100000, GC_SPACE_MACH,
			   0xffffffff80012345ull, &w));
	CHECK_EQ_U64(w.mach, 0x40012345);
	CHECK_EQ_U64(w.phys, 0x40012345);
	CHECK_EQ_U64(w.page_size, 2u << 20);
}

TEST_MAIN()
