// SPDX-License-Identifier: MIT
/* Writers: notes layout, compression pool, ELF/kdump writers on synthetic
 * sources read back through gc_dump_open, atomic output, the Xen PV
 * page-table rewrite on the real dump. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "harness.h"
#include "guestcore/guestcore.h"
#include "guestcore/writer.h"
#include "arch/arch.h"
#include "writers/writer_internal.h"
#include "dump_internal.h"

#define PS 4096u

static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

TEST(prstatus_and_qemu_note_layout)
{
	struct gc_vcpu v;
	memset(&v, 0, sizeof(v));
	v.regs[GC_REG_RIP] = 0xffffffff81a442b5ull;
	v.regs[GC_REG_RSP] = 0xffffffff82a03db8ull;
	v.regs[GC_REG_R15] = 0x15;
	v.regs[GC_REG_GS] = 0x2b;
	v.regs[GC_REG_CR3] = 0x12721e000ull;
	v.regs[GC_REG_GS_BASE_KERNEL] = 0xffff88800f800000ull;
	v.valid = (1ull << GC_REG_RIP) | (1ull << GC_REG_RSP) |
		  (1ull << GC_REG_R15) | (1ull << GC_REG_GS) |
		  (1ull << GC_REG_CR3) | (1ull << GC_REG_GS_BASE_KERNEL);
	v.has_xen_flags = true;
	v.xen_flags = 1u << 2;  /* in kernel */
	v.has_pid = true;
	v.pid = 42;
	const struct gc_arch_ops *a = gc_arch_get(GC_ARCH_X86_64);
	CHECK_EQ_U64(a->prstatus_size, 336);
	CHECK_EQ_U64(a->qemu_note_size, 440);
	uint8_t pr[336], q[440];
	a->prstatus_write(&v, pr);
	CHECK_EQ_U64(rd32(pr + 32), 42);
	CHECK_EQ_U64(rd64(pr + 112), 0x15);            /* r15 */
	CHECK_EQ_U64(rd64(pr + 240), 0xffffffff81a442b5ull); /* rip */
	CHECK_EQ_U64(rd64(pr + 264), 0xffffffff82a03db8ull); /* rsp */
	CHECK_EQ_U64(rd64(pr + 288), 0xffff88800f800000ull); /* gs_base */
	CHECK_EQ_U64(rd64(pr + 320), 0x2b);            /* gs */
	CHECK(a->qemu_note_write(&v, 0x6a1e000, q));
	CHECK_EQ_U64(rd32(q), 1);
	CHECK_EQ_U64(rd32(q + 4), 440);
	CHECK_EQ_U64(rd64(q + 56), 0xffffffff82a03db8ull); /* rsp */
	CHECK_EQ_U64(rd64(q + 136), 0xffffffff81a442b5ull); /* rip */
	CHECK_EQ_U64(rd64(q + 416), 0x6a1e000);        /* cr3 as given */
	/* no control registers known: no QEMU note */
	v.valid = 1ull << GC_REG_RIP;
	CHECK(!a->qemu_note_write(&v, 0, q));

	struct gc_wbuf b;
	memset(&b, 0, sizeof(b));
	gc_wbuf_note(&b, "CORE", 1, pr, sizeof(pr));
	gc_wbuf_note(&b, "VMCOREINFO", 0, "A=1\n", 4);
	CHECK(!b.failed);
	/* 12 + "CORE\0" padded to 8 + 336; then 12 + 11 -> 12 + 4 */
	CHECK_EQ_U64(b.len, 12 + 8 + 336 + 12 + 12 + 4);
	CHECK_EQ_U64(rd32(b.data), 5);
	CHECK_EQ_U64(rd32(b.data + 4), 336);
	CHECK_EQ_U64(rd32(b.data + 8), 1);
	CHECK(!memcmp(b.data + 356 + 12, "VMCOREINFO", 11));
	CHECK(!memcmp(b.data + 356 + 24, "A=1\n", 4));
	gc_wbuf_free(&b);
}

static void fill_page(uint8_t *p, uint64_t pfn, int kind)
{
	if (kind == 0) {
		memset(p, 0, PS);
	} else if (kind == 1) {
		for (unsigned int i = 0; i < PS / 8; i++) {
			uint64_t v = pfn * 0x9E3779B97F4A7C15ull + i * 0x100000001b3ull;
			v ^= v >> 29;
			memcpy(p + 8 * i, &v, 8);
		}
	} else {
		for (unsigned int i = 0; i < PS; i++)
			p[i] = (uint8_t)("page %llu text "[i % 15] + (pfn & 3));
	}
}

