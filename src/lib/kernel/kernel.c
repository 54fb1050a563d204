// SPDX-License-Identifier: MIT
/*
 * The kernel view of a dump: VMCOREINFO (dump metadata, an override file,
 * or found in guest memory), the kernel's top-level page table, KASLR,
 * phys_base and the direct map, and kernel-virtual reads.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/vmcoreinfo.h"
#include "kernel/xen_p2m.h"

#define VI_FILE_MAX (16u << 20)

/* __START_KERNEL_map of the guest's architecture. */
static uint64_t kernel_map(const struct gc_kernel *k)
{
	return k->arch->linux_layout.kernel_map;
}

static struct gc_error *add_fact_v(struct gc_kernel *k, const char *name,
				    const char *source,
				    const struct gc_kernel_fact *t,
				    const char *fmt, va_list ap)
{
	if (k->nr_facts == k->cap_facts) {
		size_t cap = k->cap_facts ? k->cap_facts * 2 : 16;
		struct gc_kernel_fact *n = realloc(k->facts, cap * sizeof(*n));
		if (!n)
			return &gc_error_nomem;
		k->facts = n;
		k->cap_facts = cap;
	}
	char *v = gc_vasprintf(fmt, ap);
	char *s = strdup(source);
	if (!v || !s) {
		free(v);
		free(s);
		return &gc_error_nomem;
	}
	struct gc_kernel_fact f = {.name = name, .value = v, .source = s};
	if (t) {
		f.type = t->type;
		f.origin = t->origin;
		f.u64 = t->u64;
		f.s64 = t->s64;
		f.space = t->space;
	}
	k->facts[k->nr_facts++] = f;
	return NULL;
}

struct gc_error *gc_kernel_add_fact(struct gc_kernel *k, const char *name,
				    const char *source, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct gc_error *e = add_fact_v(k, name, source, NULL, fmt, ap);
	va_end(ap);
	return e;
}

struct gc_error *gc_kernel_add_fact_typed(struct gc_kernel *k,
					  const char *name,
					  const char *source,
					  const struct gc_kernel_fact *t,
					  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct gc_error *e = add_fact_v(k, name, source, t, fmt, ap);
	va_end(ap);
	return e;
}

struct gc_error *gc_kernel_add_fact_hex(struct gc_kernel *k,
					const char *name,
					enum gc_fact_origin origin,
					const char *source, uint64_t v)
{
	struct gc_kernel_fact t = {.type = GC_FACT_U64, .origin = origin,
				   .u64 = v};
	return gc_kernel_add_fact_typed(k, name, source, &t, "0x%" PRIx64, v);
}

struct gc_error *gc_kernel_add_fact_addr(struct gc_kernel *k,
					 const char *name,
					 enum gc_fact_origin origin,
					 const char *source, enum gc_space sp,
					 uint64_t v)
{
	struct gc_kernel_fact t = {.type = GC_FACT_ADDR, .origin = origin,
				   .u64 = v, .space = sp};
	return gc_kernel_add_fact_typed(k, name, source, &t, "0x%" PRIx64, v);
}

struct gc_error *gc_kernel_add_fact_text(struct gc_kernel *k,
					 const char *name,
					 enum gc_fact_origin origin,
					 const char *source, const char *fmt,
					 ...)
{
	struct gc_kernel_fact t = {.type = GC_FACT_TEXT, .origin = origin};
	va_list ap;
	va_start(ap, fmt);
	struct gc_error *e = add_fact_v(k, name, source, &t, fmt, ap);
	va_end(ap);
	return e;
}

/* A signed fact shown as [-]0x... (phys_base below the link address). */
static void add_fact_signed(struct gc_kernel *k, const char *name,
			    enum gc_fact_origin origin, const char *source,
			    int64_t v)
{
	struct gc_kernel_fact t = {.type = GC_FACT_S64, .origin = origin,
				   .s64 = v, .u64 = (uint64_t)v};
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	gc_kernel_add_fact_typed(k, name, source, &t, "%s0x%" PRIx64,
				 v < 0 ? "-" : "", mag);
}

/* An unsigned fact shown in decimal. */
static void add_fact_dec(struct gc_kernel *k, const char *name,
			 enum gc_fact_origin origin, const char *source,
			 uint64_t v)
{
	struct gc_kernel_fact t = {.type = GC_FACT_U64, .origin = origin,
				   .u64 = v};
	gc_kernel_add_fact_typed(k, name, source, &t, "%" PRIu64, v);
}

struct gc_error *gc_kernel_add_note(struct gc_kernel *k, const char *fmt, ...)
{
	char **n = realloc(k->notes, (k->nr_notes + 1) * sizeof(*n));
	if (!n)
		return &gc_error_nomem;
	k->notes = n;
	va_list ap;
	va_start(ap, fmt);
	char *s = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return &gc_error_nomem;
	k->notes[k->nr_notes++] = s;
	return NULL;
}

/* ---- memory callbacks -------------------------------------------------- */

static struct gc_error *mem_read_u64(void *ctx, enum gc_space space,
				     uint64_t addr, uint64_t *out)
{
	struct gc_kernel *k = ctx;
	uint8_t b[8];
	struct gc_error *err;
	if (space == GC_SPACE_MACH && !gc_dump_has_space(k->d, space)) {
		uint64_t pfn;
		err = gc_dump_mfn_to_pfn(k->d, addr >> 12, &pfn);
		if (err)
			return err;
		err = gc_dump_read(k->d, GC_SPACE_PHYS,
				   (pfn << 12) | (addr & 0xfff), b, 8);
	} else {
		err = gc_dump_read(k->d, space, addr, b, 8);
	}
	if (!err)
		*out = gc_get64(b, false);
	return err;
}

static struct gc_error *mem_m2p(void *ctx, uint64_t mfn, uint64_t *pfn)
{
	struct gc_kernel *k = ctx;
	return gc_dump_mfn_to_pfn(k->d, mfn, pfn);
}

static struct gc_error *kmem_read(void *ctx, uint64_t vaddr, void *buf,
				  size_t len)
{
	return gc_kernel_read(ctx, vaddr, buf, len);
}

void gc_kernel_kmem(struct gc_kernel *k, struct gc_kmem *m)
{
	m->ctx = k;
	m->read = kmem_read;
}

/* ---- VMCOREINFO -------------------------------------------------------- */

static struct gc_error *vi_from_file(struct gc_kernel *k, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return gc_error_new(GC_ERR_IO, path, "cannot open: %s",
				    strerror(errno));
	char *buf = malloc(VI_FILE_MAX);
	if (!buf) {
		fclose(f);
		return &gc_error_nomem;
	}
	size_t n = fread(buf, 1, VI_FILE_MAX, f);
	fclose(f);
	struct gc_error *err = gc_vmcoreinfo_text_check(buf, n, path);
	if (!err)
		err = gc_vmcoreinfo_parse(buf, n, &k->vi);
	free(buf);
	if (err)
		return gc_error_context(err, "reading --vmcoreinfo %s", path);
	k->vi_source = gc_asprintf("file %s (--vmcoreinfo)", path);
	return k->vi_source ? NULL : &gc_error_nomem;
}

/* Unreadable pages after which the page-by-page search gives up.  Pages
 * that read are bounded by what the file stores; pages that do not are
 * not (an ELF segment may claim 2^50 frames of data past the file's end:
 * found by fuzz_xen_guest, a 938-byte file that kept `log` busy for
 * ever).  2^20 pages is 4 GiB of damage in a row or in pieces. */
#define VI_SCAN_FAILED_MAX (1u << 20)

/* Look at the start of every page for the kernel's vmcoreinfo_data page
 * ("OSRELEASE=") or its VMCOREINFO ELF note (page-aligned since 4.x). */
