// SPDX-License-Identifier: MIT
/*
 * Intel EPT: EPTP decoding, guest-physical -> host-physical walks (4- and
 * 5-level, 2 MiB and 1 GiB pages) and an "EPT space" that maps a guest's
 * whole physical memory once so it can be read out of a host dump.
 * Bit layout: ../shared/spec/vmcs-and-ept.md section 5.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "vmx_internal.h"

#define ADDR_MASK 0x000ffffffffff000ull  /* bits 51:12 */
#define MAX_FINDINGS 64

const char *gc_ept_memtype_name(unsigned int mt)
{
	switch (mt) {
	case 0: return "UC";
	case 1: return "WC";
	case 4: return "WT";
	case 5: return "WP";
	case 6: return "WB";
	default: return "reserved";
	}
}

struct gc_error *gc_eptp_decode(uint64_t eptp, uint64_t max_paddr,
				struct gc_eptp_info *out)
{
	memset(out, 0, sizeof(*out));
	out->memtype = (unsigned int)(eptp & 7);
	out->levels = (unsigned int)((eptp >> 3) & 7) + 1;
	out->ad = (eptp >> 6) & 1;
	out->root = eptp & ADDR_MASK;
	if (out->memtype != 0 && out->memtype != 6)
		return gc_error_new(GC_ERR_FORMAT, "EPTP",
				    "0x%" PRIx64 " has memory type %u (only "
				    "0 UC and 6 WB are allowed)", eptp,
				    out->memtype);
	if (out->levels != 4 && out->levels != 5)
		return gc_error_new(GC_ERR_FORMAT, "EPTP",
				    "0x%" PRIx64 " has page-walk length %u "
				    "(only 4 or 5 levels exist)", eptp,
				    out->levels);
	if (eptp & 0xf00)
		return gc_error_new(GC_ERR_FORMAT, "EPTP",
				    "0x%" PRIx64 " has reserved bits 11:8 set",
				    eptp);
	if (eptp >> 52)
		return gc_error_new(GC_ERR_FORMAT, "EPTP",
				    "0x%" PRIx64 " has reserved bits 63:52 set",
				    eptp);
	if (max_paddr && out->root >= max_paddr)
		return gc_error_new(GC_ERR_FORMAT, "EPTP",
				    "0x%" PRIx64 ": root table 0x%" PRIx64
				    " is above the highest host address 0x%"
				    PRIx64, eptp, out->root, max_paddr);
	return NULL;
}

static bool is_leaf(uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & 0x80));
}

const char *gc_ept_entry_misconfig(uint64_t e, unsigned int level,
				   uint64_t max_paddr)
{
	if ((e & 3) == 2)
		return "write permission without read";
	if (!is_leaf(e, level)) {
		if (e & 0x38)
			return "reserved bits 5:3 set in a non-leaf entry";
		if ((level == 4 || level == 5) && (e & 0x80))
			return "page-size bit 7 set in a PML4E/PML5E";
	} else {
		unsigned int mt = (unsigned int)((e >> 3) & 7);
		if (mt == 2 || mt == 3 || mt == 7)
			return "reserved EPT memory type in a leaf entry";
		if (level == 2 && (e & 0x1ff000))
			return "2 MiB page with address bits 20:12 set";
		if (level == 3 && (e & 0x3ffff000))
			return "1 GiB page with address bits 29:12 set";
	}
	if (max_paddr && (e & ADDR_MASK) >= max_paddr)
		return "address above the highest host address";
	return NULL;
}

static const char *level_name(unsigned int level)
{
	static const char *const n[] = { "?", "PTE", "PDE", "PDPTE", "PML4E",
					  "PML5E" };
	return level <= 5 ? n[level] : "?";
}

