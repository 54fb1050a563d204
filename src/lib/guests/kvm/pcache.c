// SPDX-License-Identifier: MIT
/*
 * The page cache of the VMM's shared and file-backed guest RAM
 * (docs/kvm.md "Shared and file-backed guest RAM").  A guest page whose
 * VMM address has no page-table entry but lies in a VMA with a vm_file
 * (shmem / memfd, hugetlbfs, a regular file) may still be in that file's
 * page cache: vma->vm_file->f_mapping->i_pages, an xarray indexed by the
 * page's offset in the file.  Everything read here comes from a hostile
 * dump: the xarray's depth is bounded, each node's shift must be the one
 * its parent implies, a struct page pointer must lie on the vmemmap's
 * grid below 2^52 bytes of physical memory, and the page found must name
 * the same address_space and index; anything else is an error naming the
 * address and what was expected.
 */
#include <inttypes.h>
#include <string.h>

#include "guests/kvm/kvm_internal.h"
#include "util/util.h"

const char *kvm_pc_backing_name(enum kvm_pc_backing b)
{
	switch (b) {
	case KVM_PC_SHMEM: return "shmem";
	case KVM_PC_MEMFD: return "memfd";
	case KVM_PC_HUGETLBFS: return "hugetlbfs";
	case KVM_PC_FILE: return "file";
	default: return "?";
	}
}

/* The xarray's entry encoding (Linux include/linux/xarray.h): bits 1:0
 * 00 a pointer, x1 a value (e.g. a shmem swap entry), 10 internal:
 * a node (address + 2, above 4096), a sibling (0..62: the multi-index
 * entry's first slot), the retry entry (256) or the zero entry (257). */
#define XA_INTERNAL(e) (((e) & 3) == 2)
#define XA_NODE(e) (XA_INTERNAL(e) && (e) > 4096)
#define XA_RETRY 256u
#define XA_ZERO 257u

