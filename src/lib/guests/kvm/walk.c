// SPDX-License-Identifier: MIT
/*
 * The walk of the host kernel's KVM structures (docs/kvm.md):
 *
 *   vm_list --(kvm.vm_list)--> struct kvm
 *     .mm -> mm_struct (.pgd: the VMM's page tables; .owner -> the VMM
 *            task; .arg_start..arg_end: its command line)
 *     .memslots[as] -> kvm_memslots: gfn_tree (rb-tree of
 *            kvm_memory_slot.gfn_node[node_idx]; before Linux 5.17 the
 *            array memslots[used_slots]) -> base_gfn, npages,
 *            userspace_addr, flags, id, as_id
 *     .vcpu_array (xarray, online_vcpus entries; before 5.17 the
 *            pointer array vcpus[]) -> kvm_vcpu: vcpu_id,
 *            mode, arch.regs[] (regs_avail / regs_dirty), arch.cr0..efer;
 *            SVM: container vcpu_svm .vmcb -> the VMCB (segments,
 *            rflags, descriptor tables, nested_cr3)
 *
 * Everything is read from hostile memory: list and tree walks are
 * bounded (count and depth), sizes are checked, and a VM whose parts
 * cannot be read is kept with its problems said.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/kvm/kvm_internal.h"
#include "guestcore/vmx.h"
#include "util/util.h"
#include "util/vec.h"

struct gc_error *kvm_rd64(const struct kvm_mem *m, uint64_t va, uint64_t *v)
{
	uint8_t b[8];
	struct gc_error *err = m->read(m->ctx, va, b, 8);
	if (!err)
		*v = gc_get64(b, false);
	return err;
}

static struct gc_error *rd32(const struct kvm_mem *m, uint64_t va,
			     uint32_t *v)
{
	uint8_t b[4];
	struct gc_error *err = m->read(m->ctx, va, b, 4);
	if (!err)
		*v = gc_get32(b, false);
	return err;
}

/* ERR as a problem of the VM: "WHAT: reason".  Out of memory (ERR, or
 * in writing it down) is not a problem of the VM: it fails SB
 * (gc_strbuf_steal then answers NULL and the walk fails with it). */
static void problem(struct gc_strbuf *sb, const char *what,
		    struct gc_error *err)
{
	gc_strbuf_printf(sb, "%s%s: ", sb->len ? "; " : "", what);
	if (err)
		gc_strbuf_error(sb, err);
	else
		gc_strbuf_append(sb, "?", 1);
	gc_error_free(err);
}

/* The error of an optional read (the value stays unknown): dropped,
 * unless it is out of memory, which is returned. */
static struct gc_error *optional(struct gc_error *err)
{
	if (err == &gc_error_nomem)
		return err;
	gc_error_free(err);
	return NULL;
}

/* ---- memory slots: the gfn rb-tree, in order ---------------------------- */

/* The kvm_memory_slot at ADDR, appended when it is one; slots come in
 * ascending gfn order (*LAST_GFN: the end of the previous one, *FIRST). */
static struct gc_error *add_slot(const struct kvm_layout *l,
				 const struct kvm_mem *m, uint64_t addr,
				 unsigned int as, struct gc_kvm_vm *vm,
				 size_t *cap, bool *first, uint64_t *last_gfn)
{
	struct gc_kvm_slot s;
	memset(&s, 0, sizeof(s));
	s.addr = addr;
	uint8_t b2[2];
	uint32_t flags;
	struct gc_error *err;
	if ((err = kvm_rd64(m, s.addr + l->slot_base_gfn, &s.base_gfn)) ||
	    (err = kvm_rd64(m, s.addr + l->slot_npages, &s.npages)) ||
	    (err = kvm_rd64(m, s.addr + l->slot_uaddr, &s.userspace_addr)) ||
	    (err = rd32(m, s.addr + l->slot_flags, &flags)) ||
	    (err = m->read(m->ctx, s.addr + l->slot_id, b2, 2)))
		return gc_error_context(err, "kvm_memory_slot 0x%" PRIx64,
					s.addr);
	s.flags = flags;
	s.id = (int16_t)gc_get16(b2, false);
	s.as_id = as;
	/* a slot past 2^52 bytes of guest-physical space, or whose pages
	 * overflow, is damage, not a slot */
	if (s.base_gfn > (1ull << 40) || s.npages > (1ull << 40) ||
	    s.base_gfn + s.npages > (1ull << 40) ||
	    (s.userspace_addr & 0xfff) ||
	    (!*first && s.base_gfn < *last_gfn))
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, s.addr,
				     "kvm_memory_slot", "base_gfn 0x%" PRIx64
				     " npages 0x%" PRIx64 " userspace_addr 0x%"
				     PRIx64 " is not a slot (out of order, "
				     "unaligned or beyond 2^52 bytes)",
				     s.base_gfn, s.npages, s.userspace_addr);
	/* KVM takes only a userspace range that is user memory
	 * (__kvm_set_memory_region: access_ok), below 2^57 even with 5-level
	 * paging; VMM addresses past it, or wrapping past 2^64, are damage */
	if (s.userspace_addr > (KVM_VA_MASK + 1) - (s.npages << 12))
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, s.addr,
				     "kvm_memory_slot", "slot %d of address "
				     "space %u: userspace_addr 0x%" PRIx64
				     " + 0x%" PRIx64 " pages %s (expected the "
				     "VMM's user addresses, below 2^57)",
				     s.id, as, s.userspace_addr, s.npages,
				     s.userspace_addr + (s.npages << 12) <
						     s.userspace_addr ?
					     "wraps past 2^64" :
					     "ends beyond 2^57");
	*first = false;
	*last_gfn = s.base_gfn + s.npages;
	if (!gc_vec_push(&vm->slots, &vm->nr_slots, cap, &s))
		return &gc_error_nomem;
	if (as == 0)
		vm->mem_bytes += s.npages << 12;
	return NULL;
}

