// SPDX-License-Identifier: MIT
/*
 * The kernel layer without a dump: the VMCOREINFO parser, x86-64 walks over
 * page tables built here in a memory image (native and Xen PV tables holding
 * mfns, 5-level, 2 MiB / 1 GiB pages, NX/PAT, SME bit, damaged tables), the
 * printk readers over a synthetic ring, and System.map parsing.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "arch/x86_64/x86_64.h"
#include "kernel/kernel_internal.h"
#include "kernel/vmcoreinfo.h"

/* ---- VMCOREINFO ---------------------------------------------------------- */

static const char vi_text[] =
	"OSRELEASE=6.1.0-56-amd64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_top_pgt)=ffffffff82a10000\n"
	"OFFSET(uts_namespace.name)=0\n"
	"SIZE(page)=64\n"
	"LENGTH(node_data)=1024\n"
	"NUMBER(phys_base)=-484442112\n"
	"NUMBER(sme_mask)=140737488355328\n"
	"KERNELOFFSET=1ce00000\n"
	"garbage line without equals\n"
	"CRASHTIME=1763897186\n";

TEST(vmcoreinfo_parse_keys)
{
	struct gc_vmcoreinfo *vi;
	CHECK_OK(gc_vmcoreinfo_parse(vi_text, sizeof(vi_text), &vi));
	CHECK_EQ_U64(gc_vmcoreinfo_count(vi), 10);
	CHECK_STR(gc_vmcoreinfo_value(vi, "OSRELEASE"), "6.1.0-56-amd64");
	uint64_t v;
	int64_t n;
	CHECK(gc_vmcoreinfo_symbol(vi, "init_top_pgt", &v));
	CHECK_EQ_U64(v, 0xffffffff82a10000ull);
	CHECK(gc_vmcoreinfo_offset(vi, "uts_namespace.name", &v));
	CHECK_EQ_U64(v, 0);
	CHECK(gc_vmcoreinfo_size(vi, "page", &v));
	CHECK_EQ_U64(v, 64);
	CHECK(gc_vmcoreinfo_length(vi, "node_data", &v));
	CHECK_EQ_U64(v, 1024);
	CHECK(gc_vmcoreinfo_number(vi, "phys_base", &n));
	CHECK_EQ_U64((uint64_t)n, 0xffffffffe3200000ull);
	CHECK(gc_vmcoreinfo_number(vi, "sme_mask", &n));
	CHECK_EQ_U64((uint64_t)n, 1ull << 47);
	CHECK(gc_vmcoreinfo_kerneloffset(vi, &v));
	CHECK_EQ_U64(v, 0x1ce00000);
	CHECK(!gc_vmcoreinfo_symbol(vi, "nonexistent", &v));
	CHECK(!gc_vmcoreinfo_size(vi, "init_top_pgt", &v));
	size_t len;
	CHECK_STR(gc_vmcoreinfo_text(vi, &len), vi_text);
	CHECK_EQ_U64(len, strlen(vi_text));
	gc_vmcoreinfo_free(vi);
}

TEST(vmcoreinfo_rejects_junk)
{
	struct gc_vmcoreinfo *vi = NULL;
	struct gc_error *e = gc_vmcoreinfo_parse("no pairs here\n", 14, &vi);
	CHECK(e != NULL && vi == NULL);
	gc_error_free(e);
	/* Stops at the first NUL of a zero-padded page. */
	char page[64] = "OSRELEASE=x\nPAGESIZE=4096\n";
	memcpy(page + 40, "EVIL=1\n", 7);
	CHECK_OK(gc_vmcoreinfo_parse(page, sizeof(page), &vi));
	CHECK(gc_vmcoreinfo_value(vi, "EVIL") == NULL);
	gc_vmcoreinfo_free(vi);
	CHECK(gc_vmcoreinfo_plausible(page, sizeof(page)));
	CHECK(!gc_vmcoreinfo_plausible("OSRELEASE=x\n\x01PAGESIZE=1\n", 24));
	CHECK(!gc_vmcoreinfo_plausible("PAGESIZE=4096\nOSRELEASE=x\n", 26));
	/* Bad numbers are refused, not half-parsed. */
	CHECK_OK(gc_vmcoreinfo_parse("SYMBOL(a)=12zz\nNUMBER(b)=\n", 26, &vi));
	uint64_t v;
	int64_t n;
	CHECK(!gc_vmcoreinfo_symbol(vi, "a", &v));
	CHECK(!gc_vmcoreinfo_number(vi, "b", &n));
	gc_vmcoreinfo_free(vi);
}

