// SPDX-License-Identifier: MIT
/*
 * The Xen xc_core reader through the public API, on dumps written by the
 * fixture writer (gcfixture, found through $GCFIX or next to this test's
 * build directory): header fields, reads by pfn and mfn, translations,
 * runs, vCPU registers (x86_64, x86_32 PAE), check findings, and the
 * error objects of unreadable files (code, offset, text).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "harness.h"

static const char *gcfix(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("GCFIX");
	if (env && access(env, X_OK) == 0)
		return env;
	/* $(BUILD)/tests/test_xc_core -> $(BUILD)/gcfixture */
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	strcpy(slash, "/../gcfixture");
	return access(path, X_OK) == 0 ? path : NULL;
}

/* Write a fixture NAME with OPTS; returns its path or NULL (and fails). */
static const char *fixture(const char *name, const char *opts)
{
	static char path[1024];
	const char *fx = gcfix();
	if (!fx)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.core", gc_test_tmpdir(), name);
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "'%s' %s -o '%s'", fx, opts, path);
	return system(cmd) == 0 ? path : NULL;
}

#define OPEN(d, name, opts)                                                \
	const char *path_ = fixture(name, opts);                          \
	if (!gcfix()) {                                                   \
		gc_test_skip("gcfixture not built");                      \
		return;                                                   \
	}                                                                 \
	CHECK(path_ != NULL);                                             \
	struct gc_dump *d;                                                \
	CHECK_OK(gc_dump_open(path_, NULL, &d))

static bool has_finding(const struct gc_report *r, const char *code,
			enum gc_severity sev)
{
	for (size_t i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].code, code) &&
		    r->items[i].severity == sev)
			return true;
	return false;
}

TEST(pv_header_and_reads)
{
	OPEN(d, "pv", "--pages 64 --mfns runs:16 --vcpus 2");
	CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_XC_CORE_ELF);
	CHECK_EQ_U64(gc_dump_page_size(d), 4096);
	CHECK_EQ_U64(gc_dump_nr_frames(d), 64);
	CHECK_EQ_U64(gc_dump_nr_vcpus(d), 2);
	CHECK(gc_dump_has_space(d, GC_SPACE_MACH));
	const struct gc_field *f = gc_dump_field_by_name(d, "xch_nr_pages");
	CHECK(f && f->has_number);
	CHECK_EQ_U64(f->number, 64);
	CHECK_STR(f->value, "64 (0x40)");
	f = gc_dump_field_by_name(d, "xch_magic");
	CHECK_STR(f->value, "f00febed (XC_CORE_MAGIC)");
	CHECK_STR(gc_dump_field_by_name(d, "guest_type")->value, "PV");
	/* pfn 0x21 -> its mfn, then the same page through both spaces */
	uint64_t mfn, pfn;
	CHECK_OK(gc_dump_pfn_to_mfn(d, 0x21, &mfn));
	CHECK_OK(gc_dump_mfn_to_pfn(d, mfn, &pfn));
	CHECK_EQ_U64(pfn, 0x21);
	char a[64], b[64], want[64];
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x21000, a, sizeof(a)));
	CHECK_OK(gc_dump_read(d, GC_SPACE_MACH, mfn << 12, b, sizeof(b)));
	CHECK(!memcmp(a, b, sizeof(a)));
	snprintf(want, sizeof(want), "GCFIX pfn=0x21 mfn=0x%" PRIx64 "\n",
		 mfn);
	CHECK_STR(a, want);
	/* each later word holds its own guest-physical address */
	uint64_t w[2];
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x21ff0, w, sizeof(w)));
	CHECK_EQ_U64(w[0], 0x21ff0);
	CHECK_EQ_U64(w[1], 0x21ff8);
	/* mfn runs: 4 runs of 16 */
	struct gc_frame_run *runs;
	size_t n;
	CHECK_OK(gc_dump_frame_runs(d, GC_SPACE_MACH, &runs, &n));
	CHECK_EQ_U64(n, 4);
	CHECK_EQ_U64(runs[0].count, 16);
	free(runs);
	CHECK_OK(gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &n));
	CHECK_EQ_U64(n, 1);
	CHECK_EQ_U64(runs[0].start, 0);
	CHECK_EQ_U64(runs[0].count, 64);
	free(runs);
	enum gc_page_state st;
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 0x40, &st));
	CHECK_EQ_U64(st, GC_PAGE_ABSENT);
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 0x3f, &st));
	CHECK_EQ_U64(st, GC_PAGE_PRESENT);
	struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS, 0x40008, a, 8);
	CHECK(err != NULL);
	CHECK_EQ_U64(gc_error_code(err), GC_ERR_NOT_PRESENT);
	uint64_t eaddr = 0;
	enum gc_space espace = GC_SPACE_NONE;
	CHECK(gc_error_address(err, &eaddr, &espace));
	CHECK_EQ_U64(eaddr, 0x40008);
	CHECK_EQ_U64(espace, GC_SPACE_PHYS);
	gc_error_free(err);
	err = gc_dump_pfn_to_mfn(d, 0x40, &mfn);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	gc_error_free(err);
	gc_dump_close(d);
}