/* Linux < 5.17: memslots[used_slots], base_gfn descending, so read from
 * the last to get ascending order. */
static struct gc_error *walk_slot_array(const struct kvm_layout *l,
					const struct kvm_mem *m,
					uint64_t memslots, unsigned int as,
					struct gc_kvm_vm *vm, size_t *cap)
{
	uint32_t used;
	struct gc_error *err = rd32(m, memslots + l->ms_used_slots, &used);
	if (err)
		return err;
	if (used > KVM_MAX_SLOTS)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, memslots,
				     "kvm_memslots", "used_slots %" PRIu32
				     " (at most %u)", used, KVM_MAX_SLOTS);
	bool first = true;
	uint64_t last_gfn = 0;
	for (uint32_t i = used; i-- > 0;) {
		uint64_t a = memslots + l->ms_array + (uint64_t)i * l->slot_size;
		if ((err = add_slot(l, m, a, as, vm, cap, &first, &last_gfn)))
			return err;
	}
	return NULL;
}

static struct gc_error *walk_slots(const struct kvm_layout *l,
				   const struct kvm_mem *m, uint64_t memslots,
				   unsigned int as, struct gc_kvm_vm *vm,
				   size_t *cap)
{
	if (l->slots_array)
		return walk_slot_array(l, m, memslots, as, vm, cap);
	uint32_t idx;
	uint64_t node;
	struct gc_error *err = rd32(m, memslots + l->ms_node_idx, &idx);
	if (!err && idx > 1)
		err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, memslots,
				    "kvm_memslots", "node_idx %" PRIu32
				    " (0 or 1)", idx);
	if (!err)
		err = kvm_rd64(m, memslots + l->ms_gfn_tree, &node);
	if (err)
		return err;
	uint64_t stack[KVM_RB_MAX_DEPTH];
	size_t sp = 0, seen = 0;
	uint64_t last_gfn = 0;
	bool first = true;
	while (node || sp) {
		while (node) {
			if (sp == KVM_RB_MAX_DEPTH)
				return gc_error_addr(
					GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					memslots, "kvm_memslots gfn_tree",
					"deeper than %u levels",
					KVM_RB_MAX_DEPTH);
			stack[sp++] = node;
			if ((err = kvm_rd64(m, node + l->rb_left, &node)))
				return err;
		}
		node = stack[--sp];
		if (++seen > KVM_MAX_SLOTS)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     memslots, "kvm_memslots gfn_tree",
					     "more than %u slots",
					     KVM_MAX_SLOTS);
		uint64_t addr = node - l->slot_gfn_node - idx * l->rb_size;
		if ((err = add_slot(l, m, addr, as, vm, cap, &first,
				    &last_gfn)))
			return err;
		if ((err = kvm_rd64(m, node + l->rb_right, &node)))
			return err;
	}
	return NULL;
}

/* ---- vCPUs: the xarray -------------------------------------------------- */

/* The entry for INDEX of the xarray at XA (*OUT 0: none).  Every node's
 * shift must be a multiple of 6 and exactly 6 below its parent's: a node
 * that repeats its parent's shift or skips levels would resolve several
 * indexes to one entry (vCPU 1 answered by vCPU 0). */
static struct gc_error *xa_load(const struct kvm_layout *l,
				const struct kvm_mem *m, uint64_t xa,
				uint64_t index, uint64_t *out)
{
	uint64_t e;
	*out = 0;
	struct gc_error *err = kvm_rd64(m, xa + l->xa_head, &e);
	int want = -1;
	for (unsigned int d = 0; !err; d++) {
		if ((e & 3) != 2 || e < 4096) {
			/* a value: only index 0 lives in the head itself */
			*out = (d == 0 && index != 0) || (e & 3) ? 0 : e;
			return NULL;
		}
		if (d == KVM_XA_MAX_DEPTH)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, xa,
					     "xarray", "deeper than %u nodes",
					     KVM_XA_MAX_DEPTH);
		uint64_t node = e - 2;
		uint8_t shift;
		if ((err = m->read(m->ctx, node + l->xa_node_shift, &shift, 1)))
			break;
		if (shift > 60 || shift % 6)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "xa_node", "shift %u (expected "
					     "a multiple of 6 up to 60)", shift);
		if (d > 0 && want < 0)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "xa_node", "a node (shift %u) "
					     "in a slot of a shift-0 node, which "
					     "holds entries (on the way to index %"
					     PRIu64 ")", shift, index);
		if (d > 0 && shift != want)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     node, "xa_node", "shift %u under a "
					     "node of shift %d (expected %d) on "
					     "the way to index %" PRIu64, shift,
					     want + 6, want, index);
		if (d == 0 && shift < 58 && (index >> shift) >= 64)
			return NULL;  /* beyond the tree's reach: none */
		uint64_t off = (index >> shift) & 63;
		err = kvm_rd64(m, node + l->xa_node_slots + off * 8, &e);
		want = (int)shift - 6;
	}
	return err;
}