static bool decompress(enum gc_out_codec c, const uint8_t *in, size_t len,
		       uint8_t *out)
{
	switch (c) {
	case GC_OUT_CODEC_ZLIB: {
		uLongf dl = PS;
		return uncompress(out, &dl, in, len) == Z_OK && dl == PS;
	}
	case GC_OUT_CODEC_LZO: {
		lzo_uint dl = PS;
		return lzo1x_decompress_safe(in, len, out, &dl, NULL) ==
			       LZO_E_OK && dl == PS;
	}
	case GC_OUT_CODEC_SNAPPY: {
		size_t dl = PS;
		return snappy_uncompress((const char *)in, len, (char *)out,
					 &dl) == SNAPPY_OK && dl == PS;
	}
	case GC_OUT_CODEC_ZSTD:
		return ZSTD_decompress(out, PS, in, len) == PS;
	default:
		return false;
	}
}

TEST(cpool_every_codec_three_threads)
{
	enum { N = 700 };
	uint8_t *in = malloc((size_t)N * PS), *back = malloc(PS);
	struct gc_citem *items = calloc(N, sizeof(*items));
	CHECK(in && back && items);
	for (enum gc_out_codec c = GC_OUT_CODEC_NONE; c <= GC_OUT_CODEC_ZSTD;
	     c++) {
		struct gc_cpool *pool;
		CHECK_OK(gc_cpool_new(c, PS, 3, &pool));
		size_t slot = gc_cpool_slot_size(pool);
		uint8_t *slots = malloc(N * slot);
		CHECK(slots);
		for (size_t i = 0; i < N; i++) {
			fill_page(in + i * PS, i, (int)(i % 3));
			items[i].in = in + i * PS;
			items[i].out = slots + i * slot;
			items[i].skip = i == 5;
		}
		CHECK_OK(gc_cpool_run(pool, items, N));
		for (size_t i = 0; i < N; i++) {
			if (i == 5)
				continue;
			CHECK(items[i].zero == (i % 3 == 0));
			if (items[i].flags == 0) {
				CHECK_EQ_U64(items[i].out_len, PS);
				CHECK(!memcmp(items[i].out, in + i * PS, PS));
				/* zero and text pages must shrink */
				CHECK(c == GC_OUT_CODEC_NONE || i % 3 == 1);
			} else {
				CHECK_EQ_U64(items[i].flags, gc_codec_flag(c));
				CHECK(items[i].out_len < PS);
				CHECK(decompress(c, items[i].out,
						 items[i].out_len, back));
				CHECK(!memcmp(back, in + i * PS, PS));
			}
		}
		/* a second batch through the same pool */
		CHECK_OK(gc_cpool_run(pool, items, 10));
		gc_cpool_free(pool);
		free(slots);
	}
	free(in);
	free(back);
	free(items);
}

/* ---- a synthetic page source ------------------------------------------ */

struct synth {
	uint64_t missing_pfn;  /* reported absent */
	uint64_t zero_lo, zero_hi;  /* [lo, hi) all zero as well */
	/* [lo, hi) pairs reported excluded (hi = 0: none) */
	uint64_t gone[4][2];
};

static struct gc_error *synth_read(void *arg, uint64_t pfn, void *buf,
				   enum gc_page_state *state)
{
	struct synth *s = arg;
	if (pfn == s->missing_pfn) {
		memset(buf, 0, PS);
		*state = GC_PAGE_ABSENT;
		return NULL;
	}
	for (size_t i = 0; i < 4; i++)
		if (pfn >= s->gone[i][0] && pfn < s->gone[i][1]) {
			memset(buf, 0, PS);
			*state = GC_PAGE_EXCLUDED;
			return NULL;
		}
	bool zero = pfn % 4 == 0 || (pfn >= s->zero_lo && pfn < s->zero_hi);
	fill_page(buf, pfn, zero ? 0 : (int)(pfn % 2) + 1);
	*state = GC_PAGE_PRESENT;
	return NULL;
}

