// SPDX-License-Identifier: MIT
/*
 * A Xen PV guest's own pfn -> mfn map, rebuilt from guest memory, checked
 * against the dump's index (.xen_p2m):
 *  - shared_info's frame-list-list (the mfn tree the toolstack reads),
 *  - the linear virtually mapped list xen_p2m_addr[] (Linux >= 3.19),
 *  - the 3-level p2m_top tree (pvops 2.6.38 - 3.18).
 * Every disagreement becomes a finding.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/xen_p2m.h"

#include "dump_internal.h"
#include "util/vec.h"

#define P2M_PER_PAGE 512u
#define P2M_INVALID (~0ull)
/* Linux x86-64 (asm/xen/page.h): FOREIGN_FRAME_BIT is bit 63 (another
 * domain's frame mapped here), IDENTITY_FRAME_BIT bit 62 (pfn == mfn, I/O
 * and other non-RAM ranges).  Neither is a frame of the guest's RAM. */
#define P2M_FOREIGN (1ull << 63)
#define P2M_IDENTITY (1ull << 62)
#define MAX_REPORTED 20

/* Offsets in the x86-64 shared_info page (public/xen.h). */
#define SI_MAX_PFN 3088
#define SI_FLL     3096
#define SI_END     (SI_FLL + 8)

/* Machine frames past the 52-bit physical address space (x86-64's
 * widest) are no frames: refused before mfn << 12 can overflow. */
#define MFN_LIMIT  (1ull << (52 - 12))

struct cmp {
	struct gc_kernel *k;
	struct gc_dump *d;  /* the dump whose index is compared */
	struct gc_report *rep;
	const char *what;
	uint64_t compared, missing_guest, mismatches, reported;
	uint64_t flagged;   /* IDENTITY/FOREIGN entries, not compared */
	/* The dump's pfn runs, so that pfns it does not hold are skipped
	 * without building an error for each (a p2m list can be far larger
	 * than the dump). */
	struct gc_frame_run *runs;
	size_t nr_runs, hint;
	bool runs_loaded;
};

static bool pfn_in_runs(struct cmp *c, uint64_t pfn)
{
	if (!c->runs_loaded) {
		c->runs_loaded = true;
		struct gc_error *e = gc_dump_frame_runs(c->d, GC_SPACE_PHYS,
							&c->runs, &c->nr_runs);
		if (e) {  /* unknown: fall back to asking for every pfn */
			gc_error_free(e);
			c->runs = NULL;
			c->nr_runs = SIZE_MAX;
		}
	}
	if (c->nr_runs == SIZE_MAX)
		return true;
	if (c->hint < c->nr_runs && pfn >= c->runs[c->hint].start &&
	    pfn - c->runs[c->hint].start < c->runs[c->hint].count)
		return true;
	size_t lo = 0, hi = c->nr_runs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pfn < c->runs[mid].start)
			hi = mid;
		else if (pfn - c->runs[mid].start >= c->runs[mid].count)
			lo = mid + 1;
		else {
			c->hint = mid;
			return true;
		}
	}
	return false;
}

static void cmp_done(struct cmp *c)
{
	free(c->runs);
	c->runs = NULL;
}