/* kvm_reg order of arch.regs[] -> ours */
static const enum gc_vcpu_reg kvm_regs[17] = {
	GC_REG_RAX, GC_REG_RCX, GC_REG_RDX, GC_REG_RBX, GC_REG_RSP,
	GC_REG_RBP, GC_REG_RSI, GC_REG_RDI, GC_REG_R8, GC_REG_R9, GC_REG_R10,
	GC_REG_R11, GC_REG_R12, GC_REG_R13, GC_REG_R14, GC_REG_R15, GC_REG_RIP,
};

static void set(struct gc_vcpu *v, enum gc_vcpu_reg r, uint64_t val)
{
	gc_vcpu_set_reg(v, r, val);
}

/* The rest from the VMCB (layout: AMD64 APM vol. 2, appendix B). */
static void from_vmcb(struct gc_kvm_vcpu *c, const uint8_t *vmcb)
{
	const uint8_t *s = vmcb + VMCB_SAVE;
	struct gc_vcpu *v = &c->regs;
	static const struct {
		unsigned int off;
		enum gc_vcpu_reg sel;
	} segs[] = {
		{ 0x00, GC_REG_ES }, { 0x10, GC_REG_CS }, { 0x20, GC_REG_SS },
		{ 0x30, GC_REG_DS }, { 0x40, GC_REG_FS }, { 0x50, GC_REG_GS },
	};
	for (size_t i = 0; i < sizeof(segs) / sizeof(segs[0]); i++)
		set(v, segs[i].sel, gc_get16(s + segs[i].off, false));
	set(v, GC_REG_FS_BASE, gc_get64(s + 0x40 + 8, false));
	set(v, GC_REG_GS_BASE, gc_get64(s + 0x50 + 8, false));
	set(v, GC_REG_GDT_LIMIT, gc_get32(s + 0x60 + 4, false));
	set(v, GC_REG_GDT_BASE, gc_get64(s + 0x60 + 8, false));
	set(v, GC_REG_IDT_LIMIT, gc_get32(s + 0x80 + 4, false));
	set(v, GC_REG_IDT_BASE, gc_get64(s + 0x80 + 8, false));
	set(v, GC_REG_RFLAGS, gc_get64(s + 0x170, false));
	set(v, GC_REG_GS_BASE_KERNEL, gc_get64(s + 0x220, false));
	c->nested_cr3 = gc_get64(vmcb + 0xb0, false);
	c->exit_code = gc_get64(vmcb + 0x70, false);
	/* RAX, RSP, RIP are KVM's copies in arch.regs (loaded into the VMCB
	 * before VMRUN, stored back after #VMEXIT); only when KVM marks them
	 * unavailable is the VMCB's the newer value. */
	static const struct {
		unsigned int kvm, off;
	} lazy[] = { { 0, 0x1f8 }, { 4, 0x1d8 }, { 16, 0x178 } };
	for (size_t i = 0; i < 3; i++)
		if (!(c->regs_avail & (1u << lazy[i].kvm)) &&
		    !(c->regs_dirty & (1u << lazy[i].kvm)))
			set(v, kvm_regs[lazy[i].kvm],
			    gc_get64(s + lazy[i].off, false));
	/* the control registers and EFER are KVM's (arch.cr0..efer: what
	 * the guest sees; the VMCB's CR4 and EFER carry bits KVM forces,
	 * EFER.SVME and CR4.MCE); only when those were unreadable */
	uint64_t cr0;
	if (!gc_vcpu_get_reg(v, GC_REG_CR0, &cr0)) {
		set(v, GC_REG_CR0, gc_get64(s + 0x158, false));
		set(v, GC_REG_CR3, gc_get64(s + 0x150, false));
		set(v, GC_REG_CR4, gc_get64(s + 0x148, false));
		set(v, GC_REG_EFER, gc_get64(s + 0xd0, false) &
					    ~(1ull << 12));
		set(v, GC_REG_CR2, gc_get64(s + 0x240, false));
	}
}


/* ---- Intel: the VMCS ------------------------------------------------------ */

/* kvm_vcpu_arch.regs_avail bits beyond the GPRs (enum kvm_reg, Linux 6.1:
 * VCPU_EXREG_PDPTR = 17, then CR0, CR3, CR4). */
#define KVM_EXREG_CR0 18
#define KVM_EXREG_CR3 19
#define KVM_EXREG_CR4 20