static struct gc_error *vi_scan_memory(struct gc_kernel *k)
{
	struct gc_dump *d = k->d;
	enum gc_space space = GC_SPACE_PHYS;
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	struct gc_error *err = gc_dump_frame_runs(d, space, &runs, &nr);
	if (err && gc_dump_has_space(d, GC_SPACE_MACH)) {
		gc_error_free(err);
		space = GC_SPACE_MACH;
		err = gc_dump_frame_runs(d, space, &runs, &nr);
	}
	if (err)
		return err;
	uint32_t psz = gc_dump_page_size(d);
	char *page = malloc(psz + 1);
	if (!page) {
		free(runs);
		return &gc_error_nomem;
	}
	uint64_t scanned = 0, failed = 0;
	for (size_t r = 0; r < nr && !k->vi && failed < VI_SCAN_FAILED_MAX;
	     r++) {
		for (uint64_t i = 0; i < runs[r].count && !k->vi &&
		     failed < VI_SCAN_FAILED_MAX; i++) {
			uint64_t frame = runs[r].start + i;
			uint64_t addr = frame * psz;
			uint8_t head[24];
			scanned++;
			struct gc_error *e = gc_dump_read(d, space, addr, head,
							  sizeof(head));
			if (e) {
				gc_error_free(e);
				failed++;
				continue;
			}
			bool data = !memcmp(head, "OSRELEASE=", 10);
			bool note = gc_get32(head, false) == 11 &&
				    gc_get32(head + 8, false) == 0 &&
				    !memcmp(head + 12, "VMCOREINFO\0", 11);
			if (!data && !note)
				continue;
			e = gc_dump_read(d, space, addr, page, psz);
			if (e) {
				gc_error_free(e);
				continue;
			}
			page[psz] = '\0';
			const char *text = page;
			size_t len = psz;
			if (note) {
				uint32_t descsz = gc_get32(head + 4, false);
				if (descsz > psz - 24)
					continue;
				text = page + 24;
				len = descsz;
			}
			if (!gc_vmcoreinfo_plausible(text, len))
				continue;
			struct gc_vmcoreinfo *vi;
			e = gc_vmcoreinfo_parse(text, len, &vi);
			if (e) {
				gc_error_free(e);
				continue;
			}
			k->vi = vi;
			k->vi_source = gc_asprintf(
				"found in guest memory: %s at %s address "
				"0x%" PRIx64 " (page %" PRIu64 " of %" PRIu64
				" scanned)",
				note ? "VMCOREINFO ELF note" :
				       "vmcoreinfo text page",
				space == GC_SPACE_MACH ? "machine" :
							 "physical",
				addr + (note ? 24 : 0), scanned,
				gc_dump_nr_frames(d));
		}
	}
	free(page);
	free(runs);
	if (!k->vi && failed >= VI_SCAN_FAILED_MAX)
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "not in the dump's metadata and not found "
				    "at the start of %" PRIu64 " pages of guest "
				    "memory; the search stopped there, after "
				    "%u pages that could not be read (of %"
				    PRIu64 " the dump lists)", scanned,
				    VI_SCAN_FAILED_MAX, gc_dump_nr_frames(d));
	if (!k->vi)
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "not in the dump's metadata and not found "
				    "at the start of any of %" PRIu64
				    " pages of guest memory", scanned);
	return k->vi_source ? NULL : &gc_error_nomem;
}

static bool text_start(struct gc_kernel *k, uint64_t *va, uint64_t *pa);
static struct gc_error *mem_m2p(void *ctx, uint64_t mfn, uint64_t *pfn);
static bool try_walk(struct gc_kernel *k, uint64_t root, enum gc_space sp,
		     uint64_t va, uint64_t *pa);

/*
 * The bounded search: where a running kernel keeps VMCOREINFO.  Since
 * Linux 4.13 vmcoreinfo_data and vmcoreinfo_note are pages the kernel
 * allocated (anywhere in RAM) and points to from variables in its image;
 * before, they were arrays inside the image.  So the kernel image, as the
 * vCPUs' page tables map it from its first text page, is read once: every
 * page-aligned direct-map pointer in it is followed to see whether its
 * page starts like vmcoreinfo_data ("OSRELEASE=") or the VMCOREINFO note,
 * and the image's own bytes are searched for the text.  At most
 * IMAGE_SCAN_MAX bytes of the image mapping are read (unmapped 2 MiB
 * ranges cost one walk) and at most CAND_MAX pointers followed.
 */
#define IMAGE_SCAN_MAX (128ull << 20)
#define CAND_MAX 65536u

static bool vi_accept(struct gc_kernel *k, const char *text, size_t len,
		      const char *what, uint64_t where, const char *how)
{
	if (!gc_vmcoreinfo_plausible(text, len))
		return false;
	struct gc_vmcoreinfo *vi;
	struct gc_error *e = gc_vmcoreinfo_parse(text, len, &vi);
	if (e) {
		gc_error_free(e);
		return false;
	}
	k->vi = vi;
	k->vi_source = gc_asprintf("found in guest memory: %s at %s", what,
				   how);
	(void)where;
	return true;
}

/* The page at kernel-virtual VA read through the page tables being
 * probed (no translation is set up yet). */
static bool probe_read(struct gc_kernel *k, uint64_t va, void *buf,
		       size_t len, uint64_t *pa)
{
	uint64_t p;
	if (!try_walk(k, k->root, k->root_space, va, &p))
		return false;
	struct gc_error *e = gc_dump_read(k->d, GC_SPACE_PHYS, p, buf, len);
	gc_error_free(e);
	if (pa)
		*pa = p;
	return !e;
}

/* Does the page at kernel-virtual PTR hold VMCOREINFO? */
static bool vi_at_pointer(struct gc_kernel *k, uint64_t ptr, char *page,
			  uint32_t psz, uint64_t from)
{
	uint8_t head[24];
	uint64_t pa;
	if (!probe_read(k, ptr, head, sizeof(head), &pa))
		return false;
	bool data = !memcmp(head, "OSRELEASE=", 10);
	bool note = gc_get32(head, false) == 11 && gc_get32(head + 8, false) == 0 &&
		    !memcmp(head + 12, "VMCOREINFO\0", 11);
	if ((!data && !note) || !probe_read(k, ptr, page, psz, NULL))
		return false;
	page[psz] = 0;
	const char *text = page;
	size_t len = psz;
	if (note) {
		uint32_t descsz = gc_get32(head + 4, false);
		if (descsz > psz - 24)
			return false;
		text = page + 24;
		len = descsz;
	}
	char how[200];
	snprintf(how, sizeof(how), "physical address 0x%" PRIx64
		 " (page at kernel 0x%" PRIx64 ", pointed to from 0x%" PRIx64
		 " in the kernel image", pa + (note ? 24 : 0), ptr, from);
	return vi_accept(k, text, len, note ? "VMCOREINFO ELF note" :
			 "vmcoreinfo text page", pa, how);
}

static struct gc_error *vi_scan_image(struct gc_kernel *k, uint64_t text_va,
				      bool *found, uint64_t *pages_read)
{
	*found = false;
	*pages_read = 0;
	uint32_t psz = gc_dump_page_size(k->d);
	if (psz != 4096)
		return NULL;
	const struct gc_arch_linux *lx = &k->arch->linux_layout;
	uint64_t dm_lo = 0, dm_hi = 0;
	for (size_t i = 0; i < lx->nr_direct_map; i++)
		if (lx->direct_map[i].levels == k->pg.levels) {
			dm_lo = lx->direct_map[i].start;
			dm_hi = lx->direct_map[i].end;
		}
	char *page = malloc(2 * (size_t)psz + 1);
	char *vpage = malloc((size_t)psz + 1);
	uint64_t *tested = calloc(4096, sizeof(*tested));
	if (!page || !vpage || !tested) {
		free(page);
		free(vpage);
		free(tested);
		return &gc_error_nomem;
	}
	unsigned int cands = 0;
	uint64_t end = text_va + IMAGE_SCAN_MAX;
	for (uint64_t va = text_va; va < end && va >= text_va && !k->vi;) {
		uint64_t pa;
		if (!try_walk(k, k->root, k->root_space, va, &pa)) {
			/* unmapped: on to the next 2 MiB */
			va = (va | 0x1fffffull) + 1;
			continue;
		}
		struct gc_error *e = gc_dump_read(k->d, GC_SPACE_PHYS, pa, page,
						  psz);
		if (e) {
			gc_error_free(e);
			va += psz;
			continue;
		}
		(*pages_read)++;
		/* the text itself in the image (kernels before 4.13) */
		for (char *p = page; !k->vi &&
		     (p = memmem(p, psz - (size_t)(p - page), "OSRELEASE=", 10));
		     p++) {
			size_t off = (size_t)(p - page);
			/* the text may run into the next page */
			if (!probe_read(k, va + psz, page + psz, psz, NULL))
				memset(page + psz, 0, psz);
			page[2 * (size_t)psz] = 0;
			char how[160];
			snprintf(how, sizeof(how), "physical address 0x%"
				 PRIx64 " (page at kernel 0x%" PRIx64 " in "
				 "the kernel image", pa + off, va + off);
			vi_accept(k, p, psz, off ? "vmcoreinfo text" :
				  "vmcoreinfo text page", pa + off, how);
		}
		/* page-aligned direct-map pointers (Linux >= 4.13) */
		const uint8_t *w = (const uint8_t *)page;
		for (uint32_t i = 0; i < psz && !k->vi && cands < CAND_MAX;
		     i += 8) {
			uint64_t ptr = gc_get64(w + i, false);
			if ((ptr & 0xfff) || ptr < dm_lo || ptr >= dm_hi)
				continue;
			uint64_t h = (ptr >> 12) * 0x9e3779b97f4a7c15ull >> 52;
			if (tested[h] == ptr)
				continue;
			tested[h] = ptr;
			cands++;
			vi_at_pointer(k, ptr, vpage, psz, va + i);
		}
		va += psz;
	}
	free(page);
	free(vpage);
	free(tested);
	*found = k->vi != NULL;
	if (k->vi && !k->vi_source)
		return &gc_error_nomem;
	if (k->vi) {
		char *s = gc_asprintf("%s; %" PRIu64 " pages of the image read, "
				      "%u pointers followed)",
				      k->vi_source, *pages_read, cands);
		if (s) {
			free(k->vi_source);
			k->vi_source = s;
		}
	}
	return NULL;
}

