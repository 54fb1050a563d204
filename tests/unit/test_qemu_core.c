// SPDX-License-Identifier: MIT
/* QEMU process cores: the core parser on a synthetic core, the monitor
 * text parsers on real QEMU 7.2 output, --ram parsing, pc/q35 layouts. */
#include <stdlib.h>
#include <unistd.h>

#include "guestcore/guestcore.h"
#include "guestcore/qemu.h"
#include "harness.h"
#include "util/util.h"

/* ---- monitor text (real QEMU 7.2 output, q35, -m 64M, trimmed) ---------- */

static const char MTREE[] =
	"FlatView #0\n"
	" AS \"I/O\", root: io\n"
	" Root memory region: io\n"
	"  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\n"
	"  00000000000003f8-00000000000003ff (prio 0, i/o): serial\n"
	"\n"
	"FlatView #1\n"
	" AS \"memory\", root: system\n"
	" AS \"cpu-memory-0\", root: system\n"
	" AS \"ich9-ahci\", root: bus master container\n"
	" Root memory region: system\n"
	"  0000000000000000-00000000000c2fff (prio 0, ram): pc.ram\n"
	"  00000000000c3000-00000000000e7fff (prio 0, rom): pc.ram @00000000000c3000\n"
	"  00000000000e8000-00000000000effff (prio 0, ram): pc.ram @00000000000e8000 KVM\n"
	"  00000000000f0000-00000000000fffff (prio 0, rom): pc.ram @00000000000f0000\n"
	"  0000000000100000-0000000003ffffff (prio 0, ram): pc.ram @0000000000100000\n"
	"  00000000b0000000-00000000bfffffff (prio 0, i/o): pcie-mmcfg-mmio\n"
	"  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic\n"
	"  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios\n"
	"\n"
	"FlatView #2\n"
	" AS \"cpu-smm-0\", root: memory\n"
	" Root memory region: memory\n"
	"  0000000000000000-00000000000c2fff (prio 0, ram): smm.ram\n";

static const char RAMBLOCK[] =
	"              Block Name    PSize              Offset               Used              Total\n"
	"                  pc.ram    4 KiB  0x0000000000000000 0x0000000004000000 0x0000000004000000\n"
	"    /rom@etc/acpi/tables    4 KiB  0x0000000004080000 0x0000000000020000 0x0000000000200000\n"
	"                 pc.bios    4 KiB  0x0000000004000000 0x0000000000040000 0x0000000000040000\n";

TEST(qemu_mtree_parse)
{
	struct gc_qemu_mtree_range *r;
	size_t n;
	CHECK_OK(gc_qemu_parse_mtree(MTREE, sizeof(MTREE) - 1, &r, &n));
	CHECK_EQ_U64(n, 6);
	CHECK_STR(r[0].name, "pc.ram");
	CHECK_EQ_U64(r[0].gpa, 0);
	CHECK_EQ_U64(r[0].size, 0xc3000);
	CHECK(!r[0].rom);
	CHECK(r[1].rom);
	CHECK_EQ_U64(r[1].offset, 0xc3000);
	CHECK_STR(r[2].name, "pc.ram"); /* " KVM" suffix after the offset */
	CHECK_EQ_U64(r[4].gpa, 0x100000);
	CHECK_EQ_U64(r[4].size, 0x3f00000);
	CHECK_STR(r[5].name, "pc.bios");
	CHECK_EQ_U64(r[5].gpa, 0xfffc0000);
	CHECK_EQ_U64(r[5].size, 0x40000);
	free(r);
}

TEST(qemu_mtree_rejects)
{
	struct gc_qemu_mtree_range *r;
	size_t n;
	/* plain `info mtree` (not -f) has no FlatView */
	const char *tree = "address-space: memory\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\n";
	struct gc_error *e = gc_qemu_parse_mtree(tree, strlen(tree), &r, &n);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "no FlatView for address space \"memory\"");
	gc_error_free(e);
	const char *bad = "FlatView #0\n AS \"memory\", root: system\n  00000000000c0000-0000000000000fff (prio 0, ram): x\n";
	e = gc_qemu_parse_mtree(bad, strlen(bad), &r, &n);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "line 3: bad address range");
	gc_error_free(e);
}