TEST(hvm_holes_and_fill)
{
	OPEN(d, "hvm", "--hvm --pfns 0-15,32-47 --invalid-tail 3");
	CHECK(!gc_dump_has_space(d, GC_SPACE_MACH));
	CHECK_EQ_U64(gc_dump_nr_frames(d), 32);
	uint8_t buf[3 * 4096];
	uint64_t missing = 0;
	CHECK_OK(gc_dump_read_fill(d, GC_SPACE_PHYS, 0xf000, buf, sizeof(buf),
				   &missing));
	CHECK_EQ_U64(missing, 2);
	CHECK(!memcmp(buf, "GCFIX pfn=0xf hvm\n", 18));
	for (size_t i = 4096; i < sizeof(buf); i++)
		if (buf[i]) {
			CHECK(!"hole page is not zero");
		}
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x20000, buf, 19));
	CHECK(!memcmp(buf, "GCFIX pfn=0x20 hvm\n", 19));
	struct gc_error *err = gc_dump_read(d, GC_SPACE_MACH, 0, buf, 8);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	gc_error_free(err);
	struct gc_report r = { 0 };
	CHECK_OK(gc_dump_check(d, 0, &r));
	CHECK(has_finding(&r, "invalid-tail", GC_SEV_NOTE));
	CHECK_EQ_U64(gc_report_problems(&r), 0);
	gc_report_clear(&r);
	gc_dump_close(d);
}

TEST(big_endian_elf32)
{
	OPEN(d, "be32", "--class 32 --endian big --pages 16 --vcpus 3");
	CHECK_STR(gc_dump_field_by_name(d, "elf_class")->value, "ELFCLASS32");
	CHECK_EQ_U64(gc_dump_nr_vcpus(d), 3);
	struct gc_vcpu v;
	CHECK_OK(gc_dump_vcpu(d, 2, &v));
	CHECK(!v.is_32bit);
	CHECK_EQ_U64(v.regs[GC_REG_RIP], 0xffffffff81001020ull);
	CHECK_EQ_U64(v.regs[GC_REG_RSP], 0xffffc9000000c000ull);
	CHECK_EQ_U64(v.regs[GC_REG_RAX], 0xaa02);
	CHECK_EQ_U64(v.regs[GC_REG_R13], 0xd02);
	CHECK_EQ_U64(v.regs[GC_REG_CS], 0xe033);
	CHECK_EQ_U64(v.regs[GC_REG_CR3], 0x100001000ull);
	CHECK_EQ_U64(v.pgd_addr, 0x100001000ull);
	CHECK_EQ_U64(v.pgd_space, GC_SPACE_MACH);
	CHECK(v.has_xen_flags);
	CHECK_EQ_U64(v.xen_flags, 0x25);
	char a[16];
	CHECK_OK(gc_dump_read(d, GC_SPACE_MACH, 0x100003000ull, a, 14));
	CHECK(!memcmp(a, "GCFIX pfn=0x3 ", 14));
	struct gc_error *err = gc_dump_vcpu(d, 3, &v);
	CHECK(err && gc_error_code(err) == GC_ERR_INVALID_ARG);
	gc_error_free(err);
	gc_dump_close(d);
}

TEST(x86_32_pae_cr3)
{
	OPEN(d, "pae", "--width 32 --pae-cr3 --mfn-base 0x123400 --pages 8 "
		       "--reg rip=0xc1234567");
	CHECK_STR(gc_dump_field_by_name(d, "guest_width")->value, "x86_32");
	struct gc_vcpu v;
	CHECK_OK(gc_dump_vcpu(d, 0, &v));
	CHECK(v.is_32bit);
	CHECK_EQ_U64(v.regs[GC_REG_RIP], 0xc1234567);
	CHECK_EQ_U64(v.regs[GC_REG_CR3], 0x23401001);
	/* (cr3 >> 12) | (cr3 << 20), not the naive cr3 >> 12 = 0x23401 */
	CHECK_EQ_U64(v.pgd_addr, 0x123401000ull);
	CHECK_EQ_U64(v.regs[GC_REG_CS], 0xe019);
	struct gc_report r = { 0 };
	CHECK_OK(gc_dump_check(d, 0, &r));
	CHECK(has_finding(&r, "cr3", GC_SEV_OK));
	CHECK(!has_finding(&r, "cr3-missing", GC_SEV_ERROR));
	gc_report_clear(&r);
	gc_dump_close(d);
}

