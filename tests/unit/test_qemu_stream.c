// SPDX-License-Identifier: MIT
/*
 * QEMU migration streams and libvirt save images: the real 256 MiB q35
 * `virsh save` image against the same moment's `virsh dump --memory-only`
 * ELF (every page) and truth.json (every vCPU register); the JSON reader;
 * the fixture writer's streams (every record type, damage kinds).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/report.h"
#include "formats/qemu_stream.h"
#include "guestcore/guestcore.h"
#include "harness.h"
#include "util/util.h"

#define SET "virsh-q35-256m-nokaslr"

/* ---- the real save image against ref.elf ------------------------------------ */

/* Every page of REF (an ELF of the same moment) equals STREAM's and the
 * stream holds no page the reference lacks; EXPECT pages (0: any). */
static void pages_equal(const char *stream, const char *ref, uint64_t expect)
{
	struct gc_dump *s = NULL, *e = NULL;
	struct gc_error *err = gc_dump_open(stream, NULL, &s);
	if (err)
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
	CHECK(!err);
	err = gc_dump_open(ref, NULL, &e);
	CHECK(!err);
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	CHECK(!gc_dump_frame_runs(e, GC_SPACE_PHYS, &runs, &nr));
	static uint8_t a[4096], b[4096];
	uint64_t equal = 0, differ = 0, missing = 0, first_bad = UINT64_MAX;
	for (size_t i = 0; i < nr; i++)
		for (uint64_t f = runs[i].start; f < runs[i].start + runs[i].count; f++) {
			CHECK(!gc_dump_read(e, GC_SPACE_PHYS, f << 12, b, 4096));
			err = gc_dump_read(s, GC_SPACE_PHYS, f << 12, a, 4096);
			if (err) {
				gc_error_free(err);
				missing++;
				if (first_bad == UINT64_MAX)
					first_bad = f;
				continue;
			}
			if (memcmp(a, b, 4096)) {
				differ++;
				if (first_bad == UINT64_MAX)
					first_bad = f;
			} else {
				equal++;
			}
		}
	free(runs);
	CHECK(!gc_dump_frame_runs(s, GC_SPACE_PHYS, &runs, &nr));
	uint64_t extra = 0;
	static uint8_t c[4096];
	for (size_t i = 0; i < nr; i++)
		for (uint64_t f = runs[i].start; f < runs[i].start + runs[i].count; f++) {
			err = gc_dump_read(e, GC_SPACE_PHYS, f << 12, c, 4096);
			if (err) {
				gc_error_free(err);
				extra++;
			}
		}
	free(runs);
	printf("# %s: %" PRIu64 " pages equal, %" PRIu64 " differ, %" PRIu64
	       " missing from the stream, %" PRIu64 " only in the stream"
	       " (first bad pfn 0x%" PRIx64 ")\n", stream, equal, differ,
	       missing, extra, first_bad);
	if (expect)
		CHECK_EQ_U64(equal, expect);
	CHECK(equal > 0);
	CHECK_EQ_U64(differ, 0);
	CHECK_EQ_U64(missing, 0);
	CHECK_EQ_U64(extra, 0);
	gc_dump_close(s);
	gc_dump_close(e);
}

TEST(real_pages_equal_ref_elf)
{
	char save[4096], ref[4096];
	const char *p1 = gc_test_real_dump(SET "/virsh-save.raw.img");
	snprintf(save, sizeof(save), "%s", p1 ? p1 : "");
	const char *p2 = gc_test_real_dump(SET "/ref.elf");
	snprintf(ref, sizeof(ref), "%s", p2 ? p2 : "");
	if (!p1 || !p2) {
		gc_test_skip("virsh-q35-256m-nokaslr not in the dump cache");
		return;
	}
	/* 0x0-0xfffffff (pc.ram) and 0xfffc0000-0xffffffff (pc.bios) */
	pages_equal(save, ref, 65536 + 64);
}

/* "0x..." member KEY of OBJ in truth.json */
static bool hexval(const struct qj_doc *doc, const struct qj_node *obj,
		   const char *key, uint64_t *v)
{
	const struct qj_node *n = gc_qj_get(doc, obj, key);
	if (!n || n->type != QJ_STR || n->strlen < 3)
		return false;
	char buf[32];
	snprintf(buf, sizeof(buf), "%.*s", (int)n->strlen, n->str);
	*v = strtoull(buf, NULL, 16);
	return true;
}