static struct gc_error *compare(struct cmp *c, uint64_t pfn, uint64_t gmfn)
{
	uint64_t dmfn = 0;
	bool in_dump = false;
	if (pfn_in_runs(c, pfn)) {
		struct gc_error *e = gc_dump_pfn_to_mfn(c->d, pfn, &dmfn);
		in_dump = !e;
		gc_error_free(e);
	}
	const char *flag = gmfn == P2M_INVALID ? NULL :
			   gc_xen_p2m_flag_name(gmfn);
	if (gmfn == P2M_INVALID) {
		if (in_dump)
			c->missing_guest++;
		else
			return NULL;
	} else if (flag) {
		/* not RAM of this guest: no frame to compare; a dumped pfn
		 * that the guest says is not its RAM is a disagreement */
		if (!in_dump) {
			c->flagged++;
			return NULL;
		}
		c->compared++;
	} else {
		c->compared += in_dump;
		if (!in_dump || gmfn == dmfn)
			return NULL;
	}
	c->mismatches++;
	if (c->reported++ >= MAX_REPORTED)
		return NULL;
	if (flag)
		return gc_report_add(c->rep, GC_SEV_WARNING, "p2m-mismatch",
				     false, 0, "%s: pfn 0x%" PRIx64 " is %s %s "
				     "entry (0x%" PRIx64 ") in the guest's p2m, "
				     "not a frame of its RAM, but the dump's "
				     "index maps it to mfn 0x%" PRIx64,
				     c->what, pfn, flag[0] == 'I' ? "an" : "a",
				     flag, gmfn, dmfn);
	if (gmfn == P2M_INVALID)
		return gc_report_add(c->rep, GC_SEV_WARNING, "p2m-mismatch",
				     false, 0, "%s: pfn 0x%" PRIx64 " is "
				     "missing (~0) in the guest's p2m, but the "
				     "dump's index maps it to mfn 0x%" PRIx64,
				     c->what, pfn, dmfn);
	return gc_report_add(c->rep, GC_SEV_WARNING, "p2m-mismatch", false, 0,
			     "%s: pfn 0x%" PRIx64 " -> mfn 0x%" PRIx64
			     " in the guest's p2m, but the dump's index says "
			     "mfn 0x%" PRIx64, c->what, pfn, gmfn, dmfn);
}

static struct gc_error *summary(struct cmp *c)
{
	cmp_done(c);
	char flagged[128] = "";
	if (c->flagged)
		snprintf(flagged, sizeof(flagged), " (%" PRIu64 " IDENTITY/"
			 "FOREIGN entr%s for pfns not in the dump: not RAM, "
			 "not compared)", c->flagged,
			 c->flagged == 1 ? "y" : "ies");
	if (!c->mismatches)
		return gc_report_add(c->rep, GC_SEV_OK, "p2m-agrees", false, 0,
				     "%s agrees with the dump's index for "
				     "all %" PRIu64 " dumped pfns it maps%s",
				     c->what, c->compared, flagged);
	return gc_report_add(c->rep, GC_SEV_WARNING, "p2m-disagrees", false,
			     0, "%s disagrees with the dump's index for %"
			     PRIu64 " pfns (%" PRIu64 " compared, %" PRIu64
			     " dumped pfns missing in the guest's map; first "
			     "%d listed)%s", c->what, c->mismatches,
			     c->compared, c->missing_guest, MAX_REPORTED,
			     flagged);
}

static struct gc_error *read_mach_page(struct gc_dump *d, uint64_t mfn,
				       uint64_t *page)
{
	if (mfn >= MFN_LIMIT)
		return gc_error_new(GC_ERR_CORRUPT, "p2m frame", "mfn 0x%"
				    PRIx64 " is past the 52-bit machine "
				    "address space", mfn);
	if (gc_dump_has_space(d, GC_SPACE_MACH))
		return gc_dump_read(d, GC_SPACE_MACH, mfn << 12, page,
				    4096);
	uint64_t pfn;
	struct gc_error *e = gc_dump_mfn_to_pfn(d, mfn, &pfn);
	return e ? e : gc_dump_read(d, GC_SPACE_PHYS, pfn << 12, page,
				    4096);
}