struct gc_error *kvm_vcpu_from_vmcs(struct gc_kvm_vcpu *c,
				    const uint8_t *region, size_t len,
				    const struct gc_vmcs_db *db)
{
	struct gc_vcpu *v = &c->regs;
	c->regs_from_vmcs = 0;
	c->vmcs_layout[0] = '\0';
	c->regs_note = "general registers from kvm_vcpu.arch.regs, control "
		       "registers and EFER from kvm_vcpu.arch; no usable VMCS "
		       "layout for this revision (give one with --layout or "
		       "infer one with vmcs --infer): rflags, segments, "
		       "descriptor tables, FS/GS base unknown";
	if (len < 8)
		return NULL;
	c->vmcs_revision = gc_get32(region, false) & 0x7fffffffu;
	if (!db)
		return NULL;
	struct gc_vmcs_hit hit;
	struct gc_vmcs_scan_opts so = { 0 };
	struct gc_error *err = gc_vmcs_check_db(db, region, len, c->vmcs_pa,
						UINT64_MAX, &so, &hit);
	free(hit.reason);
	if (err)
		return gc_error_context(err, "checking the VMCS against the "
					"known layouts");
	if (!hit.valid || !hit.layout)
		return NULL;
	const struct gc_vmcs_layout *L = hit.layout;
	bool hf = hit.high_first;
	snprintf(c->vmcs_layout, sizeof(c->vmcs_layout), "%s",
		 L->source ? L->source : "?");
	uint64_t x;
#define FROM(enc, reg)                                                        \
	do {                                                                  \
		if (gc_vmcs_get(L, region, len, hf, (enc), &x)) {             \
			set(v, (reg), x);                                     \
			c->regs_from_vmcs |= 1ull << (reg);                   \
		}                                                             \
	} while (0)
	FROM(0x0800, GC_REG_ES);
	FROM(0x0802, GC_REG_CS);
	FROM(0x0804, GC_REG_SS);
	FROM(0x0806, GC_REG_DS);
	FROM(0x0808, GC_REG_FS);
	FROM(0x080a, GC_REG_GS);
	FROM(GC_VMCS_GUEST_FS_BASE, GC_REG_FS_BASE);
	FROM(GC_VMCS_GUEST_GS_BASE, GC_REG_GS_BASE);
	FROM(0x6816, GC_REG_GDT_BASE);
	FROM(0x4810, GC_REG_GDT_LIMIT);
	FROM(0x6818, GC_REG_IDT_BASE);
	FROM(0x4812, GC_REG_IDT_LIMIT);
	FROM(GC_VMCS_GUEST_RFLAGS, GC_REG_RFLAGS);
	/* RSP and RIP: KVM reads them from the VMCS lazily; its copy in
	 * arch.regs is current only when available or dirty */
	if (!((c->regs_avail | c->regs_dirty) & (1u << 4)))
		FROM(GC_VMCS_GUEST_RSP, GC_REG_RSP);
	if (!((c->regs_avail | c->regs_dirty) & (1u << 16)))
		FROM(GC_VMCS_GUEST_RIP, GC_REG_RIP);
	/* with EPT the guest writes CR3 itself: arch.cr3 is current only
	 * when VCPU_EXREG_CR3 is available */
	if (!(c->regs_avail & (1u << KVM_EXREG_CR3)))
		FROM(GC_VMCS_GUEST_CR3, GC_REG_CR3);
	/* CR0/CR4: bits the host owns (guest/host mask) are KVM's, the
	 * guest-owned ones live in the VMCS unless KVM cached them */
	static const struct {
		uint32_t reg_enc, mask_enc;
		enum gc_vcpu_reg reg;
		unsigned int exreg;
	} crs[] = {
		{ GC_VMCS_GUEST_CR0, 0x6000, GC_REG_CR0, KVM_EXREG_CR0 },
		{ GC_VMCS_GUEST_CR4, 0x6002, GC_REG_CR4, KVM_EXREG_CR4 },
	};
	for (size_t i = 0; i < 2; i++) {
		uint64_t kvm, vm, mask;
		if ((c->regs_avail & (1u << crs[i].exreg)) ||
		    !gc_vmcs_get(L, region, len, hf, crs[i].reg_enc, &vm) ||
		    !gc_vmcs_get(L, region, len, hf, crs[i].mask_enc, &mask))
			continue;
		if (!gc_vcpu_get_reg(v, crs[i].reg, &kvm))
			continue;
		set(v, crs[i].reg, (kvm & mask) | (vm & ~mask));
		c->regs_from_vmcs |= 1ull << crs[i].reg;
	}
#undef FROM
	if (gc_vmcs_get(L, region, len, hf, GC_VMCS_EPT_POINTER, &x))
		c->eptp = x;
	c->regs_note = "general registers from kvm_vcpu.arch.regs "
		       "(regs_avail/regs_dirty), control registers and EFER "
		       "from kvm_vcpu.arch (CR3 and the guest-owned CR0/CR4 "
		       "bits from the VMCS when KVM's caches are stale), "
		       "rflags, segments, descriptor tables, FS/GS base and "
		       "lazily saved RSP/RIP from the VMCS (layout in "
		       "vmcs_layout); kernel_gs_base unknown";
	return NULL;
}

/* The VMCB at kernel address VA, in a new VMCB_SIZE buffer (*BUF, NULL on
 * error). */