static struct gc_error *write_synth(const char *path, bool kdump,
				    const struct gc_frame_run *runs, size_t nr,
				    struct synth *s,
				    const struct gc_convert_kernel *k,
				    const struct gc_convert_opts *opts,
				    struct gc_convert_stats *st)
{
	struct gc_wbuf notes;
	memset(&notes, 0, sizeof(notes));
	uint8_t pr[336];
	struct gc_vcpu v;
	memset(&v, 0, sizeof(v));
	v.regs[GC_REG_RIP] = 0xffffffff81000123ull;
	v.valid = 1ull << GC_REG_RIP;
	gc_arch_get(GC_ARCH_X86_64)->prstatus_write(&v, pr);
	gc_wbuf_note(&notes, "CORE", 1, pr, sizeof(pr));
	static const char vi[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
	gc_wbuf_note(&notes, "VMCOREINFO", 0, vi, sizeof(vi) - 1);
	struct gc_wsource src = {
		.page_size = PS, .runs = runs, .nr_runs = nr,
		.read = synth_read, .arg = s,
		.notes = notes.data, .notes_len = notes.len,
		.vmcoreinfo = vi, .vmcoreinfo_len = sizeof(vi) - 1,
		.nr_vcpus = 1, .kernel = k, .release = "6.1.0-test",
	};
	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < nr; i++)
		st->pages_total += runs[i].count;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return gc_error_new(GC_ERR_IO, path, "open failed");
	struct gc_error *err = kdump ? gc_write_kdump(&src, fd, path, opts, st) :
				       gc_write_elf(&src, fd, path, opts, st);
	close(fd);
	gc_wbuf_free(&notes);
	return err;
}

TEST(elf_writer_segments_and_pages)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/synth.elf", gc_test_tmpdir());
	struct gc_frame_run runs[] = { { 0, 3 }, { 10, 2 }, { 0x100, 1 } };
	struct synth s = { .missing_pfn = 11 };
	struct gc_convert_kernel k;
	memset(&k, 0, sizeof(k));
	k.has_page_offset = true;
	k.page_offset = 0xffff888000000000ull;
	k.has_text = true;
	k.text_vaddr = 0xffffffff81000000ull;
	k.text_paddr = 10 * PS;
	k.text_size = 64 * PS;  /* clipped to the 2-page run */
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	struct gc_convert_stats st;
	CHECK_OK(write_synth(path, false, runs, 3, &s, &k, &o, &st));
	CHECK_EQ_U64(st.segments, 4);
	CHECK_EQ_U64(st.pages_written, 5);
	CHECK_EQ_U64(st.pages_missing, 1);
	/* pfn 11 ends its run: left out, not written as zeroes */
	CHECK_EQ_U64(st.pages_missing_zeroed, 0);

	/* headers, by hand */
	FILE *f = fopen(path, "rb");
	CHECK(f);
	uint8_t h[64 + 5 * 56];
	CHECK(fread(h, 1, sizeof(h), f) == sizeof(h));
	fclose(f);
	CHECK_EQ_U64(rd16(h + 16), 4);     /* ET_CORE */
	CHECK_EQ_U64(rd16(h + 18), 62);
	CHECK_EQ_U64(rd16(h + 56), 5);     /* note + text + 3 RAM */
	const uint8_t *ph = h + 64;
	CHECK_EQ_U64(rd32(ph), 4);         /* PT_NOTE first */
	CHECK_EQ_U64(rd32(ph + 56), 1);
	CHECK_EQ_U64(rd64(ph + 56 + 16), 0xffffffff81000000ull);
	CHECK_EQ_U64(rd64(ph + 56 + 24), 10 * PS);
	CHECK_EQ_U64(rd64(ph + 56 + 32), 1 * PS);   /* clipped (pfn 11 is
						      * left out) */
	CHECK_EQ_U64(rd64(ph + 112 + 16), 0xffff888000000000ull);
	CHECK_EQ_U64(rd64(ph + 224 + 16), 0xffff888000100000ull);
	CHECK_EQ_U64(rd64(ph + 224 + 24), 0x100000);
	/* the text segment shares the file bytes of its RAM run */
	CHECK_EQ_U64(rd64(ph + 56 + 8), rd64(ph + 168 + 8));

	/* and read back through the library */
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(path, NULL, &d));
	CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_ELF_VMCORE);
	CHECK_EQ_U64(gc_dump_nr_frames(d), 5);
	uint8_t a[PS], b[PS];
	struct gc_error *e11 = gc_dump_read(d, GC_SPACE_PHYS, 11 * PS, a, PS);
	CHECK(e11 && gc_error_code(e11) == GC_ERR_NOT_PRESENT);
	gc_error_free(e11);
	uint64_t pfns[] = { 0, 1, 2, 10, 0x100 };
	for (size_t i = 0; i < 5; i++) {
		CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, pfns[i] * PS, a, PS));
		enum gc_page_state stt;
		CHECK_OK(synth_read(&s, pfns[i], b, &stt));
		CHECK(!memcmp(a, b, PS));
	}
	const char *vi;
	size_t vlen;
	uint64_t voff;
	CHECK_OK(gc_dump_vmcoreinfo(d, &vi, &vlen, &voff));
	CHECK(vlen >= 20 && !memcmp(vi, "OSRELEASE=6.1.0-test", 20));
	gc_dump_close(d);
}