static struct gc_error *check_fll(struct gc_kernel *k, struct gc_dump *d,
				  struct gc_report *rep)
{
	const struct gc_field *f = gc_dump_field_by_name(d,
							 "shared_info_offset");
	const struct gc_field *fs = gc_dump_field_by_name(d,
							  "shared_info_size");
	if (!f || !f->has_number)
		return gc_report_add(rep, GC_SEV_NOTE, "p2m-fll", false, 0,
				     "no shared_info page: the frame-list-"
				     "list cannot be checked");
	/* arch.max_pfn and pfn_to_mfn_frame_list_list: inside the section
	 * (its size known), at offsets that do not wrap around 2^64.  A
	 * failure is a finding; the rest of the check goes on. */
	uint64_t off = f->number, at, end;
	uint64_t size = fs && fs->has_number ? fs->number : 0;
	if (size < SI_END)
		return gc_report_add(rep, GC_SEV_WARNING, "p2m-fll", true, off,
				     "the .xen_shared_info section is 0x%"
				     PRIx64 " bytes, too short to hold "
				     "arch.max_pfn and pfn_to_mfn_frame_list_"
				     "list (bytes 0x%x-0x%x): the frame-list-"
				     "list cannot be checked", size,
				     SI_MAX_PFN, SI_END - 1);
	if (!gc_add_ok(off, SI_MAX_PFN, &at) || !gc_add_ok(at, 16, &end))
		return gc_report_add(rep, GC_SEV_WARNING, "p2m-fll", true, off,
				     "the .xen_shared_info section at offset "
				     "0x%" PRIx64 " wraps around the 64-bit "
				     "file offset space: the frame-list-list "
				     "cannot be checked", off);
	uint8_t si[16];
	struct gc_error *e = gc_stream_read(d->stream, at, si, sizeof(si),
					    "shared_info.arch");
	if (e) {
		if (e == &gc_error_nomem)
			return e;
		struct gc_error *r = gc_report_add(
			rep, GC_SEV_WARNING, "p2m-fll", true, at,
			"shared_info's arch.max_pfn and frame-list-list cannot "
			"be read: %s", gc_error_string(e));
		gc_error_free(e);
		return r;
	}
	uint64_t max_pfn = gc_get64(si, false), fll = gc_get64(si + 8, false);
	if (!fll)
		return gc_report_add(rep, GC_SEV_NOTE, "p2m-fll", true,
				     off + SI_FLL, "shared_info's "
				     "pfn_to_mfn_frame_list_list is 0 (the "
				     "guest did not publish its p2m tree)");
	if (max_pfn > (1ull << 27))
		return gc_report_add(rep, GC_SEV_WARNING, "p2m-fll", true,
				     at, "shared_info "
				     "max_pfn 0x%" PRIx64 " is implausible",
				     max_pfn);
	uint64_t *top = malloc(3 * 4096);
	if (!top)
		return &gc_error_nomem;
	uint64_t *mid = top + 512, *leaf = top + 1024;
	struct cmp c = {.k = k, .d = d, .rep = rep,
			.what = "the guest's p2m via shared_info "
				"frame-list-list"};
	e = read_mach_page(d, fll, top);
	uint64_t unreadable = 0;
	for (uint64_t t = 0; !e && t * P2M_PER_PAGE * P2M_PER_PAGE < max_pfn &&
	     t < 512; t++) {
		struct gc_error *e2 = read_mach_page(d, top[t], mid);
		if (e2) {
			gc_error_free(e2);
			unreadable++;
			continue;
		}
		for (uint64_t m = 0; !e && m < 512; m++) {
			uint64_t base = (t * 512 + m) * P2M_PER_PAGE;
			if (base >= max_pfn)
				break;
			e2 = read_mach_page(d, mid[m], leaf);
			if (e2) {
				gc_error_free(e2);
				unreadable++;
				continue;
			}
			for (uint64_t i = 0; !e && i < 512 &&
			     base + i < max_pfn; i++)
				e = compare(&c, base + i, leaf[i]);
		}
	}
	free(top);
	cmp_done(&c);
	if (e) {
		if (e == &gc_error_nomem)
			return e;
		struct gc_error *r = gc_report_add(
			rep, GC_SEV_WARNING, "p2m-fll", false, 0,
			"the frame-list-list at mfn 0x%" PRIx64 " cannot be "
			"read: %s", fll, gc_error_string(e));
		gc_error_free(e);
		return r;
	}
	if (unreadable && (e = gc_report_add(rep, GC_SEV_WARNING, "p2m-fll",
					     false, 0, "%" PRIu64 " frames of "
					     "the p2m tree are not in the dump",
					     unreadable)))
		return e;
	return summary(&c);
}