/* ---- page-table image ------------------------------------------------------ */

#define NFRAMES 64
#define MFN_BASE 0x137000ull /* PV: mfn = pfn ^ a scramble + base */

struct image {
	uint64_t mem[NFRAMES][512];
	unsigned int next;
	bool pv;
};

static uint64_t pfn_to_mfn(uint64_t pfn) { return MFN_BASE + (pfn ^ 0x15); }

static struct gc_error *img_m2p(void *ctx, uint64_t mfn, uint64_t *pfn)
{
	(void)ctx;
	uint64_t p = (mfn - MFN_BASE) ^ 0x15;
	if (mfn < MFN_BASE || p >= NFRAMES)
		return gc_error_new(GC_ERR_NOT_PRESENT, "mfn", "0x%llx",
				    (unsigned long long)mfn);
	*pfn = p;
	return NULL;
}

static struct gc_error *img_read(void *ctx, enum gc_space sp, uint64_t addr,
				 uint64_t *out)
{
	struct image *im = ctx;
	uint64_t frame = addr >> 12;
	if (sp == GC_SPACE_MACH) {
		struct gc_error *e = img_m2p(ctx, frame, &frame);
		if (e)
			return e;
	}
	if (frame >= NFRAMES)
		return gc_error_addr(GC_ERR_NOT_PRESENT, sp, addr, "read",
				     "not in the image");
	*out = im->mem[frame][(addr & 4095) / 8];
	(void)im;
	return NULL;
}

static unsigned int img_alloc(struct image *im) { return im->next++; }

/* The entry pointing at pfn FRAME: mfn-based for PV. */
static uint64_t ent(struct image *im, uint64_t frame, uint64_t flags)
{
	return ((im->pv ? pfn_to_mfn(frame) : frame) << 12) | flags;
}

/* Map VA -> PA with a leaf at LEAF_LEVEL (1 = PTE, 2 = PMD 2 MiB, 3 = PUD
 * 1 GiB) under ROOT; LEVELS 4 or 5. */
static void img_map(struct image *im, unsigned int root, unsigned int levels,
		    uint64_t va, uint64_t pa, unsigned int leaf_level,
		    uint64_t leaf_flags)
{
	unsigned int table = root;
	for (unsigned int l = levels; l > leaf_level; l--) {
		unsigned int idx = (va >> (12 + 9 * (l - 1))) & 511;
		uint64_t *e = &im->mem[table][idx];
		if (!(*e & 1)) {
			unsigned int n = img_alloc(im);
			*e = ent(im, n, 0x067);
		}
		uint64_t f = (*e & GC_X86_ADDR_MASK) >> 12;
		if (im->pv)
			img_m2p(im, f, &f);
		table = (unsigned int)f;
	}
	unsigned int idx = (va >> (12 + 9 * (leaf_level - 1))) & 511;
	uint64_t frame_bits = im->pv ? (pfn_to_mfn(pa >> 12) << 12) : pa;
	im->mem[table][idx] = frame_bits | leaf_flags;
}

static struct gc_arch_mem img_mem(struct image *im)
{
	return (struct gc_arch_mem){.ctx = im, .read_u64 = img_read,
				   .m2p = im->pv ? img_m2p : NULL};
}