/* Frames the source cannot give (excluded there): a run of 256 or more,
 * or one at a segment's start or end, is left out of the PT_LOADs; a
 * shorter run between stored pages is written as zero pages, as
 * makedumpfile -E does, and counted.  (Issue #13: they were all written
 * as zero pages, and the provenance note said "changed=none".) */
TEST(elf_writer_excluded_runs)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/gone.elf", gc_test_tmpdir());
	struct gc_frame_run runs[] = { { 0, 1200 } };
	for (int ex = 0; ex < 2; ex++) {
		struct synth s = {
			.missing_pfn = UINT64_MAX,
			.gone = { { 0, 10 }, { 100, 355 }, { 500, 756 },
				  { 1190, 1200 } },
		};
		struct gc_convert_opts o;
		memset(&o, 0, sizeof(o));
		o.format = GC_OUT_ELF;
		o.exclude_zero = ex;
		struct gc_convert_stats st;
		CHECK_OK(write_synth(path, false, runs, 1, &s, NULL, &o, &st));
		CHECK_EQ_U64(st.pages_missing, 10 + 255 + 256 + 10);
		CHECK_EQ_U64(st.pages_missing_zeroed, 255);
		CHECK_EQ_U64(st.segments, 2);
		CHECK_EQ_U64(st.pages_written + st.pages_excluded,
			     1200 - st.pages_missing);
		struct gc_dump *d;
		CHECK_OK(gc_dump_open(path, NULL, &d));
		CHECK_EQ_U64(gc_dump_nr_frames(d), 1200 - 10 - 256 - 10);
		uint8_t a[PS], b[PS];
		static const uint64_t out[] = { 0, 9, 500, 755, 1190, 1199 };
		for (size_t i = 0; i < 6; i++) {
			struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS,
							  out[i] * PS, a, PS);
			CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
			gc_error_free(e);
		}
		static const uint64_t zeroed[] = { 100, 354 };
		for (size_t i = 0; i < 2; i++) {
			CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, zeroed[i] * PS,
					      a, PS));
			CHECK(gc_page_is_zero(a, PS));
		}
		static const uint64_t kept[] = { 10, 99, 355, 499, 756, 1189 };
		for (size_t i = 0; i < 6; i++) {
			enum gc_page_state stt;
			CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, kept[i] * PS,
					      a, PS));
			CHECK_OK(synth_read(&s, kept[i], b, &stt));
			CHECK(!memcmp(a, b, PS));
		}
		gc_dump_close(d);
	}
}

TEST(elf_writer_pn_xnum)
{
	enum { RUNS = 70000 };
	char path[512];
	snprintf(path, sizeof(path), "%s/xnum.elf", gc_test_tmpdir());
	struct gc_frame_run *runs = malloc(RUNS * sizeof(*runs));
	CHECK(runs);
	for (size_t i = 0; i < RUNS; i++) {
		runs[i].start = 2 * i;
		runs[i].count = 1;
	}
	struct synth s = { .missing_pfn = UINT64_MAX };
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	struct gc_convert_stats st;
	struct gc_error *err = write_synth(path, false, runs, RUNS, &s, NULL,
					   &o, &st);
	free(runs);
	CHECK_OK(err);
	FILE *f = fopen(path, "rb");
	CHECK(f);
	uint8_t h[64], sh[64];
	CHECK(fread(h, 1, 64, f) == 64);
	CHECK(fseek(f, (long)rd64(h + 40), SEEK_SET) == 0);
	CHECK(fread(sh, 1, 64, f) == 64);
	fclose(f);
	CHECK_EQ_U64(rd16(h + 56), 0xffff);
	CHECK_EQ_U64(rd16(h + 60), 1);
	CHECK_EQ_U64(rd32(sh + 4), 0);           /* SHT_NULL */
	CHECK_EQ_U64(rd32(sh + 44), RUNS + 1);   /* sh_info = real phnum */
	struct gc_dump *d;
	err = gc_dump_open(path, NULL, &d);
	if (err) {
		unlink(path);
		CHECK_OK(err);
	}
	CHECK_EQ_U64(gc_dump_nr_frames(d), RUNS);
	uint8_t a[PS], b[PS];
	enum gc_page_state stt;
	CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS, 2ull * (RUNS - 1) * PS, a, PS));
	CHECK_OK(synth_read(&s, 2ull * (RUNS - 1), b, &stt));
	CHECK(!memcmp(a, b, PS));
	err = gc_dump_read(d, GC_SPACE_PHYS, 3ull * PS, a, PS);
	CHECK(err != NULL);  /* odd pfns are not in the dump */
	gc_error_free(err);
	gc_dump_close(d);
	unlink(path);
}