static bool ksym_value(struct gc_kernel *k, const char *name, uint64_t *v,
		       bool deref)
{
	struct gc_symbol s;
	struct gc_error *e = gc_kernel_symbol(k, name, &s);
	if (!e && deref)
		e = gc_kernel_read_u64(k, s.addr, v);
	else if (!e)
		*v = s.addr;
	gc_error_free(e);
	return !e;
}

static struct gc_error *check_linear(struct gc_kernel *k, struct gc_dump *d,
				     struct gc_report *rep, uint64_t list,
				     uint64_t size)
{
	struct cmp c = {.k = k, .d = d, .rep = rep,
			.what = "the guest's linear p2m list (xen_p2m_addr)"};
	uint64_t page[512];
	uint64_t unreadable = 0;
	if (size > (1ull << 30))
		return gc_report_add(rep, GC_SEV_WARNING, "p2m-linear", false,
				     0, "xen_p2m_size %" PRIu64 " is "
				     "implausible", size);
	for (uint64_t base = 0; base < size; base += 512) {
		struct gc_error *e = gc_kernel_read(k, list + base * 8, page,
						    sizeof(page));
		if (e) {
			gc_error_free(e);
			unreadable++;
			continue;
		}
		for (uint64_t i = 0; i < 512 && base + i < size; i++)
			if ((e = compare(&c, base + i, page[i]))) {
				cmp_done(&c);
				return e;
			}
	}
	struct gc_error *e;
	cmp_done(&c);
	if (unreadable && (e = gc_report_add(rep, GC_SEV_WARNING, "p2m-linear",
					     false, 0, "%" PRIu64 " pages of "
					     "the linear p2m list cannot be "
					     "read", unreadable)))
		return e;
	return summary(&c);
}

static struct gc_error *check_tree(struct gc_kernel *k, struct gc_dump *d,
				   struct gc_report *rep,
				   uint64_t top_va, uint64_t mid_missing,
				   uint64_t missing, uint64_t max_pfn)
{
	struct cmp c = {.k = k, .d = d, .rep = rep,
			.what = "the guest's 3-level p2m tree (p2m_top)"};
	uint64_t *top = malloc(3 * 4096);
	if (!top)
		return &gc_error_nomem;
	uint64_t *mid = top + 512, *leaf = top + 1024;
	struct gc_error *e = gc_kernel_read(k, top_va, top, 4096);
	for (uint64_t t = 0; !e && t < 512; t++) {
		if (top[t] == mid_missing ||
		    t * 512 * 512 >= max_pfn)
			continue;
		struct gc_error *e1 = gc_kernel_read(k, top[t], mid, 4096);
		if (e1) {
			gc_error_free(e1);
			continue;
		}
		for (uint64_t m = 0; !e && m < 512; m++) {
			uint64_t base = (t * 512 + m) * 512;
			if (mid[m] == missing || base >= max_pfn)
				continue;
			struct gc_error *e2 = gc_kernel_read(k, mid[m], leaf,
							     4096);
			if (e2) {
				gc_error_free(e2);
				continue;
			}
			for (uint64_t i = 0; !e && i < 512; i++)
				e = compare(&c, base + i, leaf[i]);
		}
	}
	free(top);
	cmp_done(&c);
	if (e) {
		struct gc_error *r = e == &gc_error_nomem ? e :
			gc_report_add(rep, GC_SEV_WARNING, "p2m-tree", false, 0,
				      "p2m_top cannot be read: %s",
				      gc_error_string(e));
		if (e != &gc_error_nomem)
			gc_error_free(e);
		return r;
	}
	return summary(&c);
}