static uint64_t low_mask(unsigned int bits)
{
	return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/* Where an entry of the xarray was found. */
struct xa_hit {
	uint64_t entry;      /* 0: none */
	uint64_t first;      /* the first index it covers (a multi-index
				entry covers more than the index asked) */
	int shift;           /* the shift of the node holding it; -1: it is
				xa_head itself */
	unsigned int sibs;   /* sibling slots right after it that name it
				(counted only when asked) */
};

/* The slots after slot OFF of NODE that are siblings naming OFF. */
static struct gc_error *count_sibs(const struct kvm_layout *l,
				   const struct kvm_mem *m, uint64_t node,
				   unsigned int off, unsigned int *n)
{
	*n = 0;
	for (unsigned int s = off + 1; s < 64; s++) {
		uint64_t e;
		struct gc_error *err = kvm_rd64(m, node + l->xa_node_slots +
							   8ull * s, &e);
		if (err)
			return gc_error_context(err, "page cache xa_node");
		if (!XA_INTERNAL(e) || XA_NODE(e) || (e >> 2) != off)
			break;
		(*n)++;
	}
	return NULL;
}

/* The entry for INDEX in the xarray whose xa_head is at HEAD (OUT->entry
 * 0: none), the first index of that entry, the shift of the node holding
 * it and, with SIBS, how many sibling slots follow it. */
static struct gc_error *xa_entry(const struct kvm_layout *l,
				 const struct kvm_mem *m, uint64_t head,
				 uint64_t index, bool sibs, struct xa_hit *out)
{
	uint64_t e;
	memset(out, 0, sizeof(*out));
	out->first = index;
	out->shift = -1;
	struct gc_error *err = kvm_rd64(m, head, &e);
	if (err)
		return gc_error_context(err, "the page cache's xa_head");
	if (!XA_NODE(e)) {
		if (XA_INTERNAL(e) && (e >> 2) != XA_ZERO)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     head, "page cache xarray",
					     "xa_head 0x%" PRIx64 " is an "
					     "internal entry that is not a "
					     "node (expected a node, a page "
					     "or a value)", e);
		out->entry = index == 0 && !XA_INTERNAL(e) ? e : 0;
		return NULL;
	}
	int want = -1;
	for (unsigned int d = 0; d < KVM_XA_MAX_DEPTH; d++) {
		uint64_t node = e - 2;
		uint8_t shift;
		if ((err = m->read(m->ctx, node + l->xa_node_shift, &shift, 1)))
			return gc_error_context(err, "page cache xa_node");
		if (shift > 60 || shift % 6)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "page cache xa_node",
					     "shift %u (expected a multiple "
					     "of 6 up to 60)", shift);
		if (want >= 0 && shift != want)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "page cache xa_node",
					     "shift %u under a node of shift "
					     "%d (expected %d)", shift,
					     want + 6, want);
		if (d == 0 && (index & ~low_mask(shift + 6u)))
			return NULL;  /* beyond the tree's reach: none */
		unsigned int off = (unsigned int)(index >> shift) & 63;
		if ((err = kvm_rd64(m, node + l->xa_node_slots + 8ull * off, &e)))
			return gc_error_context(err, "page cache xa_node");
		if (XA_INTERNAL(e) && !XA_NODE(e) && (e >> 2) <= 62) {
			unsigned int sib = (unsigned int)(e >> 2);
			if (sib >= off)
				return gc_error_addr(
					GC_ERR_CORRUPT, GC_SPACE_KVIRT, node,
					"page cache xa_node", "slot %u is a "
					"sibling of slot %u (expected an "
					"earlier slot)", off, sib);
			off = sib;
			if ((err = kvm_rd64(m, node + l->xa_node_slots + 8ull * off,
					&e)))
				return gc_error_context(err, "page cache "
							"xa_node");
			if (XA_INTERNAL(e))
				return gc_error_addr(
					GC_ERR_CORRUPT, GC_SPACE_KVIRT, node,
					"page cache xa_node", "slot %u, named "
					"by a sibling, holds internal entry "
					"0x%" PRIx64 " (expected a page or a "
					"value)", off, e);
		}
		if (XA_NODE(e)) {
			if (!shift)
				return gc_error_addr(
					GC_ERR_CORRUPT, GC_SPACE_KVIRT, node,
					"page cache xa_node", "slot %u of a "
					"shift-0 node points to another node",
					off);
			want = shift - 6;
			continue;
		}
		if (XA_INTERNAL(e)) {
			if ((e >> 2) == XA_ZERO)
				return NULL;
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "page cache xa_node",
					     "slot %u holds internal entry 0x%"
					     PRIx64 " (%s)", off, e,
					     (e >> 2) == XA_RETRY ?
						     "a retry entry: the dump "
						     "caught the tree changing" :
						     "expected a node, a page "
						     "or a value");
		}
		out->first = (index & ~low_mask(shift + 6u)) |
			     ((uint64_t)off << shift);
		out->entry = e;
		out->shift = shift;
		return sibs ? count_sibs(l, m, node, off, &out->sibs) : NULL;
	}
	return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, head,
			     "page cache xarray", "deeper than %u nodes",
			     KVM_XA_MAX_DEPTH);
}

/* What backs VMA's file: hugetlbfs (VM_HUGETLB, checked against the
 * superblock's magic), shmem (tmpfs magic; "memfd:" names), or a
 * regular file.  *HORDER: hugetlbfs's huge page order. */