struct gc_error *gc_ept_translate(const struct gc_hostmem *mem, uint64_t eptp,
				  uint64_t gpa, struct gc_ept_walk *out)
{
	memset(out, 0, sizeof(*out));
	out->gpa = gpa;
	struct gc_eptp_info ei;
	struct gc_error *err = gc_eptp_decode(eptp, 0, &ei);
	if (err)
		return err;
	unsigned int bits = 12 + 9 * ei.levels;
	if (gpa >> bits)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, gpa,
				     "guest-physical address",
				     "beyond the %u bits a %u-level EPT maps",
				     bits, ei.levels);
	uint64_t table = ei.root;
	for (unsigned int level = ei.levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t ea = table + ((gpa >> shift) & 511) * 8;
		uint8_t b[8];
		err = mem->read(mem->ctx, ea, b, 8);
		if (err)
			return gc_error_context(err, "EPT %s for guest-physical"
						" 0x%" PRIx64, level_name(level),
						gpa);
		uint64_t e = gc_get64(b, false);
		out->entry[out->depth] = e;
		out->entry_addr[out->depth] = ea;
		out->depth++;
		if (!(e & 7))
			return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS,
					     gpa, "guest-physical address",
					     "not mapped: EPT %s at host 0x%"
					     PRIx64 " is 0x%" PRIx64,
					     level_name(level), ea, e);
		const char *why = gc_ept_entry_misconfig(e, level,
							 mem->max_paddr);
		if (why)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS,
					     gpa, "guest-physical address",
					     "EPT misconfiguration: %s at host "
					     "0x%" PRIx64 " is 0x%" PRIx64
					     ": %s", level_name(level), ea, e,
					     why);
		if (is_leaf(e, level)) {
			uint64_t size = 1ull << shift;
			out->page_size = size;
			out->hpa = ((e & ADDR_MASK) & ~(size - 1)) |
				   (gpa & (size - 1));
			out->perms = (unsigned int)(e & 7) |
				     (unsigned int)((e >> 10) & 1) << 3;
			out->memtype = (unsigned int)((e >> 3) & 7);
			out->ipat = (e >> 6) & 1;
			return NULL;
		}
		table = e & ADDR_MASK;
	}
	return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_PHYS, gpa,
			     "guest-physical address", "EPT walk ended "
			     "without a leaf");
}

/* ---- the EPT space ------------------------------------------------------ */

struct gc_ept_space {
	const struct gc_hostmem *mem;
	struct gc_ept_map *maps;
	size_t n, cap;
	uint64_t frames;
};

struct walker {
	struct gc_ept_space *s;
	struct gc_report *findings;
	uint64_t budget;
	size_t nr_findings, suppressed;
	uint64_t max_paddr;
	uint8_t *tables[5];  /* one 4 KiB buffer per level */
};

static struct gc_error *finding(struct walker *w, uint64_t addr,
				const char *fmt, uint64_t a, uint64_t b,
				const char *why)
{
	if (w->nr_findings >= MAX_FINDINGS) {
		w->suppressed++;
		return NULL;
	}
	w->nr_findings++;
	char *msg = gc_asprintf(fmt, a, b, why);
	if (!msg)
		return &gc_error_nomem;
	struct gc_error *err = gc_vmx_warn(w->findings, "ept-entry", false,
					   addr, "%s", msg);
	free(msg);
	return err;
}

static struct gc_error *add_map(struct gc_ept_space *s, uint64_t gfn,
				uint64_t count, uint64_t hfn,
				unsigned int perms, unsigned int mt)
{
	s->frames += count;
	if (s->n) {
		struct gc_ept_map *p = &s->maps[s->n - 1];
		if (p->gfn + p->count == gfn && p->hfn + p->count == hfn &&
		    p->perms == perms && p->memtype == mt) {
			p->count += count;
			return NULL;
		}
	}
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		struct gc_ept_map *nm = realloc(s->maps, nc * sizeof(*nm));
		if (!nm)
			return &gc_error_nomem;
		s->maps = nm;
		s->cap = nc;
	}
	s->maps[s->n++] = (struct gc_ept_map){ .gfn = gfn, .count = count,
					       .hfn = hfn, .perms = perms,
					       .memtype = mt };
	return NULL;
}

static struct gc_error *walk_table(struct walker *w, uint64_t table,
				   unsigned int level, uint64_t gpa_base)
{
	if (w->budget < 512)
		return gc_error_new(GC_ERR_UNSUPPORTED, "EPT",
				    "more paging-structure entries than the "
				    "walk limit allows (tables shared in a "
				    "loop?)");
	w->budget -= 512;
	uint8_t *t = w->tables[level - 1];
	struct gc_error *err = w->s->mem->read(w->s->mem->ctx, table, t, 4096);
	if (err) {
		char *why = strdup(gc_error_string(err));
		gc_error_free(err);
		err = finding(w, table, "EPT table at host 0x%" PRIx64
			      " (guest-physical 0x%" PRIx64 " and up) is "
			      "not readable: %s", table, gpa_base,
			      why ? why : "?");
		free(why);
		return err;
	}
	unsigned int shift = 12 + 9 * (level - 1);
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t e = gc_get64(t + 8 * i, false);
		if (!(e & 7))
			continue;
		uint64_t gpa = gpa_base + ((uint64_t)i << shift);
		const char *why = gc_ept_entry_misconfig(e, level,
							 w->max_paddr);
		if (why) {
			err = finding(w, table + 8 * i, "EPT entry at host 0x%"
				      PRIx64 " (guest-physical 0x%" PRIx64
				      ") is misconfigured: %s",
				      table + 8 * i, gpa, why);
			if (err)
				return err;
			continue;
		}
		if (is_leaf(e, level)) {
			uint64_t size = 1ull << shift;
			err = add_map(w->s, gpa >> 12, size >> 12,
				      (e & ADDR_MASK & ~(size - 1)) >> 12,
				      (unsigned int)(e & 7) |
					      (unsigned int)((e >> 10) & 1) << 3,
				      (unsigned int)((e >> 3) & 7));
		} else {
			err = walk_table(w, e & ADDR_MASK, level - 1, gpa);
		}
		if (err)
			return err;
	}
	return NULL;
}