TEST(walk_4level_4k_and_pat_bit)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	unsigned int root = img_alloc(&im);
	/* 4 KiB page whose PTE has PAT (bit 7) and NX set. */
	img_map(&im, root, 4, 0xffffffff81000000ull, 0x5000, 1,
		0x8000000000000000ull | 0x80 | 0x63);
	struct gc_arch_paging pg = {.levels = 4};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	CHECK_OK(gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			     0xffffffff81000123ull, &w));
	CHECK(w.ok);
	CHECK_EQ_U64(w.phys, 0x5123);
	CHECK_EQ_U64(w.page_size, 4096);
	CHECK_EQ_U64(w.nr, 4);
	CHECK_STR(w.lvl[0].name, "PGD");
	CHECK_EQ_U64(w.lvl[0].index, 511);
	CHECK_EQ_U64(w.lvl[1].index, 510);
	CHECK_EQ_U64(w.lvl[2].index, 8);
	char fl[128];
	gc_x86_flags(w.leaf, false, fl, sizeof(fl));
	CHECK_STR(fl, "PRESENT|RW|ACCESSED|DIRTY|PAT|NX");
}

TEST(walk_2m_with_pat_and_1g_pages)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	unsigned int root = img_alloc(&im);
	/* 2 MiB page at 0x2a00000 with PAT (bit 12) set in the entry: the
	 * address must ignore bit 12. */
	img_map(&im, root, 4, 0xffffffff82a00000ull, 0x2a00000 | 0x1000, 2,
		0x1e3);
	/* 1 GiB page: direct map at ffff888000000000 -> 0. */
	img_map(&im, root, 4, 0xffff888000000000ull, 0, 3, 0x1e3);
	struct gc_arch_paging pg = {.levels = 4};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	CHECK_OK(gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			     0xffffffff82a1aa40ull, &w));
	CHECK_EQ_U64(w.phys, 0x2a1aa40);
	CHECK_EQ_U64(w.page_size, 2u << 20);
	char fl[128];
	gc_x86_flags(w.leaf, true, fl, sizeof(fl));
	CHECK_STR(fl, "PRESENT|RW|ACCESSED|DIRTY|PSE|GLOBAL|PAT");
	CHECK_OK(gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			     0xffff888012345678ull, &w));
	CHECK_EQ_U64(w.phys, 0x12345678);
	CHECK_EQ_U64(w.page_size, 1u << 30);
	CHECK_EQ_U64(w.nr, 2);
}

TEST(walk_5level)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	unsigned int root = img_alloc(&im);
	img_map(&im, root, 5, 0xff11000000003000ull, 0x7000, 1, 0x63);
	struct gc_arch_paging pg = {.levels = 5};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	CHECK_OK(gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			     0xff11000000003abcull, &w));
	CHECK_EQ_U64(w.phys, 0x7abc);
	CHECK_EQ_U64(w.nr, 5);
	CHECK_STR(w.lvl[0].name, "PML5");
	CHECK_EQ_U64(w.lvl[0].index, 0x111);
	/* The same address is not canonical with 4 levels. */
	pg.levels = 4;
	struct gc_error *e = gc_x86_walk(&pg, &m, (uint64_t)root << 12,
					 GC_SPACE_PHYS, 0xff11000000003abcull,
					 &w);
	CHECK(e && !w.ok);
	CHECK_CONTAINS(w.why, "not a canonical 4-level");
	gc_error_free(e);
}

TEST(walk_xen_pv_mfns)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	im.pv = true;
	unsigned int root = img_alloc(&im);
	img_map(&im, root, 4, 0xffffffff82161000ull, 0x21000, 1,
		0x8010000000000025ull);
	struct gc_arch_paging pg = {.levels = 4, .xen_pv = true};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	/* cr3 is a machine address. */
	CHECK_OK(gc_x86_walk(&pg, &m, pfn_to_mfn(root) << 12, GC_SPACE_MACH,
			     0xffffffff82161900ull, &w));
	CHECK_EQ_U64(w.phys, 0x21900);
	CHECK_EQ_U64(w.mach, (pfn_to_mfn(0x21) << 12) | 0x900);
	CHECK(w.lvl[0].has_table_phys);
	CHECK_EQ_U64(w.lvl[0].table_phys, (uint64_t)root << 12);
	CHECK(w.lvl[3].has_entry_pseudo);
	CHECK_EQ_U64(w.lvl[3].entry_pseudo, 0x21025);
	CHECK_EQ_U64(w.leaf, 0x21025);
	/* The fallback root: the same table by pseudo-physical address. */
	CHECK_OK(gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			     0xffffffff82161900ull, &w));
	CHECK_EQ_U64(w.phys, 0x21900);
}