TEST(qemu_ramblock_parse)
{
	struct gc_qemu_ramblock *b;
	size_t n;
	CHECK_OK(gc_qemu_parse_ramblock(RAMBLOCK, sizeof(RAMBLOCK) - 1, &b, &n));
	CHECK_EQ_U64(n, 3);
	CHECK_STR(b[0].name, "pc.ram");
	CHECK_EQ_U64(b[0].page_size, 4096);
	CHECK_EQ_U64(b[0].used, 0x4000000);
	CHECK(!b[0].has_hva);
	CHECK_STR(b[1].name, "/rom@etc/acpi/tables");
	CHECK_EQ_U64(b[1].total, 0x200000);
	free(b);
	const char *hva =
		"              Block Name    PSize              Offset               Used              Total                HVA\n"
		"                  pc.ram    2 MiB  0x0000000000000000 0x0000000004000000 0x0000000004000000 0x00007f2a00000000\n";
	CHECK_OK(gc_qemu_parse_ramblock(hva, strlen(hva), &b, &n));
	CHECK_EQ_U64(n, 1);
	CHECK(b[0].has_hva);
	CHECK_EQ_U64(b[0].hva, 0x7f2a00000000);
	CHECK_EQ_U64(b[0].page_size, 2 << 20);
	free(b);
	const char *cut = "  Block Name PSize Offset Used Total\n  pc.ram 4 KiB 0x0 0x1000\n";
	struct gc_error *e = gc_qemu_parse_ramblock(cut, strlen(cut), &b, &n);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "line 2: 5 fields, expected 6");
	gc_error_free(e);
}

TEST(qemu_ram_arg)
{
	struct gc_qemu_ram_range r;
	CHECK_OK(gc_qemu_parse_ram_arg("0x100000000:1G@7f0040000000", &r));
	CHECK_EQ_U64(r.gpa, 0x100000000);
	CHECK_EQ_U64(r.size, 1ull << 30);
	CHECK_EQ_U64(r.hva, 0x7f0040000000);
	CHECK_OK(gc_qemu_parse_ram_arg("0:0x4000000@0x7f22f3e00000", &r));
	CHECK_EQ_U64(r.size, 0x4000000);
	const char *bad[] = { "0:64M", "0@1:2", "0:64Q@1000", "1:4096@0x1000", "0:0@1000",
			      "0:16E@1000", "fffffffffffff000:8K@0" };
	for (size_t i = 0; i < GC_ARRAY_SIZE(bad); i++) {
		struct gc_error *e = gc_qemu_parse_ram_arg(bad[i], &r);
		if (!e) {
			gc_test_fail(__FILE__, __LINE__, "'%s' accepted", bad[i]);
			return;
		}
		gc_error_free(e);
	}
}