static struct gc_error *backing(const struct kvm_layout *l,
				const struct kvm_mem *m,
				const struct kvm_vma *vma, uint64_t file,
				enum kvm_pc_backing *out, unsigned int *horder)
{
	uint64_t inode, sb, magic;
	struct gc_error *err;
	if ((err = kvm_rd64(m, file + l->file_inode, &inode)) ||
	    (err = kvm_rd64(m, inode + l->inode_sb, &sb)) ||
	    (err = kvm_rd64(m, sb + l->sb_magic, &magic)))
		return gc_error_context(err, "the superblock of file 0x%"
					PRIx64, file);
	bool huge = vma->flags & KVM_VM_HUGETLB;
	if (huge != (magic == KVM_HUGETLBFS_MAGIC))
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->addr,
				     "vm_area_struct", "VM_HUGETLB is %s but "
				     "the file's superblock magic is 0x%"
				     PRIx64 " (expected %s hugetlbfs's 0x%llx)",
				     huge ? "set" : "clear", magic,
				     huge ? "" : "other than",
				     KVM_HUGETLBFS_MAGIC);
	*horder = 0;
	if (huge) {
		*out = KVM_PC_HUGETLBFS;
		if (!l->has_hugetlb_order)
			return gc_error_addr(GC_ERR_UNSUPPORTED,
					     GC_SPACE_KVIRT, file, "hugetlbfs",
					     "the host's types lack "
					     "hugetlbfs_sb_info.hstate / "
					     "hstate.order");
		uint64_t info, hs;
		uint32_t order = 0;
		if ((err = kvm_rd64(m, sb + l->sb_fs_info, &info)) ||
		    (err = kvm_rd64(m, info + l->hsb_hstate, &hs)) ||
		    (err = m->read(m->ctx, hs + l->hstate_order, &order, 4)))
			return gc_error_context(err, "the huge page size of "
						"file 0x%" PRIx64, file);
		if (order < 1 || order > 18)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     hs, "hstate", "order %" PRIu32
					     " (expected 1..18: 8 KiB..1 GiB)",
					     order);
		*horder = order;
		return NULL;
	}
	if (magic != KVM_TMPFS_MAGIC) {
		*out = KVM_PC_FILE;
		return NULL;
	}
	*out = KVM_PC_SHMEM;
	/* memfd or plain shmem by the file's name; unreadable means shmem */
	uint64_t dentry = 0, name = 0;
	char nm[6];
	struct gc_error *e2 = kvm_rd64(m, file + l->file_dentry, &dentry);
	if (!e2 && dentry)
		e2 = kvm_rd64(m, dentry + l->dentry_name, &name);
	if (!e2 && dentry && name &&
	    !(e2 = m->read(m->ctx, name, nm, sizeof(nm))) &&
	    !memcmp(nm, "memfd:", 6))
		*out = KVM_PC_MEMFD;
	gc_error_free(e2);
	return NULL;
}

/* ENTRY, found in the page cache of MAPPING, as a struct page in the
 * vmemmap at VMEMMAP: its address (the entry itself), mapping and index. */
static struct gc_error *page_of(const struct kvm_layout *l,
				const struct kvm_mem *m, uint64_t vmemmap,
				uint64_t mapping, uint64_t e, uint64_t index,
				uint64_t va, uint64_t *pmap, uint64_t *pidx)
{
	if (!vmemmap || !l->page_size)
		return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_KVIRT, e,
				     "page cache", "struct page of VMM address "
				     "0x%" PRIx64 ": the vmemmap's base or "
				     "sizeof(struct page) is unknown", va);
	if (e < vmemmap || (e - vmemmap) % l->page_size ||
	    (e - vmemmap) / l->page_size >= KVM_PCACHE_MAX_PFN)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, mapping,
				     "page cache", "entry 0x%" PRIx64 " at "
				     "index 0x%" PRIx64 " of VMM address 0x%"
				     PRIx64 " is not a struct page (expected "
				     "vmemmap 0x%" PRIx64 " + a multiple of %"
				     PRIu64 " below pfn 2^40)", e, index,
				     va, vmemmap, l->page_size);
	struct gc_error *err;
	if ((err = kvm_rd64(m, e + l->page_mapping, pmap)) ||
	    (err = kvm_rd64(m, e + l->page_index, pidx)))
		return gc_error_context(err, "struct page of VMM address 0x%"
					PRIx64, va);
	return NULL;
}

/* The folio order of the struct page at PAGE (page[1].compound_order). */
static struct gc_error *folio_order(const struct kvm_layout *l,
				    const struct kvm_mem *m, uint64_t page,
				    uint64_t va, uint8_t *order)
{
	struct gc_error *err = m->read(m->ctx, page + l->page_size +
						       l->page_compound_order,
				       order, 1);
	return gc_error_context(err, "the folio order of VMM address 0x%"
				PRIx64, va);
}