TEST(walk_sme_mask_stripped)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	unsigned int root = img_alloc(&im);
	img_map(&im, root, 4, 0xffffffff81000000ull, 0x9000, 1, 0x63);
	/* Set the C-bit (47) in every entry on the path. */
	uint64_t cbit = 1ull << 47;
	for (unsigned int f = 0; f < im.next; f++)
		for (int i = 0; i < 512; i++)
			if (im.mem[f][i] & 1)
				im.mem[f][i] |= cbit;
	struct gc_arch_paging pg = {.levels = 4, .sme_mask = cbit};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	CHECK_OK(gc_x86_walk(&pg, &m, ((uint64_t)root << 12) | cbit,
			     GC_SPACE_PHYS, 0xffffffff81000010ull, &w));
	CHECK_EQ_U64(w.phys, 0x9010);
	/* Without the mask the walk leaves the image and says so. */
	pg.sme_mask = 0;
	struct gc_error *e = gc_x86_walk(&pg, &m, (uint64_t)root << 12,
					 GC_SPACE_PHYS, 0xffffffff81000010ull,
					 &w);
	CHECK(e != NULL);
	CHECK_CONTAINS(w.why, "cannot read the PUD table");
	gc_error_free(e);
}

TEST(walk_damaged_tables)
{
	static struct image im;
	memset(&im, 0, sizeof(im));
	unsigned int root = img_alloc(&im);
	img_map(&im, root, 4, 0xffffffff81000000ull, 0x9000, 1, 0x63);
	struct gc_arch_paging pg = {.levels = 4};
	struct gc_arch_mem m = img_mem(&im);
	struct gc_walk w;
	/* Not present at the PMD level. */
	struct gc_error *e = gc_x86_walk(&pg, &m, (uint64_t)root << 12,
					 GC_SPACE_PHYS, 0xffffffff81400000ull,
					 &w);
	CHECK(e && !w.ok);
	CHECK_CONTAINS(w.why, "PMD entry 10 at 0x");
	CHECK_CONTAINS(w.why, "is not present");
	CHECK_EQ_U64(w.nr, 3);
	gc_error_free(e);
	/* PS set in a PGD entry is reserved. */
	im.mem[root][1] = 0x1e3;
	e = gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			1ull << 39, &w);
	CHECK(e);
	CHECK_CONTAINS(w.why, "reserved PS bit");
	gc_error_free(e);
	/* A table pointing at itself at every level: bounded, no loop. */
	im.mem[root][2] = ((uint64_t)root << 12) | 0x63;
	e = gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			(2ull << 39) | (2ull << 30) | (2ull << 21) |
			(2ull << 12), &w);
	CHECK(!e && w.ok && w.nr == 4);
	CHECK_EQ_U64(w.phys, (uint64_t)root << 12);
	/* An absurd entry: the frame is far outside the image. */
	im.mem[root][3] = 0x000ffffffffff063ull;
	e = gc_x86_walk(&pg, &m, (uint64_t)root << 12, GC_SPACE_PHYS,
			3ull << 39, &w);
	CHECK(e);
	CHECK_CONTAINS(w.why, "cannot read the PUD table at physical address "
		       "0xffffffffff000");
	gc_error_free(e);
}

/* ---- printk over a synthetic kernel memory --------------------------------- */

struct fake_mem {
	uint64_t base;
	uint8_t *buf;
	size_t len;
};

static struct gc_error *fake_read(void *ctx, uint64_t va, void *out,
				  size_t len)
{
	struct fake_mem *f = ctx;
	if (va < f->base || va - f->base > f->len ||
	    len > f->len - (va - f->base))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the fake memory");
	memcpy(out, f->buf + (va - f->base), len);
	return NULL;
}

static const char prb_vi[] =
	"OSRELEASE=6.1\nPAGESIZE=4096\n"
	"SYMBOL(prb)=ffffffff80000000\n"
	"OFFSET(printk_ringbuffer.desc_ring)=0\n"
	"OFFSET(printk_ringbuffer.text_data_ring)=48\n"
	"SIZE(prb_desc)=24\nOFFSET(prb_desc.state_var)=0\n"
	"OFFSET(prb_desc.text_blk_lpos)=8\n"
	"OFFSET(prb_data_blk_lpos.begin)=0\nOFFSET(prb_data_blk_lpos.next)=8\n"
	"SIZE(printk_info)=88\nOFFSET(printk_info.ts_nsec)=8\n"
	"OFFSET(printk_info.text_len)=16\n";