TEST(qemu_layouts)
{
	uint64_t lo, hi;
	CHECK_OK(gc_qemu_x86_layout("pc", 64 << 20, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 64 << 20);
	CHECK_EQ_U64(hi, 0);
	CHECK_OK(gc_qemu_x86_layout("pc", 4200ull << 20, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0xc0000000);
	CHECK_EQ_U64(hi, (4200ull << 20) - 0xc0000000);
	/* not gigabyte-aligned: pc-i440fx-1.7 and older (this case called
	 * pc-i440fx-2.0 until a real pc-i440fx-2.0 guest of QEMU 7.2 split at
	 * 3 GiB: see the next case) */
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-1.7", 4200ull << 20, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0xe0000000);
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-2.0", 3840ull << 20, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0xc0000000);
	CHECK_EQ_U64(hi, 0x30000000);
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-7.2", 0xdfff0000, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0xdfff0000);
	CHECK_EQ_U64(hi, 0);
	CHECK_OK(gc_qemu_x86_layout("q35", 0xafff0000, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0xafff0000);
	CHECK_OK(gc_qemu_x86_layout("pc-q35-7.2", 0xb0000000, 0, &lo, &hi));
	CHECK_EQ_U64(lo, 0x80000000);
	CHECK_EQ_U64(hi, 0x30000000);
	CHECK_OK(gc_qemu_x86_layout("q35", 4ull << 30, 1ull << 30, &lo, &hi));
	CHECK_EQ_U64(lo, 1ull << 30);
	CHECK_EQ_U64(hi, 3ull << 30);
	/* pc with max-ram-below-4g (QEMU's pc_piix.c examples): the option
	 * replaces 0xe0000000 and may raise the split; gigabyte alignment caps
	 * it at 3 GiB only when RAM reaches the option's value */
	CHECK_OK(gc_qemu_x86_layout("pc", 3968ull << 20, 4ull << 30, &lo, &hi));
	CHECK_EQ_U64(lo, 3968ull << 20);
	CHECK_EQ_U64(hi, 0);
	CHECK_OK(gc_qemu_x86_layout("pc", 4ull << 30, 2ull << 30, &lo, &hi));
	CHECK_EQ_U64(lo, 2ull << 30);
	CHECK_EQ_U64(hi, 2ull << 30);
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-7.2", 0xd8000000, 0xd0000000, &lo, &hi));
	CHECK_EQ_U64(lo, 0xc0000000);
	CHECK_EQ_U64(hi, 0x18000000);
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-1.7", 0xd8000000, 0xd0000000, &lo, &hi));
	CHECK_EQ_U64(lo, 0xd0000000);
	CHECK_EQ_U64(hi, 0x08000000);
	CHECK_OK(gc_qemu_x86_layout("pc-i440fx-1.7", 4ull << 30, 0xf0000000, &lo, &hi));
	CHECK_EQ_U64(lo, 0xf0000000);
	/* q35: the option only lowers the split */
	CHECK_OK(gc_qemu_x86_layout("pc-q35-7.2", 0xa0000000, 4ull << 30, &lo, &hi));
	CHECK_EQ_U64(lo, 0xa0000000);
	CHECK_OK(gc_qemu_x86_layout("pc-q35-7.2", 5ull << 30, 4ull << 30, &lo, &hi));
	CHECK_EQ_U64(lo, 0x80000000);
	CHECK_EQ_U64(hi, 3ull << 30);
	/* QEMU refuses max-ram-below-4g above 4 GiB */
	struct gc_error *e = gc_qemu_x86_layout("pc", 1ull << 30, (4ull << 30) + 4096, &lo, &hi);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "max-ram-below-4g");
	gc_error_free(e);
	e = gc_qemu_x86_layout("microvm", 1 << 30, 0, &lo, &hi);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "pc and q35 only");
	gc_error_free(e);
}

/* ---- a synthetic process core ----------------------------------------- */

#define RAM_VA 0x7f0000000000ull
#define STK_VA 0x7ffd00000000ull
#define EXE_VA 0x555500000000ull

struct blob {
	uint8_t *p;
	size_t n;
};
static void put(struct blob *b, const void *d, size_t n)
{
	b->p = realloc(b->p, b->n + n);
	memcpy(b->p + b->n, d, n);
	b->n += n;
}
static void note(struct blob *b, const char *name, uint32_t type, const void *desc, uint32_t dn)
{
	uint32_t h[3] = { (uint32_t)strlen(name) + 1, dn, type };
	put(b, h, 12);
	uint8_t nm[8] = { 0 };
	memcpy(nm, name, strlen(name));
	put(b, nm, 8);
	put(b, desc, dn);
	static const uint8_t pad[4];
	put(b, pad, (4 - dn % 4) % 4);
}

/* Core with: RAM 2 MiB (first 1 MiB dumped), a stack holding
 * argv {qemu-system-x86_64 -m 2M -M q35} + envp + auxv, an exe mapping. */
static const char *write_core(const char *name, bool cut_ram_filesz, uint64_t truncate_at)
{
	static char path[512];
	snprintf(path, sizeof(path), "%s/%s", gc_test_tmpdir(), name);
	/* stack contents */
	uint8_t stk[0x2000] = { 0 };
	const char *args[] = { "qemu-system-x86_64", "-m", "2M", "-M", "q35,accel=tcg" };
	uint64_t at = 0x1000, ptrs[5];
	for (int i = 0; i < 5; i++) {
		ptrs[i] = STK_VA + at;
		memcpy(stk + at, args[i], strlen(args[i]) + 1);
		at += strlen(args[i]) + 1;
	}
	uint64_t env = STK_VA + at;
	memcpy(stk + at, "HOME=/", 7);
	at += 7;
	uint64_t execfn = STK_VA + at;
	memcpy(stk + at, "/usr/bin/qemu-system-x86_64", 28);
	uint64_t auxv[8] = { 6, 4096, 31, execfn, 25, STK_VA + 0x1f00, 0, 0 };
	uint64_t words[] = { 5, ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], 0, env, 0 };
	memcpy(stk + 0x100, words, sizeof(words));
	memcpy(stk + 0x100 + sizeof(words), auxv, sizeof(auxv));
	/* notes */
	struct blob nb = { 0 };
	uint8_t prs[336] = { 0 };
	uint32_t pid = 4242;
	memcpy(prs + 32, &pid, 4);
	uint64_t rip = 0x5555deadbeefull;
	memcpy(prs + 112 + 16 * 8, &rip, 8);
	note(&nb, "CORE", 1, prs, sizeof(prs));
	note(&nb, "CORE", 6, auxv, sizeof(auxv));
	struct blob fb = { 0 };
	uint64_t fh[5] = { 1, 4096, EXE_VA, EXE_VA + 0x1000, 0 };
	put(&fb, fh, sizeof(fh));
	put(&fb, "/usr/bin/qemu-system-x86_64", 28);
	note(&nb, "CORE", 0x46494c45, fb.p, (uint32_t)fb.n);
	free(fb.p);
	/* layout: ehdr, 4 phdrs, notes, then data at 0x10000 */
	uint64_t phoff = 64, noteoff = 64 + 4 * 56;
	uint64_t exe_off = 0x10000, stk_off = exe_off + 0x1000, ram_off = stk_off + 0x2000;
	uint64_t ram_filesz = cut_ram_filesz ? 0x100000 : 0x200000;
	uint8_t eh[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint16_t v16;
	v16 = 4; memcpy(eh + 16, &v16, 2);
	v16 = 62; memcpy(eh + 18, &v16, 2);
	memcpy(eh + 32, &phoff, 8);
	v16 = 64; memcpy(eh + 52, &v16, 2);
	v16 = 56; memcpy(eh + 54, &v16, 2);
	v16 = 4; memcpy(eh + 56, &v16, 2);
	struct blob out = { 0 };
	put(&out, eh, 64);
	uint64_t ph[4][7] = {
		{ 4 | (0ull << 32), noteoff, 0, 0, nb.n, 0, 4 },
		{ 1 | (5ull << 32), exe_off, EXE_VA, 0, 0x1000, 0x1000, 4096 },
		{ 1 | (6ull << 32), stk_off, STK_VA, 0, 0x2000, 0x2000, 4096 },
		{ 1 | (6ull << 32), ram_off, RAM_VA, 0, ram_filesz, 0x200000, 4096 },
	};
	put(&out, ph, sizeof(ph));
	put(&out, nb.p, nb.n);
	free(nb.p);
	out.p = realloc(out.p, ram_off + ram_filesz);
	memset(out.p + out.n, 0, ram_off + ram_filesz - out.n);
	out.n = ram_off + ram_filesz;
	memcpy(out.p + exe_off, "\177ELF", 4);
	memcpy(out.p + stk_off, stk, sizeof(stk));
	for (uint64_t pg = 0; pg < ram_filesz; pg += 4096)
		memcpy(out.p + ram_off + pg, &pg, 8);
	size_t len = truncate_at && truncate_at < out.n ? truncate_at : out.n;
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(out.p, 1, len, f) == len;
	if (f && fclose(f) != 0)
		ok = false;
	free(out.p);
	return ok ? path : NULL;
}

TEST(qemu_core_synthetic)
{
	const char *path = write_core("synth.core", false, 0);
	CHECK(path);
	struct gc_qemu_core *c;
	CHECK_OK(gc_qemu_core_open(path, &c));
	CHECK_EQ_U64(gc_qemu_core_nr_segments(c), 3);
	CHECK_EQ_U64(gc_qemu_core_nr_threads(c), 1);
	CHECK_EQ_U64(gc_qemu_core_thread(c, 0)->pid, 4242);
	CHECK_EQ_U64(gc_qemu_core_thread(c, 0)->regs[GC_QREG_RIP], 0x5555deadbeefull);
	CHECK_EQ_U64(gc_qemu_core_nr_files(c), 1);
	CHECK_STR(gc_qemu_core_file(c, 0)->path, "/usr/bin/qemu-system-x86_64");
	CHECK_STR(gc_qemu_core_exe(c), "/usr/bin/qemu-system-x86_64");
	const char *const *argv;
	const char *src;
	CHECK_EQ_U64(gc_qemu_core_argv(c, &argv, &src), 5);
	CHECK_STR(argv[4], "q35,accel=tcg");
	CHECK_CONTAINS(src, "initial stack");
	uint64_t v = 0;
	CHECK(gc_qemu_core_auxv_get(c, 6, &v));
	CHECK_EQ_U64(v, 4096);
	uint64_t run, off;
	CHECK_EQ_U64(gc_qemu_core_hva(c, RAM_VA + 0x1000, &run, &off), GC_HVA_PRESENT);
	CHECK_EQ_U64(run, 0x1ff000);
	CHECK_EQ_U64(gc_qemu_core_hva(c, RAM_VA - 1, &run, &off), GC_HVA_UNMAPPED);
	uint64_t w;
	CHECK_OK(gc_qemu_core_read(c, RAM_VA + 0x5000, &w, 8));
	CHECK_EQ_U64(w, 0x5000);

	struct gc_qemu_ram_opts o = { 0 };
	struct gc_qemu_ram_map m;
	CHECK_OK(gc_qemu_ram_map_build(c, &o, &m));
	CHECK_EQ_U64(m.method, GC_QEMU_RAM_LAYOUT);
	CHECK_STR(m.machine, "q35");
	CHECK_EQ_U64(m.ram_size, 2 << 20);
	CHECK_EQ_U64(m.nr_ranges, 1);
	CHECK_EQ_U64(m.ranges[0].hva, RAM_VA);
	CHECK_CONTAINS(m.why, "RAM size 0x200000 (-m) and machine 'q35' (-machine)");
	CHECK_CONTAINS(m.why, "the only writable anonymous mapping of that size is at HVA 0x7f0000000000");

	char out[600];
	snprintf(out, sizeof(out), "%s/synth.vmcore", gc_test_tmpdir());
	struct gc_qemu_extract_result r;
	CHECK_OK(gc_qemu_extract(c, &m, out, NULL, &r));
	CHECK_EQ_U64(r.pages_written, 512);
	CHECK_EQ_U64(r.pages_missing, 0);
	struct gc_qemu_verify_result vr;
	CHECK_OK(gc_qemu_verify(c, &m, out, &vr));
	CHECK_EQ_U64(vr.pages_compared, 512);
	CHECK_EQ_U64(vr.pages_differ, 0);
	CHECK_EQ_U64(vr.pages_not_in_output, 0);
	/* corrupt one page of the output: verify must see it */
	FILE *f = fopen(out, "r+b");
	CHECK(f);
	uint8_t eh[64], ph[56];
	uint64_t phoff, data = 0;
	uint16_t phnum;
	CHECK(fread(eh, 1, 64, f) == 64);
	memcpy(&phoff, eh + 32, 8);
	memcpy(&phnum, eh + 56, 2);
	for (uint16_t i = 0; i < phnum && !data; i++) {
		fseek(f, (long)(phoff + 56u * i), SEEK_SET);
		CHECK(fread(ph, 1, 56, f) == 56);
		uint64_t pa;
		memcpy(&pa, ph + 24, 8);
		if (ph[0] == 1 && pa == 0)
			memcpy(&data, ph + 8, 8);
	}
	CHECK(data);
	fseek(f, (long)(data + 0x3000 + 100), SEEK_SET);
	fputc(0x5a, f);
	fclose(f);
	CHECK_OK(gc_qemu_verify(c, &m, out, &vr));
	CHECK_EQ_U64(vr.pages_differ, 1);
	CHECK_EQ_U64(vr.first_differ_gpa, 0x3000);
	gc_qemu_extract_result_free(&r);
	gc_qemu_ram_map_free(&m);
	gc_qemu_core_close(c);
}

TEST(qemu_core_not_dumped_and_truncated)
{
	const char *path = write_core("half.core", true, 0);
	CHECK(path);
	struct gc_qemu_core *c;
	CHECK_OK(gc_qemu_core_open(path, &c));
	struct gc_qemu_ram_opts o = { 0 };
	struct gc_qemu_ram_map m;
	CHECK_OK(gc_qemu_ram_map_build(c, &o, &m));
	char out[600];
	snprintf(out, sizeof(out), "%s/half.vmcore", gc_test_tmpdir());
	struct gc_qemu_extract_result r;
	CHECK_OK(gc_qemu_extract(c, &m, out, NULL, &r));
	CHECK_EQ_U64(r.pages_written, 256);
	CHECK_EQ_U64(r.pages_missing, 256);
	CHECK_EQ_U64(r.nr_gaps, 1);
	CHECK_EQ_U64(r.gaps[0].gpa, 0x100000);
	CHECK_EQ_U64(r.gaps[0].size, 0x100000);
	CHECK_EQ_U64(r.gaps[0].state, GC_HVA_NOT_DUMPED);
	gc_qemu_extract_result_free(&r);
	gc_qemu_ram_map_free(&m);
	gc_qemu_core_close(c);

	/* the file ends 0x1800 bytes into the RAM data: a page and a half */
	path = write_core("trunc.core", false, 0x10000 + 0x3000 + 0x1800);
	CHECK(path);
	CHECK_OK(gc_qemu_core_open(path, &c));
	CHECK_EQ_U64(gc_qemu_core_nr_problems(c), 1);
	CHECK_CONTAINS(gc_qemu_core_problem(c, 0), "past the end of the file");
	CHECK_OK(gc_qemu_ram_map_build(c, &o, &m));
	CHECK_OK(gc_qemu_extract(c, &m, out, NULL, &r));
	CHECK_EQ_U64(r.pages_written, 1);
	CHECK_EQ_U64(r.gaps[0].gpa, 0x1000);
	CHECK_EQ_U64(r.gaps[0].state, GC_HVA_TRUNCATED);
	gc_qemu_extract_result_free(&r);
	gc_qemu_ram_map_free(&m);
	gc_qemu_core_close(c);

	/* cut inside the program headers: an error naming them */
	path = write_core("cut.core", false, 100);
	CHECK(path);
	struct gc_error *e = gc_qemu_core_open(path, &c);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "program header table");
	gc_error_free(e);
}