struct gc_error *gc_ept_space_open(const struct gc_hostmem *mem,
				   uint64_t eptp,
				   const struct gc_ept_space_opts *opts,
				   struct gc_report *findings,
				   struct gc_ept_space **out)
{
	*out = NULL;
	struct gc_eptp_info ei;
	struct gc_error *err = gc_eptp_decode(eptp, mem->max_paddr, &ei);
	if (err)
		return err;
	struct gc_ept_space *s = calloc(1, sizeof(*s));
	struct walker w = { .s = s, .findings = findings,
			    .budget = opts && opts->max_entries ?
					      opts->max_entries : 1ull << 26,
			    .max_paddr = mem->max_paddr };
	if (!s)
		return &gc_error_nomem;
	s->mem = mem;
	for (unsigned int i = 0; i < ei.levels && !err; i++)
		if (!(w.tables[i] = malloc(4096)))
			err = &gc_error_nomem;
	if (!err)
		err = walk_table(&w, ei.root, ei.levels, 0);
	for (unsigned int i = 0; i < 5; i++)
		free(w.tables[i]);
	if (!err && w.suppressed)
		err = gc_vmx_warn(findings, "ept-entry", false, 0,
				  "%zu more EPT problems not listed",
				  w.suppressed);
	if (err) {
		gc_ept_space_close(s);
		return gc_error_context(err, "walking EPT 0x%" PRIx64, eptp);
	}
	*out = s;
	return NULL;
}

void gc_ept_space_close(struct gc_ept_space *s)
{
	if (!s)
		return;
	free(s->maps);
	free(s);
}

const struct gc_ept_map *gc_ept_space_maps(const struct gc_ept_space *s,
					   size_t *nr)
{
	*nr = s->n;
	return s->maps;
}

uint64_t gc_ept_space_nr_frames(const struct gc_ept_space *s)
{
	return s->frames;
}

struct gc_error *gc_ept_space_runs(const struct gc_ept_space *s,
				   struct gc_frame_run **runs, size_t *nr)
{
	*runs = NULL;
	*nr = 0;
	if (!s->n)
		return NULL;
	struct gc_frame_run *r = malloc(s->n * sizeof(*r));
	if (!r)
		return &gc_error_nomem;
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (n && r[n - 1].start + r[n - 1].count == s->maps[i].gfn)
			r[n - 1].count += s->maps[i].count;
		else
			r[n++] = (struct gc_frame_run){ s->maps[i].gfn,
							s->maps[i].count };
	}
	*runs = r;
	*nr = n;
	return NULL;
}

const struct gc_ept_map *gc_ept_space_find(const struct gc_ept_space *s,
					   uint64_t gfn)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gc_ept_map *m = &s->maps[mid];
		if (gfn < m->gfn)
			hi = mid;
		else if (gfn - m->gfn >= m->count)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

struct gc_error *gc_ept_space_translate(const struct gc_ept_space *s,
					uint64_t gpa, uint64_t *hpa)
{
	const struct gc_ept_map *m = gc_ept_space_find(s, gpa >> 12);
	if (!m)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, gpa,
				     "guest-physical address",
				     "not mapped by the EPT");
	*hpa = ((m->hfn + ((gpa >> 12) - m->gfn)) << 12) | (gpa & 0xfff);
	return NULL;
}