TEST(kdump_writer_every_codec_exclude_zero)
{
	struct gc_frame_run runs[] = { { 0, 40 }, { 100, 9 } };
	for (enum gc_out_codec c = GC_OUT_CODEC_NONE; c <= GC_OUT_CODEC_ZSTD;
	     c++) {
		for (int ex = 0; ex < 2; ex++) {
			char path[512];
			snprintf(path, sizeof(path), "%s/synth-%d-%d.kdump",
				 gc_test_tmpdir(), (int)c, ex);
			struct synth s = { .missing_pfn = 7 };
			struct gc_convert_opts o;
			memset(&o, 0, sizeof(o));
			o.format = GC_OUT_KDUMP;
			o.codec = c;
			o.exclude_zero = ex;
			o.threads = 2;
			struct gc_convert_stats st;
			CHECK_OK(write_synth(path, true, runs, 2, &s, NULL, &o,
					     &st));
			/* zero pages: pfn % 4 == 0 -> 10 + 3 (100, 104, 108) */
			CHECK_EQ_U64(st.pages_missing, 1);
			CHECK_EQ_U64(st.pages_excluded, ex ? 13 : 0);
			CHECK_EQ_U64(st.pages_written, ex ? 35 : 48);
			struct gc_dump *d;
			CHECK_OK(gc_dump_open(path, NULL, &d));
			CHECK_EQ_U64(gc_dump_format(d), GC_FORMAT_KDUMP);
			for (size_t r = 0; r < 2; r++) {
				for (uint64_t i = 0; i < runs[r].count; i++) {
					uint64_t pfn = runs[r].start + i;
					enum gc_page_state want, got;
					uint8_t a[PS], b[PS];
					CHECK_OK(synth_read(&s, pfn, b, &want));
					CHECK_OK(gc_dump_page_state(
						d, GC_SPACE_PHYS, pfn, &got));
					if (pfn == 7) {
						CHECK_EQ_U64(got,
							     GC_PAGE_EXCLUDED);
						continue;
					}
					/* zero pages stay readable (issue
					 * #13: makedumpfile -d 1) */
					CHECK_EQ_U64(got, GC_PAGE_PRESENT);
					CHECK_OK(gc_dump_read(d, GC_SPACE_PHYS,
							      pfn * PS, a, PS));
					CHECK(!memcmp(a, b, PS));
				}
			}
			enum gc_page_state st50;
			CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 50,
						    &st50));
			CHECK(st50 != GC_PAGE_PRESENT);
			gc_dump_close(d);
			/* every zero page's descriptor is the one shared
			 * zero page: the first data page, stored raw */
			FILE *f = fopen(path, "rb");
			CHECK(f);
			uint8_t h[464];
			CHECK(fread(h, 1, sizeof(h), f) == sizeof(h));
			uint64_t desc_off = (1 + rd32(h + 432) +
					     rd32(h + 436)) * (uint64_t)PS;
			uint8_t dd[48 * 24];
			CHECK(fseek(f, (long)desc_off, SEEK_SET) == 0);
			CHECK(fread(dd, 24, 48, f) == 48);
			fclose(f);
			uint64_t zoff = 0, nz = 0, di = 0;
			for (size_t r = 0; r < 2; r++)
				for (uint64_t i = 0; i < runs[r].count; i++) {
					uint64_t pfn = runs[r].start + i;
					if (pfn == 7)
						continue;
					const uint8_t *e = dd + 24 * di++;
					if (pfn % 4 || !ex)
						continue;
					if (!nz++)
						zoff = rd64(e);
					CHECK_EQ_U64(rd64(e), zoff);
					CHECK_EQ_U64(rd32(e + 8), PS);
					CHECK_EQ_U64(rd32(e + 12), 0);
				}
			CHECK_EQ_U64(nz, ex ? 13 : 0);
			if (ex)
				CHECK_EQ_U64(zoff, desc_off + ((48 * 24 + PS - 1) /
						       PS) * PS);
			unlink(path);
		}
	}
}