/* Layout: 0 prb pointer, 0x100 ring, 0x1000 descs (8), 0x2000 infos,
 * 0x3000 data (128 bytes). */
static void put_rec(uint8_t *m, uint64_t id, uint64_t beg, uint64_t next,
		    uint64_t ts, const char *text, unsigned state)
{
	uint64_t idx = id & 7;
	gc_put64(m + 0x1000 + idx * 24, id | ((uint64_t)state << 62), false);
	gc_put64(m + 0x1000 + idx * 24 + 8, beg, false);
	gc_put64(m + 0x1000 + idx * 24 + 16, next, false);
	gc_put64(m + 0x2000 + idx * 88 + 8, ts, false);
	gc_put16(m + 0x2000 + idx * 88 + 16, (uint16_t)strlen(text), false);
	uint64_t off = ((beg >> 7) != (next >> 7)) ? 0 : (beg & 127);
	gc_put64(m + 0x3000 + off, id, false);
	memcpy(m + 0x3000 + off + 8, text, strlen(text));
}

TEST(printk_lockless_ring)
{
	static uint8_t m[0x4000];
	memset(m, 0, sizeof(m));
	uint64_t B = 0xffffffff80000000ull;
	gc_put64(m, B + 0x100, false);
	uint8_t *r = m + 0x100;
	gc_put32(r + 0, 3, false);                /* count_bits: 8 descs */
	gc_put64(r + 8, B + 0x1000, false);
	gc_put64(r + 16, B + 0x2000, false);
	gc_put64(r + 24, 12, false);              /* head id */
	gc_put64(r + 32, 10, false);              /* tail id */
	gc_put32(r + 48, 7, false);               /* 128-byte data ring */
	gc_put64(r + 56, B + 0x3000, false);
	/* Wrap 1 of the data ring: id 10 at offset 24, id 11 at 48; id 12
	 * does not fit before the end and wraps to offset 0 of wrap 2. */
	put_rec(m, 10, 128 + 24, 128 + 48, 1500000, "first line", 2);
	put_rec(m, 11, 128 + 48, 128 + 100, 2000001000, "a\nb", 2);
	put_rec(m, 12, 128 + 100, 256 + 20, 3000000000ull, "wrapped", 1);
	struct gc_vmcoreinfo *vi;
	CHECK_OK(gc_vmcoreinfo_parse(prb_vi, sizeof(prb_vi), &vi));
	struct fake_mem fm = {.base = B, .buf = m, .len = sizeof(m)};
	struct gc_kmem km = {.ctx = &fm, .read = fake_read};
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	const char *src;
	CHECK_OK(gc_printk_read(vi, &km, &sb, &src));
	char *out = gc_strbuf_steal(&sb);
	CHECK_STR(out, "[    0.001500] first line\n"
		       "[    2.000001] a\n"
		       "               b\n"
		       "[    3.000000] wrapped\n");
	CHECK_CONTAINS(src, "lockless");
	free(out);
	/* The same ring as records: level and facility after text_len,
	 * caller_id where VMCOREINFO puts it, seq from offset 0. */
	m[0x2000 + (10 & 7) * 88 + 18] = 3;          /* facility */
	m[0x2000 + (10 & 7) * 88 + 19] = 6 << 5;     /* level 6, flags 0 */
	gc_put32(m + 0x2000 + (10 & 7) * 88 + 20, 0x80000001u, false);
	gc_put64(m + 0x2000 + (11 & 7) * 88, 77, false);   /* seq */
	gc_put32(m + 0x2000 + (11 & 7) * 88 + 20, 42, false);
	static const char prb_vi_caller[] =
		"SYMBOL(prb)=ffffffff80000000\n"
		"OFFSET(printk_info.seq)=0\nOFFSET(printk_info.caller_id)=20\n";
	struct gc_vmcoreinfo *vc;
	CHECK_OK(gc_vmcoreinfo_parse(prb_vi_caller, sizeof(prb_vi_caller),
				     &vc));
	struct gc_log_record *rec;
	size_t nrec;
	CHECK_OK(gc_printk_records(vc, &km, &rec, &nrec, &src));
	CHECK_EQ_U64(nrec, 3);
	CHECK_STR(rec[0].text, "first line");
	CHECK_EQ_U64(rec[0].ts_nsec, 1500000);
	CHECK(rec[0].has_time && rec[0].has_seq && rec[0].has_caller);
	CHECK_EQ_U64(rec[0].level, 6);
	CHECK_EQ_U64(rec[0].facility, 3);
	CHECK_EQ_U64(rec[0].caller_id, 0x80000001u);
	CHECK_STR(rec[1].text, "a\nb");
	CHECK_EQ_U64(rec[1].seq, 77);
	CHECK_EQ_U64(rec[1].caller_id, 42);
	CHECK_EQ_U64(rec[1].level, 0);
	CHECK_STR(rec[2].text, "wrapped");
	gc_log_records_free(rec, nrec);
	gc_vmcoreinfo_free(vc);
	/* A corrupt ring (head far from tail, ids not matching) ends. */
	gc_put64(r + 24, 5, false);
	gc_strbuf_init(&sb);
	CHECK_OK(gc_printk_read(vi, &km, &sb, &src));
	out = gc_strbuf_steal(&sb);
	CHECK(out != NULL && strlen(out) < 200);
	free(out);
	/* Absurd sizes are refused. */
	gc_put32(r + 48, 60, false);
	gc_strbuf_init(&sb);
	struct gc_error *e = gc_printk_read(vi, &km, &sb, &src);
	CHECK(e != NULL);
	gc_error_free(e);
	gc_strbuf_free(&sb);
	gc_vmcoreinfo_free(vi);
}