/* Every vCPU register of SAVE equals truth.json's (NCPUS of them). */
static void registers_equal(const char *save, const char *truth, unsigned ncpus)
{
	FILE *fp = fopen(truth, "r");
	CHECK(fp);
	static char text[1 << 20];
	size_t len = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	struct qj_doc doc;
	CHECK(!gc_qj_parse(text, len, 0, &doc));
	const struct qj_node *er = gc_qj_get(&doc, &doc.nodes[0], "elf_reference");
	const struct qj_node *vcpus = gc_qj_get(&doc, er, "vcpus");
	CHECK(vcpus && vcpus->type == QJ_ARR && vcpus->count == ncpus);
	struct gc_dump *s = NULL;
	CHECK(!gc_dump_open(save, NULL, &s));
	CHECK_EQ_U64(gc_dump_nr_vcpus(s), ncpus);
	static const struct { const char *name; enum gc_vcpu_reg reg; } pr[] = {
		{ "r15", GC_REG_R15 }, { "r14", GC_REG_R14 }, { "r13", GC_REG_R13 },
		{ "r12", GC_REG_R12 }, { "rbp", GC_REG_RBP }, { "rbx", GC_REG_RBX },
		{ "r11", GC_REG_R11 }, { "r10", GC_REG_R10 }, { "r9", GC_REG_R9 },
		{ "r8", GC_REG_R8 }, { "rax", GC_REG_RAX }, { "rcx", GC_REG_RCX },
		{ "rdx", GC_REG_RDX }, { "rsi", GC_REG_RSI }, { "rdi", GC_REG_RDI },
		{ "rip", GC_REG_RIP }, { "cs", GC_REG_CS }, { "eflags", GC_REG_RFLAGS },
		{ "rsp", GC_REG_RSP }, { "ss", GC_REG_SS }, { "fs_base", GC_REG_FS_BASE },
		{ "gs_base", GC_REG_GS_BASE }, { "ds", GC_REG_DS }, { "es", GC_REG_ES },
		{ "fs", GC_REG_FS }, { "gs", GC_REG_GS },
	};
	static const struct { const char *name; enum gc_vcpu_reg reg; } qc[] = {
		{ "cr0", GC_REG_CR0 }, { "cr2", GC_REG_CR2 }, { "cr3", GC_REG_CR3 },
		{ "cr4", GC_REG_CR4 }, { "kernel_gs_base", GC_REG_GS_BASE_KERNEL },
	};
	long it = -1;
	const struct qj_node *tv;
	unsigned i = 0, compared = 0;
	while ((tv = gc_qj_child(&doc, vcpus, &it))) {
		struct gc_vcpu v;
		CHECK(!gc_dump_vcpu(s, i, &v));
		const struct qj_node *p = gc_qj_get(&doc, tv, "prstatus");
		const struct qj_node *q = gc_qj_get(&doc, tv, "qemu_cpustate");
		CHECK(p && q);
		for (size_t k = 0; k < GC_ARRAY_SIZE(pr); k++) {
			uint64_t want;
			CHECK(hexval(&doc, p, pr[k].name, &want));
			CHECK(v.valid & (1ull << pr[k].reg));
			if (v.regs[pr[k].reg] != want)
				gc_test_fail(__FILE__, __LINE__, "vcpu %u %s = 0x%"
					     PRIx64 ", truth 0x%" PRIx64, i,
					     pr[k].name, v.regs[pr[k].reg], want);
			compared++;
		}
		for (size_t k = 0; k < GC_ARRAY_SIZE(qc); k++) {
			uint64_t want;
			CHECK(hexval(&doc, q, qc[k].name, &want));
			CHECK_EQ_U64(v.regs[qc[k].reg], want);
			compared++;
		}
		uint64_t want;
		CHECK(hexval(&doc, gc_qj_get(&doc, q, "gdt"), "base", &want));
		CHECK_EQ_U64(v.regs[GC_REG_GDT_BASE], want);
		CHECK(hexval(&doc, gc_qj_get(&doc, q, "gdt"), "limit", &want));
		CHECK_EQ_U64(v.regs[GC_REG_GDT_LIMIT], want);
		CHECK(hexval(&doc, gc_qj_get(&doc, q, "idt"), "base", &want));
		CHECK_EQ_U64(v.regs[GC_REG_IDT_BASE], want);
		CHECK(hexval(&doc, gc_qj_get(&doc, q, "idt"), "limit", &want));
		CHECK_EQ_U64(v.regs[GC_REG_IDT_LIMIT], want);
		CHECK_EQ_U64(v.pgd_addr, v.regs[GC_REG_CR3] & ~0xfffull);
		compared += 4;
		i++;
	}
	CHECK_EQ_U64(i, ncpus);
	CHECK_EQ_U64(compared, ncpus * (26 + 5 + 4));
	gc_qj_free(&doc);
	gc_dump_close(s);
}