static struct gc_error *vmcb_read(const struct kvm_mem *m, uint64_t va,
				  uint8_t **buf)
{
	*buf = malloc(VMCB_SIZE);
	if (!*buf)
		return &gc_error_nomem;
	struct gc_error *err = m->read(m->ctx, va, *buf, VMCB_SIZE);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

/*
 * No struct vcpu_svm in the dump's types (kvm_amd of Linux < 5.11 has no
 * BTF of its own).  From 4.x to 5.12 struct vcpu_svm starts with struct
 * kvm_vcpu (whose size the kernel's BTF gives) followed by `struct vmcb
 * *vmcb; unsigned long vmcb_pa;`.  Taken only when both agree -- vmcb a
 * page-aligned kernel address that translates to vmcb_pa -- and the VMCB
 * there has EFER.SVME set in its save area (VMRUN requires it); then the
 * vCPU's VMCB is read as with the types.  Otherwise nothing is guessed:
 * the problem says what is not known.
 */
static void probe_vmcb(const struct kvm_layout *l, const struct kvm_mem *m,
		       uint64_t va, uint32_t id, struct gc_kvm_vcpu *c,
		       struct gc_vcpu *v, struct gc_strbuf *pb)
{
	uint64_t vmcb = 0, vmcb_pa = 0, pa = 0;
	const char *why = NULL;
	uint8_t *buf = NULL;
	struct gc_error *err = kvm_rd64(m, va + l->svm_vmcb, &vmcb);
	if (!err)
		err = kvm_rd64(m, va + l->svm_vmcb + 8, &vmcb_pa);
	if (err)
		goto out;
	if (!m->vtop) {
		why = "no kernel address translation to check it with";
		goto out;
	}
	if ((vmcb & 4095) || (vmcb_pa & 4095) || !vmcb ||
	    (err = m->vtop(m->ctx, vmcb, &pa)) || pa != vmcb_pa) {
		if ((err = optional(err)))
			goto out;
		why = "the two words after struct kvm_vcpu are not a VMCB "
		      "pointer and its physical address";
		goto out;
	}
	if ((err = vmcb_read(m, vmcb, &buf)))
		goto out;
	if (!(gc_get64(buf + VMCB_SAVE + 0xd0, false) & (1u << 12))) {
		why = "the page they name has no EFER.SVME in a VMCB save area";
		goto out;
	}
	c->vmcb = vmcb;
	c->vmcb_pa = vmcb_pa;
	from_vmcb(c, buf);
	c->regs_note = "general registers from kvm_vcpu.arch.regs, control "
		       "registers and EFER from kvm_vcpu.arch, segments, "
		       "rflags, descriptor tables and kernel_gs_base from the "
		       "VMCB (struct vcpu_svm not in the dump's types: found "
		       "after struct kvm_vcpu as vmcb and vmcb_pa, which agree, "
		       "and the VMCB's EFER.SVME is set)";
	v->source = "KVM kvm_vcpu.arch + VMCB (layout probed)";
out:
	free(buf);
	if (err || why) {
		char what[40];
		snprintf(what, sizeof(what), "vCPU %" PRIu32 " VMCB", id);
		problem(pb, what, err ? gc_error_context(err, "probing struct "
							 "vcpu_svm at 0x%" PRIx64,
							 va) :
			gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_KVIRT, va,
				      "struct vcpu_svm", "not in the dump's "
				      "types (kvm_amd/kvm_intel of Linux < 5.11 "
				      "have no BTF) and %s: segments, rflags "
				      "and descriptor tables unknown", why));
	}
}

/* The kvm_vcpu at VA, found at index WANT_IDX of kvm.vcpu_array (or
 * vcpus[]): KVM puts each vCPU at its vcpu_idx, so one found elsewhere is
 * another vCPU's (a damaged array) and refused. */