/* An NT_FILE entry that ends before it starts is refused with both
 * values (fuzz_qemu_core found the message read them after the entries
 * were freed). */
TEST(qemu_core_nt_file_backwards)
{
	const char *path = write_core("backwards.core", false, 0);
	CHECK(path != NULL);
	/* PRSTATUS note (20 + 336) and AUXV note (20 + 64) after the 4
	 * phdrs; the NT_FILE descriptor is 20 bytes further; entry 0's end
	 * is at +24 */
	uint64_t end_off = 64 + 4 * 56 + 356 + 84 + 20 + 24;
	uint64_t end = EXE_VA - 0x1000;
	FILE *f = fopen(path, "r+b");
	CHECK(f != NULL);
	CHECK(fseek(f, (long)end_off, SEEK_SET) == 0);
	CHECK(fwrite(&end, 8, 1, f) == 1);
	CHECK(fclose(f) == 0);
	struct gc_qemu_core *c;
	struct gc_error *e = gc_qemu_core_open(path, &c);
	CHECK(e != NULL);
	if (e) {
		CHECK_CONTAINS(gc_error_string(e), "entry 0 ends (0x5554fffff000) "
				"before it starts (0x555500000000)");
		gc_error_free(e);
	} else {
		gc_qemu_core_close(c);
	}
}