/*
 * Before reading the start of every page: when the vCPUs' page tables are
 * in the dump, at least one must map the kernel text region, or there is
 * no Linux kernel to find (synthetic or non-Linux guests) and the search is
 * skipped.  With no usable cr3 at all the search runs.
 */
static bool kernel_may_exist(struct gc_kernel *k, unsigned int *tried,
			     uint64_t *text_va)
{
	*text_va = 0;
	*tried = 0;
	k->pg.xen_pv = gc_dump_has_space(k->d, GC_SPACE_MACH);
	k->pg.levels = 4;
	k->mem.ctx = k;
	k->mem.read_u64 = mem_read_u64;
	k->mem.m2p = k->pg.xen_pv ? mem_m2p : NULL;
	unsigned int nv = gc_dump_nr_vcpus(k->d);
	for (unsigned int i = 0; i < nv && i < 64; i++) {
		struct gc_vcpu v;
		struct gc_error *e = gc_dump_vcpu(k->d, i, &v);
		if (e || v.pgd_space == GC_SPACE_NONE) {
			gc_error_free(e);
			continue;
		}
		enum gc_page_state st;
		e = gc_dump_page_state(k->d, v.pgd_space, v.pgd_addr >> 12,
				       &st);
		bool present = !e && st == GC_PAGE_PRESENT;
		gc_error_free(e);
		if (!present)
			continue;
		(*tried)++;
		unsigned int lv = k->arch->paging_levels(&v);
		k->pg.levels = lv ? lv : 4;
		k->root = v.pgd_addr & ~0xfffull;
		k->root_space = v.pgd_space;
		uint64_t va, pa;
		if (text_start(k, &va, &pa)) {
			*text_va = va;
			return true;
		}
	}
	return *tried == 0;
}

static struct gc_error *find_vmcoreinfo(struct gc_kernel *k)
{
	if (k->opts.vmcoreinfo_file)
		return vi_from_file(k, k->opts.vmcoreinfo_file);
	const char *text;
	size_t len;
	uint64_t off;
	struct gc_error *err = gc_dump_vmcoreinfo(k->d, &text, &len, &off);
	if (!err) {
		err = gc_vmcoreinfo_parse(text, len, &k->vi);
		if (!err) {
			k->vi_source = gc_asprintf(
				"dump metadata (VMCOREINFO at file offset "
				"0x%" PRIx64 ")", off);
			return k->vi_source ? NULL : &gc_error_nomem;
		}
		gc_kernel_add_note(k, "the dump's VMCOREINFO is unusable "
				   "(%s); searching guest memory",
				   gc_error_string(err));
	}
	gc_error_free(err);
	unsigned int tried;
	uint64_t text_va;
	enum gc_vmcoreinfo_search how = k->opts.vmcoreinfo_search;
	if (!kernel_may_exist(k, &tried, &text_va))
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "none in the dump's metadata, and the "
				    "page tables of %u vCPU%s map nothing in "
				    "the kernel text region, so guest memory "
				    "was not searched (not a Linux guest?)",
				    tried, tried == 1 ? "" : "s");
	uint64_t pages = 0;
	if (text_va && how != GC_VMCOREINFO_SEARCH_FULL) {
		bool found;
		struct gc_error *e = vi_scan_image(k, text_va, &found, &pages);
		if (e || found)
			return e;
		if (how == GC_VMCOREINFO_SEARCH_AUTO)
			gc_kernel_add_note(k, "VMCOREINFO not found from the "
					   "kernel image at 0x%" PRIx64 " (%"
					   PRIu64 " pages read); searching all "
					   "guest memory", text_va, pages);
	}
	if (how == GC_VMCOREINFO_SEARCH_BOUNDED) {
		if (text_va)
			return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
					    "none in the dump's metadata, and "
					    "none found from the kernel image at "
					    "0x%" PRIx64 " (%" PRIu64 " pages "
					    "read); guest memory was not "
					    "searched page by page (`guestcore "
					    "log` or `sym` do that)", text_va,
					    pages);
		return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
				    "none in the dump's metadata, and no vCPU "
				    "has page tables in the dump to find the "
				    "kernel image by; guest memory was not "
				    "searched page by page (`guestcore log` or "
				    "`sym` do that, or give --vmcoreinfo FILE)");
	}
	return vi_scan_memory(k);
}

/* ---- translation setup ------------------------------------------------- */

static bool try_walk(struct gc_kernel *k, uint64_t root, enum gc_space sp,
		     uint64_t va, uint64_t *pa)
{
	struct gc_walk w;
	struct gc_error *e = k->arch->walk(&k->pg, &k->mem, root, sp, va, &w);
	gc_error_free(e);
	if (!e && pa)
		*pa = w.phys;
	return !e;
}

/* First present mapping in the kernel text region: _text (2 MiB aligned). */
static bool text_start(struct gc_kernel *k, uint64_t *va, uint64_t *pa)
{
	for (uint64_t a = kernel_map(k); a >= kernel_map(k) &&
	     a < 0xffffffffc0000000ull; a += 1ull << 21)
		if (try_walk(k, k->root, k->root_space, a, pa)) {
			*va = a;
			return true;
		}
	return false;
}

/*
 * The direct map is the lowest kernel-half mapping above the Xen hole and
 * the LDT remap, and starts with physical 0; page_offset_base is PUD (1 GiB)
 * aligned, also with CONFIG_RANDOMIZE_MEMORY.  4-level: from
 * ffff880000000000 (PGD slot 272) to the vmalloc area ffffc90000000000;
 * 5-level: from ff10000000000000 (PML5 slot 272, the 4.14-4.19 LA57 base;
 * ff11000000000000 since 4.20) to ffa0000000000000.  Unmapped tables are
 * skipped whole: one walk per present 1 GiB slot, not per address.
 */
static void probe_direct_map(struct gc_kernel *k)
{
	const struct gc_arch_linux *lx = &k->arch->linux_layout;
	uint64_t va = 0, end = 0;
	for (size_t i = 0; i < lx->nr_direct_map; i++) {
		if (lx->direct_map[i].levels == k->pg.levels) {
			va = lx->direct_map[i].start;
			end = lx->direct_map[i].end;
		}
	}
	unsigned int walks = 0;
	while (va < end && walks < 1u << 20) {
		struct gc_walk w;
		struct gc_error *e = k->arch->walk(&k->pg, &k->mem, k->root,
						 k->root_space, va, &w);
		gc_error_free(e);
		walks++;
		if (!e) {
			if (w.phys != 0)
				return; /* mapped, but not physical 0 */
			k->page_offset = va;
			k->has_page_offset = true;
			gc_kernel_add_fact_addr(k, "page_offset",
						GC_FACT_FROM_PAGE_TABLES,
						"page tables (lowest kernel-"
						"half mapping, maps physical "
						"0)", GC_SPACE_KVIRT, va);
			return;
		}
		/* Skip what the level that stopped covers (at least the
		 * 1 GiB step of the candidates). */
		unsigned int lvl = (5 - w.levels) + (w.nr ? w.nr - 1 : 0);
		if (lvl > 2)
			lvl = 2;
		uint64_t span = 1ull << (12 + 9 * (4 - lvl));
		uint64_t next = (va & ~(span - 1)) + span;
		if (next <= va)
			return;
		va = next;
	}
}

struct root_cand {
	uint64_t root;
	enum gc_space space;
	uint64_t vaddr;
	char desc[120];
};