TEST(printk_records_3_5)
{
	static uint8_t m[0x2000];
	memset(m, 0, sizeof(m));
	uint64_t B = 0xffffffff81000000ull;
	static const char v[] =
		"OSRELEASE=4.19\nPAGESIZE=4096\n"
		"SYMBOL(log_buf)=ffffffff81000000\n"
		"SYMBOL(log_buf_len)=ffffffff81000008\n"
		"SYMBOL(log_first_idx)=ffffffff8100000c\n"
		"SYMBOL(log_next_idx)=ffffffff81000010\n"
		"SIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\n"
		"OFFSET(printk_log.len)=8\nOFFSET(printk_log.text_len)=10\n";
	gc_put64(m, B + 0x100, false);
	gc_put32(m + 8, 64, false);
	gc_put32(m + 12, 40, false); /* first record at 40 */
	gc_put32(m + 16, 24, false); /* next after the wrap */
	uint8_t *lb = m + 0x100;
	gc_put64(lb + 40, 7000, false);
	gc_put16(lb + 48, 24, false);
	gc_put16(lb + 50, 5, false);
	memcpy(lb + 56, "hello", 5);
	/* lb + 64 is the end: wraps to 0 */
	gc_put64(lb + 0, 2000000000ull, false);
	gc_put16(lb + 8, 24, false);
	gc_put16(lb + 10, 3, false);
	memcpy(lb + 16, "bye", 3);
	struct gc_vmcoreinfo *vi;
	CHECK_OK(gc_vmcoreinfo_parse(v, sizeof(v), &vi));
	struct fake_mem fm = {.base = B, .buf = m, .len = sizeof(m)};
	struct gc_kmem km = {.ctx = &fm, .read = fake_read};
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	const char *src;
	CHECK_OK(gc_printk_read(vi, &km, &sb, &src));
	char *out = gc_strbuf_steal(&sb);
	CHECK_STR(out, "[    0.000007] hello\n[    2.000000] bye\n");
	free(out);
	gc_vmcoreinfo_free(vi);
}

/* Before 3.5: log_buf is a plain character ring; log_end counts every
 * byte ever written, so the text starts at log_end - len once it wrapped. */