static struct gc_error *read_vcpu(const struct kvm_layout *l,
				  const struct kvm_mem *m, uint64_t va,
				  uint32_t want_idx, struct gc_kvm_vcpu *c,
				  struct gc_strbuf *pb)
{
	memset(c, 0, sizeof(*c));
	c->addr = va;
	uint32_t id, idx, mode, cpu, mp;
	struct gc_error *err;
	if ((err = rd32(m, va + l->vcpu_idx, &idx)))
		return gc_error_context(err, "kvm_vcpu 0x%" PRIx64, va);
	if (idx != want_idx)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, va,
				     "kvm_vcpu", "vcpu_idx %" PRIu32 " (expected "
				     "%" PRIu32 ": KVM keeps each vCPU at its "
				     "vcpu_idx in kvm.%s)", idx, want_idx,
				     l->vcpus_ptrs ? "vcpus[]" : "vcpu_array");
	if ((err = rd32(m, va + l->vcpu_id, &id)) ||
	    (err = rd32(m, va + l->vcpu_mode, &mode)) ||
	    (err = rd32(m, va + l->vcpu_cpu, &cpu)) ||
	    (err = rd32(m, va + l->vcpu_mp_state, &mp)) ||
	    (err = rd32(m, va + l->vcpu_regs_avail, &c->regs_avail)) ||
	    (err = rd32(m, va + l->vcpu_regs_dirty, &c->regs_dirty)))
		return gc_error_context(err, "kvm_vcpu 0x%" PRIx64, va);
	c->vcpu_id = (int)id;
	c->vcpu_idx = (int)idx;
	c->mode = (int)mode;
	c->cpu = (int)cpu;
	c->mp_state = (int)mp;
	struct gc_vcpu *v = &c->regs;
	v->id = id;
	uint8_t regs[17 * 8];
	if ((err = m->read(m->ctx, va + l->vcpu_regs, regs, l->nr_regs * 8)))
		return gc_error_context(err, "kvm_vcpu 0x%" PRIx64 " arch.regs",
					va);
	/* Linux 7.x: RIP, regs[16] before, is its own member */
	unsigned int nregs = l->nr_regs;
	if (l->has_vcpu_rip) {
		if ((err = m->read(m->ctx, va + l->vcpu_rip, regs + 8 * nregs, 8)))
			return gc_error_context(err, "kvm_vcpu 0x%" PRIx64
						" arch.rip", va);
		nregs++;
	}
	for (unsigned int i = 0; i < nregs; i++)
		if ((c->regs_avail | c->regs_dirty) & (1u << i))
			set(v, kvm_regs[i], gc_get64(regs + 8 * i, false));
	uint64_t cr0, cr2, cr3, cr4, efer;
	if ((err = kvm_rd64(m, va + l->vcpu_cr0, &cr0)) ||
	    (err = kvm_rd64(m, va + l->vcpu_cr2, &cr2)) ||
	    (err = kvm_rd64(m, va + l->vcpu_cr3, &cr3)) ||
	    (err = kvm_rd64(m, va + l->vcpu_cr4, &cr4)) ||
	    (err = kvm_rd64(m, va + l->vcpu_efer, &efer))) {
		problem(pb, "control registers", err);
	} else {
		set(v, GC_REG_CR0, cr0);
		set(v, GC_REG_CR2, cr2);
		set(v, GC_REG_CR3, cr3);
		set(v, GC_REG_CR4, cr4);
		set(v, GC_REG_EFER, efer);
	}
	c->regs_note = "general registers from kvm_vcpu.arch.regs, control "
		       "registers and EFER from kvm_vcpu.arch";
	v->source = "KVM kvm_vcpu.arch";
	if (l->has_pid) {
		uint64_t pid;
		uint32_t nr;
		err = kvm_rd64(m, va + l->vcpu_pid, &pid);
		if (!err && pid && !(err = rd32(m, pid + l->pid_nr, &nr)))
			c->pid = nr;
		if ((err = optional(err)))
			return err;
	}
	if (l->vendor == GC_KVM_SVM) {
		uint8_t *vmcb = NULL;
		err = kvm_rd64(m, va + l->svm_vmcb, &c->vmcb);
		if (!err)
			err = vmcb_read(m, c->vmcb, &vmcb);
		if (err == &gc_error_nomem)
			return err;
		if (err) {
			problem(pb, "VMCB", gc_error_context(
					    err, "vCPU %" PRIu32 " VMCB 0x%"
					    PRIx64, id, c->vmcb));
		} else {
			from_vmcb(c, vmcb);
			c->regs_note = "general registers from kvm_vcpu.arch."
				       "regs (regs_avail/regs_dirty), control "
				       "registers and EFER from kvm_vcpu.arch, "
				       "segments, rflags, descriptor tables "
				       "and kernel_gs_base from the VMCB";
			v->source = "KVM kvm_vcpu.arch + VMCB";
		}
		free(vmcb);
		uint64_t cur;
		if (l->has_vmcb_pa) {
			err = kvm_rd64(m, va + l->svm_current_vmcb, &cur);
			if (!err)
				err = kvm_rd64(m, cur + l->vmcb_info_pa,
					   &c->vmcb_pa);
			if ((err = optional(err)))
				return err;
		}
	} else if (l->vendor == GC_KVM_UNKNOWN && l->svm_vmcb_probe) {
		probe_vmcb(l, m, va, id, c, v, pb);
	} else if (l->vendor == GC_KVM_VMX && l->has_vmx_vmcs) {
		uint8_t *vmcs = malloc(4096);
		if (!vmcs)
			return &gc_error_nomem;
		uint64_t lv = 0;
		err = kvm_rd64(m, va - l->vmx_vcpu + l->vmx_loaded_vmcs, &lv);
		if (!err)
			err = kvm_rd64(m, lv + l->loaded_vmcs_vmcs, &c->vmcs);
		if (!err)
			err = m->read(m->ctx, c->vmcs, vmcs, 4096);
		if (err) {
			problem(pb, "VMCS", gc_error_context(
					    err, "vCPU %" PRIu32 " VMCS 0x%"
					    PRIx64, id, c->vmcs));
		} else {
			if (m->vtop &&
			    (err = optional(m->vtop(m->ctx, c->vmcs,
						    &c->vmcs_pa)))) {
				free(vmcs);
				return err;
			}
			err = kvm_vcpu_from_vmcs(c, vmcs, 4096, l->vmcs_db);
			if (err == &gc_error_nomem) {
				free(vmcs);
				return err;
			}
			if (err)
				problem(pb, "VMCS", gc_error_context(
						    err, "vCPU %" PRIu32 " VMCS "
						    "0x%" PRIx64, id, c->vmcs));
			v->source = c->regs_from_vmcs ?
					    "KVM kvm_vcpu.arch + VMCS" :
					    "KVM kvm_vcpu.arch";
		}
		free(vmcs);
	}
	if (gc_vcpu_get_reg(v, GC_REG_CR3, &cr3)) {
		v->pgd_addr = cr3 & 0x000ffffffffff000ull;
		v->pgd_space = GC_SPACE_PHYS;
	}
	return NULL;
}

/* ---- the VMM's VMAs: the maple tree (Linux >= 6.1) ------------------------ */

/*
 * A maple tree entry that is a node: the node's address with its type in
 * bits 3-6 (0 dense, 1 leaf_64, 2 range_64, 3 arange_64); the root
 * pointer also has bit 1 set.  A range/arange node holds N pivots and N+1
 * slots; slot I covers (pivot[I-1], pivot[I]], the last used slot's pivot
 * is the node's maximum (a 0 pivot after the first ends the data), and
 * slot N (a full node) runs to the maximum.  The VMA found is checked to
 * contain VA, so an inconsistent tree answers "none", never a wrong VMA.
 */
struct gc_error *kvm_vma_at(const struct kvm_layout *l,
			    const struct kvm_mem *m, uint64_t mm, uint64_t va,
			    struct kvm_vma *out, bool *found)
{
	*found = false;
	if (!l->has_vma)
		return NULL;
	uint64_t e;
	struct gc_error *err = kvm_rd64(m, mm + l->mm_mt_root, &e);
	if (err)
		return err;
	if ((e & 3) != 2 || e < 4096)
		return NULL;  /* empty, or a single entry at index 0 */
	for (unsigned int d = 0; d < KVM_MAPLE_MAX_DEPTH; d++) {
		uint64_t node = e & ~0xffull;
		unsigned int type = (unsigned int)(e >> 3) & 0xf;
		unsigned int npiv;
		uint64_t poff, soff;
		if (type == 1 || type == 2) {
			npiv = 15;
			poff = l->mr64_pivot;
			soff = l->mr64_slot;
		} else if (type == 3) {
			npiv = 9;
			poff = l->ma64_pivot;
			soff = l->ma64_slot;
		} else {
			return NULL;  /* dense nodes are not used for VMAs */
		}
		uint8_t pv[15 * 8];
		if ((err = m->read(m->ctx, node + poff, pv, npiv * 8)))
			return err;
		unsigned int i = 0;
		for (; i < npiv; i++) {
			uint64_t p = gc_get64(pv + 8 * i, false);
			if (i > 0 && p == 0)
				return NULL;  /* past the data: no slot */
			if (va <= p)
				break;
		}
		if ((err = kvm_rd64(m, node + soff + 8ull * i, &e)))
			return err;
		if (type == 1) {
			if (!e)
				return NULL;
			struct kvm_vma v = { .addr = e };
			if ((err = kvm_rd64(m, e + l->vma_start, &v.start)) ||
			    (err = kvm_rd64(m, e + l->vma_end, &v.end)) ||
			    (err = kvm_rd64(m, e + l->vma_flags, &v.flags)) ||
			    (err = kvm_rd64(m, e + l->vma_file, &v.file)))
				return err;
			if (v.start <= va && va < v.end) {
				*out = v;
				*found = true;
			}
			return NULL;
		}
		if (e < 4096)
			return NULL;
	}
	return NULL;
}