/* ELF --exclude zero, as makedumpfile -E -d 1: a run of >= 256 zero
 * pages ends its segment's file data (p_memsz tail), shorter runs are
 * stored; the tails read back as zeroes. */
TEST(elf_writer_exclude_zero_tails)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/synth-ez.elf", gc_test_tmpdir());
	/* run 0: [0, 1000), zeros at [100, 400) (with the pfn%4 ones: 99
	 * is not zero, 400 is, so the run is [100, 401)).  run 1:
	 * [2000, 2010).  Short runs (every 4th page) are stored. */
	struct gc_frame_run runs[] = { { 0, 1000 }, { 2000, 10 } };
	struct synth s = { .missing_pfn = UINT64_MAX, .zero_lo = 100,
			   .zero_hi = 400 };
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	o.exclude_zero = true;
	struct gc_convert_stats st;
	CHECK_OK(write_synth(path, false, runs, 2, &s, NULL, &o, &st));
	/* segments: [0,100)+[100,401) tail, [401,1000), [2000,2010) */
	CHECK_EQ_U64(st.segments, 3);
	CHECK_EQ_U64(st.pages_excluded, 301);
	FILE *f = fopen(path, "rb");
	CHECK(f);
	uint8_t h[64 + 4 * 56];
	CHECK(fread(h, 1, sizeof(h), f) == sizeof(h));
	fclose(f);
	CHECK_EQ_U64(rd16(h + 56), 4);
	const uint8_t *ph = h + 64 + 56;
	CHECK_EQ_U64(rd64(ph + 24), 0);
	CHECK_EQ_U64(rd64(ph + 32), 100 * PS);   /* filesz */
	CHECK_EQ_U64(rd64(ph + 40), 401 * PS);   /* memsz */
	CHECK_EQ_U64(rd64(ph + 56 + 24), 401 * PS);
	CHECK_EQ_U64(rd64(ph + 56 + 32), 599 * PS);
	CHECK_EQ_U64(rd64(ph + 56 + 8), rd64(ph + 8) + 100 * PS);
	/* write_synth's notes carry no provenance line: tails are
	 * excluded for a reader that is not told they are zeroes */
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(path, NULL, &d));
	enum gc_page_state ps200;
	CHECK_OK(gc_dump_page_state(d, GC_SPACE_PHYS, 200, &ps200));
	CHECK_EQ_U64(ps200, GC_PAGE_EXCLUDED);
	gc_dump_close(d);
	unlink(path);
}

TEST(convert_atomic_force_and_verify)
{
	/* input: a synthetic ELF; output through gc_convert */
	char in[512], out[512];
	snprintf(in, sizeof(in), "%s/atomic-in.elf", gc_test_tmpdir());
	snprintf(out, sizeof(out), "%s/atomic-out.kdump", gc_test_tmpdir());
	struct gc_frame_run runs[] = { { 0, 20 } };
	struct synth s = { .missing_pfn = UINT64_MAX };
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	struct gc_convert_stats st;
	CHECK_OK(write_synth(in, false, runs, 1, &s, NULL, &o, &st));
	FILE *f = fopen(out, "w");
	CHECK(f);
	fputs("keep me", f);
	fclose(f);
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(in, NULL, &d));
	o.format = GC_OUT_KDUMP;
	o.codec = GC_OUT_CODEC_ZSTD;
	o.exclude_zero = true;
	struct gc_error *err = gc_convert(d, out, &o, &st);
	CHECK(err != NULL);
	CHECK_EQ_U64(gc_error_code(err), GC_ERR_INVALID_ARG);
	CHECK_CONTAINS(gc_error_string(err), "--force");
	gc_error_free(err);
	struct stat sb;
	CHECK(stat(out, &sb) == 0 && sb.st_size == 7);
	o.force = true;
	CHECK_OK(gc_convert(d, out, &o, &st));
	CHECK_EQ_U64(st.pages_total, 20);
	CHECK_EQ_U64(st.pages_excluded, 5);
	CHECK(st.has_vmcoreinfo);
	struct gc_verify_stats vs;
	CHECK_OK(gc_convert_verify(d, out, &o, &vs));
	CHECK_EQ_U64(vs.compared, 15);
	CHECK_EQ_U64(vs.excluded, 5);
	CHECK_EQ_U64(vs.mismatches, 0);
	CHECK_EQ_U64(vs.extra, 0);
	/* ELF output with --exclude zero (was refused): every zero run is
	 * shorter than 256 pages, so all are stored */
	o.format = GC_OUT_ELF;
	CHECK_OK(gc_convert(d, out, &o, &st));
	CHECK_EQ_U64(st.pages_excluded, 0);   /* no run ends in a zero page */
	CHECK_OK(gc_convert_verify(d, out, &o, &vs));
	CHECK_EQ_U64(vs.mismatches, 0);
	CHECK_EQ_U64(vs.compared + vs.excluded, 20);
	gc_dump_close(d);
	unlink(in);
	unlink(out);
}