static struct gc_error *setup_paging(struct gc_kernel *k)
{
	struct gc_dump *d = k->d;
	const struct gc_vmcoreinfo *vi = k->vi;
	k->pg.xen_pv = gc_dump_has_space(d, GC_SPACE_MACH);
	k->pg.levels = 4;
	k->mem.ctx = k;
	k->mem.read_u64 = mem_read_u64;
	k->mem.m2p = k->pg.xen_pv ? mem_m2p : NULL;
	int64_t n;
	const char *vsrc = vi ? "VMCOREINFO" : "";
	bool levels_known = vi && gc_vmcoreinfo_number(vi,
						       "pgtable_l5_enabled",
						       &n);
	if (levels_known && n == 1)
		k->pg.levels = 5;
	const char *levels_src = levels_known ?
		"VMCOREINFO NUMBER(pgtable_l5_enabled)" : "default";
	/* No VMCOREINFO word: a vCPU's CR4.LA57 (QEMU note, Xen context). */
	for (unsigned int i = 0; !levels_known && !k->pg.xen_pv &&
	     i < gc_dump_nr_vcpus(d) && i < 64; i++) {
		struct gc_vcpu v;
		struct gc_error *e = gc_dump_vcpu(d, i, &v);
		unsigned int lv = e ? 0 : k->arch->paging_levels(&v);
		if (!lv) {
			gc_error_free(e);
			continue;
		}
		levels_known = true;
		k->pg.levels = lv;
		levels_src = "vCPU CR4.LA57";
	}
	if (vi && gc_vmcoreinfo_number(vi, "sme_mask", &n))
		k->pg.sme_mask = (uint64_t)n;
	bool have_pb = false;
	if (vi && gc_vmcoreinfo_number(vi, "phys_base", &n)) {
		k->phys_base = (uint64_t)n;
		have_pb = true;
		add_fact_signed(k, "phys_base", GC_FACT_FROM_VMCOREINFO,
				"VMCOREINFO NUMBER(phys_base)", n);
	} else if (k->pg.xen_pv) {
		have_pb = true;
		add_fact_signed(k, "phys_base", GC_FACT_FROM_DEFAULT,
				"Xen PV kernels are not relocated", 0);
	}
	bool have_kaslr = vi && gc_vmcoreinfo_kerneloffset(vi, &k->kaslr);
	/* The vCPU cr3 values. */
	struct root_cand c[2 + 2 * 64];
	size_t nc = 0;
	uint64_t sym;
	if (vi && (gc_vmcoreinfo_symbol(vi, "init_top_pgt", &sym) ||
		   gc_vmcoreinfo_symbol(vi, "swapper_pg_dir", &sym) ||
		   gc_vmcoreinfo_symbol(vi, "init_level4_pgt", &sym)) &&
	    sym >= kernel_map(k) && have_pb) {
		c[nc].root = sym - kernel_map(k) + k->phys_base;
		c[nc].space = GC_SPACE_PHYS;
		c[nc].vaddr = sym;
		snprintf(c[nc].desc, sizeof(c[nc].desc),
			 "init_top_pgt (%s SYMBOL %" PRIx64 " - "
			 "__START_KERNEL_map + phys_base)", vsrc, sym);
		/* Xen PV: walks and vtop name tables by machine address, so
		 * the root is the machine frame of that pfn. */
		uint64_t mfn;
		struct gc_error *pe = k->pg.xen_pv ?
			gc_dump_pfn_to_mfn(d, c[nc].root >> 12, &mfn) : NULL;
		if (k->pg.xen_pv && !pe) {
			c[nc].root = mfn << 12;
			c[nc].space = GC_SPACE_MACH;
		}
		gc_error_free(pe);
		nc++;
	}
	unsigned int nv = gc_dump_nr_vcpus(d);
	for (unsigned int i = 0; i < nv && i < 64; i++) {
		struct gc_vcpu v;
		struct gc_error *e = gc_dump_vcpu(d, i, &v);
		if (e || v.pgd_space == GC_SPACE_NONE) {
			gc_error_free(e);
			continue;
		}
		enum gc_page_state st;
		e = gc_dump_page_state(d, v.pgd_space, v.pgd_addr >> 12, &st);
		bool present = !e && (st == GC_PAGE_PRESENT ||
				      st == GC_PAGE_ZERO);
		gc_error_free(e);
		if (!present) {
			gc_kernel_add_note(
				k, "vcpu %u cr3 0x%" PRIx64 " (%s frame "
				"0x%" PRIx64 ") is not in the dump; %s", i,
				v.pgd_addr, v.pgd_space == GC_SPACE_MACH ?
				"machine" : "physical", v.pgd_addr >> 12,
				nc ? "the kernel's init_top_pgt is used "
				     "instead" : "trying the other vCPUs");
			continue;
		}
		c[nc].root = v.pgd_addr;
		c[nc].space = v.pgd_space;
		c[nc].vaddr = 0;
		snprintf(c[nc].desc, sizeof(c[nc].desc), "vcpu %u cr3 "
			 "(%s address 0x%" PRIx64 ", %s)", i,
			 v.pgd_space == GC_SPACE_MACH ? "machine" : "physical",
			 v.pgd_addr, v.source ? v.source : "registers");
		nc++;
		if (v.pgd_space == GC_SPACE_PHYS && (v.pgd_addr & 0x1000)) {
			/* PTI: the kernel PGD is the even page. */
			c[nc] = c[nc - 1];
			c[nc].root &= ~0x1000ull;
			snprintf(c[nc].desc, sizeof(c[nc].desc), "vcpu %u cr3 "
				 "0x%" PRIx64 " with bit 12 cleared (PTI "
				 "kernel PGD)", i, v.pgd_addr);
			nc++;
		}
	}
	/* Validate: a known kernel address must translate. */
	uint64_t probe = 0;
	if (!(vi && gc_vmcoreinfo_symbol(vi, "_stext", &probe)))
		probe = 0;
	for (size_t i = 0; i < nc; i++) {
		k->root = c[i].root;
		k->root_space = c[i].space;
		uint64_t va, pa;
		bool ok;
		if (probe)
			ok = try_walk(k, k->root, k->root_space, probe, &pa);
		else
			ok = text_start(k, &va, &pa);
		if (!ok) {
			gc_kernel_add_note(k, "top-level table from %s does not "
					   "map the kernel; not used",
					   c[i].desc);
			continue;
		}
		k->has_root = true;
		k->pgd_vaddr = c[i].vaddr;
		struct gc_kernel_fact t = {
			.type = GC_FACT_ADDR, .u64 = c[i].root,
			.space = c[i].space,
			.origin = c[i].vaddr ? GC_FACT_FROM_VMCOREINFO :
					       GC_FACT_FROM_REGISTERS,
		};
		gc_kernel_add_fact_typed(k, "page_table", c[i].desc, &t,
					 "%s 0x%" PRIx64,
					 c[i].space == GC_SPACE_MACH ?
						 "machine" : "physical",
					 c[i].root);
		break;
	}
	add_fact_dec(k, "paging_levels", levels_known ?
		     (strcmp(levels_src, "vCPU CR4.LA57") ?
		      GC_FACT_FROM_VMCOREINFO : GC_FACT_FROM_REGISTERS) :
		     GC_FACT_FROM_DEFAULT, levels_src, k->pg.levels);
	if (k->pg.sme_mask)
		gc_kernel_add_fact_hex(k, "sme_mask", GC_FACT_FROM_VMCOREINFO,
				       "VMCOREINFO", k->pg.sme_mask);
	if (!k->has_root) {
		/* say why there was no VMCOREINFO candidate (the note is
		 * lost with the kernel object) */
		const char *why = NULL;
		for (size_t i = 0; !vi && i < k->nr_notes; i++)
			if (!strncmp(k->notes[i], "no VMCOREINFO: ", 15))
				why = k->notes[i];
		return gc_error_new(GC_ERR_TRANSLATION, "kernel page table",
				    "no usable top-level table (%zu "
				    "candidate%s from VMCOREINFO and vCPU "
				    "registers)%s%s", nc, nc == 1 ? "" : "s",
				    why ? "; " : "", why ? why : "");
	}
	/* KASLR and phys_base from the page tables when VMCOREINFO lacks
	 * them; otherwise cross-check. */
	uint64_t tva, tpa;
	if (text_start(k, &tva, &tpa)) {
		uint64_t pt_slide = tva - k->arch->linux_layout.default_text;
		uint64_t pt_pb = tpa - (tva - kernel_map(k));
		if (have_kaslr) {
			gc_kernel_add_fact_hex(k, "kaslr_offset",
					       GC_FACT_FROM_VMCOREINFO,
					       "VMCOREINFO KERNELOFFSET",
					       k->kaslr);
		} else {
			k->kaslr = pt_slide;
			char src[120];
			snprintf(src, sizeof(src), "page tables (first kernel "
				 "text mapping, assuming _text links at %"
				 PRIx64 ")", k->arch->linux_layout.default_text);
			gc_kernel_add_fact_hex(k, "kaslr_offset",
					       GC_FACT_FROM_PAGE_TABLES, src,
					       k->kaslr);
		}
		if (!have_pb) {
			k->phys_base = pt_pb;
			add_fact_signed(k, "phys_base", GC_FACT_FROM_PAGE_TABLES,
					"page tables (physical address of the "
					"kernel text)", (int64_t)pt_pb);
		} else if (pt_pb != k->phys_base && !k->pg.xen_pv) {
			gc_kernel_add_note(k, "phys_base 0x%" PRIx64 " from "
					   "VMCOREINFO, but the text mapping "
					   "implies 0x%" PRIx64, k->phys_base,
					   pt_pb);
		}
	} else if (have_kaslr) {
		gc_kernel_add_fact_hex(k, "kaslr_offset",
				       GC_FACT_FROM_VMCOREINFO,
				       "VMCOREINFO KERNELOFFSET", k->kaslr);
	}
	if (!k->pgd_vaddr && k->root_space == GC_SPACE_PHYS)
		k->pgd_vaddr = 0;
	probe_direct_map(k);
	return NULL;
}