struct gc_error *gc_xen_p2m_check(struct gc_kernel *k, struct gc_dump *d,
				  struct gc_report *rep)
{
	struct gc_error *e = check_fll(k, d, rep);
	if (e)
		return e;
	const struct gc_field *src = gc_dump_field_by_name(d, "p2m_source");
	if (src)  /* legacy dump: its pfn map IS the guest's p2m */
		return gc_report_add(rep, GC_SEV_NOTE, "p2m-guest", false, 0,
				     "the dump has no pfn column; its pfn map "
				     "is the guest's own p2m (%s), so there is "
				     "nothing independent to compare it with",
				     src->value);
	uint64_t list, size, top, mid_missing, missing, max_pfn;
	if (ksym_value(k, "xen_p2m_addr", &list, true) &&
	    ksym_value(k, "xen_p2m_size", &size, true))
		return check_linear(k, d, rep, list, size);
	if (ksym_value(k, "p2m_top", &top, true) &&
	    ksym_value(k, "p2m_mid_missing", &mid_missing, true) &&
	    ksym_value(k, "p2m_missing", &missing, true)) {
		if (!ksym_value(k, "xen_max_p2m_pfn", &max_pfn, true))
			max_pfn = 512ull * 512 * 512;
		return check_tree(k, d, rep, top, mid_missing, missing, max_pfn);
	}
	return gc_report_add(rep, GC_SEV_NOTE, "p2m-guest", false, 0,
			     "the guest's own p2m was not rebuilt: no "
			     "xen_p2m_addr/xen_p2m_size or p2m_top symbol "
			     "(kallsyms, --system-map)");
}

/* ---- rebuilding the table (legacy dumps without a pfn column) ---------- */

#define REBUILD_MAX (1ull << 28) /* entries: a 1 TiB guest */

const char *gc_xen_p2m_flag_name(uint64_t entry)
{
	return (entry & P2M_FOREIGN) ? "FOREIGN" :
	       (entry & P2M_IDENTITY) ? "IDENTITY" : NULL;
}

/* pfn -> mfn runs built entry by entry in ascending pfn order: memory is
 * the runs, never a table of every entry, and the entries that may name a
 * frame are bounded by the dump's frames (a guest's p2m names each of its
 * frames once; 2^28 entries naming one frame were 2^28 runs). */
struct p2m_build {
	unsigned int shift;
	uint64_t frames, max_mapped;
	struct gc_xen_p2m_stats *st;
	struct gc_xlat_entry *runs;
	size_t n, cap;
};

static void build_init(struct p2m_build *b, unsigned int shift,
		       uint64_t frames, struct gc_xen_p2m_stats *st)
{
	memset(b, 0, sizeof(*b));
	memset(st, 0, sizeof(*st));
	b->shift = shift;
	b->st = st;
	b->frames = frames;
	b->max_mapped = frames > (UINT64_MAX - 1024) / 2 ? UINT64_MAX :
			2 * frames + 1024;
}

static struct gc_error *build_add(struct p2m_build *b, uint64_t pfn0,
				  const uint64_t *ent, uint64_t cnt)
{
	struct gc_xen_p2m_stats *st = b->st;
	uint64_t mfn_limit = 1ull << (52 - b->shift), psize = 1ull << b->shift;
	for (uint64_t i = 0; i < cnt; i++) {
		uint64_t m = ent[i];
		if (m == P2M_INVALID)
			continue;
		/* not the guest's RAM: never mapped as if it were (an
		 * identity pfn equal to a dumped mfn read another page) */
		if (m & P2M_FOREIGN) {
			st->foreign++;
			continue;
		}
		if (m & P2M_IDENTITY) {
			st->identity++;
			continue;
		}
		if (m >= mfn_limit) {
			st->wild++;
			continue;
		}
		if (st->mapped == b->max_mapped)
			return gc_error_new(GC_ERR_CORRUPT, "guest p2m",
					    "more than %" PRIu64 " entries "
					    "(twice the dump's %" PRIu64
					    " frames, plus 1024) name a "
					    "machine frame, but a guest's p2m "
					    "names each of its frames once: "
					    "refused", b->max_mapped,
					    b->frames);
		st->mapped++;
		uint64_t from = (pfn0 + i) << b->shift, to = m << b->shift;
		struct gc_xlat_entry *l = b->n ? &b->runs[b->n - 1] : NULL;
		if (l && l->from + l->len == from && l->to + l->len == to) {
			l->len += psize;
			continue;
		}
		struct gc_xlat_entry one = { from, to, psize };
		if (!gc_vec_push(&b->runs, &b->n, &b->cap, &one))
			return &gc_error_nomem;
	}
	return NULL;
}