/* --verify catches the old --exclude zero bug: a zero page that has data
 * in the input but is excluded (unreadable) in the output is a mismatch,
 * not "excluded". */
TEST(verify_flags_excluded_zero_page)
{
	char in[512], out[512];
	snprintf(in, sizeof(in), "%s/vz-in.elf", gc_test_tmpdir());
	snprintf(out, sizeof(out), "%s/vz-out.kdump", gc_test_tmpdir());
	struct gc_frame_run runs[] = { { 0, 20 } };
	struct synth s = { .missing_pfn = UINT64_MAX };
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_ELF;
	struct gc_convert_stats st;
	CHECK_OK(write_synth(in, false, runs, 1, &s, NULL, &o, &st));
	/* the output as the old writer made it: zero page 8 excluded */
	struct synth bad = { .missing_pfn = 8 };
	o.format = GC_OUT_KDUMP;
	o.exclude_zero = true;
	CHECK_OK(write_synth(out, true, runs, 1, &bad, NULL, &o, &st));
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(in, NULL, &d));
	struct gc_verify_stats vs;
	CHECK_OK(gc_convert_verify(d, out, &o, &vs));
	CHECK_EQ_U64(vs.mismatches, 1);
	CHECK(vs.has_first_mismatch);
	CHECK_EQ_U64(vs.first_mismatch_pfn, 8);
	CHECK_EQ_U64(vs.compared + vs.excluded, 19);
	gc_dump_close(d);
	unlink(in);
	unlink(out);
}

/* A flattened kdump (makedumpfile -F) written without a seek reads back
 * page for page; and a corrupt source page is refused, zeroed or
 * skipped as --missing says. */