/* A 65-byte utsname field: a non-empty printable string ending in NUL. */
static bool uts_field_ok(const char *f)
{
	size_t n = strnlen(f, 65);
	if (!n || n == 65)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)f[i] < 0x20 || (unsigned char)f[i] > 0x7e)
			return false;
	return true;
}

/*
 * init_uts_ns.name (struct new_utsname: six 65-byte fields).  Where it
 * starts in struct uts_namespace changed: after a 4-byte struct kref until
 * Linux 5.10, first from 5.11 (the count moved into ns_common).  x86
 * VMCOREINFO does not export OFFSET(uts_namespace.name), so without it
 * the offsets 0, 4 and 8 are tried: the one whose sysname and release are
 * printable strings, and whose release is VMCOREINFO's OSRELEASE when it
 * has one.  Nothing is recorded when none is (never an empty release).
 */
static void read_uts(struct gc_kernel *k)
{
	uint64_t uts, off = 0;
	if (!gc_vmcoreinfo_symbol(k->vi, "init_uts_ns", &uts))
		return;
	bool given = gc_vmcoreinfo_offset(k->vi, "uts_namespace.name", &off);
	if (given && off > 4096) {
		gc_kernel_add_note(k, "VMCOREINFO OFFSET(uts_namespace.name)=%"
				   PRIu64 " is absurd; init_uts_ns not read", off);
		return;
	}
	char raw[8 + 6 * 65];
	size_t span = given ? 6 * 65 : sizeof(raw);
	struct gc_error *e = gc_kernel_read(k, uts + off, raw, span);
	if (e) {
		gc_kernel_add_note(k, "cannot read init_uts_ns: %s",
				   gc_error_string(e));
		gc_error_free(e);
		return;
	}
	const char *osr = gc_vmcoreinfo_value(k->vi, "OSRELEASE");
	/* The first offset whose release is OSRELEASE wins.  Failing that, a
	 * utsname that says "Linux" is still read, and the disagreement said. */
	const char *u = NULL, *linux_only = NULL;
	unsigned int u_at = 0, l_at = 0;
	static const unsigned int cand[] = {0, 4, 8};
	for (size_t i = 0; i < (given ? 1u : 3u) && !u; i++) {
		const char *c = raw + cand[i];
		if (!uts_field_ok(c + 2 * 65))
			continue;
		if (uts_field_ok(c) &&
		    (!osr || !*osr || !strcmp(c + 2 * 65, osr))) {
			u = c;
			u_at = cand[i];
		} else if (!linux_only && !strcmp(c, "Linux")) {
			linux_only = c;
			l_at = cand[i];
		}
	}
	if (!u && linux_only) {
		u = linux_only;
		u_at = l_at;
		char a[65], b[65];
		gc_sanitize(a, u + 2 * 65, strnlen(u + 2 * 65, 64));
		gc_sanitize(b, osr ? osr : "", osr ? strnlen(osr, 64) : 0);
		gc_kernel_add_note(k, "init_uts_ns says release '%s', "
				   "VMCOREINFO OSRELEASE says '%s'", a, b);
	}
	off += u_at;
	if (!u) {
		gc_kernel_add_note(k, "init_uts_ns at 0x%" PRIx64 " holds no "
				   "utsname %s (sysname and release must be "
				   "printable strings); release, version, machine "
				   "and nodename not read", uts,
				   given ? "at VMCOREINFO's OFFSET(uts_namespace.name)"
					 : "at offset 0, 4 or 8");
		return;
	}
	char buf[65], from[64];
	snprintf(from, sizeof(from), "init_uts_ns in memory (name at +%" PRIu64
		 ")", off);
	gc_sanitize(buf, u + 2 * 65, strnlen(u + 2 * 65, 64));
	gc_kernel_add_fact_text(k, "release", GC_FACT_FROM_MEMORY, from, "%s",
				buf);
	gc_sanitize(buf, u + 3 * 65, strnlen(u + 3 * 65, 64));
	gc_kernel_add_fact_text(k, "version", GC_FACT_FROM_MEMORY, from, "%s",
				buf);
	gc_sanitize(buf, u + 4 * 65, strnlen(u + 4 * 65, 64));
	gc_kernel_add_fact_text(k, "machine", GC_FACT_FROM_MEMORY, from, "%s",
				buf);
	gc_sanitize(buf, u + 1 * 65, strnlen(u + 1 * 65, 64));
	gc_kernel_add_fact_text(k, "nodename", GC_FACT_FROM_MEMORY, from, "%s",
				buf);
}

static void cpus_online(struct gc_kernel *k)
{
	struct gc_symbol s;
	struct gc_error *e = gc_kernel_symbol(k, "__cpu_online_mask", &s);
	if (e) {
		gc_error_free(e);
		e = gc_kernel_symbol(k, "cpu_online_map", &s);
	}
	if (e) {
		gc_error_free(e);
		return;
	}
	uint64_t words[16];
	e = gc_kernel_read(k, s.addr, words, sizeof(words));
	if (e) {
		gc_error_free(e);
		return;
	}
	unsigned int cnt = 0;
	for (int i = 0; i < 16; i++)
		cnt += (unsigned int)__builtin_popcountll(words[i]);
	add_fact_dec(k, "cpus_online", GC_FACT_FROM_MEMORY, s.source, cnt);
}

static void panic_string(struct gc_kernel *k)
{
	char *log;
	const char *src;
	struct gc_error *e = gc_kernel_log(k, &log, &src);
	if (e) {
		gc_error_free(e);
		return;
	}
	const char *p = strstr(log, "Kernel panic - not syncing: ");
	if (p) {
		size_t n = strcspn(p, "\n");
		gc_kernel_add_fact_text(k, "panic", GC_FACT_FROM_MEMORY,
					"kernel log", "%.*s", (int)n, p);
	}
	free(log);
}

/*
 * A legacy PV xc_core dump lists machine frames only.  Translate through
 * a vCPU's cr3 with machine reads alone (the tables hold mfns), read the
 * guest's own p2m, and read from then on through a physical view of the
 * dump composed of that p2m over its machine space (K->view; the dump
 * itself is not changed).  Leaves the kernel object as it found it
 * otherwise (no root, no symbols).
 */
static void legacy_p2m(struct gc_kernel *k)
{
	struct gc_dump *d = k->d;
	uint64_t probe = 0;
	int64_t n;
	k->pg.xen_pv = true;
	k->pg.levels = gc_vmcoreinfo_number(k->vi, "pgtable_l5_enabled", &n) &&
		       n == 1 ? 5 : 4;
	k->mem.ctx = k;
	k->mem.read_u64 = mem_read_u64;
	k->mem.m2p = mem_m2p;
	gc_vmcoreinfo_kerneloffset(k->vi, &k->kaslr);
	gc_vmcoreinfo_symbol(k->vi, "_stext", &probe);
	unsigned int nv = gc_dump_nr_vcpus(d), used = 0;
	for (unsigned int i = 0; i < nv && i < 64 && !k->has_root; i++) {
		struct gc_vcpu v;
		struct gc_error *e = gc_dump_vcpu(d, i, &v);
		bool ok = !e && v.pgd_space == GC_SPACE_MACH;
		gc_error_free(e);
		if (!ok)
			continue;
		k->root = v.pgd_addr;
		k->root_space = GC_SPACE_MACH;
		uint64_t va, pa;
		if (probe ? try_walk(k, k->root, k->root_space, probe, &pa) :
			    text_start(k, &va, &pa)) {
			k->has_root = true;
			used = i;
		}
	}
	if (!k->has_root) {
		gc_kernel_add_note(k, "legacy PV dump: no vCPU cr3 maps the "
				   "kernel, so the guest's p2m cannot be read "
				   "and reads by pfn are unavailable");
	} else {
		struct gc_xlat *p2m;
		char *src;
		struct gc_error *e = gc_xen_p2m_rebuild(
			k, gc_dump_nr_frames(d), &p2m, &src);
		if (!e) {
			uint64_t cnt = p2m->limit >> 12;
			char *full = gc_asprintf("%s, read through vcpu %u cr3",
						 src, used);
			if (full)
				e = gc_p2m_view_new(d, p2m, full, false,
						    &k->view);
			else {
				gc_xlat_free(p2m);
				e = &gc_error_nomem;
			}
			if (!e) {
				k->d = k->view;
				gc_kernel_add_fact(k, "p2m", full, "%" PRIu64
						   " entries", cnt);
			}
			free(full);
			free(src);
		}
		if (e) {
			gc_kernel_add_note(k, "legacy PV dump: the guest's p2m "
					   "was not rebuilt, so reads by pfn "
					   "are unavailable: %s",
					   gc_error_string(e));
			gc_error_free(e);
		}
	}
	/* Start over for the normal setup, now with pfns. */
	k->pg.mach_only = false;
	k->has_root = false;
	k->root = 0;
	k->kaslr = 0;
	memset(k->tlb, 0, sizeof(k->tlb));
	gc_symtab_free(&k->syms);
	gc_kernel_modules_free(k);
	gc_error_free(k->syms_err);
	k->syms_err = NULL;
	k->syms_loaded = false;
	k->image_text = k->image_end = 0;
}