struct gc_error *gc_ept_space_read(const struct gc_ept_space *s, uint64_t gpa,
				   void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t hpa;
		struct gc_error *err = gc_ept_space_translate(s, gpa, &hpa);
		if (err)
			return err;
		size_t n = GC_MIN(len, (size_t)(4096 - (gpa & 0xfff)));
		err = s->mem->read(s->mem->ctx, hpa, p, n);
		if (err)
			return gc_error_context(err, "guest-physical 0x%" PRIx64
						" (host 0x%" PRIx64 ")", gpa,
						hpa);
		p += n;
		len -= n;
		gpa += n;
	}
	return NULL;
}

static struct gc_error *space_read(void *ctx, uint64_t gpa, void *buf,
				   size_t len)
{
	return gc_ept_space_read(ctx, gpa, buf, len);
}

static struct gc_error *space_runs(void *ctx, struct gc_frame_run **runs,
				   size_t *nr)
{
	return gc_ept_space_runs(ctx, runs, nr);
}

void gc_ept_space_hostmem(const struct gc_ept_space *s, struct gc_hostmem *out)
{
	memset(out, 0, sizeof(*out));
	out->ctx = (void *)s;
	out->read = space_read;
	out->runs = space_runs;
	out->page_size = 4096;
	if (s->n) {
		const struct gc_ept_map *m = &s->maps[s->n - 1];
		out->max_paddr = (m->gfn + m->count) << 12;
	}
}

/* ---- the EPT as an address translation (spaces/xlat.h) ------------------ */

struct ept_xlat {
	const struct gc_hostmem *mem;
	struct gc_eptp_info ei;
};

/* The run at GPA: the leaf's page (4 KiB, 2 MiB, 1 GiB) from GPA on, or
 * the whole span of the first entry that is not present, misconfigured or
 * in an unreadable table. */
static struct gc_error *ept_lookup(struct gc_xlat *x, uint64_t gpa,
				   struct gc_xlat_run *out)
{
	const struct ept_xlat *e = x->priv;
	uint64_t table = e->ei.root;
	for (unsigned int level = e->ei.levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t size = 1ull << shift;
		uint64_t ea = table + ((gpa >> shift) & 511) * 8;
		*out = (struct gc_xlat_run){ .status = GC_XLAT_UNMAPPED,
					     .len = size - (gpa & (size - 1)) };
		uint8_t b[8];
		struct gc_error *err = e->mem->read(e->mem->ctx, ea, b, 8);
		if (err) {
			/* listed by the full walk (gc_ept_space_open) */
			gc_error_free(err);
			out->status = GC_XLAT_NOT_READABLE;
			out->reason = "EPT table not readable in the host dump";
			/* the table's whole span */
			out->len = (size << 9) - (gpa & ((size << 9) - 1));
			if (level == e->ei.levels)
				out->len = x->limit - gpa;
			return NULL;
		}
		uint64_t v = gc_get64(b, false);
		if (!(v & 7)) {
			static const char *const why[] = {
				"?", "EPT PTE not present", "EPT PDE not present",
				"EPT PDPTE not present", "EPT PML4E not present",
				"EPT PML5E not present",
			};
			out->reason = why[level];
			return NULL;
		}
		if (gc_ept_entry_misconfig(v, level, e->mem->max_paddr)) {
			out->reason = "EPT entry misconfigured";
			return NULL;
		}
		if (is_leaf(v, level)) {
			out->status = GC_XLAT_MAPPED;
			out->target = ((v & ADDR_MASK) & ~(size - 1)) |
				      (gpa & (size - 1));
			return NULL;
		}
		table = v & ADDR_MASK;
	}
	return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_PHYS, gpa,
			     "guest-physical address", "EPT walk ended "
			     "without a leaf");
}

static void ept_destroy(struct gc_xlat *x)
{
	free(x->priv);
}

static const struct gc_xlat_ops ept_xlat_ops = {
	.lookup = ept_lookup,
	.destroy = ept_destroy,
};

struct gc_error *gc_ept_xlat_new(const struct gc_hostmem *mem, uint64_t eptp,
				 struct gc_xlat **out)
{
	*out = NULL;
	struct ept_xlat *e = calloc(1, sizeof(*e));
	if (!e)
		return &gc_error_nomem;
	e->mem = mem;
	struct gc_error *err = gc_eptp_decode(eptp, mem->max_paddr, &e->ei);
	if (err) {
		free(e);
		return err;
	}
	unsigned int bits = 12 + 9 * e->ei.levels;
	return gc_xlat_new(&ept_xlat_ops, e, "ept", GC_SPACE_PHYS,
			   GC_SPACE_PHYS, 1ull << bits, out);
}