/*
 * hugetlbfs has indexed its page cache two ways (mm/filemap.c, mm/hugetlb.c):
 * before Linux 6.7 in huge pages, each huge page one single-index entry
 * (hugetlb folios were never given an xarray order) whose page->index
 * counts huge pages; from 6.7 (commit a08c7193e4f1, "mm/filemap: remove
 * hugetlb special casing in filemap.c", backported by some distributions)
 * in base pages like any file, each huge page one multi-index entry of
 * the huge page's order (xas_set_order: a node of shift order - order %
 * 6 holding the entry and 2^(order % 6) - 1 siblings after it) at the
 * huge page's first base index, which is also its page->index.  No
 * kernel version or type tells which (the layout of struct page and the
 * xarray did not change), so the entries say it: a lookup answers only
 * with an entry shaped and indexed exactly as one of the two ways, at the
 * index that way gives, never with the folio of another index.
 */
enum hshape { H_NONE, H_HUGE, H_BASE };

struct hprobe {
	enum hshape shape;
	uint64_t page;         /* the struct page (H_HUGE, H_BASE) */
	uint64_t first;        /* the entry's first index */
};

/* hugetlbfs's page cache (huge pages of order HORDER) at INDEX: nothing,
 * a single-index entry at INDEX naming INDEX (H_HUGE), or a multi-index
 * entry of order HORDER covering INDEX whose page->index is its first
 * index (H_BASE); anything else an error. */
static struct gc_error *hugetlb_probe(const struct kvm_layout *l,
				      const struct kvm_mem *m,
				      uint64_t vmemmap, uint64_t mapping,
				      unsigned int horder, uint64_t index,
				      uint64_t va, struct hprobe *out)
{
	memset(out, 0, sizeof(*out));
	struct xa_hit h;
	struct gc_error *err = xa_entry(l, m, mapping + l->as_xa_head, index,
					true, &h);
	if (err)
		return err;
	if (!h.entry)
		return NULL;
	if (h.entry & 1)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, mapping,
				     "hugetlbfs page cache", "value entry 0x%"
				     PRIx64 " at index 0x%" PRIx64 " (hugetlbfs "
				     "pages are never swapped)", h.entry,
				     index);
	int bshift = (int)(horder - horder % 6);
	unsigned int bsibs = (1u << (horder % 6)) - 1;
	if (h.shift <= 0 && h.sibs == 0 && h.first == index) {
		out->shape = H_HUGE;
	} else if (h.shift == bshift && h.sibs == bsibs &&
		   h.first == (index & ~low_mask(horder))) {
		out->shape = H_BASE;
	} else {
		return gc_error_addr(
			GC_ERR_CORRUPT, GC_SPACE_KVIRT, mapping,
			"hugetlbfs page cache", "the entry for index 0x%"
			PRIx64 " starts at index 0x%" PRIx64 " in a node of "
			"shift %d with %u sibling slots after it (expected "
			"a single-index entry at index 0x%" PRIx64 ", Linux "
			"< 6.7, or an entry of order %u at index 0x%" PRIx64
			" in a node of shift %d with %u siblings, Linux >= "
			"6.7)", index, h.first, h.shift, h.sibs, index,
			horder, index & ~low_mask(horder), bshift, bsibs);
	}
	uint64_t pmap, pidx;
	if ((err = page_of(l, m, vmemmap, mapping, h.entry, index, va, &pmap,
			   &pidx)))
		return err;
	if (pmap != mapping || pidx != h.first)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, h.entry,
				     "struct page", "mapping 0x%" PRIx64
				     " index 0x%" PRIx64 " (expected the "
				     "file's address_space 0x%" PRIx64 " and "
				     "index 0x%" PRIx64 " of VMM address 0x%"
				     PRIx64 ")", pmap, pidx, mapping, h.first,
				     va);
	if (l->has_compound_order) {
		/* the xarray gives the order of a multi-index entry; the
		 * folio's own is checked where the types have it */
		uint8_t order = 0;
		if ((err = folio_order(l, m, h.entry, va, &order)))
			return err;
		if (order != horder)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     h.entry, "struct page", "folio "
					     "order %u (expected hugetlbfs's "
					     "%u for VMM address 0x%" PRIx64 ")",
					     order, horder, va);
	}
	out->page = h.entry;
	out->first = h.first;
	return NULL;
}