static struct gc_error *check_symbol_override(struct gc_kernel *k);

struct gc_error *gc_kernel_open(struct gc_dump *d,
				const struct gc_kernel_opts *opts,
				struct gc_kernel **out)
{
	*out = NULL;
	struct gc_kernel *k = calloc(1, sizeof(*k));
	if (!k)
		return &gc_error_nomem;
	k->d = d;
	k->arch = gc_arch_of_dump(d);
	if (opts)
		k->opts = *opts;
	bool legacy = gc_dump_needs_p2m(d);
	k->pg.mach_only = legacy;
	struct gc_error *err = find_vmcoreinfo(k);
	if (err) {
		/* a --vmcoreinfo the caller names must be usable: never fall
		 * back silently to what the dump says */
		if (err == &gc_error_nomem || k->opts.vmcoreinfo_file)
			goto fail;
		gc_kernel_add_note(k, "no VMCOREINFO: %s", gc_error_string(err));
		gc_error_free(err);
	} else {
		const char *v;
		if ((v = gc_vmcoreinfo_value(k->vi, "OSRELEASE")))
			gc_kernel_add_fact_text(k, "osrelease",
						GC_FACT_FROM_VMCOREINFO,
						"VMCOREINFO", "%s", v);
		if ((v = gc_vmcoreinfo_value(k->vi, "PAGESIZE")))
			gc_kernel_add_fact_text(k, "page_size",
						GC_FACT_FROM_VMCOREINFO,
						"VMCOREINFO", "%s", v);
		if ((v = gc_vmcoreinfo_value(k->vi, "BUILD-ID")))
			gc_kernel_add_fact_text(k, "build_id",
						GC_FACT_FROM_VMCOREINFO,
						"VMCOREINFO", "%s", v);
		if ((v = gc_vmcoreinfo_value(k->vi, "CRASHTIME")))
			gc_kernel_add_fact_text(k, "crashtime",
						GC_FACT_FROM_VMCOREINFO,
						"VMCOREINFO", "%s", v);
		gc_kernel_add_fact_text(k, "vmcoreinfo",
					GC_FACT_FROM_VMCOREINFO, k->vi_source,
					"%zu keys",
					gc_vmcoreinfo_count(k->vi));
	}
	if (legacy && k->vi)
		legacy_p2m(k);
	k->pg.mach_only = false;
	err = setup_paging(k);
	if (!err && (k->opts.system_map || k->opts.vmlinux))
		err = check_symbol_override(k);
	if (err)
		goto fail;
	*out = k;
	return NULL;
fail:
	gc_kernel_close(k);
	return err;
}

void gc_kernel_close(struct gc_kernel *k)
{
	if (!k)
		return;
	gc_vmcoreinfo_free(k->vi);
	free(k->vi_source);
	for (size_t i = 0; i < k->nr_facts; i++) {
		free(k->facts[i].value);
		free(k->facts[i].source);
	}
	free(k->facts);
	for (size_t i = 0; i < k->nr_notes; i++)
		free(k->notes[i]);
	free(k->notes);
	gc_symtab_free(&k->syms);
	gc_kernel_modules_free(k);
	gc_error_free(k->syms_err);
	gc_dump_close(k->view);
	gc_types_free(k->types);
	free(k->hints.pids);
	free(k);
}

struct gc_dump *gc_kernel_dump(const struct gc_kernel *k)
{
	return k->d;
}

struct gc_error *gc_kernel_phys_view(struct gc_dump *dump,
				     const struct gc_kernel_opts *opts,
				     struct gc_dump **out)
{
	*out = NULL;
	if (!gc_dump_needs_p2m(dump))
		return gc_error_new(GC_ERR_UNSUPPORTED, "physical view",
				    "the dump reads by pfn itself");
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(dump, opts, &k);
	if (err)
		return err;
	if (!k->view) {
		/* why: legacy_p2m's note, else the first (no VMCOREINFO) */
		const char *why = k->nr_notes ? k->notes[0] :
				  "the guest's p2m was not rebuilt";
		for (size_t i = 0; i < k->nr_notes; i++)
			if (!strncmp(k->notes[i], "legacy PV dump", 14))
				why = k->notes[i];
		err = gc_error_new(GC_ERR_NOT_PRESENT, "physical view", "%s",
				   why);
		gc_kernel_close(k);
		return err;
	}
	*out = k->view;
	k->view = NULL;
	gc_p2m_view_own_base(*out);
	gc_kernel_close(k);
	return NULL;
}

void gc_kernel_collect_facts(struct gc_kernel *k)
{
	if (k->facts_collected)
		return;
	k->facts_collected = true;
	if (k->vi)
		read_uts(k);
	cpus_online(k);
	panic_string(k);
}

const struct gc_vmcoreinfo *gc_kernel_vmcoreinfo(const struct gc_kernel *k)
{
	return k->vi;
}
const char *gc_kernel_vmcoreinfo_source(const struct gc_kernel *k)
{
	return k->vi_source;
}
size_t gc_kernel_nr_facts(const struct gc_kernel *k) { return k->nr_facts; }

bool gc_kernel_fact_u64(const struct gc_kernel *k, const char *name,
			uint64_t *out, enum gc_space *space)
{
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, name);
	if (space)
		*space = GC_SPACE_NONE;
	if (!f || f->type == GC_FACT_TEXT)
		return false;
	*out = f->type == GC_FACT_S64 ? (uint64_t)f->s64 : f->u64;
	if (space && f->type == GC_FACT_ADDR)
		*space = f->space;
	return true;
}

bool gc_kernel_fact_s64(const struct gc_kernel *k, const char *name,
			int64_t *out)
{
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, name);
	if (!f || f->type == GC_FACT_TEXT)
		return false;
	*out = f->type == GC_FACT_S64 ? f->s64 : (int64_t)f->u64;
	return true;
}

const char *gc_fact_type_name(enum gc_fact_type t)
{
	switch (t) {
	case GC_FACT_TEXT: return "text";
	case GC_FACT_U64: return "u64";
	case GC_FACT_S64: return "s64";
	case GC_FACT_ADDR: return "addr";
	}
	return "?";
}

const char *gc_fact_origin_name(enum gc_fact_origin o)
{
	switch (o) {
	case GC_FACT_FROM_UNKNOWN: return "unknown";
	case GC_FACT_FROM_VMCOREINFO: return "vmcoreinfo";
	case GC_FACT_FROM_PAGE_TABLES: return "page_tables";
	case GC_FACT_FROM_MEMORY: return "memory";
	case GC_FACT_FROM_REGISTERS: return "registers";
	case GC_FACT_FROM_SYMBOLS: return "symbols";
	case GC_FACT_FROM_DEFAULT: return "default";
	case GC_FACT_FROM_TYPES: return "types";
	case GC_FACT_FROM_USER: return "user";
	}
	return "?";
}
const struct gc_kernel_fact *gc_kernel_fact(const struct gc_kernel *k,
					    size_t i)
{
	return i < k->nr_facts ? &k->facts[i] : NULL;
}
const struct gc_kernel_fact *gc_kernel_fact_by_name(const struct gc_kernel *k,
						    const char *name)
{
	for (size_t i = k->nr_facts; i-- > 0;)
		if (!strcmp(k->facts[i].name, name))
			return &k->facts[i];
	return NULL;
}
size_t gc_kernel_nr_notes(const struct gc_kernel *k) { return k->nr_notes; }
const char *gc_kernel_note(const struct gc_kernel *k, size_t i)
{
	return i < k->nr_notes ? k->notes[i] : NULL;
}
uint64_t gc_kernel_pgd_vaddr(const struct gc_kernel *k) { return k->pgd_vaddr; }
bool gc_kernel_is_xen_pv(const struct gc_kernel *k) { return k->pg.xen_pv; }

/* ---- translation and reads --------------------------------------------- */

struct gc_error *gc_kernel_walk(struct gc_kernel *k, uint64_t vaddr,
				bool has_root, uint64_t root,
				struct gc_walk *out)
{
	uint64_t r = has_root ? root : k->root;
	enum gc_space sp = has_root ? (k->pg.xen_pv ? GC_SPACE_MACH :
						      GC_SPACE_PHYS) :
				      k->root_space;
	if (has_root && !k->pg.xen_pv)
		r &= k->arch->root_mask;
	return k->arch->walk(&k->pg, &k->mem, r, sp, vaddr, out);
}