TEST(real_registers_equal_truth)
{
	char save[4096], truth[4096];
	const char *p1 = gc_test_real_dump(SET "/virsh-save.raw.img");
	snprintf(save, sizeof(save), "%s", p1 ? p1 : "");
	const char *p2 = gc_test_real_dump(SET "/truth.json");
	snprintf(truth, sizeof(truth), "%s", p2 ? p2 : "");
	if (!p1 || !p2) {
		gc_test_skip("virsh-q35-256m-nokaslr not in the dump cache");
		return;
	}
	registers_equal(save, truth, 2);
}

/*
 * make check-virsh: GC_VIRSH_DIR holds a directory made by
 * ../shared/tools/make-virsh-dumps.sh (ref.elf, truth.json, virsh-save.*.img,
 * virsh-dump.*); every stream file in it against ref.elf and truth.json.
 */
TEST(virsh_dir_all_files)
{
	const char *dir = getenv("GC_VIRSH_DIR");
	if (!dir || !*dir) {
		gc_test_skip("GC_VIRSH_DIR not set (make check-virsh)");
		return;
	}
	char ref[4096], truth[4096], cmd[4200], line[4096];
	snprintf(ref, sizeof(ref), "%s/ref.elf", dir);
	snprintf(truth, sizeof(truth), "%s/truth.json", dir);
	snprintf(cmd, sizeof(cmd), "ls -1 %s/virsh-save.*.img %s/virsh-dump.* 2>/dev/null", dir, dir);
	FILE *ls = popen(cmd, "r");
	CHECK(ls);
	FILE *tj = fopen(truth, "r");
	CHECK(tj);
	static char text[1 << 20];
	size_t tl = fread(text, 1, sizeof(text) - 1, tj);
	fclose(tj);
	struct qj_doc doc;
	CHECK(!gc_qj_parse(text, tl, 0, &doc));
	int64_t ncpus = 0;
	CHECK(gc_qj_int(&doc, &doc.nodes[0], "vcpus", &ncpus));
	gc_qj_free(&doc);
	unsigned files = 0;
	while (fgets(line, sizeof(line), ls)) {
		line[strcspn(line, "\n")] = '\0';
		printf("# %s\n", line);
		pages_equal(line, ref, 0);
		registers_equal(line, truth, (unsigned)ncpus);
		if (gc_test_failed)
			break;
		files++;
	}
	pclose(ls);
	printf("# %u stream files equal ref.elf and truth.json\n", files);
	CHECK(files > 0);
}

TEST(real_vmcoreinfo_and_fields)
{
	const char *save = gc_test_real_dump(SET "/virsh-save.raw.img");
	if (!save) {
		gc_test_skip("virsh-q35-256m-nokaslr not in the dump cache");
		return;
	}
	struct gc_dump *s = NULL;
	CHECK(!gc_dump_open(save, NULL, &s));
	const char *vi;
	size_t len;
	uint64_t off;
	CHECK(!gc_dump_vmcoreinfo(s, &vi, &len, &off));
	CHECK_CONTAINS(vi, "OSRELEASE=6.1.0-56-amd64\n");
	CHECK_CONTAINS(vi, "SYMBOL(init_top_pgt)=ffffffff82a10000\n");
	CHECK(off > 67512 && off < gc_dump_file_size(s));
	CHECK(!memcmp(vi, "OSRELEASE=", 10));
	CHECK_STR(gc_dump_field_by_name(s, "machine_type")->value, "pc-q35-7.2");
	CHECK_EQ_U64(gc_dump_field_by_name(s, "stream_offset")->number, 67512);
	CHECK_EQ_U64(gc_dump_field_by_name(s, "libvirt_cookie_offset")->number, 1648);
	CHECK_EQ_U64(gc_dump_field_by_name(s, "libvirt_data_len")->number, 67420);
	CHECK_EQ_U64(gc_dump_field_by_name(s, "ram_total")->number, 0x10082000);
	struct gc_report r = {0};
	CHECK(!gc_dump_check(s, 0, &r));
	CHECK_EQ_U64(gc_report_problems(&r), 0);
	gc_report_clear(&r);
	gc_dump_close(s);
}