/* VA of hugetlbfs VMA (vm_pgoff PGOFF, huge pages of order HORDER),
 * whose file's address_space is MAPPING. */
static struct gc_error *hugetlb_lookup(const struct kvm_layout *l,
				       const struct kvm_mem *m,
				       uint64_t vmemmap,
				       const struct kvm_vma *vma,
				       uint64_t mapping, uint64_t pgoff,
				       unsigned int horder, uint64_t va,
				       struct kvm_pc_page *out)
{
	uint64_t pg = (va - vma->start) >> 12, sub = pg & low_mask(horder);
	out->len += ((1ull << horder) - 1 - sub) << 12;
	/* hugetlbfs_file_mmap refuses a vm_pgoff that is not a whole
	 * number of huge pages */
	if (pgoff & low_mask(horder))
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->addr,
				     "vm_area_struct", "vm_pgoff 0x%" PRIx64
				     " of a hugetlbfs mapping is not a multiple "
				     "of its huge pages (order %u)", pgoff,
				     horder);
	/* the huge page's index in huge pages (mm/hugetlb.c
	 * vma_hugecache_offset) and in base pages (linear_page_index) */
	uint64_t hidx = (pg >> horder) + (pgoff >> horder);
	uint64_t bidx = hidx << horder;
	if (hidx < pg >> horder || bidx >> horder != hidx)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->addr,
				     "vm_area_struct", "vm_pgoff 0x%" PRIx64
				     " overflows the file's index", pgoff);
	struct hprobe a, b;
	struct gc_error *err = NULL;
	out->index = hidx;
	if ((err = hugetlb_probe(l, m, vmemmap, mapping, horder, hidx, va,
				 &a)))
		return gc_error_context(err, "page cache of VMM address 0x%"
					PRIx64 " (hugetlbfs, index 0x%" PRIx64
					" in huge pages)", va, hidx);
	b = a;
	if (bidx != hidx &&
	    (err = hugetlb_probe(l, m, vmemmap, mapping, horder, bidx, va,
				 &b)))
		return gc_error_context(err, "page cache of VMM address 0x%"
					PRIx64 " (hugetlbfs, index 0x%" PRIx64
					" in base pages)", va, bidx);
	bool huge = a.shape == H_HUGE || b.shape == H_HUGE;
	bool base = a.shape == H_BASE || b.shape == H_BASE;
	if (huge && base)
		return gc_error_addr(
			GC_ERR_CORRUPT, GC_SPACE_KVIRT, mapping,
			"hugetlbfs page cache", "VMM address 0x%" PRIx64 ": "
			"index 0x%" PRIx64 " holds a %s entry and index 0x%"
			PRIx64 " a %s one: whether this kernel indexes "
			"hugetlbfs in huge pages (Linux < 6.7) or in base "
			"pages (>= 6.7) cannot be established", va, hidx,
			a.shape == H_HUGE ? "single-index (huge-page)" :
					    "multi-index (base-page)",
			bidx, b.shape == H_HUGE ? "single-index (huge-page)" :
						  "multi-index (base-page)");
	/* nothing at either index: no huge page there whichever way the
	 * kernel counts (hugetlb_fault would allocate a zeroed one) */
	out->hindex = huge ? KVM_PC_HIDX_HUGE : base ? KVM_PC_HIDX_BASE :
						      KVM_PC_HIDX_EITHER;
	const struct hprobe *p = huge ? &a : &b;
	if (base)
		out->index = bidx;
	if (p->shape == H_NONE) {
		out->state = vma->flags & KVM_VM_UFFD_MISSING ? KVM_PC_UFFD :
								KVM_PC_HOLE;
		return NULL;
	}
	out->state = KVM_PC_PAGE;
	out->pfn = (p->page - vmemmap) / l->page_size + sub;
	return NULL;
}