TEST(printk_plain_buffer)
{
	static uint8_t m[0x1000];
	memset(m, 0, sizeof(m));
	uint64_t B = 0xffffffff81000000ull;
	static const char v[] =
		"OSRELEASE=2.6.32\nPAGESIZE=4096\n"
		"SYMBOL(log_buf)=ffffffff81000000\n"
		"SYMBOL(log_buf_len)=ffffffff81000008\n"
		"SYMBOL(log_end)=ffffffff8100000c\n";
	struct gc_vmcoreinfo *vi;
	CHECK_OK(gc_vmcoreinfo_parse(v, sizeof(v), &vi));
	struct fake_mem fm = {.base = B, .buf = m, .len = sizeof(m)};
	struct gc_kmem km = {.ctx = &fm, .read = fake_read};
	gc_put64(m, B + 0x100, false);
	gc_put32(m + 8, 32, false);
	/* Not wrapped: 14 bytes written. */
	memcpy(m + 0x100, "<6>one\n<4>two\n", 14);
	gc_put32(m + 12, 14, false);
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	const char *src;
	CHECK_OK(gc_printk_read(vi, &km, &sb, &src));
	CHECK_STR(src, "plain log_buf (Linux < 3.5)");
	char *out = gc_strbuf_steal(&sb);
	CHECK_STR(out, "<6>one\n<4>two\n");
	free(out);
	/* Wrapped: 38 bytes written into 32; the last 32 begin with the
	 * newline after "<6>one" and end without one (it is added). */
	const char *all = "<6>one\n<4>two\n<6>three\n<6>four\n<6>five";
	size_t n = strlen(all);
	for (size_t i = 0; i < n; i++)
		m[0x100 + (i & 31)] = (uint8_t)all[i];
	gc_put32(m + 12, (uint32_t)n, false);
	gc_strbuf_init(&sb);
	CHECK_OK(gc_printk_read(vi, &km, &sb, &src));
	out = gc_strbuf_steal(&sb);
	CHECK_STR(out, "\n<4>two\n<6>three\n<6>four\n<6>five\n");
	free(out);
	/* As records: one a line, "<N>" gives level N & 7, facility N >> 3,
	 * no time (the plain buffer has none). */
	struct gc_log_record *rec;
	size_t nrec;
	CHECK_OK(gc_printk_records(vi, &km, &rec, &nrec, &src));
	CHECK_EQ_U64(nrec, 5);
	CHECK_STR(rec[0].text, "");
	CHECK_EQ_U64(rec[0].level, (uint64_t)-1);
	CHECK_STR(rec[1].text, "two");
	CHECK_EQ_U64(rec[1].level, 4);
	CHECK_EQ_U64(rec[1].facility, 0);
	CHECK(!rec[1].has_time && !rec[1].has_caller);
	CHECK_STR(rec[4].text, "five");
	CHECK_EQ_U64(rec[4].level, 6);
	gc_log_records_free(rec, nrec);
	/* A length that is not a power of two is corrupt, not guessed at. */
	gc_put32(m + 8, 48, false);
	gc_strbuf_init(&sb);
	struct gc_error *e = gc_printk_read(vi, &km, &sb, &src);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	CHECK_CONTAINS(gc_error_string(e), "length 48 is not a power of two");
	gc_error_free(e);
	free(gc_strbuf_steal(&sb));
	gc_vmcoreinfo_free(vi);
}

TEST(system_map_parse)
{
	static const char map[] =
		"ffffffff81000000 T _text\n"
		"0000000000000000 A fixed_percpu_data\n"
		"ffffffff82a1aa40 D init_task\n"
		"bogus line\n"
		"ffffffff82161900 D linux_banner\n";
	struct gc_symtab t;
	CHECK_OK(gc_system_map_parse(map, sizeof(map) - 1, 0x1000000, &t));
	CHECK_EQ_U64(t.n, 4);
	CHECK_EQ_U64(t.s[0].addr, 0);
	CHECK_STR(t.s[0].name, "fixed_percpu_data");
	CHECK_EQ_U64(t.s[1].addr, 0xffffffff82000000ull);
	CHECK_EQ_U64(t.s[3].addr, 0xffffffff83a1aa40ull);
	CHECK(t.s[3].type == 'D');
	gc_symtab_free(&t);
}

TEST_MAIN()