struct gc_error *gc_kernel_vtop(struct gc_kernel *k, uint64_t vaddr,
				uint64_t *paddr)
{
	struct gc_walk w;
	struct gc_error *err = gc_kernel_walk(k, vaddr, false, 0, &w);
	if (!err)
		*paddr = w.phys;
	return err;
}

struct gc_error *gc_kernel_read(struct gc_kernel *k, uint64_t vaddr,
				void *buf, size_t len)
{
	uint8_t *o = buf;
	while (len) {
		size_t chunk = (size_t)GC_MIN((uint64_t)len,
					      4096 - (vaddr & 4095));
		bool mach = k->pg.xen_pv &&
			    gc_dump_has_space(k->d, GC_SPACE_MACH);
		uint64_t vpage = vaddr >> 12;
		unsigned int slot = (unsigned int)(vpage & 255);
		struct gc_error *err;
		if (!k->tlb[slot].valid || k->tlb[slot].vpage != vpage) {
			struct gc_walk w;
			err = gc_kernel_walk(k, vaddr, false, 0, &w);
			if (err)
				return err;
			k->tlb[slot].vpage = vpage;
			k->tlb[slot].page = (mach ? w.mach : w.phys) >> 12;
			k->tlb[slot].valid = true;
		}
		uint64_t a = (k->tlb[slot].page << 12) | (vaddr & 4095);
		err = gc_dump_read(k->d, mach ? GC_SPACE_MACH : GC_SPACE_PHYS,
				   a, o, chunk);
		if (err)
			return gc_error_context(err, "reading virtual 0x%"
						PRIx64, vaddr);
		o += chunk;
		vaddr += chunk;
		len -= chunk;
	}
	return NULL;
}

struct gc_error *gc_kernel_read_u64(struct gc_kernel *k, uint64_t vaddr,
				    uint64_t *out)
{
	uint8_t b[8];
	struct gc_error *err = gc_kernel_read(k, vaddr, b, 8);
	if (!err)
		*out = gc_get64(b, false);
	return err;
}

/* ---- symbols ------------------------------------------------------------ */

/* The kernel image's mapped extents in the kernel text region, from
 * _stext (or the first text mapping) on, found by page-table walks that
 * skip whole unmapped tables. */
static size_t kernel_image_ranges(struct gc_kernel *k,
				  struct gc_va_range *r, size_t max)
{
	uint64_t start = kernel_map(k), sym, size = 1ull << 30;
	int64_t n;
	if (k->vi && gc_vmcoreinfo_symbol(k->vi, "_stext", &sym) &&
	    sym >= kernel_map(k))
		start = sym & ~0xfffull;
	if (k->vi && gc_vmcoreinfo_number(k->vi, "KERNEL_IMAGE_SIZE", &n) &&
	    n > 0 && (uint64_t)n <= (1ull << 30))
		size = (uint64_t)n;
	uint64_t end = kernel_map(k) + size;
	if (end < kernel_map(k)) /* wrapped */
		end = 0xfffffffffffff000ull;
	size_t nr = 0;
	for (uint64_t va = start; va < end && va >= start;) {
		struct gc_walk w;
		struct gc_error *e = k->arch->walk(&k->pg, &k->mem, k->root,
						 k->root_space, va, &w);
		gc_error_free(e);
		uint64_t span;
		if (!e) {
			span = w.page_size;
			if (nr && r[nr - 1].end == va)
				r[nr - 1].end = (va & ~(span - 1)) + span;
			else if (nr < max)
				r[nr++] = (struct gc_va_range){
					va, (va & ~(span - 1)) + span};
			else
				break;
		} else {
			/* skip what the level that stopped covers */
			unsigned int lvl = (5 - w.levels) + (w.nr ? w.nr - 1 : 0);
			span = 1ull << (12 + 9 * (4 - (lvl > 4 ? 4 : lvl)));
		}
		uint64_t next = (va & ~(span - 1)) + span;
		if (next <= va)
			break;
		va = next;
	}
	if (nr && r[nr - 1].end > end)
		r[nr - 1].end = end;
	return nr;
}

static struct gc_error *load_kallsyms(struct gc_kernel *k)
{
	struct gc_kmem m;
	gc_kernel_kmem(k, &m);
	struct gc_kallsyms_loc loc;
	enum gc_kallsyms_mode mode = k->opts.kallsyms;
	if (mode != GC_KALLSYMS_SEARCH &&
	    gc_kallsyms_locate_vmcoreinfo(k->vi, &loc))
		return gc_kallsyms_read(k->vi, &m, &k->syms);
	if (mode == GC_KALLSYMS_VMCOREINFO)
		return gc_error_new(GC_ERR_NOT_PRESENT, "symbols",
				    "%s; give --system-map or --vmlinux",
				    k->vi ? "VMCOREINFO does not locate the "
					    "kallsyms tables (Linux < 6.0)" :
					    "no VMCOREINFO to locate kallsyms");
	struct gc_va_range r[64];
	size_t nr = kernel_image_ranges(k, r, GC_ARRAY_SIZE(r));
	struct gc_error *err = gc_kallsyms_search(&m, r, nr, k->vi, &k->syms,
						  &loc);
	if (err)
		return gc_error_context(err, "searching the kernel image for "
					"kallsyms; give --system-map or "
					"--vmlinux");
	char src[160];
	snprintf(src, sizeof(src), "search of the kernel image (%" PRIu64
		 " pages read; %u VMCOREINFO symbols agree)", loc.pages_read,
		 loc.vmcoreinfo_agree);
	char tabs[96];
	if (loc.pcrel)
		snprintf(tabs, sizeof(tabs), "offsets 0x%" PRIx64, loc.offsets);
	else if (loc.relative)
		snprintf(tabs, sizeof(tabs), "offsets 0x%" PRIx64
			 " relative_base 0x%" PRIx64, loc.offsets,
			 loc.relative_base);
	else
		snprintf(tabs, sizeof(tabs), "addresses 0x%" PRIx64,
			 loc.addresses);
	gc_kernel_add_fact_text(k, "kallsyms", GC_FACT_FROM_MEMORY, src,
			   "%u symbols; token_table 0x%" PRIx64
			   " token_index 0x%" PRIx64 " markers 0x%" PRIx64
			   " names 0x%" PRIx64 " num_syms 0x%" PRIx64 " %s"
			   " [%s%s]", loc.nr, loc.token_table, loc.token_index,
			   loc.markers, loc.names, loc.num_syms, tabs,
			   loc.layout, loc.seqs_gap ? "; kallsyms_seqs_of_names "
			   "between the markers and the token table (6.2/6.3)" :
			   "");
	return NULL;
}

static struct gc_error *load_syms(struct gc_kernel *k)
{
	if (k->syms_loaded)
		return k->syms_err;
	k->syms_loaded = true;
	struct gc_error *err;
	if (k->opts.system_map) {
		err = gc_system_map_read(k->opts.system_map, k->kaslr,
					 &k->syms);
	} else if (k->opts.vmlinux) {
		err = gc_vmlinux_symtab_read(k->opts.vmlinux, k->kaslr,
					     &k->syms);
	} else {
		err = load_kallsyms(k);
		if (!err && k->syms.unprintable)
			gc_kernel_add_fact_text(k, "kallsyms_unprintable",
				GC_FACT_FROM_SYMBOLS, "kallsyms_names",
				"%zu of %zu symbol names or types hold bytes "
				"outside printable ASCII (shown as ?): the "
				"table is damaged or not the kernel's",
				k->syms.unprintable, k->syms.n);
	}
	k->syms_err = err;
	/* the kernel image's bounds, for gc_kernel_symbol_at */
	struct gc_symbol b;
	const char *const starts[] = { "_text", "_stext" };
	for (size_t i = 0; i < 2 && !k->image_text; i++) {
		struct gc_error *e = gc_kernel_symbol(k, starts[i], &b);
		if (!e)
			k->image_text = b.addr;
		gc_error_free(e);
	}
	struct gc_error *e = gc_kernel_symbol(k, "_end", &b);
	if (!e)
		k->image_end = b.addr;
	gc_error_free(e);
	return err;
}

/*
 * A --system-map or --vmlinux for another build is refused, both values
 * named: the vmlinux's build-id against VMCOREINFO's BUILD-ID, and the
 * text at the override's linux_banner against "Linux version OSRELEASE ".
 * What cannot be compared (no linux_banner in the file, its page not in
 * the dump) is a note, not a refusal.
 */