/* The xlat over COUNT entries; frees the runs either way. */
static struct gc_error *build_finish(struct p2m_build *b, uint64_t count,
				     struct gc_error *err,
				     struct gc_xlat **out)
{
	if (!err)
		err = gc_xlat_table(b->runs, b->n, "xen-guest-p2m",
				    GC_SPACE_PHYS, GC_SPACE_MACH,
				    "~0 (no frame) in the guest's p2m", out);
	free(b->runs);
	b->runs = NULL;
	if (!err)
		(*out)->limit = count << b->shift;
	return err;
}

struct gc_error *gc_xen_p2m_table_xlat(const uint64_t *table, uint64_t count,
				       unsigned int page_shift,
				       uint64_t dump_frames,
				       struct gc_xen_p2m_stats *st,
				       struct gc_xlat **out)
{
	*out = NULL;
	struct gc_xen_p2m_stats dummy;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (count > REBUILD_MAX || page_shift < 9 || page_shift > 20)
		return gc_error_new(GC_ERR_CORRUPT, "guest p2m",
				    "%" PRIu64 " entries is implausible", count);
	struct p2m_build b;
	build_init(&b, page_shift, dump_frames, st);
	return build_finish(&b, count, build_add(&b, 0, table, count), out);
}

static struct gc_error *rebuild_linear(struct gc_kernel *k, uint64_t list,
				       uint64_t size, struct p2m_build *b,
				       struct gc_xlat **out, char **source)
{
	if (!size || size > REBUILD_MAX)
		return gc_error_new(GC_ERR_CORRUPT, "xen_p2m_size",
				    "%" PRIu64 " entries is implausible", size);
	uint64_t page[512];
	uint64_t unreadable = 0;
	struct gc_error *err = NULL;
	for (uint64_t base = 0; base < size && !err; base += 512) {
		uint64_t n = GC_MIN(size - base, 512);
		struct gc_error *e = gc_kernel_read(k, list + base * 8, page,
						    n * 8);
		if (e == &gc_error_nomem) {
			err = e;
		} else if (e) {  /* its entries stay unmapped */
			gc_error_free(e);
			unreadable++;
		} else {
			err = build_add(b, base, page, n);
		}
	}
	err = build_finish(b, size, err, out);
	if (err)
		return err;
	*source = unreadable ?
		gc_asprintf("the guest's linear p2m list (xen_p2m_addr 0x%"
			    PRIx64 ", xen_p2m_size %" PRIu64 "; %" PRIu64
			    " pages unreadable)", list, size, unreadable) :
		gc_asprintf("the guest's linear p2m list (xen_p2m_addr 0x%"
			    PRIx64 ", xen_p2m_size %" PRIu64 ")", list, size);
	return *source ? NULL : &gc_error_nomem;
}

