// SPDX-License-Identifier: MIT
/*
 * AMD nested page tables (NPT): guest-physical -> host-physical through
 * the tables rooted at a VMCB's nested_cr3.  They have the host's own
 * long-mode page-table format (AMD64 APM vol. 2, 15.25.5): present bit 0,
 * address bits 51:12, PS (bit 7) making a 1 GiB leaf at level 3 and a
 * 2 MiB leaf at level 2; KVM builds them with the host's paging depth (4,
 * or 5 with LA57).  Entries KVM uses for MMIO (present with reserved high
 * bits set) and entries pointing outside host memory are not mappings.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/kernel.h"
#include "guestcore/svm.h"
#include "svm_internal.h"
#include "util/util.h"

#define P (1ull << 0)
#define PS (1ull << 7)
#define ADDR 0x000ffffffffff000ull

unsigned int gc_svm_host_levels(struct gc_dump *host)
{
	const char *text;
	size_t len;
	uint64_t off;
	struct gc_error *err = gc_dump_vmcoreinfo(host, &text, &len, &off);
	if (err) {
		gc_error_free(err);
		return 4;
	}
	struct gc_vmcoreinfo *vi;
	if ((err = gc_vmcoreinfo_parse(text, len, &vi))) {
		gc_error_free(err);
		return 4;
	}
	int64_t l5 = 0;
	bool have = gc_vmcoreinfo_number(vi, "pgtable_l5_enabled", &l5);
	gc_vmcoreinfo_free(vi);
	return have && l5 ? 5 : 4;
}

/* Entry E at LEVEL (1 PTE .. 5 PML5E) is a leaf / misconfigured. */
static bool is_leaf(uint64_t e, unsigned int level)
{
	return level == 1 || ((level == 2 || level == 3) && (e & PS));
}

static const char *bad_entry(uint64_t e, unsigned int level, uint64_t max)
{
	/* bits 62:52 are available to software (KVM keeps its own marks
	 * there); 51:M reserved: any address at or past host memory */
	uint64_t a = e & ADDR;
	if ((level == 4 || level == 5) && (e & PS))
		return "NPT entry with PS set above level 3 (reserved)";
	if (is_leaf(e, level) && level > 1) {
		uint64_t low = (1ull << (12 + 9 * (level - 1))) - 1;
		/* bit 12 is PAT in a large leaf; 20:13 / 29:13 reserved */
		if (a & low & ~0x1000ull)
			return "NPT large-page entry with reserved address "
			       "bits set";
		a &= ~low;
	}
	if (a >= max)
		return "NPT entry beyond host memory (KVM's MMIO marker or "
		       "damage)";
	return NULL;
}

struct gc_error *gc_npt_translate(const struct gc_hostmem *mem, uint64_t ncr3,
				  unsigned int levels, uint64_t gpa,
				  struct gc_npt_walk *out)
{
	memset(out, 0, sizeof(*out));
	if (levels != 4 && levels != 5)
		return gc_error_new(GC_ERR_INVALID_ARG, "NPT", "%u levels (4 or "
				    "5)", levels);
	uint64_t max = mem->max_paddr ? mem->max_paddr : 1ull << 52;
	uint64_t table = ncr3 & ADDR;
	if (ncr3 & ~ADDR & ~0xfffull)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS, ncr3,
				     "nested_cr3", "bits 63:52 set");
	if (gpa >> (12 + 9 * levels))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS, gpa,
				     "guest-physical address", "beyond the "
				     "%u-level NPT's reach", levels);
	for (unsigned int level = levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t ea = table + ((gpa >> shift) & 511) * 8;
		uint8_t b[8];
		struct gc_error *err = mem->read(mem->ctx, ea, b, 8);
		if (err)
			return gc_error_context(err, "NPT level %u entry at 0x%"
						PRIx64 " for guest 0x%" PRIx64,
						level, ea, gpa);
		uint64_t e = gc_get64(b, false);
		out->entry[out->depth] = e;
		out->entry_addr[out->depth++] = ea;
		if (!(e & P))
			return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_PHYS,
					     gpa, "guest-physical address",
					     "NPT level %u entry at 0x%" PRIx64
					     " not present", level, ea);
		const char *bad = bad_entry(e, level, max);
		if (bad)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS, gpa,
					     "guest-physical address",
					     "%s: level %u entry 0x%" PRIx64
					     " at 0x%" PRIx64, bad, level, e,
					     ea);
		if (is_leaf(e, level)) {
			uint64_t size = 1ull << shift;
			out->page_size = size;
			out->hpa = ((e & ADDR) & ~(size - 1)) | (gpa & (size - 1));
			return NULL;
		}
		table = e & ADDR;
	}
	return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_PHYS, gpa,
			     "guest-physical address", "NPT walk ended "
			     "without a leaf");
}