TEST(cr3_missing_finding)
{
	OPEN(d, "cr3m", "--pages 32 --mfns fragmented --vcpus 2 "
			"--reg 0:cr3=0xd5743000");
	struct gc_report r = { 0 };
	CHECK_OK(gc_dump_check(d, 0, &r));
	const struct gc_finding *f = NULL;
	for (size_t i = 0; i < r.count; i++)
		if (!strcmp(r.items[i].code, "cr3-missing"))
			f = &r.items[i];
	CHECK(f != NULL);
	CHECK_EQ_U64(f->severity, GC_SEV_ERROR);
	CHECK_CONTAINS(f->message, "vcpu 0 cr3 = 0xd5743000 -> mfn 0xd5743 "
				   "is not among the 32 dumped frames; "
				   "page-table walks from this cr3 cannot "
				   "start");
	CHECK_EQ_U64(gc_report_problems(&r), 1);
	gc_report_clear(&r);
	/* everything else still works */
	char a[16];
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x1f000, a, 15));
	CHECK(!memcmp(a, "GCFIX pfn=0x1f ", 15));
	gc_dump_close(d);
}

TEST(truncated_pages)
{
	OPEN(d, "cut", "--pages 16 --cut-pages 4");
	enum gc_page_state st;
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 12, &st));
	CHECK_EQ_U64(st, GC_PAGE_TRUNCATED);
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 11, &st));
	CHECK_EQ_U64(st, GC_PAGE_PRESENT);
	char a[8];
	struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS, 0xc000, a, 8);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(err), "is listed but its data lies "
					     "past the end");
	gc_error_free(err);
	struct gc_report r = { 0 };
	CHECK_OK(gc_dump_check(d, 0, &r));
	CHECK(has_finding(&r, "pages-truncated", GC_SEV_ERROR));
	gc_report_clear(&r);
	gc_dump_close(d);
}

TEST(legacy_layouts)
{
	{
		OPEN(d, "leg", "--legacy --legacy-entry 4 --pages 8");
		CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_XC_CORE_LEGACY);
		char a[16];
		CHECK_OK(gc_dump_read(d, GC_SPACE_MACH, 0x100005000ull, a,
				      14));
		CHECK(!memcmp(a, "GCFIX pfn=0x5 ", 14));
		struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS, 0x5000,
						    a, 8);
		CHECK(err && gc_error_code(err) == GC_ERR_UNSUPPORTED);
		gc_error_free(err);
		gc_dump_close(d);
	}
	{
		OPEN(d, "leghvm", "--legacy --hvm --pfns 0-3,6-7 --endian big");
		CHECK_EQ_U64(gc_dump_nr_frames(d), 6);
		char a[20];
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 0x6000, a, 17));
		CHECK(!memcmp(a, "GCFIX pfn=0x6 hvm", 17));
		enum gc_page_state st;
		CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 4, &st));
		CHECK_EQ_U64(st, GC_PAGE_ABSENT);
		struct gc_report r = { 0 };
		CHECK_OK(gc_dump_check(d, 0, &r));
		CHECK(has_finding(&r, "legacy-holes", GC_SEV_NOTE));
		CHECK_EQ_U64(gc_report_problems(&r), 0);
		gc_report_clear(&r);
		gc_dump_close(d);
	}
}

/* Unreadable files: the error's code, offset and one-line text. */
static void expect_open_error(const char *name, const char *opts,
			      enum gc_error_code code, uint64_t offset,
			      const char *text_tail)
{
	const char *path = fixture(name, opts);
	if (!gcfix()) {
		gc_test_skip("gcfixture not built");
		return;
	}
	CHECK(path != NULL);
	struct gc_dump *d = NULL;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	CHECK(err != NULL);
	CHECK(d == NULL);
	CHECK_EQ_U64(gc_error_code(err), code);
	uint64_t eoff = 0;
	CHECK(gc_error_offset(err, &eoff));
	CHECK_EQ_U64(eoff, offset);
	char want[1200];
	snprintf(want, sizeof(want), "%s: %s", path, text_tail);
	CHECK_STR(gc_error_string(err), want);
	gc_error_free(err);
}

TEST(open_errors)
{
	expect_open_error("magic", "--set-magic 0x1", GC_ERR_FORMAT, 0x220,
			  "xch_magic at offset 0x220: 0x1 is neither "
			  "0xf00febed (PV) nor 0xf00febee (HVM)");
	if (gc_test_failed)
		return;
	expect_open_error("psize", "--set-page-size 3000", GC_ERR_FORMAT,
			  0x238, "xch_page_size at offset 0x238: page size "
			  "3000 is not a power of two between 512 and "
			  "1048576");
	if (gc_test_failed)
		return;
	expect_open_error("hdr", "--header-descsz 16", GC_ERR_FORMAT, 0x210,
			  "note DUMPCORE_HEADER at offset 0x210: descriptor "
			  "is 16 bytes, expected 32");
	if (gc_test_failed)
		return;
	expect_open_error("shoff", "--bad-offset shoff=0xffffffffffff0000",
			  GC_ERR_TRUNCATED, 0xffffffffffff0000ull,
			  "section header table at offset 0xffffffffffff0000:"
			  " 7 headers of 64 bytes run past the end of the "
			  "file (size 0x104048)");
	if (gc_test_failed)
		return;
	expect_open_error("legidx", "--legacy --bad-offset index=0xffffffff",
			  GC_ERR_TRUNCATED, 0x10,
			  "xch_index_offset at offset 0x10: 0xffffffff is "
			  "past the end of the file (size 0x102000)");
}

TEST_MAIN()