static struct gc_error *rebuild_tree(struct gc_kernel *k, uint64_t top_va,
				     uint64_t mid_missing, uint64_t missing,
				     uint64_t max_pfn, struct p2m_build *b,
				     struct gc_xlat **out, char **source)
{
	uint64_t *top = malloc(3 * 4096);
	if (!top)
		return &gc_error_nomem;
	uint64_t *mid = top + 512, *leaf = top + 1024;
	struct gc_error *e = gc_kernel_read(k, top_va, top, 4096);
	if (e) {
		free(top);
		return gc_error_context(e, "reading p2m_top");
	}
	/* The table ends after the last leaf that is not p2m_missing. */
	uint64_t end = 0, unreadable = 0;
	for (uint64_t t = 0; t < 512; t++) {
		if (top[t] == mid_missing || t * 512 * 512 >= max_pfn)
			continue;
		struct gc_error *e1 = gc_kernel_read(k, top[t], mid, 4096);
		if (e1) {
			gc_error_free(e1);
			continue;
		}
		for (uint64_t m = 0; m < 512; m++)
			if (mid[m] != missing && (t * 512 + m) * 512 < max_pfn)
				end = (t * 512 + m + 1) * 512;
	}
	end = GC_MIN(end, max_pfn);
	if (!end || end > REBUILD_MAX) {
		free(top);
		return gc_error_new(GC_ERR_CORRUPT, "p2m_top", "the tree maps "
				    "%" PRIu64 " pfns", end);
	}
	struct gc_error *err = NULL;
	for (uint64_t t = 0; t * 512 * 512 < end && !err; t++) {
		if (top[t] == mid_missing)
			continue;
		struct gc_error *e1 = gc_kernel_read(k, top[t], mid, 4096);
		if (e1) {
			gc_error_free(e1);
			unreadable++;
			continue;
		}
		for (uint64_t m = 0; m < 512 && !err; m++) {
			uint64_t base = (t * 512 + m) * 512;
			if (mid[m] == missing || base >= end)
				continue;
			uint64_t n = GC_MIN(end - base, 512);
			e1 = gc_kernel_read(k, mid[m], leaf, n * 8);
			if (e1 == &gc_error_nomem) {
				err = e1;
			} else if (e1) {  /* its entries stay unmapped */
				gc_error_free(e1);
				unreadable++;
			} else {
				err = build_add(b, base, leaf, n);
			}
		}
	}
	free(top);
	err = build_finish(b, end, err, out);
	if (err)
		return err;
	*source = unreadable ?
		gc_asprintf("the guest's 3-level p2m tree (p2m_top 0x%" PRIx64
			    "; %" PRIu64 " pages unreadable)", top_va,
			    unreadable) :
		gc_asprintf("the guest's 3-level p2m tree (p2m_top 0x%" PRIx64
			    ")", top_va);
	return *source ? NULL : &gc_error_nomem;
}

struct gc_error *gc_xen_p2m_rebuild(struct gc_kernel *k, uint64_t dump_frames,
				    struct gc_xlat **out, char **source)
{
	*out = NULL;
	*source = NULL;
	uint64_t list, size, top, mid_missing, missing, max_pfn;
	struct gc_xen_p2m_stats st;
	struct p2m_build b;
	build_init(&b, 12, dump_frames, &st);
	struct gc_error *e;
	if (ksym_value(k, "xen_p2m_addr", &list, true) &&
	    ksym_value(k, "xen_p2m_size", &size, true)) {
		e = rebuild_linear(k, list, size, &b, out, source);
	} else if (ksym_value(k, "p2m_top", &top, true) &&
		   ksym_value(k, "p2m_mid_missing", &mid_missing, true) &&
		   ksym_value(k, "p2m_missing", &missing, true)) {
		if (!ksym_value(k, "xen_max_p2m_pfn", &max_pfn, true))
			max_pfn = 512ull * 512 * 512;
		e = rebuild_tree(k, top, mid_missing, missing, max_pfn, &b,
				 out, source);
	} else {
		return gc_error_new(GC_ERR_NOT_PRESENT, "guest p2m",
				    "no xen_p2m_addr/xen_p2m_size or p2m_top "
				    "symbol (kallsyms, --system-map)");
	}
	if (!e && (st.identity || st.foreign || st.wild)) {
		char wild[80] = "";
		if (st.wild)
			snprintf(wild, sizeof(wild), " and %" PRIu64 " mfns past "
				 "the 52-bit machine address space", st.wild);
		char *s = gc_asprintf("%s, without %" PRIu64 " IDENTITY and %"
				      PRIu64 " FOREIGN entries (not the "
				      "guest's RAM)%s", *source, st.identity,
				      st.foreign, wild);
		free(*source);
		*source = s;
		if (!s)
			e = &gc_error_nomem;
	}
	if (e) {
		gc_xlat_free(*out);
		*out = NULL;
		free(*source);
		*source = NULL;
	}
	return e;
}