struct gc_error *kvm_pcache_lookup(const struct kvm_layout *l,
				   const struct kvm_mem *m, uint64_t vmemmap,
				   const struct kvm_vma *vma, uint64_t va,
				   struct kvm_pc_page *out)
{
	memset(out, 0, sizeof(*out));
	out->len = 4096 - (va & 4095);
	if (!l->has_pcache)
		return gc_error_new(GC_ERR_UNSUPPORTED, "page cache",
				    "the host's types lack the page-cache "
				    "layout (file, address_space, struct "
				    "page)");
	if (!vma->file || va < vma->start || va >= vma->end)
		return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_NONE, va,
				     "page cache", "not in a file VMA");
	uint64_t pgoff, mapping;
	struct gc_error *err;
	if ((err = kvm_rd64(m, vma->addr + l->vma_pgoff, &pgoff)) ||
	    (err = kvm_rd64(m, vma->file + l->file_mapping, &mapping)))
		return gc_error_context(err, "VMA 0x%" PRIx64 " of VMM address "
					"0x%" PRIx64, vma->addr, va);
	if (!mapping)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->file,
				     "file", "f_mapping is NULL (expected "
				     "the file's address_space)");
	unsigned int horder = 0;
	if ((err = backing(l, m, vma, vma->file, &out->backing, &horder)))
		return err;
	if (horder)
		return hugetlb_lookup(l, m, vmemmap, vma, mapping, pgoff, horder,
				      va, out);
	uint64_t pg = (va - vma->start) >> 12;
	out->index = pgoff + pg;
	if (out->index < pg)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->addr,
				     "vm_area_struct", "vm_pgoff 0x%" PRIx64
				     " overflows the file's index", pgoff);
	struct xa_hit h;
	err = xa_entry(l, m, mapping + l->as_xa_head, out->index, false, &h);
	if (err)
		return gc_error_context(err, "page cache of VMM address 0x%"
					PRIx64 " (%s, index 0x%" PRIx64 ")",
					va, kvm_pc_backing_name(out->backing),
					out->index);
	uint64_t e = h.entry, first = h.first;
	if (!e || (e & 1)) {
		/* none: shmem allocates a zero page on fault (the guest
		 * reads zero) unless userfaultfd tracks missing pages (the
		 * VMM supplies them); a regular file reads it from disk.  A
		 * value: shmem's swap entry, a file's shadow entry. */
		if (out->backing == KVM_PC_FILE)
			out->state = KVM_PC_NOT_CACHED;
		else if (!e)
			out->state = vma->flags & KVM_VM_UFFD_MISSING ?
					     KVM_PC_UFFD : KVM_PC_HOLE;
		else
			out->state = KVM_PC_SWAPPED;
		return NULL;
	}
	/* a struct page (the folio's head) in the vmemmap */
	uint64_t pmap, pidx;
	if ((err = page_of(l, m, vmemmap, mapping, e, out->index, va, &pmap,
			   &pidx)))
		return err;
	if (pmap != mapping || pidx != first)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, e,
				     "struct page", "mapping 0x%" PRIx64
				     " index 0x%" PRIx64 " (expected the "
				     "file's address_space 0x%" PRIx64 " and "
				     "index 0x%" PRIx64 " of VMM address 0x%"
				     PRIx64 ")", pmap, pidx, mapping, first,
				     va);
	uint64_t delta = out->index - first;
	if (delta) {
		/* a large folio stored as one multi-index entry */
		unsigned int need = 0;
		while (need < 18 && (delta >> need))
			need++;
		uint8_t order = 0;
		if (!l->has_compound_order)
			return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_KVIRT,
					     e, "struct page", "a large folio "
					     "(order %u at least) and the "
					     "host's types lack "
					     "page.compound_order", need);
		if ((err = folio_order(l, m, e, va, &order)))
			return err;
		if (order < need || order > 18 || (delta >> order))
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, e,
					     "struct page", "folio order %u "
					     "(expected at least %u for VMM "
					     "address 0x%" PRIx64 ")", order,
					     need, va);
	}
	out->state = KVM_PC_PAGE;
	out->pfn = (e - vmemmap) / l->page_size + delta;
	return NULL;
}