/* ---- the JSON reader ---------------------------------------------------------- */

TEST(json_reader)
{
	static const char t[] =
		"{\"page_size\": 4096, \"devices\": [{\"name\": \"cpu\", "
		"\"instance_id\": 1, \"fields\": [{\"name\": \"a\", \"size\": 4},"
		" {\"name\": \"env.regs\", \"array_len\": 16, \"size\": 8}, "
		"{\"name\": \"s\", \"size\": 20, \"struct\": {\"fields\": "
		"[{\"name\": \"x\", \"size\": 4}, {\"name\": \"base\", \"size\": 8}]}}],"
		" \"subsections\": [{\"vmsd_name\": \"cpu/x\", \"fields\": "
		"[{\"name\": \"y\", \"size\": 8}]}]}], \"t\": true, \"n\": null, "
		"\"neg\": -5}";
	struct qj_doc doc;
	CHECK(!gc_qj_parse(t, strlen(t), 0, &doc));
	const struct qj_node *root = &doc.nodes[0];
	int64_t v;
	CHECK(gc_qj_int(&doc, root, "page_size", &v) && v == 4096);
	CHECK(gc_qj_int(&doc, root, "neg", &v) && v == -5);
	const struct qj_node *devs = gc_qj_get(&doc, root, "devices");
	long it = -1;
	const struct qj_node *dev = gc_qj_child(&doc, devs, &it);
	CHECK(dev);
	uint64_t size;
	CHECK(gc_qj_device_size(&doc, dev, &size));
	/* 4 + 128 + 20 + (1 + 1 + 5 + 4 + 8) */
	CHECK_EQ_U64(size, 171);
	struct qj_field f, g;
	CHECK(gc_qj_field(&doc, dev, "env.regs", &f));
	CHECK_EQ_U64(f.offset, 4);
	CHECK_EQ_U64(f.count, 16);
	CHECK(gc_qj_field(&doc, dev, "s", &f) && f.desc);
	CHECK_EQ_U64(f.offset, 132);
	CHECK(gc_qj_field(&doc, f.desc, "base", &g));
	CHECK_EQ_U64(g.offset, 4);
	CHECK(!gc_qj_field(&doc, dev, "nope", &f));
	gc_qj_free(&doc);
	static const char *const bad[] = {
		"{", "{\"a\" 1}", "[1,]", "{\"a\": 1} x", "\"abc", "1.x",
		"99999999999999999999", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(bad); i++) {
		struct gc_error *err = gc_qj_parse(bad[i], strlen(bad[i]), 100, &doc);
		CHECK(err);
		CHECK(gc_error_offset(err, NULL) && gc_err_off(err) >= 100);
		gc_error_free(err);
	}
}

/* ---- fixture streams through the library -------------------------------------- */

/* $(BUILD)/tests/test_qemu_stream -> $(BUILD)/mkqevm; writes NAME with
 * OPTS in the scratch directory, its path in OUT. */
static bool mkqevm(const char *name, const char *opts, char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	strcpy(slash, "/../mkqevm");
	snprintf(out, len, "%s/%s", gc_test_tmpdir(), name);
	char cmd[3 * PATH_MAX + 8192];
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s >/dev/null", exe, out, opts);
	return system(cmd) == 0;
}

static uint64_t word(uint64_t page, unsigned i)
{
	return (page << 16) | i;
}