static struct gc_error *check_symbol_override(struct gc_kernel *k)
{
	const char *opt = k->opts.system_map ? "--system-map" : "--vmlinux";
	const char *file = k->opts.system_map ? k->opts.system_map :
						k->opts.vmlinux;
	struct gc_error *le = load_syms(k);
	if (le && k->opts.system_map)  /* an unusable map is an error */
		return gc_error_new(gc_error_code(le), file, "%s: %s", opt,
				    gc_error_string(le));
	if (le)
		return NULL;  /* --vmlinux: reported where symbols or types
			       * are used (its DWARF may still serve) */
	const char *osrel = k->vi ? gc_vmcoreinfo_value(k->vi, "OSRELEASE") :
				    NULL;
	const char *bid = k->vi ? gc_vmcoreinfo_value(k->vi, "BUILD-ID") :
				  NULL;
	if (!k->opts.system_map && bid) {
		char vb[129];
		struct gc_error *e = gc_vmlinux_build_id(file, vb, sizeof(vb));
		if (!e && strcasecmp(vb, bid))
			return gc_error_new(GC_ERR_INVALID_ARG, file,
					    "%s is for another build: its build-id "
					    "is %s, the dump's VMCOREINFO BUILD-ID "
					    "is %s", opt, vb, bid);
		if (e)
			gc_kernel_add_note(k, "%s %s: build-id not compared: %s",
					   opt, file, gc_error_string(e));
		gc_error_free(e);
	}
	const struct gc_ksym *b = NULL;
	for (size_t i = 0; i < k->syms.n && !b; i++)
		if (!strcmp(k->syms.s[i].name, "linux_banner"))
			b = &k->syms.s[i];
	if (!b) {
		gc_kernel_add_note(k, "%s %s: not checked against the dump "
				   "(no linux_banner in it)", opt, file);
		return NULL;
	}
	char text[160];
	memset(text, 0, sizeof(text));
	struct gc_error *e = gc_kernel_read(k, b->addr, text, sizeof(text) - 1);
	if (e) {
		gc_kernel_add_note(k, "%s %s: linux_banner at 0x%" PRIx64 " not "
				   "checked: %s", opt, file, b->addr,
				   gc_error_string(e));
		gc_error_free(e);
		return NULL;
	}
	text[strcspn(text, "\n")] = '\0';
	size_t ol = osrel ? strlen(osrel) : 0;
	bool ok = !strncmp(text, "Linux version ", 14) &&
		  (!osrel || (!strncmp(text + 14, osrel, ol) &&
			      text[14 + ol] == ' '));
	if (ok)
		return NULL;
	if (strlen(text) > 64)
		strcpy(text + 61, "...");
	for (char *p = text; *p; p++)  /* bytes from the dump: no controls */
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '.';
	char want[128];
	snprintf(want, sizeof(want), "Linux version %s ...",
		 osrel ? osrel : "");
	return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_KVIRT, b->addr, file,
			     "%s is for another build: its linux_banner "
			     "reads \"%s\" in the dump, expected \"%s\"%s", opt,
			     text, want, osrel ? " (VMCOREINFO OSRELEASE)" : "");
}

bool gc_kernel_has_symbols(struct gc_kernel *k)
{
	return !load_syms(k) && k->syms.n > 0;
}

static int sym_cmp_name(const struct gc_ksym *s, const char *name)
{
	return strcmp(s->name, name);
}

struct gc_error *gc_kernel_symbol(struct gc_kernel *k, const char *name,
				  struct gc_symbol *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_error *err = load_syms(k);
	if (!err) {
		for (size_t i = 0; i < k->syms.n; i++) {
			if (sym_cmp_name(&k->syms.s[i], name))
				continue;
			snprintf(out->name, sizeof(out->name), "%s", name);
			out->addr = k->syms.s[i].addr;
			out->type = k->syms.s[i].type;
			out->source = k->syms.source;
			return NULL;
		}
	}
	uint64_t a;
	if (gc_vmcoreinfo_symbol(k->vi, name, &a)) {
		snprintf(out->name, sizeof(out->name), "%s", name);
		out->addr = a;
		out->type = '?';
		out->source = "VMCOREINFO";
		return NULL;
	}
	/* the loaded modules' own kallsyms (not while they are being read:
	 * reading them asks for kernel symbols) */
	if (!err && gc_kernel_module_find(k, NULL, name, out))
		return NULL;
	if (err)
		return gc_error_new(GC_ERR_NOT_PRESENT, name,
				    "no such symbol in VMCOREINFO, and no "
				    "symbol table: %s", gc_error_string(err));
	return gc_error_new(GC_ERR_NOT_PRESENT, name, "no such symbol in %s "
			    "(%zu symbols), VMCOREINFO or the %zu loaded "
			    "modules", k->syms.source, k->syms.n,
			    gc_kernel_nr_modules_read(k));
}

/* How good a name is for an address it shares: 2 a global, 1 a local,
 * each one less when it is a section marker (__start_X, __stop_X,
 * __X_start, __X_end). */
static int sym_rank(const struct gc_ksym *s)
{
	int r = s->type >= 'A' && s->type <= 'Z' ? 4 : 2;
	const char *n = s->name;
	size_t l = strlen(n);
	if (!strncmp(n, "__start_", 8) || !strncmp(n, "__stop_", 7) ||
	    (!strncmp(n, "__", 2) &&
	     ((l > 6 && !strcmp(n + l - 6, "_start")) ||
	      (l > 4 && !strcmp(n + l - 4, "_end")))))
		r--;
	return r;
}

struct gc_error *gc_kernel_symbol_at(struct gc_kernel *k, uint64_t addr,
				     struct gc_symbol *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_error *err = load_syms(k);
	if (err)
		return gc_error_new(GC_ERR_NOT_PRESENT, "symbol lookup",
				    "%s", gc_error_string(err));
	/* Only addresses inside the kernel image get an image symbol: past
	 * _end (modules, the direct map, vmalloc, fixmap) the nearest symbol
	 * below is meaningless, and so are the absolute per-CPU offsets
	 * below _text.  The bounds are found once, with the table. */
	uint64_t text = k->image_text, end = k->image_end;
	if (text && end > text && (addr < text || addr >= end)) {
		struct gc_error *merr;
		if (gc_kernel_module_symbol_at(k, addr, out, &merr))
			return merr;
		char where[160];
		gc_kernel_describe_addr(k, addr, end, where, sizeof(where));
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, addr,
				     "symbol lookup",
				     "not in the kernel image (0x%" PRIx64
				     "-0x%" PRIx64 "): %s", text, end - 1,
				     where);
	}
	size_t lo = 0, hi = k->syms.n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->syms.s[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, addr,
				     "symbol lookup", "below every symbol");
	/* Prefer a global (upper-case) name among equal addresses, and a
	 * name that is not a section marker (__cpuidle_text_start shares
	 * default_idle's address; bt wants the function). */
	size_t best = lo - 1;
	int best_rank = sym_rank(&k->syms.s[best]);
	for (size_t i = lo - 1; i-- > 0 &&
	     k->syms.s[i].addr == k->syms.s[lo - 1].addr;) {
		int r = sym_rank(&k->syms.s[i]);
		if (r >= best_rank) {
			best = i;
			best_rank = r;
		}
	}
	const struct gc_ksym *s = &k->syms.s[best];
	snprintf(out->name, sizeof(out->name), "%s", s->name);
	out->addr = s->addr;
	out->type = s->type;
	out->source = k->syms.source;
	return NULL;
}

/* ---- log and checks ---------------------------------------------------- */

struct gc_error *gc_kernel_log(struct gc_kernel *k, char **text,
			       const char **source)
{
	*text = NULL;
	if (!k->vi)
		return gc_error_new(GC_ERR_NOT_PRESENT, "kernel log",
				    "no VMCOREINFO: the printk buffer cannot "
				    "be located");
	struct gc_kmem m;
	gc_kernel_kmem(k, &m);
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	struct gc_error *err = gc_printk_read(k->vi, &m, &sb, source);
	if (err) {
		gc_strbuf_free(&sb);
		return err;
	}
	*text = gc_strbuf_steal(&sb);
	return *text ? NULL : &gc_error_nomem;
}

struct gc_error *gc_kernel_log_records(struct gc_kernel *k,
				       struct gc_log_record **recs,
				       size_t *nr, const char **source)
{
	*recs = NULL;
	*nr = 0;
	if (!k->vi)
		return gc_error_new(GC_ERR_NOT_PRESENT, "kernel log",
				    "no VMCOREINFO: the printk buffer cannot "
				    "be located");
	struct gc_kmem m;
	gc_kernel_kmem(k, &m);
	return gc_printk_records(k->vi, &m, recs, nr, source);
}

struct gc_error *gc_kernel_check(struct gc_kernel *k, struct gc_report *rep)
{
	for (size_t i = 0; i < k->nr_notes; i++) {
		struct gc_error *e = gc_report_add(rep, GC_SEV_NOTE,
						   "kernel-note", false, 0,
						   "%s", k->notes[i]);
		if (e)
			return e;
	}
	if (k->pg.xen_pv)
		return gc_xen_p2m_check(k, k->d, rep);
	return NULL;
}
