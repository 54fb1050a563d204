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

/* The entry for INDEX in the xarray whose xa_head is at HEAD (*OUT 0:
 * none) and the first index of that entry (a multi-index entry covers
 * more than INDEX). */
static struct gc_error *xa_entry(const struct kvm_layout *l,
				 const struct kvm_mem *m, uint64_t head,
				 uint64_t index, uint64_t *out,
				 uint64_t *first)
{
	uint64_t e;
	*out = 0;
	*first = index;
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
		*out = index == 0 && !XA_INTERNAL(e) ? e : 0;
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
		*first = (index & ~low_mask(shift + 6u)) |
			 ((uint64_t)off << shift);
		*out = e;
		return NULL;
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
	uint64_t pg = (va - vma->start) >> 12, sub = 0;
	if (horder) {
		/* Linux < 6.7 indexes hugetlbfs's page cache in huge pages:
		 * (addr - vm_start) >> huge_page_shift + (vm_pgoff >>
		 * huge_page_order) (mm/hugetlb.c vma_hugecache_offset) */
		out->index = (pg >> horder) + (pgoff >> horder);
		sub = pg & low_mask(horder);
		out->len += ((1ull << horder) - 1 - sub) << 12;
	} else {
		out->index = pgoff + pg;
	}
	if (out->index < pg >> horder)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, vma->addr,
				     "vm_area_struct", "vm_pgoff 0x%" PRIx64
				     " overflows the file's index", pgoff);
	uint64_t e, first;
	err = xa_entry(l, m, mapping + l->as_xa_head, out->index, &e, &first);
	if (err)
		return gc_error_context(err, "page cache of VMM address 0x%"
					PRIx64 " (%s, index 0x%" PRIx64 ")",
					va, kvm_pc_backing_name(out->backing),
					out->index);
	if (!e || (e & 1)) {
		/* none: shmem and hugetlbfs allocate a zero page on fault
		 * (the guest reads zero); a regular file reads it from disk.
		 * A value: shmem's swap entry, a file's shadow entry. */
		if (out->backing == KVM_PC_FILE)
			out->state = KVM_PC_NOT_CACHED;
		else if (!e)
			out->state = KVM_PC_HOLE;
		else if (out->backing == KVM_PC_HUGETLBFS)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     mapping, "hugetlbfs page cache",
					     "value entry 0x%" PRIx64 " at "
					     "index 0x%" PRIx64 " (hugetlbfs "
					     "pages are never swapped)", e,
					     out->index);
		else
			out->state = KVM_PC_SWAPPED;
		return NULL;
	}
	/* a struct page (the folio's head) in the vmemmap */
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
				     PRIu64 " below pfn 2^40)", e, out->index,
				     va, vmemmap, l->page_size);
	uint64_t pmap, pidx;
	if ((err = kvm_rd64(m, e + l->page_mapping, &pmap)) ||
	    (err = kvm_rd64(m, e + l->page_index, &pidx)))
		return gc_error_context(err, "struct page of VMM address 0x%"
					PRIx64, va);
	if (pmap != mapping || pidx != first)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, e,
				     "struct page", "mapping 0x%" PRIx64
				     " index 0x%" PRIx64 " (expected the "
				     "file's address_space 0x%" PRIx64 " and "
				     "index 0x%" PRIx64 " of VMM address 0x%"
				     PRIx64 ")", pmap, pidx, mapping, first,
				     va);
	uint64_t delta = out->index - first;
	unsigned int need = horder;
	if (delta) {
		/* a large folio stored as one multi-index entry */
		need = 0;
		while (need < 18 && (delta >> need))
			need++;
	}
	if (need) {
		uint8_t order = 0;
		if (!l->has_compound_order)
			return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_KVIRT,
					     e, "struct page", "a large folio "
					     "(order %u at least) and the "
					     "host's types lack "
					     "page.compound_order", need);
		if ((err = m->read(m->ctx, e + l->page_size +
					   l->page_compound_order,
				   &order, 1)))
			return gc_error_context(err, "the folio order of VMM "
						"address 0x%" PRIx64, va);
		if (order < need || order > 18 || (delta >> order) ||
		    (horder && order != horder))
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, e,
					     "struct page", "folio order %u "
					     "(expected %s%u for VMM address "
					     "0x%" PRIx64 ")", order,
					     horder ? "" : "at least ",
					     need, va);
	}
	out->state = KVM_PC_PAGE;
	out->pfn = (e - vmemmap) / l->page_size + (horder ? sub : delta);
	return NULL;
}