/* ---- the NPT as an address translation (spaces/xlat.h) ------------------ */

struct npt_xlat {
	const struct gc_hostmem *mem;
	uint64_t root, max;
	unsigned int levels;
};

/* The run at GPA: the leaf's page from GPA on, or the whole span of the
 * first entry that is not present, bad, or in an unreadable table. */
static struct gc_error *npt_lookup(struct gc_xlat *x, uint64_t gpa,
				   struct gc_xlat_run *out)
{
	const struct npt_xlat *n = x->priv;
	uint64_t table = n->root;
	for (unsigned int level = n->levels; level >= 1; level--) {
		unsigned int shift = 12 + 9 * (level - 1);
		uint64_t size = 1ull << shift;
		uint64_t ea = table + ((gpa >> shift) & 511) * 8;
		*out = (struct gc_xlat_run){ .status = GC_XLAT_UNMAPPED,
					     .len = size - (gpa & (size - 1)) };
		uint8_t b[8];
		struct gc_error *err = n->mem->read(n->mem->ctx, ea, b, 8);
		if (err) {
			gc_error_free(err);
			out->status = GC_XLAT_NOT_READABLE;
			out->reason = "NPT table not readable in the host dump";
			if (level == n->levels)
				out->len = x->limit - gpa;
			else
				out->len = (size << 9) -
					   (gpa & ((size << 9) - 1));
			return NULL;
		}
		uint64_t e = gc_get64(b, false);
		if (!(e & P)) {
			static const char *const why[] = {
				"?", "NPT PTE not present", "NPT PDE not present",
				"NPT PDPE not present", "NPT PML4E not present",
				"NPT PML5E not present",
			};
			out->reason = why[level];
			return NULL;
		}
		const char *bad = bad_entry(e, level, n->max);
		if (bad) {
			out->reason = bad;
			return NULL;
		}
		if (is_leaf(e, level)) {
			out->status = GC_XLAT_MAPPED;
			out->target = ((e & ADDR) & ~(size - 1)) |
				      (gpa & (size - 1));
			return NULL;
		}
		table = e & ADDR;
	}
	return gc_error_addr(GC_ERR_TRANSLATION, GC_SPACE_PHYS, gpa,
			     "guest-physical address", "NPT walk ended "
			     "without a leaf");
}

static void npt_destroy(struct gc_xlat *x)
{
	free(x->priv);
}

static const struct gc_xlat_ops npt_xlat_ops = {
	.lookup = npt_lookup,
	.destroy = npt_destroy,
};

struct gc_error *gc_npt_xlat_new(const struct gc_hostmem *mem, uint64_t ncr3,
				 unsigned int levels, struct gc_xlat **out)
{
	*out = NULL;
	if (levels != 4 && levels != 5)
		return gc_error_new(GC_ERR_INVALID_ARG, "NPT", "%u levels (4 or "
				    "5)", levels);
	uint64_t max = mem->max_paddr ? mem->max_paddr : 1ull << 52;
	if ((ncr3 & ~ADDR) || !ncr3 || ncr3 >= max)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_PHYS, ncr3,
				     "nested_cr3", "not a page-aligned address "
				     "inside host memory (end 0x%" PRIx64 ")",
				     max);
	struct npt_xlat *n = calloc(1, sizeof(*n));
	if (!n)
		return &gc_error_nomem;
	*n = (struct npt_xlat){ .mem = mem, .root = ncr3, .max = max,
				.levels = levels };
	return gc_xlat_new(&npt_xlat_ops, n, "npt", GC_SPACE_PHYS,
			   GC_SPACE_PHYS, 1ull << (12 + 9 * levels), out);
}
