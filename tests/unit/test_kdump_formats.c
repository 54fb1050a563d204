// SPDX-License-Identifier: MIT
/* Unit tests for the ELF vmcore / kdump support modules: range maps,
 * the decoded-page cache, note parsing, and the real dumps through the
 * library API. */
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "harness.h"
#include "guestcore/guestcore.h"
#include "io/pagecache.h"
#include "spaces/rangemap.h"
#include "formats/notes.h"
#include "arch/arch.h"
#include "formats/elf_vmcore.h"

TEST(rangemap_disjoint)
{
	struct gc_range_in in[] = {
		{ 0x3000, 0x4000, 1, 0 }, { 0x0, 0x1000, 1, 1 },
		{ 0x1000, 0x2000, 1, 2 },
	};
	struct gc_range *r;
	size_t n, ov;
	CHECK_OK(gc_range_resolve(in, 3, &r, &n, &ov));
	CHECK_EQ_U64(ov, 0);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(r[0].idx, 1);
	CHECK_EQ_U64(r[2].start, 0x3000);
	CHECK_EQ_U64(gc_range_find(r, n, 0x1fff), 1);
	CHECK_EQ_U64(gc_range_find(r, n, 0x2000), SIZE_MAX);
	CHECK_EQ_U64(gc_range_find(r, n, 0x3fff), 2);
	CHECK_EQ_U64(gc_range_find(r, n, 0x4000), SIZE_MAX);
	free(r);
}

TEST(rangemap_priority_overlap)
{
	/* low-priority [0, 100) under high-priority [20, 50) and a
	 * middle one [40, 120): expect 0-20 low, 20-50 high, 50-120 mid */
	struct gc_range_in in[] = {
		{ 0, 100, 1, 10 }, { 20, 50, 9, 11 }, { 40, 120, 5, 12 },
		{ 7, 7, 99, 13 },  /* empty: ignored */
	};
	struct gc_range *r;
	size_t n, ov;
	CHECK_OK(gc_range_resolve(in, 4, &r, &n, &ov));
	CHECK_EQ_U64(ov, 2);
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(r[0].start, 0);
	CHECK_EQ_U64(r[0].end, 20);
	CHECK_EQ_U64(r[0].idx, 10);
	CHECK_EQ_U64(r[1].end, 50);
	CHECK_EQ_U64(r[1].idx, 11);
	CHECK_EQ_U64(r[2].start, 50);
	CHECK_EQ_U64(r[2].end, 120);
	CHECK_EQ_U64(r[2].idx, 12);
	free(r);
}

TEST(rangemap_many_identical)
{
	/* later (higher prio) wins among 1000 copies of one range */
	enum { N = 1000 };
	struct gc_range_in *in = calloc(N, sizeof(*in));
	CHECK(in);
	for (size_t i = 0; i < N; i++)
		in[i] = (struct gc_range_in){ 4096, 8192, i, i };
	struct gc_range *r;
	size_t n, ov;
	struct gc_error *e = gc_range_resolve(in, N, &r, &n, &ov);
	free(in);
	CHECK_OK(e);
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(r[0].idx, N - 1);
	free(r);
}

/* Two descriptors may give one offset a different stored length or codec
 * (hostile or damaged): each is its own entry, never the other's page. */
TEST(pagecache_tag_is_part_of_the_key)
{
	struct gc_pagecache *c = gc_pagecache_new(4, 4096);
	CHECK(c);
	int a;
	struct gc_page_loc l1 = { .offset = 0x4000, .size = 400,
				  .codec = GC_CODEC_ZLIB };
	struct gc_page_loc l2 = l1, l3 = l1;
	l2.size = 401;
	l3.codec = GC_CODEC_LZO;
	CHECK(gc_page_loc_tag(&l1) != gc_page_loc_tag(&l2));
	CHECK(gc_page_loc_tag(&l1) != gc_page_loc_tag(&l3));
	uint8_t *s = gc_pagecache_slot(c, &a, 0x4000, gc_page_loc_tag(&l1));
	memset(s, 0x44, 4096);
	gc_pagecache_commit(c, s);
	CHECK(gc_pagecache_get(c, &a, 0x4000, gc_page_loc_tag(&l1)));
	CHECK(!gc_pagecache_get(c, &a, 0x4000, gc_page_loc_tag(&l2)));
	CHECK(!gc_pagecache_get(c, &a, 0x4000, gc_page_loc_tag(&l3)));
	s = gc_pagecache_slot(c, &a, 0x4000, gc_page_loc_tag(&l3));
	memset(s, 0x55, 4096);
	gc_pagecache_commit(c, s);
	const uint8_t *p = gc_pagecache_get(c, &a, 0x4000, gc_page_loc_tag(&l1));
	CHECK(p && p[0] == 0x44);
	p = gc_pagecache_get(c, &a, 0x4000, gc_page_loc_tag(&l3));
	CHECK(p && p[0] == 0x55);
	gc_pagecache_free(c);
}