/* ---- the VMM process --------------------------------------------------- */

/* QEMU's "-name guest=NAME,..." or "-name NAME" from argv (NUL-separated
 * in BUF). */
static void qemu_name(const char *buf, size_t len, char *out, size_t olen)
{
	const char *p = buf, *end = buf + len;
	bool next = false;
	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));
		if (next) {
			const char *v = p;
			size_t vl = n;
			if (!strncmp(v, "guest=", 6)) {
				v += 6;
				vl -= 6;
			}
			const char *comma = memchr(v, ',', vl);
			if (comma)
				vl = (size_t)(comma - v);
			if (vl >= olen)
				vl = olen - 1;
			gc_sanitize(out, v, vl);
			return;
		}
		next = (n == 5 && !memcmp(p, "-name", 5)) ||
		       (n == 6 && !memcmp(p, "--name", 6));
		p += n + 1;
	}
}

/* The VMM's task and command line; what cannot be read is a problem in
 * PB; out of memory is returned. */
static struct gc_error *read_vmm(const struct kvm_layout *l,
				 const struct kvm_mem *m, struct gc_kvm_vm *vm,
				 struct gc_strbuf *pb)
{
	struct gc_error *err;
	if (m->vtop && (err = m->vtop(m->ctx, vm->pgd, &vm->pgd_phys)))
		problem(pb, "the VMM's page tables (mm->pgd)", err);
	vm->pid = vm->userspace_pid;
	if (l->has_owner) {
		uint64_t task;
		uint32_t pid;
		char comm[16];
		err = kvm_rd64(m, vm->mm + l->mm_owner, &task);
		if (!err && task)
			err = rd32(m, task + l->task_pid, &pid);
		if (!err && task)
			err = m->read(m->ctx, task + l->task_comm, comm, 16);
		if (!err && task) {
			vm->pid = pid;
			gc_sanitize(vm->comm, comm, strnlen(comm, 16));
		}
		if (err)
			problem(pb, "the VMM task (mm->owner)", err);
	}
	if (!l->has_args || !m->read_user || !vm->pgd_phys)
		return NULL;
	uint64_t as, ae;
	if ((err = kvm_rd64(m, vm->mm + l->mm_arg_start, &as)) ||
	    (err = kvm_rd64(m, vm->mm + l->mm_arg_end, &ae))) {
		problem(pb, "the VMM's command line", err);
		return NULL;
	}
	if (ae <= as)
		return NULL;
	size_t len = (size_t)GC_MIN(ae - as, KVM_CMDLINE_MAX);
	char *buf = malloc(len + 1);
	if (!buf)
		return &gc_error_nomem;
	err = m->read_user(m->ctx, vm->pgd_phys, as, buf, len);
	if (err) {
		/* not readable (e.g. user pages filtered out): said once */
		problem(pb, "the VMM's command line", err);
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	qemu_name(buf, len, vm->name, sizeof(vm->name));
	while (len && !buf[len - 1])
		len--;
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	vm->cmdline = malloc(len + 1);
	if (vm->cmdline)
		gc_sanitize(vm->cmdline, buf, len);
	free(buf);
	return vm->cmdline ? NULL : &gc_error_nomem;
}

/* ---- one VM ------------------------------------------------------------ */

static void vm_free(struct gc_kvm_vm *vm)
{
	free(vm->slots);
	free(vm->vcpus);
	free(vm->cmdline);
	free(vm->problems);
	memset(vm, 0, sizeof(*vm));
}

/* The VM of struct kvm at KVM in *VM; what cannot be read is in its
 * problems.  An error (vm_list unusable, out of memory) leaves nothing
 * allocated in *VM. */
static struct gc_error *read_vm(const struct kvm_layout *l,
				const struct kvm_mem *m, uint64_t kvm,
				struct gc_kvm_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->kvm = kvm;
	vm->vendor = l->vendor;
	struct gc_strbuf pb;
	gc_strbuf_init(&pb);
	uint32_t online = 0;
	struct gc_error *err;
	if ((err = kvm_rd64(m, kvm + l->kvm_mm, &vm->mm)) ||
	    (l->has_nr_memslot_pages &&
	     (err = kvm_rd64(m, kvm + l->kvm_nr_memslot_pages,
			 &vm->nr_memslot_pages))) ||
	    (err = rd32(m, kvm + l->kvm_online_vcpus, &online)) ||
	    (vm->mm && (err = kvm_rd64(m, vm->mm + l->mm_pgd, &vm->pgd)))) {
		gc_strbuf_free(&pb);
		return gc_error_context(err, "struct kvm 0x%" PRIx64, kvm);
	}
	if (l->has_userspace_pid) {
		uint32_t p;
		if (!(err = rd32(m, kvm + l->kvm_userspace_pid, &p)))
			vm->userspace_pid = p;
		err = optional(err);
	}
	if (!err && vm->mm)
		err = read_vmm(l, m, vm, &pb);
	else if (!err)
		problem(&pb, "the VMM", gc_error_new(GC_ERR_NOT_PRESENT,
						     "kvm->mm", "NULL"));
	size_t cap = 0;
	for (unsigned int as = 0; !err && as < l->nr_as; as++) {
		uint64_t ms;
		err = kvm_rd64(m, kvm + l->kvm_memslots + 8ull * as, &ms);
		if (!err && ms)
			err = walk_slots(l, m, ms, as, vm, &cap);
		if (err == &gc_error_nomem)
			break;
		if (err) {
			char what[48];
			snprintf(what, sizeof(what), "memory slots of address "
				 "space %u", as);
			problem(&pb, what, err);
			err = NULL;
		}
	}
	/* Linux < 5.17 has no nr_memslot_pages: what it would count */
	for (size_t i = 0; !l->has_nr_memslot_pages && i < vm->nr_slots; i++)
		vm->nr_memslot_pages += vm->slots[i].npages;
	unsigned int max_vcpus = l->vcpus_ptrs ? l->nr_vcpu_ptrs :
						 KVM_MAX_VCPUS;
	if (!err && online > max_vcpus) {
		problem(&pb, "vCPUs", gc_error_addr(
				GC_ERR_CORRUPT, GC_SPACE_KVIRT, kvm, "struct kvm",
				"online_vcpus %" PRIu32 " (at most %u)", online,
				max_vcpus));
		online = 0;
	}
	if (!err && online) {
		vm->vcpus = calloc(online, sizeof(*vm->vcpus));
		if (!vm->vcpus)
			err = &gc_error_nomem;
	}
	for (uint32_t i = 0; i < online && !err; i++) {
		uint64_t va;
		if (l->vcpus_ptrs)
			err = kvm_rd64(m, kvm + l->kvm_vcpus + 8ull * i, &va);
		else
			err = xa_load(l, m, kvm + l->kvm_vcpu_array, i, &va);
		if (!err && !va)
			err = gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT,
					    kvm, l->vcpus_ptrs ? "vcpus[]" :
					    "vcpu_array", "no vCPU %" PRIu32
					    " of %" PRIu32 " online", i,
					    online);
		if (!err)
			err = read_vcpu(l, m, va, i, &vm->vcpus[vm->nr_vcpus],
					&pb);
		if (!err) {
			vm->nr_vcpus++;
		} else if (err != &gc_error_nomem) {
			char what[32];
			snprintf(what, sizeof(what), "vCPU %" PRIu32, i);
			problem(&pb, what, err);
			err = NULL;
		}
	}
	if (!err && l->vendor == GC_KVM_UNKNOWN && l->svm_vmcb_probe &&
	    vm->nr_vcpus) {
		bool all = true;
		for (size_t i = 0; i < vm->nr_vcpus; i++)
			all = all && vm->vcpus[i].vmcb_pa;
		if (all)
			vm->vendor = GC_KVM_SVM;
	}
	if (!err && !(vm->problems = gc_strbuf_steal(&pb)))
		err = &gc_error_nomem;  /* including a problem out of memory */
	if (err) {
		gc_strbuf_free(&pb);
		vm_free(vm);
	}
	return err;
}