TEST(convert_flattened_and_missing_policy)
{
	char in[512], bad[512], out[512];
	snprintf(in, sizeof(in), "%s/fm-in.kdump", gc_test_tmpdir());
	snprintf(bad, sizeof(bad), "%s/fm-bad.kdump", gc_test_tmpdir());
	snprintf(out, sizeof(out), "%s/fm-out", gc_test_tmpdir());
	struct gc_frame_run runs[] = { { 0, 30 } };
	struct synth s = { .missing_pfn = UINT64_MAX };
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	o.format = GC_OUT_KDUMP;
	o.codec = GC_OUT_CODEC_ZLIB;
	struct gc_convert_stats st;
	CHECK_OK(write_synth(in, true, runs, 1, &s, NULL, &o, &st));
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(in, NULL, &d));
	o.flatten = true;
	CHECK_OK(gc_convert(d, out, &o, &st));
	struct gc_verify_stats vs;
	CHECK_OK(gc_convert_verify(d, out, &o, &vs));
	CHECK_EQ_U64(vs.compared, 30);
	CHECK_EQ_U64(vs.mismatches, 0);
	struct gc_dump *f;
	CHECK_OK(gc_dump_open(out, NULL, &f));
	CHECK_EQ_U64(gc_dump_format(f), GC_FORMAT_KDUMP_FLAT);
	gc_dump_close(f);
	gc_dump_close(d);
	unlink(out);
	/* corrupt pfn 5's zlib data */
	CHECK_OK(gc_dump_open(in, NULL, &d));
	struct gc_page_loc loc;
	CHECK_OK(d->ops->locate(d, GC_SPACE_PHYS, 5, &loc));
	CHECK_EQ_U64(loc.state, GC_PAGE_PRESENT);
	gc_dump_close(d);
	FILE *fi = fopen(in, "rb"), *fo = fopen(bad, "wb");
	CHECK(fi && fo);
	int c;
	long pos = 0;
	while ((c = fgetc(fi)) != EOF) {
		if ((uint64_t)pos >= loc.offset &&
		    (uint64_t)pos < loc.offset + loc.size)
			c = 0xa5;
		fputc(c, fo);
		pos++;
	}
	fclose(fi);
	fclose(fo);
	CHECK_OK(gc_dump_open(bad, NULL, &d));
	o.flatten = false;
	o.format = GC_OUT_ELF;
	struct gc_error *err = gc_convert(d, out, &o, &st);
	CHECK(err != NULL);
	CHECK_CONTAINS(gc_error_string(err), "pfn 0x5");
	CHECK_CONTAINS(gc_error_string(err), "--missing");
	CHECK(gc_error_file(err) != NULL);
	gc_error_free(err);
	struct stat sb;
	CHECK(stat(out, &sb) != 0);  /* no partial output */
	o.missing = GC_MISSING_ZERO;
	CHECK_OK(gc_convert(d, out, &o, &st));
	CHECK_EQ_U64(st.pages_undecodable, 1);
	CHECK_OK(gc_convert_verify(d, out, &o, &vs));
	CHECK_EQ_U64(vs.mismatches, 0);
	CHECK_EQ_U64(vs.missing, 1);
	o.missing = GC_MISSING_SKIP;
	o.force = true;
	CHECK_OK(gc_convert(d, out, &o, &st));
	CHECK_EQ_U64(st.pages_undecodable, 1);
	CHECK_EQ_U64(st.segments, 2);           /* a hole at pfn 5 */
	struct gc_dump *od;
	CHECK_OK(gc_dump_open(out, NULL, &od));
	enum gc_page_state ps5;
	CHECK_OK(gc_dump_page_state(od, GC_SPACE_PHYS, 5, &ps5));
	CHECK(ps5 != GC_PAGE_PRESENT && ps5 != GC_PAGE_ZERO);
	gc_dump_close(od);
	o.format = GC_OUT_KDUMP;
	CHECK_OK(gc_convert(d, out, &o, &st));
	CHECK_OK(gc_dump_open(out, NULL, &od));
	CHECK_OK(gc_dump_page_state(od, GC_SPACE_PHYS, 5, &ps5));
	CHECK_EQ_U64(ps5, GC_PAGE_EXCLUDED);
	gc_dump_close(od);
	gc_dump_close(d);
	unlink(in);
	unlink(bad);
	unlink(out);
}

TEST(xen_pv_page_table_rewrite_real_dump)
{
	const char *core = gc_test_real_dump("xen-pv-idle/xen-pv-idle.core");
	if (!core) {
		gc_test_skip("real xen-pv-idle dump absent");
		return;
	}
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(core, NULL, &d));
	struct gc_pt_overlay *ov;
	struct gc_convert_stats st;
	memset(&st, 0, sizeof(st));
	CHECK_OK(gc_xen_pt_rewrite(d, NULL, &ov, &st));
	/* init_top_pgt (pfn 0x2a10, found by its kernel half): slot 511
	 * held machine 0x137215067 (crash vtop), now pfn 0x2a15 */
	const uint8_t *l4 = gc_pt_overlay_get(ov, 0x2a10);
	CHECK(l4 != NULL);
	CHECK_EQ_U64(rd64(l4 + 511 * 8), 0x2a15067);
	for (unsigned int i = 256; i < 272; i++)
		CHECK_EQ_U64(rd64(l4 + i * 8), 0);
	/* the PMD of linux_banner: 2a16080 => 135216067 -> pfn 0x4a16 */
	const uint8_t *pud = gc_pt_overlay_get(ov, 0x2a16);
	CHECK(pud != NULL);
	CHECK_EQ_U64(rd64(pud + 0x80), 0x4a16067);
	/* a leaf: PTE 4a16b08 => 8010000137d61025 -> 8010000002161025 */
	const uint8_t *pte = gc_pt_overlay_get(ov, 0x4a16);
	CHECK(pte != NULL);
	CHECK_EQ_U64(rd64(pte + 0xb08), 0x8010000002161025ull);
	CHECK(st.pt_pgds_found >= 1);
	CHECK_EQ_U64(st.pt_conflicts, 0);
	CHECK(gc_pt_overlay_get(ov, 0x1000) == NULL);  /* kernel text */
	gc_pt_overlay_free(ov);
	gc_dump_close(d);
}

TEST_MAIN()