TEST(pagecache_hit_miss_evict)
{
	struct gc_pagecache *c = gc_pagecache_new(2, 4096);
	CHECK(c);
	int a, b;
	CHECK(!gc_pagecache_get(c, &a, 0, 0));
	uint8_t *s = gc_pagecache_slot(c, &a, 0, 0);
	memset(s, 0x11, 4096);
	/* not committed: invisible */
	CHECK(!gc_pagecache_get(c, &a, 0, 0));
	gc_pagecache_commit(c, s);
	const uint8_t *p = gc_pagecache_get(c, &a, 0, 0);
	CHECK(p && p[4095] == 0x11);
	/* same offset, other file: a different key */
	CHECK(!gc_pagecache_get(c, &b, 0, 0));
	s = gc_pagecache_slot(c, &b, 0, 0);
	memset(s, 0x22, 4096);
	gc_pagecache_commit(c, s);
	s = gc_pagecache_slot(c, &a, 8192, 0);
	memset(s, 0x33, 4096);
	gc_pagecache_commit(c, s);
	/* two slots: one of the first two entries was evicted */
	int live = (gc_pagecache_get(c, &a, 0, 0) != NULL) +
		   (gc_pagecache_get(c, &b, 0, 0) != NULL);
	CHECK_EQ_U64(live, 1);
	p = gc_pagecache_get(c, &a, 8192, 0);
	CHECK(p && p[0] == 0x33);
	struct gc_pagecache_stats st;
	gc_pagecache_stats(c, &st);
	CHECK(st.hits >= 3 && st.misses >= 3);
	gc_pagecache_free(c);
}

static size_t put_note(uint8_t *b, const char *name, uint32_t type,
		       const void *desc, uint32_t dsz)
{
	uint32_t nl = (uint32_t)strlen(name) + 1;
	memcpy(b, &nl, 4);
	memcpy(b + 4, &dsz, 4);
	memcpy(b + 8, &type, 4);
	memcpy(b + 12, name, nl);
	size_t d = 12 + ((nl + 3) & ~3u);
	memcpy(b + d, desc, dsz);
	return d + ((dsz + 3) & ~3u);
}

TEST(notes_prstatus_qemu_vmcoreinfo)
{
	uint8_t *b = calloc(1, 4096);
	CHECK(b);
	uint8_t pr[336] = {0}, q[440] = {0};
	uint64_t rip = 0xffffffff81a592ebull, rsp = 0xffffffff82a03e98ull;
	uint64_t cs_user = 0x33, cr3 = 0x8000000006049801ull;
	uint32_t pid = 42, one = 1, qsz = 440;
	memcpy(pr + 32, &pid, 4);
	memcpy(pr + 240, &rip, 8);
	memcpy(pr + 264, &rsp, 8);
	memcpy(pr + 248, &cs_user, 8);
	memcpy(q, &one, 4);
	memcpy(q + 4, &qsz, 4);
	memcpy(q + 416, &cr3, 8);
	size_t n = 0;
	n += put_note(b + n, "CORE", 1, pr, sizeof(pr));
	n += put_note(b + n, "QEMU", 0, q, sizeof(q));
	n += put_note(b + n, "VMCOREINFO", 0, "OSRELEASE=6.1.0\nPAGESIZE=4096\n",
		      30);
	n += put_note(b + n, "Xen", 0x1000001, "abcd", 4);
	struct gc_notes ns = {0};
	struct gc_report r = {0};
	CHECK_OK(gc_notes_parse(&ns, b, n, 0x1000, false, "test", &r));
	CHECK_EQ_U64(r.count, 0);
	CHECK_EQ_U64(ns.n, 4);
	CHECK_EQ_U64(ns.ncpus, 1);
	CHECK_EQ_U64(ns.nxen, 1);
	CHECK_STR(ns.notes[3].name, "Xen");
	CHECK_EQ_U64(ns.notes[0].offset, 0x1000 + 20);
	struct gc_vcpu v;
	struct gc_cpu_state cs;
	memset(&v, 0, sizeof(v));
	gc_notes_cpu_state(&ns, 0, &cs);
	CHECK_OK(gc_arch_decode_cpu(&cs, &v));
	CHECK_STR(v.source, "NT_PRSTATUS + QEMU CPU state");
	CHECK_EQ_U64(v.regs[GC_REG_RIP], rip);
	CHECK_EQ_U64(v.regs[GC_REG_RSP], rsp);
	CHECK_EQ_U64(v.pid, 42);
	CHECK_EQ_U64(v.regs[GC_REG_CR3], cr3);
	/* user mode: PCID, PTI user bit and no-flush bit masked */
	CHECK_EQ_U64(v.pgd_addr, 0x6048000);
	CHECK(v.pgd_space == GC_SPACE_PHYS);
	char val[32];
	CHECK(gc_vmcoreinfo_get(ns.vmcoreinfo, "PAGESIZE", val, sizeof(val)));
	CHECK_STR(val, "4096");
	CHECK(!gc_vmcoreinfo_get(ns.vmcoreinfo, "PAGE", val, sizeof(val)));
	gc_notes_free(&ns);
	gc_report_clear(&r);
}