void gc_kvm_vms_free(struct gc_kvm_vm *vms, size_t nr)
{
	for (size_t i = 0; vms && i < nr; i++)
		vm_free(&vms[i]);
	free(vms);
}

struct gc_error *kvm_walk(const struct kvm_layout *l,
			  const struct kvm_mem *m, uint64_t head,
			  struct gc_kvm_vm **out, size_t *nr)
{
	*out = NULL;
	*nr = 0;
	struct gc_kvm_vm *vms = NULL;
	size_t n = 0, cap = 0;
	uint64_t pos;
	struct gc_error *err = kvm_rd64(m, head, &pos);
	if (err)
		return gc_error_context(err, "vm_list at 0x%" PRIx64, head);
	/* Brent's cycle check: a list that loops without coming back to
	 * HEAD is found after a few times its length, not KVM_MAX_VMS */
	uint64_t mark = head;
	size_t lam = 0, power = 1;
	while (!err && pos != head) {
		if (pos == mark) {
			err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, pos,
					    "vm_list", "loops back to 0x%" PRIx64
					    " without returning to the head "
					    "0x%" PRIx64, pos, head);
			break;
		}
		if (++lam == power) {
			mark = pos;
			power *= 2;
			lam = 0;
		}
		if (n >= KVM_MAX_VMS) {
			err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					    head, "vm_list", "does not close "
					    "after %u VMs", KVM_MAX_VMS);
			break;
		}
		struct gc_kvm_vm vm;
		err = read_vm(l, m, pos - l->kvm_vm_list, &vm);
		if (err)
			break;
		if (!gc_vec_push(&vms, &n, &cap, &vm)) {
			vm_free(&vm);
			err = &gc_error_nomem;
			break;
		}
		err = kvm_rd64(m, pos, &pos);
		if (err)
			err = gc_error_context(err, "vm_list entry of struct "
					       "kvm 0x%" PRIx64,
					       vms[n - 1].kvm);
	}
	if (err) {
		gc_kvm_vms_free(vms, n);
		return err;
	}
	*out = vms;
	*nr = n;
	return NULL;
}