TEST(fixture_sparse_q35_above_4g_zstd_save_be)
{
	char path[4096];
	setenv("GUESTCORE_CACHE_DIR", gc_test_tmpdir(), 1);
	CHECK(mkqevm("big.img", "--save --be --compress zstd --sparse --ram 0xc0000000",
		     path, sizeof(path)));
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err)
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
	CHECK(!err);
	CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_LIBVIRT_SAVE);
	CHECK_EQ_U64(gc_dump_nr_vcpus(d), 2);
	/* q35 with 3 GiB: 2 GiB below the hole, 1 GiB from 4 GiB */
	uint64_t v;
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0x7ffff000, &v, 8));
	CHECK_EQ_U64(v, word(0x7ffff, 0));
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0x100000008, &v, 8));
	CHECK_EQ_U64(v, word(0x80000, 1));
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0x13ffff010, &v, 8));
	CHECK_EQ_U64(v, word(0xbffff, 2));
	enum gc_page_state st;
	CHECK(!gc_dump_page_state(d, GC_SPACE_PHYS, 0x90000, &st));
	CHECK_EQ_U64(st, GC_PAGE_ABSENT);      /* in the hole */
	CHECK(!gc_dump_page_state(d, GC_SPACE_PHYS, 0x1000, &st));
	CHECK_EQ_U64(st, GC_PAGE_ABSENT);      /* never sent (sparse) */
	CHECK(!gc_dump_page_state(d, GC_SPACE_PHYS, 3, &st));
	CHECK_EQ_U64(st, GC_PAGE_ZERO);
	struct gc_vcpu c;
	CHECK(!gc_dump_vcpu(d, 1, &c));
	CHECK_EQ_U64(c.regs[GC_REG_RIP], 0xffffffff81000010ull);
	CHECK_EQ_U64(c.regs[GC_REG_RSP], 0x2004);
	CHECK_EQ_U64(c.regs[GC_REG_CR3], 0x4000);
	CHECK_EQ_U64(c.regs[GC_REG_FS_BASE], 0x7f0000001001ull);
	CHECK_EQ_U64(c.regs[GC_REG_GDT_BASE], 0xfffffe0000011000ull);
	CHECK_EQ_U64(c.regs[GC_REG_IDT_LIMIT], 0xfff);
	CHECK_EQ_U64(c.regs[GC_REG_EFER], 0xd01);
	struct gc_frame_run *runs;
	size_t nr;
	CHECK(!gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &nr));
	uint64_t total = 0;
	for (size_t i = 0; i < nr; i++)
		total += runs[i].count;
	free(runs);
	/* 64 + 3 around the split + the last page of pc.ram, 16 of pc.bios */
	CHECK_EQ_U64(total, 64 + 3 + 1 + 16);
	CHECK_EQ_U64(gc_dump_nr_frames(d), total);
	gc_dump_close(d);
}

TEST(fixture_fill_page_and_no_description)
{
	char path[4096];
	CHECK(mkqevm("nd.qevm", "--no-vmdesc", path, sizeof(path)));
	struct gc_dump *d;
	CHECK(!gc_dump_open(path, NULL, &d));
	uint8_t pg[4096];
	CHECK(!gc_dump_read(d, GC_SPACE_PHYS, 0x4000, pg, sizeof(pg)));
	for (size_t i = 0; i < sizeof(pg); i++)
		CHECK_EQ_U64(pg[i], 0xab);
	struct gc_vcpu c;
	CHECK(!gc_dump_vcpu(d, 0, &c));
	CHECK_STR(c.source, "QEMU migration stream: cpu section (version 12 layout)");
	CHECK_EQ_U64(c.regs[GC_REG_GS_BASE_KERNEL], 0x55);
	CHECK_EQ_U64(c.regs[GC_REG_CS], 0x10);
	const char *vi;
	size_t len;
	uint64_t off;
	CHECK(!gc_dump_vmcoreinfo(d, &vi, &len, &off));
	CHECK_STR(vi, "OSRELEASE=6.1.0-fixture\nPAGESIZE=4096\n"
		  "SYMBOL(init_top_pgt)=ffffffff82a10000\n");
	/* the offset names the text in the file */
	FILE *fp = fopen(path, "rb");
	CHECK(fp);
	char head[10] = {0};
	CHECK(fseek(fp, (long)off, SEEK_SET) == 0 && fread(head, 1, 10, fp) == 10);
	fclose(fp);
	CHECK(!memcmp(head, "OSRELEASE=", 10));
	gc_dump_close(d);
}

TEST_MAIN()