TEST(notes_overrun_reported)
{
	uint8_t *b = calloc(1, 64);
	CHECK(b);
	uint32_t h[3] = { 5, 1000, 1 };
	memcpy(b, h, 12);
	memcpy(b + 12, "CORE", 5);
	struct gc_notes ns = {0};
	struct gc_report r = {0};
	CHECK_OK(gc_notes_parse(&ns, b, 64, 0, false, "area", &r));
	CHECK_EQ_U64(ns.n, 0);
	CHECK_EQ_U64(r.count, 1);
	CHECK_STR(r.items[0].code, "note-overrun");
	gc_notes_free(&ns);
	gc_report_clear(&r);
}

TEST(real_elf_segments_and_vmcoreinfo)
{
	const char *p = gc_test_real_dump(
		"qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf");
	if (!p) {
		gc_test_skip("real dump absent");
		return;
	}
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(p, NULL, &d));
	const struct gc_elf_segment *s;
	size_t n = gc_elf_vmcore_segments(d, &s);
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(s[1].paddr, 0xc0000);
	CHECK_EQ_U64(s[1].offset, 0xa1520);
	CHECK_EQ_U64(s[3].paddr, 0xfffc0000);
	const char *t;
	size_t len;
	uint64_t off;
	CHECK_OK(gc_dump_vmcoreinfo(d, &t, &len, &off));
	CHECK_CONTAINS(t, "KERNELOFFSET=1ce00000\n");
	CHECK_EQ_U64(gc_dump_nr_vcpus(d), 2);
	enum gc_page_state st;
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 0xa0, &st));
	CHECK(st == GC_PAGE_ABSENT);
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 0xc0, &st));
	CHECK(st == GC_PAGE_PRESENT);
	gc_dump_close(d);
}

TEST(real_kdump_d31_excluded_vs_absent)
{
	const char *p = gc_test_real_dump(
		"qemu-idle-nokaslr/qemu-6.1-idle-2cpu.makedumpfile-d31-zlib");
	if (!p) {
		gc_test_skip("real dump absent");
		return;
	}
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(p, NULL, &d));
	CHECK(gc_dump_format(d) == GC_FORMAT_KDUMP);
	uint64_t excl = 0, present = 0, absent = 0;
	for (uint64_t f = 0; f < 0x8000; f++) {
		enum gc_page_state st;
		CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, f, &st));
		excl += st == GC_PAGE_EXCLUDED;
		present += st == GC_PAGE_PRESENT;
		absent += st == GC_PAGE_ABSENT;
	}
	/* -d31 drops free/user/cache pages; the hole at 0xa0-0xbf is not RAM */
	CHECK(excl > 1000);
	CHECK(present > 1000);
	CHECK_EQ_U64(absent, 0x20);
	CHECK_EQ_U64(present, gc_dump_nr_frames(d));
	uint8_t buf[8];
	for (uint64_t f = 0; f < 0x8000; f++) {
		enum gc_page_state st;
		CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, f, &st));
		if (st != GC_PAGE_EXCLUDED)
			continue;
		struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, f << 12,
						  buf, 8);
		CHECK(e != NULL);
		CHECK(gc_error_code(e) == GC_ERR_EXCLUDED);
		gc_error_free(e);
		break;
	}
	gc_dump_close(d);
}

TEST_MAIN()