TEST(qemu_map_mtree_and_explicit)
{
	const char *path = write_core("m.core", false, 0);
	CHECK(path);
	struct gc_qemu_core *c;
	CHECK_OK(gc_qemu_core_open(path, &c));
	/* mtree naming pc.ram below 1 MiB at offset 0x1000, size from -m */
	const char *mt = "FlatView #0\n AS \"memory\", root: system\n"
			 "  0000000000000000-00000000000fffff (prio 0, ram): pc.ram @0000000000001000\n";
	struct gc_qemu_ram_opts o = { .mtree_text = mt, .mtree_len = strlen(mt) };
	struct gc_qemu_ram_map m;
	CHECK_OK(gc_qemu_ram_map_build(c, &o, &m));
	CHECK_EQ_U64(m.method, GC_QEMU_RAM_MTREE);
	CHECK_EQ_U64(m.nr_ranges, 1);
	CHECK_EQ_U64(m.ranges[0].hva, RAM_VA + 0x1000);
	CHECK_EQ_U64(m.ranges[0].size, 0x100000);
	gc_qemu_ram_map_free(&m);
	/* overlapping explicit ranges are refused */
	struct gc_qemu_ram_range rr[2] = { { 0, 0x2000, RAM_VA, "" }, { 0x1000, 0x1000, RAM_VA, "" } };
	struct gc_qemu_ram_opts o2 = { .explicit_ranges = rr, .nr_explicit = 2 };
	struct gc_error *e = gc_qemu_ram_map_build(c, &o2, &m);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "overlaps the range at 0x0");
	gc_error_free(e);
	gc_qemu_core_close(c);
}

TEST_MAIN()
