// SPDX-License-Identifier: MIT
/*
 * The KVM structure walk (src/lib/guests/kvm/): a synthetic host image
 * (tests/fuzz/kvm_image.py, the fuzz seeds) intact and damaged, and on
 * the real kvm-host-vmm dump the layout from BTF against the built-in 6.1
 * table and the VMCB offsets walk.c uses against the BTF of kvm_amd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestcore/guestcore.h"
#include "guests/kvm/kvm_internal.h"
#include "harness.h"
#include "spaces/xlat.h"
#include "util/util.h"

#include "kvm_img.h"

static void put64(struct img *m, size_t off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		m->p[off + i] = (uint8_t)(v >> (8 * i));
}

/* The image kvm_image.py writes for DAMAGE. */
static bool make_image(const char *damage, struct img *m)
{
	char path[512], cmd[1200];
	snprintf(path, sizeof(path), "%s/kvm-%s.img", gc_test_tmpdir(), damage);
	snprintf(cmd, sizeof(cmd), "python3 tests/fuzz/kvm_image.py '%s' %s",
		 path, damage);
	if (system(cmd) != 0)
		return false;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	m->p = malloc(1 << 20);
	m->n = m->p ? fread(m->p, 1, 1 << 20, f) : 0;
	fclose(f);
	return m->n > 0;
}

static struct gc_error *walk(const char *damage, struct img *m,
			     struct gc_kvm_vm **vms, size_t *nr)
{
	if (!make_image(damage, m))
		return gc_error_new(GC_ERR_IO, "kvm_image.py", "no image");
	struct kvm_layout l;
	if (!strncmp(damage, "array", 5))
		kvm_layout_pre517_synthetic(&l);
	else
		kvm_layout_linux61_svm(&l);
	struct kvm_mem mem = { m, rd, vtop, rd_user };
	return kvm_walk(&l, &mem, KBASE, vms, nr);
}

TEST(synthetic_host_one_vm)
{
	struct img m = { 0 };
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	struct gc_error *err = walk("none", &m, &vms, &nr);
	CHECK(!err);
	if (err) {
		fprintf(stderr, "%s\n", gc_error_string(err));
		gc_error_free(err);
		free(m.p);
		return;
	}
	CHECK_EQ_U64(nr, 1);
	const struct gc_kvm_vm *vm = &vms[0];
	CHECK_EQ_U64(vm->kvm, KBASE + 0x1000);
	CHECK_EQ_U64(vm->userspace_pid, 122);
	CHECK_EQ_U64(vm->pid, 122);
	CHECK_STR(vm->comm, "qemu-kvm");
	CHECK_STR(vm->name, "vm1");
	CHECK_STR(vm->cmdline, "qemu -name guest=vm1,debug=on");
	CHECK_STR(vm->problems, "");
	CHECK_EQ_U64(vm->pgd_phys, 0x1f000);
	CHECK_EQ_U64(vm->nr_slots, 2);
	CHECK_EQ_U64(vm->slots[0].base_gfn, 0);
	CHECK_EQ_U64(vm->slots[0].npages, 0x4000);
	CHECK_EQ_U64(vm->slots[0].userspace_addr, 0x7f0000000000ull);
	CHECK_EQ_U64(vm->slots[1].base_gfn, 0x100000);
	CHECK_EQ_U64(vm->slots[1].id, 1);
	CHECK_EQ_U64(vm->mem_bytes, 0x5000ull << 12);
	CHECK_EQ_U64(vm->nr_vcpus, 2);
	for (unsigned int i = 0; i < vm->nr_vcpus && i < 2; i++) {
		const struct gc_kvm_vcpu *c = &vm->vcpus[i];
		uint64_t v = 0;
		CHECK_EQ_U64(c->vcpu_id, i);
		CHECK_EQ_U64(c->pid, 125 + i);
		CHECK_EQ_U64(c->mode, i == 0 ? 1 : 0);
		CHECK_EQ_U64(c->mp_state, i == 0 ? 0 : 3);
		CHECK_EQ_U64(c->vmcb_pa, i == 0 ? 0x18000 : 0x19000);
		CHECK_EQ_U64(c->nested_cr3, 0x1d56e000);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_RIP, &v));
		CHECK_EQ_U64(v, 0x8070 + i);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_RCX, &v));
		CHECK_EQ_U64(v, 0x2222222222222222ull + i);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_CS, &v));
		CHECK_EQ_U64(v, 8);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_GDT_BASE, &v));
		CHECK_EQ_U64(v, 0x500);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_GDT_LIMIT, &v));
		CHECK_EQ_U64(v, 0x27);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_CR4, &v));
		CHECK_EQ_U64(v, 0x620);
		CHECK(gc_vcpu_get_reg(&c->regs, GC_REG_EFER, &v));
		CHECK_EQ_U64(v, 0x500);
		CHECK_EQ_U64(c->regs.pgd_addr, 0x1000);
	}
	/* the VMM's VMAs: the image's maple tree has one, slot 0's */
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	static const struct {
		uint64_t va;
		bool found;
	} q[] = { { 0x7f0000000000ull, true }, { 0x7f0003ffffffull, true },
		  { 0x7f0004000000ull, false }, { 0x1000, false },
		  { 0x7f1000000000ull, false } };
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct kvm_vma v;
		bool found = true;
		err = kvm_vma_at(&l, &mem, vm->mm, q[i].va, &v, &found);
		CHECK(!err);
		gc_error_free(err);
		CHECK(found == q[i].found);
		if (found) {
			CHECK_EQ_U64(v.start, 0x7f0000000000ull);
			CHECK_EQ_U64(v.end, 0x7f0004000000ull);
			CHECK_EQ_U64(v.file, 0);
		}
	}
	gc_kvm_vms_free(vms, nr);
	free(m.p);
}

/* Linux < 5.17: slots in kvm_memslots.memslots[used_slots] (base_gfn
 * descending), vCPUs in kvm.vcpus[]; the image has no gfn tree and no
 * vcpu_array, so only the array walk can find them. */
TEST(pre517_slot_and_vcpu_arrays)
{
	struct img m = { 0 };
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	struct gc_error *err = walk("array", &m, &vms, &nr);
	CHECK(!err);
	gc_error_free(err);
	CHECK_EQ_U64(nr, 1);
	if (!err && nr == 1) {
		const struct gc_kvm_vm *vm = &vms[0];
		CHECK_STR(vm->problems, "");
		CHECK_EQ_U64(vm->nr_slots, 2);
		if (vm->nr_slots == 2) {
			/* ascending gfn order, read from the array's end */
			CHECK_EQ_U64(vm->slots[0].base_gfn, 0);
			CHECK_EQ_U64(vm->slots[0].npages, 0x4000);
			CHECK_EQ_U64(vm->slots[0].userspace_addr,
				     0x7f0000000000ull);
			CHECK_EQ_U64(vm->slots[0].addr,
				     KBASE + 0xd000 + 1040 + 64);
			CHECK_EQ_U64(vm->slots[1].base_gfn, 0x100000);
			CHECK_EQ_U64(vm->slots[1].id, 1);
			CHECK_EQ_U64(vm->slots[1].addr, KBASE + 0xd000 + 1040);
		}
		CHECK_EQ_U64(vm->mem_bytes, 0x5000ull << 12);
		/* no kvm.nr_memslot_pages before 5.17: the slots' sum */
		CHECK_EQ_U64(vm->nr_memslot_pages, 0x5000);
		CHECK_EQ_U64(vm->nr_vcpus, 2);
		for (unsigned int i = 0; i < vm->nr_vcpus && i < 2; i++) {
			uint64_t v = 0;
			CHECK_EQ_U64(vm->vcpus[i].vcpu_id, i);
			CHECK(gc_vcpu_get_reg(&vm->vcpus[i].regs, GC_REG_RIP,
					      &v));
			CHECK_EQ_U64(v, 0x8070 + i);
		}
	}
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	/* the same image read with the 6.1 layout finds neither */
	struct kvm_layout l61;
	kvm_layout_linux61_svm(&l61);
	CHECK(make_image("array", &m));
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	err = kvm_walk(&l61, &mem, KBASE, &vms, &nr);
	CHECK(!err);
	gc_error_free(err);
	if (!err && nr == 1) {
		CHECK_EQ_U64(vms[0].nr_slots, 0);
		CHECK_EQ_U64(vms[0].nr_vcpus, 0);
		CHECK_CONTAINS(vms[0].problems, "vCPU 0");
	}
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	/* slots ascending in the array: out of order, said */
	err = walk("array-order", &m, &vms, &nr);
	CHECK(!err);
	gc_error_free(err);
	if (!err && nr == 1) {
		CHECK_CONTAINS(vms[0].problems, "memory slots of address "
						"space 0");
		CHECK_CONTAINS(vms[0].problems, "out of order");
		CHECK_EQ_U64(vms[0].nr_vcpus, 2);
	}
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	err = walk("array-used", &m, &vms, &nr);
	CHECK(!err);
	gc_error_free(err);
	if (!err && nr == 1) {
		CHECK_CONTAINS(vms[0].problems, "used_slots 2147483647 "
						"(at most 32768)");
		CHECK_EQ_U64(vms[0].nr_slots, 0);
	}
	gc_kvm_vms_free(vms, nr);
	free(m.p);
}

TEST(damaged_hosts_end_with_reasons)
{
	struct img m = { 0 };
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	struct gc_error *err = walk("loop", &m, &vms, &nr);
	CHECK(err);
	if (err)
		CHECK_CONTAINS(gc_error_string(err), "loops back to");
	gc_error_free(err);
	free(m.p);

	err = walk("deep", &m, &vms, &nr);
	CHECK(!err);
	if (!err && nr == 1) {
		CHECK_CONTAINS(vms[0].problems, "memory slots of address "
						"space 0");
		CHECK_CONTAINS(vms[0].problems, "deeper than 96 levels");
		CHECK_EQ_U64(vms[0].nr_vcpus, 2);
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	err = walk("vcpus", &m, &vms, &nr);
	CHECK(!err);
	if (!err && nr == 1) {
		CHECK_CONTAINS(vms[0].problems, "online_vcpus 2147483647 "
						"(at most 4096)");
		CHECK_EQ_U64(vms[0].nr_vcpus, 0);
		CHECK_EQ_U64(vms[0].nr_slots, 2);
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	free(m.p);
}

/* A vCPU is the one at its index or none: an xarray whose child node
 * does not sit 6 below its parent (root shift 6, child 12: every index
 * reaches the child's slot 0), and a vcpu_array or vcpus[] slot naming
 * another index's kvm_vcpu, used to give vCPU 1 vCPU 0's registers. */
TEST(vcpu_index_checked)
{
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	struct img m = { 0 };
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	CHECK(make_image("none", &m));
	/* a new root R (shift 6) over the image's leaf XA 0xe000, whose
	 * shift becomes 12; kvm.vcpu_array.xa_head at 0x1000 + 4400 */
	const size_t R = 0x1ac00, XA = 0xe000, HEAD = 0x1000 + 4392 + 8;
	m.p[R] = 6;
	put64(&m, R + 40, KBASE + XA + 2);
	m.p[XA] = 12;
	put64(&m, HEAD, KBASE + R + 2);
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	struct gc_error *err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
	CHECK(!err && nr == 1);
	if (!err && nr == 1) {
		CHECK_EQ_U64(vms[0].nr_vcpus, 0);
		CHECK_CONTAINS(vms[0].problems, "vCPU 1: xa_node at kernel "
			       "virtual address 0xffff88800000e000: shift 12 "
			       "under a node of shift 6 (expected 0) on the "
			       "way to index 1");
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	/* a node below shift 0 */
	m.p[R] = 0;
	m.p[XA] = 0;
	err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
	CHECK(!err && nr == 1);
	if (!err && nr == 1) {
		CHECK_EQ_U64(vms[0].nr_vcpus, 0);
		CHECK_CONTAINS(vms[0].problems, "vCPU 0: xa_node at kernel "
			       "virtual address 0xffff88800000e000: a node "
			       "(shift 0) in a slot of a shift-0 node, which "
			       "holds entries (on the way to index 0)");
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	/* vcpu_array slot 1 names vCPU 0's kvm_vcpu (0x14000) */
	CHECK(make_image("none", &m));
	put64(&m, XA + 40 + 8, KBASE + 0x14000);
	err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
	CHECK(!err && nr == 1);
	if (!err && nr == 1) {
		CHECK_EQ_U64(vms[0].nr_vcpus, 1);
		CHECK_EQ_U64(vms[0].vcpus[0].vcpu_idx, 0);
		CHECK_CONTAINS(vms[0].problems, "vCPU 1: kvm_vcpu at kernel "
			       "virtual address 0xffff888000014000: vcpu_idx 0 "
			       "(expected 1: KVM keeps each vCPU at its "
			       "vcpu_idx in kvm.vcpu_array)");
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	free(m.p);

	/* before Linux 5.17: vcpus[1] (kvm + 8192 + 8) names vCPU 0's */
	kvm_layout_pre517_synthetic(&l);
	CHECK(make_image("array", &m));
	put64(&m, 0x1000 + 8192 + 8, KBASE + 0x14000);
	err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
	CHECK(!err && nr == 1);
	if (!err && nr == 1) {
		CHECK_EQ_U64(vms[0].nr_vcpus, 1);
		CHECK_CONTAINS(vms[0].problems, "vcpu_idx 0 (expected 1: KVM "
			       "keeps each vCPU at its vcpu_idx in "
			       "kvm.vcpus[])");
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	free(m.p);
}

/* A slot whose VMM range wraps past 2^64 or leaves the user address
 * space is refused at the walk, naming the slot: the guest's memory map
 * would otherwise fail later with a bare "run N wraps". */
TEST(slot_userspace_range_checked)
{
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	static const struct {
		uint64_t ua;
		const char *why;
	} q[] = {
		{ 0xfffffffffffff000ull,
		  "kvm_memory_slot at kernel virtual address 0xffff888000013200: "
		  "slot 1 of address space 0: userspace_addr 0xfffffffffffff000 "
		  "+ 0x1000 pages wraps past 2^64 (expected the VMM's user "
		  "addresses, below 2^57)" },
		{ (1ull << 57) - 0x1000,
		  "slot 1 of address space 0: userspace_addr 0x1fffffffffff000 "
		  "+ 0x1000 pages ends beyond 2^57" },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct img m = { 0 };
		struct gc_kvm_vm *vms = NULL;
		size_t nr = 0;
		CHECK(make_image("none", &m));
		put64(&m, 0x13200 + 248, q[i].ua);   /* slot B's uaddr */
		struct kvm_mem mem = { &m, rd, vtop, rd_user };
		struct gc_error *err = kvm_walk(&l, &mem, KBASE, &vms, &nr);
		CHECK(!err && nr == 1);
		if (!err && nr == 1) {
			CHECK_EQ_U64(vms[0].nr_slots, 1);
			CHECK_EQ_U64(vms[0].slots[0].id, 0);
			CHECK_CONTAINS(vms[0].problems, "memory slots of address "
				       "space 0: ");
			CHECK_CONTAINS(vms[0].problems, q[i].why);
			CHECK_EQ_U64(vms[0].nr_vcpus, 2);
		}
		gc_error_free(err);
		gc_kvm_vms_free(vms, nr);
		free(m.p);
	}
}

/* A guest_memfd slot (KVM_MEM_GUEST_MEMFD, Linux >= 6.8) keeps its
 * private pages in the guest_memfd: its table entry is marked so that its
 * pages are gaps, not the VMM mapping's (which has nothing or the shared
 * view there). */
TEST(guest_memfd_slot_not_read)
{
	struct gc_kvm_slot sl[3] = {
		{ .id = 0, .base_gfn = 0, .npages = 0x100,
		  .userspace_addr = 0x7f0000000000ull },
		{ .id = 1, .base_gfn = 0x100000, .npages = 0x200,
		  .userspace_addr = 0x7f1000000000ull,
		  .flags = KVM_MEM_GUEST_MEMFD },
		{ .id = 2, .as_id = 1, .base_gfn = 0, .npages = 0x10,
		  .userspace_addr = 0x7f2000000000ull,
		  .flags = KVM_MEM_GUEST_MEMFD },
	};
	struct gc_kvm_vm vm = { .kvm = KBASE, .slots = sl, .nr_slots = 3 };
	struct gc_xlat_entry *t = NULL;
	size_t n = 0;
	uint64_t limit = 0;
	CHECK_OK(kvm_slots_table(&vm, &t, &n, &limit));
	CHECK_EQ_U64(n, 2);
	if (n == 2) {
		CHECK_EQ_U64(t[0].to, 0x7f0000000000ull);
		CHECK_EQ_U64(t[1].from, 0x100000000ull);
		CHECK_EQ_U64(t[1].to, KVM_SLOT_GMEM | 0x7f1000000000ull);
		CHECK_EQ_U64(t[1].len, 0x200000);
	}
	CHECK_EQ_U64(limit, 0x100200000ull);
	free(t);
}

/* The page cache of the VMM's shared and file mappings (pcache.c) over
 * kvm_image.py's "pcache" images: a memfd VMA over slot B and a private
 * file mapping (see kvm_image.py for what each index holds). */
#define PC_VMEMMAP (KBASE + 0x20000)

/* kvm_image.py's "pcache" image, made once (python3 is slow to start on
 * a loaded machine); each test gets a copy. */
static bool pcache_image(struct img *m)
{
	static struct img once;
	if (!once.n && !make_image("pcache", &once))
		return false;
	m->p = malloc(once.n);
	if (!m->p)
		return false;
	memcpy(m->p, once.p, once.n);
	m->n = once.n;
	return true;
}

static struct gc_error *pc_at(struct img *m, uint64_t va, uint64_t vmemmap,
			      struct kvm_pc_page *pc)
{
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	struct kvm_mem mem = { m, rd, vtop, rd_user };
	struct kvm_vma v;
	bool found = false;
	struct gc_error *err = kvm_vma_at(&l, &mem, KBASE + 0xc000, va, &v,
					  &found);
	if (!err && !found)
		err = gc_error_new(GC_ERR_NOT_PRESENT, "test", "no VMA");
	if (!err)
		err = kvm_pcache_lookup(&l, &mem, vmemmap, &v, va, pc);
	return err;
}

TEST(page_cache_synthetic)
{
	struct img m = { 0 };
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	CHECK(pcache_image(&m));
	struct kvm_layout l0;
	kvm_layout_linux61_svm(&l0);
	struct kvm_mem mem0 = { &m, rd, vtop, rd_user };
	struct gc_error *err = kvm_walk(&l0, &mem0, KBASE, &vms, &nr);
	CHECK(!err);
	gc_error_free(err);
	CHECK_EQ_U64(nr, 1);
	if (nr == 1)
		CHECK_EQ_U64(vms[0].mm, KBASE + 0xc000);
	gc_kvm_vms_free(vms, nr);
	static const struct {
		uint64_t va;
		enum kvm_pc_state state;
		enum kvm_pc_backing backing;
		uint64_t index, pfn;
	} q[] = {
		{ 0x7f1000000000ull, KVM_PC_PAGE, KVM_PC_MEMFD, 0, 0x10 },
		{ 0x7f1000001000ull, KVM_PC_PAGE, KVM_PC_MEMFD, 1, 0x11 },
		{ 0x7f1000003800ull, KVM_PC_PAGE, KVM_PC_MEMFD, 3, 0x13 },
		{ 0x7f1000004000ull, KVM_PC_SWAPPED, KVM_PC_MEMFD, 4, 0 },
		{ 0x7f1000005000ull, KVM_PC_HOLE, KVM_PC_MEMFD, 5, 0 },
		{ 0x7f1000006000ull, KVM_PC_PAGE, KVM_PC_MEMFD, 6, 0x20 },
		{ 0x7f1000007000ull, KVM_PC_PAGE, KVM_PC_MEMFD, 7, 0x21 },
		{ 0x7f1000040000ull, KVM_PC_HOLE, KVM_PC_MEMFD, 64, 0 },
		{ 0x7f1000fff000ull, KVM_PC_HOLE, KVM_PC_MEMFD, 4095, 0 },
		{ 0x7f2000000000ull, KVM_PC_PAGE, KVM_PC_FILE, 0x10, 0x30 },
		{ 0x7f2000001000ull, KVM_PC_NOT_CACHED, KVM_PC_FILE, 0x11, 0 },
		{ 0x7f2000002000ull, KVM_PC_NOT_CACHED, KVM_PC_FILE, 0x12, 0 },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct kvm_pc_page pc;
		err = pc_at(&m, q[i].va, PC_VMEMMAP, &pc);
		CHECK(!err);
		if (err) {
			fprintf(stderr, "0x%llx: %s\n",
				(unsigned long long)q[i].va,
				gc_error_string(err));
			gc_error_free(err);
			continue;
		}
		CHECK_EQ_U64(pc.state, q[i].state);
		CHECK_EQ_U64(pc.backing, q[i].backing);
		CHECK_EQ_U64(pc.index, q[i].index);
		CHECK_EQ_U64(pc.pfn, q[i].pfn);
		CHECK_EQ_U64(pc.len, 4096 - (q[i].va & 4095));
	}
	/* hugetlbfs: indexed in huge pages (Linux < 6.7), one answer for
	 * the rest of the huge page */
	struct kvm_pc_page hp;
	err = pc_at(&m, 0x7f3000003000ull, PC_VMEMMAP, &hp);
	CHECK(!err);
	gc_error_free(err);
	if (!err) {
		CHECK_EQ_U64(hp.state, KVM_PC_PAGE);
		CHECK_EQ_U64(hp.backing, KVM_PC_HUGETLBFS);
		CHECK_EQ_U64(hp.hindex, KVM_PC_HIDX_HUGE);
		CHECK_EQ_U64(hp.index, 1);
		CHECK_EQ_U64(hp.pfn, 0x203);
		CHECK_EQ_U64(hp.len, (512 - 3) * 4096ull);
	}
	/* nothing at huge index 2 nor at base index 0x400: a hole however
	 * the kernel counts */
	err = pc_at(&m, 0x7f3000200000ull, PC_VMEMMAP, &hp);
	CHECK(!err);
	gc_error_free(err);
	if (!err) {
		CHECK_EQ_U64(hp.state, KVM_PC_HOLE);
		CHECK_EQ_U64(hp.hindex, KVM_PC_HIDX_EITHER);
		CHECK_EQ_U64(hp.index, 2);
		CHECK_EQ_U64(hp.len, 2ull << 20);
	}
	/* no vmemmap base: a page is refused, never guessed */
	struct kvm_pc_page pc;
	err = pc_at(&m, 0x7f1000000000ull, 0, &pc);
	CHECK(err);
	if (err)
		CHECK_CONTAINS(gc_error_string(err), "vmemmap's base or "
						     "sizeof(struct page) is "
						     "unknown");
	gc_error_free(err);
	/* a page outside the VMA is the caller's mistake */
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	struct kvm_vma anon = { .addr = KBASE + 0x1aa00,
				.start = 0x7f0000000000ull,
				.end = 0x7f0004000000ull };
	err = kvm_pcache_lookup(&l, &mem, PC_VMEMMAP, &anon, 0x7f0000000000ull,
				&pc);
	CHECK(err);
	gc_error_free(err);
	free(m.p);
}

/* userfaultfd missing-page tracking on the VMA (VM_UFFD_MISSING 0x200,
 * QEMU's postcopy destination): a shmem/memfd or hugetlbfs hole is not
 * zero -- the VMM supplies the page when the guest touches it -- while a
 * page in the page cache is still that page. */
TEST(page_cache_uffd_missing)
{
	struct img m = { 0 };
	CHECK(pcache_image(&m));
	/* the memfd VMA (0x1b000) and the hugetlbfs one (0x1cc00):
	 * vm_flags at +32 */
	put64(&m, 0x1b000 + 32, 0xfb | KVM_VM_UFFD_MISSING);
	put64(&m, 0x1cc00 + 32, 0x4000fb | KVM_VM_UFFD_MISSING);
	static const struct {
		uint64_t va;
		enum kvm_pc_state state;
		uint64_t pfn;
	} q[] = {
		{ 0x7f1000005000ull, KVM_PC_UFFD, 0 },
		{ 0x7f1000040000ull, KVM_PC_UFFD, 0 },
		{ 0x7f1000000000ull, KVM_PC_PAGE, 0x10 },
		{ 0x7f1000004000ull, KVM_PC_SWAPPED, 0 },
		{ 0x7f3000200000ull, KVM_PC_UFFD, 0 },
		{ 0x7f3000003000ull, KVM_PC_PAGE, 0x203 },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct kvm_pc_page pc;
		struct gc_error *err = pc_at(&m, q[i].va, PC_VMEMMAP, &pc);
		CHECK(!err);
		gc_error_free(err);
		if (err)
			continue;
		CHECK_EQ_U64(pc.state, q[i].state);
		CHECK_EQ_U64(pc.pfn, q[i].pfn);
	}
	free(m.p);
}

TEST(page_cache_damaged_refused)
{
	/* kvm_image.py's pcache-* damage (the fuzz seeds), patched here
	 * into copies of the intact image: N0 0x1c000 (shift 6), N1 0x1c400
	 * (shift 0), slots at +40, struct page of pfn P at 0x20000 + 64 P */
	static const struct {
		const char *damage;
		size_t off;
		uint64_t val;
		unsigned int len;
		uint64_t va;
		const char *why;
	} q[] = {
		{ "pcache-shift", 0x1c400, 12, 1, 0x7f1000000000ull,
		  "shift 12 under a node of shift 6 (expected 0)" },
		{ "pcache-loop", 0x1c000 + 40, KBASE + 0x1c000 + 2, 8,
		  0x7f1000000000ull,
		  "shift 6 under a node of shift 6 (expected 0)" },
		{ "pcache-page", 0x1c400 + 48, KBASE + 0x20000 + 64 * 0x11 + 8,
		  8, 0x7f1000001000ull,
		  "is not a struct page (expected vmemmap 0xffff888000020000 "
		  "+ a multiple of 64" },
		{ "pcache-index", 0x20000 + 64 * 0x12 + 32, 9, 8,
		  0x7f1000002000ull,
		  "index 0x9 (expected the file's address_space "
		  "0xffff88800001ba00 and index 0x2 of VMM address "
		  "0x7f1000002000)" },
		{ "pcache-sibling", 0x1c400 + 40 + 56, (9 << 2) | 2, 8,
		  0x7f1000007000ull,
		  "slot 7 is a sibling of slot 9 (expected an earlier slot)" },
		/* the 2-page folio's order (page[1].compound_order) 0 */
		{ "order", 0x20000 + 64 * 0x21 + 17, 0, 1, 0x7f1000007000ull,
		  "folio order 0 (expected at least 1 for VMM address "
		  "0x7f1000007000)" },
	};
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		struct img m = { 0 };
		CHECK(pcache_image(&m));
		if (!m.p)
			continue;
		if (q[i].len == 1)
			m.p[q[i].off] = (uint8_t)q[i].val;
		else
			put64(&m, q[i].off, q[i].val);
		struct kvm_pc_page pc;
		struct gc_error *err = pc_at(&m, q[i].va, PC_VMEMMAP, &pc);
		CHECK(err);
		if (err) {
			CHECK_CONTAINS(gc_error_string(err), q[i].why);
			CHECK_CONTAINS(gc_error_string(err), "VMM address");
		}
		gc_error_free(err);
		/* the rest of the file stays readable */
		err = pc_at(&m, 0x7f2000000000ull, PC_VMEMMAP, &pc);
		CHECK(!err);
		if (!err)
			CHECK_EQ_U64(pc.pfn, 0x30);
		gc_error_free(err);
		free(m.p);
	}
}

/* hugetlbfs the way Linux >= 6.7 indexes its page cache: in base pages,
 * each huge page one multi-index entry of its order (kvm_image.py
 * pcache-hbase, -hmixed, -h1g).  Huge page 1 of the file (the VMA's
 * first, vm_pgoff 0x200) is at index 0x200, not 1; index 1 and 2 lie in
 * the folio of huge page 0, which the VMA does not map and which must
 * never answer for it. */
TEST(page_cache_hugetlb_base_index)
{
	struct img m = { 0 };
	CHECK(make_image("pcache-hbase", &m));
	struct kvm_pc_page hp;
	struct gc_error *err = pc_at(&m, 0x7f3000003000ull, PC_VMEMMAP, &hp);
	CHECK(!err);
	if (err)
		fprintf(stderr, "%s\n", gc_error_string(err));
	gc_error_free(err);
	if (!err) {
		CHECK_EQ_U64(hp.state, KVM_PC_PAGE);
		CHECK_EQ_U64(hp.pfn, 0x203);   /* not 0x403: huge page 0's */
		CHECK_EQ_U64(hp.backing, KVM_PC_HUGETLBFS);
		CHECK_EQ_U64(hp.hindex, KVM_PC_HIDX_BASE);
		CHECK_EQ_U64(hp.index, 0x200);
		CHECK_EQ_U64(hp.len, (512 - 3) * 4096ull);
	}
	/* huge page 2: nothing at base index 0x400 (index 2 is inside huge
	 * page 0's entry): a hole, not huge page 0 */
	err = pc_at(&m, 0x7f3000200000ull, PC_VMEMMAP, &hp);
	CHECK(!err);
	gc_error_free(err);
	if (!err) {
		CHECK_EQ_U64(hp.state, KVM_PC_HOLE);
		CHECK_EQ_U64(hp.hindex, KVM_PC_HIDX_BASE);
		CHECK_EQ_U64(hp.index, 0x400);
		CHECK_EQ_U64(hp.pfn, 0);
		CHECK_EQ_U64(hp.len, 2ull << 20);
	}
	/* damage: an entry of 7 pages' siblings, not 8; huge page 1's
	 * page->index; a vm_pgoff inside a huge page.  N3 0x1d900 (shift
	 * 6), slots at +40; struct page of pfn P at 0x20000 + 64 P; the VMA
	 * 0x1cc00 (vm_pgoff +104) */
	static const struct {
		size_t off;
		uint64_t val;
		const char *why;
	} dmg[] = {
		{ 0x1d900 + 40 + 8 * 15, 0,
		  "the entry for index 0x200 starts at index 0x200 in a node "
		  "of shift 6 with 6 sibling slots after it (expected a "
		  "single-index entry at index 0x200, Linux < 6.7, or an "
		  "entry of order 9 at index 0x200 in a node of shift 6 with "
		  "7 siblings, Linux >= 6.7)" },
		{ 0x20000 + 64 * 0x200 + 32, 0x201,
		  "index 0x201 (expected the file's address_space "
		  "0xffff88800001d800 and index 0x200 of VMM address "
		  "0x7f3000003000)" },
		{ 0x1cc00 + 104, 0x201,
		  "vm_pgoff 0x201 of a hugetlbfs mapping is not a multiple of "
		  "its huge pages (order 9)" },
	};
	for (size_t i = 0; i < sizeof(dmg) / sizeof(dmg[0]); i++) {
		uint8_t save[8];
		memcpy(save, m.p + dmg[i].off, 8);
		put64(&m, dmg[i].off, dmg[i].val);
		err = pc_at(&m, 0x7f3000003000ull, PC_VMEMMAP, &hp);
		CHECK(err);
		if (err)
			CHECK_CONTAINS(gc_error_string(err), dmg[i].why);
		gc_error_free(err);
		memcpy(m.p + dmg[i].off, save, 8);
	}
	free(m.p);

	/* a single-index huge page 1 at index 1 and a multi-index one at
	 * 0x200: which way the kernel counts cannot be told, so neither is
	 * taken */
	CHECK(make_image("pcache-hmixed", &m));
	err = pc_at(&m, 0x7f3000003000ull, PC_VMEMMAP, &hp);
	CHECK(err);
	if (err) {
		CHECK_CONTAINS(gc_error_string(err), "VMM address "
			       "0x7f3000003000: index 0x1 holds a single-index "
			       "(huge-page) entry and index 0x200 a "
			       "multi-index (base-page) one: whether this "
			       "kernel indexes hugetlbfs in huge pages (Linux "
			       "< 6.7) or in base pages (>= 6.7) cannot be "
			       "established");
	}
	gc_error_free(err);
	free(m.p);

	/* 1 GiB pages (order 18: a shift-18 node, no siblings), the VMA at
	 * file offset 1 GiB: index 0x40000, not 1 */
	CHECK(make_image("pcache-h1g", &m));
	err = pc_at(&m, 0x7f3000003000ull, PC_VMEMMAP, &hp);
	CHECK(!err);
	gc_error_free(err);
	if (!err) {
		CHECK_EQ_U64(hp.state, KVM_PC_PAGE);
		CHECK_EQ_U64(hp.pfn, 0x303);
		CHECK_EQ_U64(hp.hindex, KVM_PC_HIDX_BASE);
		CHECK_EQ_U64(hp.index, 0x40000);
		CHECK_EQ_U64(hp.len, ((1ull << 18) - 3) * 4096);
	}
	free(m.p);
}

TEST(real_host_layouts_from_btf)
{
	const char *path = gc_test_real_dump("kvm-host-vmm/host.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	const struct gc_types *t = NULL;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	if (!err)
		err = gc_kernel_types(k, &t);
	struct kvm_layout got, want;
	if (!err)
		err = kvm_layout_from_types(t, &got);
	CHECK(!err);
	if (!err) {
		kvm_layout_linux61_svm(&want);
		CHECK(!memcmp(&got, &want, sizeof(got)));
		/* the VMCB offsets walk.c reads (AMD APM vol. 2 appendix B)
		 * against kvm_amd's BTF */
		static const struct {
			const char *type, *path;
			uint64_t off;
		} vmcb[] = {
			{ "struct vmcb_control_area", "exit_code", 0x70 },
			{ "struct vmcb_control_area", "nested_cr3", 0xb0 },
			{ "struct vmcb_save_area", "es", 0x00 },
			{ "struct vmcb_save_area", "cs", 0x10 },
			{ "struct vmcb_save_area", "fs", 0x40 },
			{ "struct vmcb_save_area", "gs", 0x50 },
			{ "struct vmcb_save_area", "gdtr", 0x60 },
			{ "struct vmcb_save_area", "idtr", 0x80 },
			{ "struct vmcb_save_area", "efer", 0xd0 },
			{ "struct vmcb_save_area", "cr4", 0x148 },
			{ "struct vmcb_save_area", "cr3", 0x150 },
			{ "struct vmcb_save_area", "cr0", 0x158 },
			{ "struct vmcb_save_area", "rflags", 0x170 },
			{ "struct vmcb_save_area", "rip", 0x178 },
			{ "struct vmcb_save_area", "rsp", 0x1d8 },
			{ "struct vmcb_save_area", "rax", 0x1f8 },
			{ "struct vmcb_save_area", "kernel_gs_base", 0x220 },
			{ "struct vmcb_save_area", "cr2", 0x240 },
			{ "struct vmcb", "save", VMCB_SAVE },
		};
		for (size_t i = 0; i < sizeof(vmcb) / sizeof(vmcb[0]); i++) {
			uint64_t off = ~0ull;
			struct gc_error *e = gc_types_offsetof(
				t, vmcb[i].type, vmcb[i].path, &off, NULL);
			CHECK(!e);
			gc_error_free(e);
			CHECK_EQ_U64(off, vmcb[i].off);
		}
		uint64_t head = 0;
		err = gc_kernel_module_symbol(k, "kvm", "vm_list", &head);
		CHECK(!err);
		CHECK(head >= 0xffffffffc0000000ull);
	}
	if (err)
		fprintf(stderr, "%s\n", gc_error_string(err));
	gc_error_free(err);
	err = k ? gc_kernel_module_symbol(k, "kvm", "no_such_symbol_x", &(uint64_t){ 0 }) : NULL;
	if (k) {
		CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
		gc_error_free(err);
	}
	gc_kernel_close(k);
	gc_dump_close(d);
}

static struct gc_error *kread(void *ctx, uint64_t va, void *buf, size_t len)
{
	return gc_kernel_read(ctx, va, buf, len);
}

/* The VMM's VMAs through the maple tree on the real host: the slots'
 * memory is anonymous private, the program's text is a file mapping,
 * and an address below every mapping has no VMA. */
TEST(real_host_vmm_vmas)
{
	const char *path = gc_test_real_dump("kvm-host-vmm/host.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	const struct gc_types *t = NULL;
	struct kvm_layout l;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	if (!err)
		err = gc_kernel_types(k, &t);
	if (!err)
		err = kvm_layout_from_types(t, &l);
	CHECK(!err);
	if (!err) {
		struct kvm_mem m = { k, kread, NULL, NULL };
		const uint64_t mm = 0xffff8ea3c1061f80ull; /* truth.json */
		static const struct {
			uint64_t va;
			int want; /* 0 none, 1 anonymous private, 2 file */
		} q[] = {
			{ 0x7fb901400000ull, 1 }, { 0x7fb9053fffffull, 1 },
			{ 0x7fb900200000ull, 1 }, { 0x7fb9011fffffull, 1 },
			{ 0x1000, 0 }, { 0x401000, 2 },
		};
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			struct kvm_vma v;
			bool found = false;
			struct gc_error *e = kvm_vma_at(&l, &m, mm, q[i].va, &v,
						       &found);
			CHECK(!e);
			gc_error_free(e);
			int got = !found ? 0 : v.file ? 2 : 1;
			CHECK_EQ_U64(got, q[i].want);
			if (got == 1)
				CHECK(!(v.flags & KVM_VM_SHARED));
		}
		/* the VMM's page tables as an xlat: slot memory maps to the
		 * host pages truth.json lists (gpa 0 -> 0x3000000, a 2 MiB
		 * THP leaf); the stack VMA's lowest page was never touched
		 * and is anonymous private: zero, for the extent of the
		 * entry that is empty */
		struct gc_xlat *x = NULL;
		struct gc_error *e = kvm_vmm_xlat_new(k, 0x18c4000, mm, NULL,
						      &x);
		CHECK(!e);
		if (!e) {
			struct gc_xlat_run r;
			e = gc_xlat_lookup(x, 0x7fb901400000ull, &r);
			CHECK(!e && r.status == GC_XLAT_MAPPED);
			CHECK_EQ_U64(r.target, 0x3000000);
			CHECK_EQ_U64(r.len, 2u << 20);
			gc_error_free(e);
			uint64_t args = 0;
			e = gc_kernel_read_u64(k, mm + 312, &args);
			CHECK(!e);
			gc_error_free(e);
			struct kvm_vma st;
			bool found = false;
			e = kvm_vma_at(&l, &m, mm, args, &st, &found);
			CHECK(!e && found && !st.file);
			gc_error_free(e);
			if (found) {
				e = gc_xlat_lookup(x, st.start, &r);
				CHECK(!e && r.status == GC_XLAT_MAPPED);
				CHECK(r.target >= KVM_ZERO);
				CHECK_EQ_U64(r.target - KVM_ZERO, st.start);
				CHECK(r.len <= st.end - st.start);
				gc_error_free(e);
			}
			gc_xlat_free(x);
		}
		gc_error_free(e);
	}
	gc_error_free(err);
	gc_kernel_close(k);
	gc_dump_close(d);
}

/* Guest RAM in hugetlbfs slots and the dump level: makedumpfile drops
 * hugetlbfs pages with bit 8 (its user-data case takes isHugetlb pages),
 * never with bit 16 alone. */
/* Reads through the host kernel with the bytes at AT replaced by VAL (a
 * damaged dump without copying 1 GiB). */
struct damaged {
	struct gc_kernel *k;
	uint64_t at;
	uint8_t val[8];
	size_t n;
};

static struct gc_error *dread(void *ctx, uint64_t va, void *buf, size_t len)
{
	const struct damaged *d = ctx;
	struct gc_error *err = gc_kernel_read(d->k, va, buf, len);
	for (size_t i = 0; !err && i < d->n; i++)
		if (d->at + i >= va && d->at + i - va < len)
			((uint8_t *)buf)[d->at + i - va] = d->val[i];
	return err;
}

/* kvm-host-memfd (tests/make_kvm_host_memfd.sh, under GC_KVM_HOSTS or
 * ~/.cache/guestcore; make check-kvm-host makes it): slot 1 is a memfd
 * whose first 2048 pages have no PTE; the first 256 were punched out of
 * the memfd (a hole: zero), each other one is in the page cache at its
 * index, and its frame holds the VMM's page pattern ("L2PAGE", the GPA).
 * The same lookups with a damaged xa_node or struct page are refused
 * with the VMM address and what was expected. */
TEST(real_memfd_page_cache)
{
	char path[1024];
	const char *hosts = getenv("GC_KVM_HOSTS"), *home = getenv("HOME");
	if (hosts)
		snprintf(path, sizeof(path), "%s/kvm-host-memfd/host.elf", hosts);
	else
		snprintf(path, sizeof(path), "%s/.cache/guestcore/kvm-host-memfd/"
			 "host.elf", home ? home : "/nonexistent");
	if (access(path, R_OK)) {
		gc_test_skip("kvm-host-memfd absent (make check-kvm-host "
			     "makes it)");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	const struct gc_types *t = NULL;
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	struct kvm_layout l;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	if (!err)
		err = gc_kernel_types(k, &t);
	if (!err)
		err = kvm_layout_from_types(t, &l);
	if (!err)
		err = gc_kvm_list(k, &vms, &nr);
	struct gc_symbol sym;
	uint64_t vmemmap = 0;
	if (!err)
		err = gc_kernel_symbol(k, "vmemmap_base", &sym);
	if (!err)
		err = gc_kernel_read_u64(k, sym.addr, &vmemmap);
	CHECK(!err);
	if (err)
		fprintf(stderr, "%s\n", gc_error_string(err));
	const struct gc_kvm_slot *s1 = NULL;
	for (size_t i = 0; !err && nr == 1 && i < vms[0].nr_slots; i++)
		if (!vms[0].slots[i].as_id && vms[0].slots[i].id == 1)
			s1 = &vms[0].slots[i];
	CHECK(s1);
	struct kvm_vma v;
	bool found = false;
	struct kvm_mem m = { k, kread, NULL, NULL };
	if (s1)
		err = kvm_vma_at(&l, &m, vms[0].mm, s1->userspace_addr, &v,
				 &found);
	CHECK(!err && found && v.file);
	CHECK(l.has_pcache);
	uint64_t page0 = 0, page0i = 0;
	for (uint64_t i = 0; s1 && found && !err && i < 2048;
	     i += i == 2046 ? 1 : 89) {
		uint64_t va = s1->userspace_addr + (i << 12);
		struct kvm_pc_page pc;
		err = kvm_pcache_lookup(&l, &m, vmemmap, &v, va, &pc);
		CHECK(!err);
		if (err)
			break;
		CHECK_EQ_U64(pc.backing, KVM_PC_MEMFD);
		CHECK_EQ_U64(pc.index, i);
		CHECK_EQ_U64(pc.state, i < 256 ? KVM_PC_HOLE : KVM_PC_PAGE);
		if (pc.state != KVM_PC_PAGE)
			continue;
		uint8_t b[16];
		err = gc_dump_read(d, GC_SPACE_PHYS, pc.pfn << 12, b, 16);
		CHECK(!err);
		if (!err) {
			CHECK(!memcmp(b, "L2PAGE\0\0", 8));
			CHECK_EQ_U64(gc_get64(b + 8, false),
				     (s1->base_gfn + i) << 12);
		}
		if (!page0) {
			page0 = vmemmap + pc.pfn * l.page_size;
			page0i = i;
		}
	}
	if (s1 && found && !err && page0) {
		uint64_t e = 0, mapping = 0;
		err = gc_kernel_read_u64(k, v.file + l.file_mapping, &mapping);
		if (!err)
			err = gc_kernel_read_u64(k, mapping + l.as_xa_head, &e);
		CHECK(!err && (e & 3) == 2);
		char want[128];
		snprintf(want, sizeof(want), "page cache of VMM address 0x%llx "
			 "(memfd, index 0x0)",
			 (unsigned long long)s1->userspace_addr);
		struct damaged dm[] = {
			{ k, e - 2 + l.xa_node_shift, { 7 }, 1 },
			{ k, page0 + l.page_mapping, { 8 }, 1 },
		};
		static const char *const why[] = {
			"shift 7 (expected a multiple of 6 up to 60)",
			"(expected the file's address_space",
		};
		for (size_t j = 0; j < 2; j++) {
			struct kvm_mem dmem = { &dm[j], dread, NULL, NULL };
			struct kvm_pc_page pc;
			/* index 0x0 and the first page found */
			struct gc_error *e2 = kvm_pcache_lookup(
				&l, &dmem, vmemmap, &v,
				s1->userspace_addr + (j ? (page0i << 12) : 0),
				&pc);
			CHECK(e2);
			if (e2) {
				CHECK_CONTAINS(gc_error_string(e2), why[j]);
				if (!j)
					CHECK_CONTAINS(gc_error_string(e2),
						       want);
			}
			gc_error_free(e2);
		}
	}
	gc_error_free(err);
	gc_kvm_vms_free(vms, nr);
	gc_kernel_close(k);
	gc_dump_close(d);
}

/* The same for anonymous private memory: the real host's stack VMA (its
 * lowest page never touched, zero, real_host_vmm_vmas) read with
 * VM_UFFD_MISSING set in its vm_flags is a gap of the userfaultfd kind,
 * not zero. */
TEST(real_host_uffd_missing_not_zero)
{
	const char *path = gc_test_real_dump("kvm-host-vmm/host.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	const struct gc_types *t = NULL;
	struct kvm_layout l;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	if (!err)
		err = gc_kernel_types(k, &t);
	if (!err)
		err = kvm_layout_from_types(t, &l);
	const uint64_t mm = 0xffff8ea3c1061f80ull; /* truth.json */
	uint64_t args = 0;
	if (!err)
		err = gc_kernel_read_u64(k, mm + l.mm_arg_start, &args);
	struct kvm_mem m = { k, kread, NULL, NULL };
	struct kvm_vma st;
	bool found = false;
	if (!err)
		err = kvm_vma_at(&l, &m, mm, args, &st, &found);
	CHECK(!err && found && !st.file);
	CHECK(!(st.flags & KVM_VM_UFFD_MISSING));
	struct damaged dm = { k, st.addr + l.vma_flags, { 0 }, 8 };
	uint64_t fl = st.flags | KVM_VM_UFFD_MISSING;
	for (int i = 0; i < 8; i++)
		dm.val[i] = (uint8_t)(fl >> (8 * i));
	struct kvm_mem dmem = { &dm, dread, NULL, NULL };
	struct gc_xlat *x = NULL;
	for (int patched = 0; !err && found && patched < 2; patched++) {
		err = kvm_vmm_xlat_new(k, 0x18c4000, mm,
				       patched ? &dmem : NULL, &x);
		CHECK(!err);
		if (err)
			break;
		struct gc_xlat_run r;
		err = gc_xlat_lookup(x, st.start, &r);
		CHECK(!err && r.status == GC_XLAT_MAPPED);
		if (!patched) {
			CHECK_EQ_U64(r.target, KVM_ZERO | st.start);
		} else {
			CHECK_EQ_U64(r.target, KVM_NOPTE |
					       KVM_KIND(KVM_NOPTE_UFFD) |
					       st.start);
			CHECK(r.len <= st.end - st.start);
		}
		gc_xlat_free(x);
		x = NULL;
	}
	gc_xlat_free(x);
	gc_error_free(err);
	gc_kernel_close(k);
	gc_dump_close(d);
}

/* A guest_memfd slot's VMM address (kvm_slots_table marks it) is a gap of
 * its own kind through the VMM's page tables, whatever the VMM maps there
 * (here slot 0's memory, a 2 MiB THP at host 0x3000000). */
TEST(real_host_guest_memfd_gap)
{
	const char *path = gc_test_real_dump("kvm-host-vmm/host.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	struct gc_xlat *x = NULL;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	if (!err)
		err = kvm_vmm_xlat_new(k, 0x18c4000, 0xffff8ea3c1061f80ull, NULL,
				       &x);
	CHECK(!err);
	for (int marked = 0; !err && marked < 2; marked++) {
		struct gc_xlat_run r;
		uint64_t va = 0x7fb901400000ull;
		err = gc_xlat_lookup(x, marked ? KVM_SLOT_GMEM | va : va, &r);
		CHECK(!err && r.status == GC_XLAT_MAPPED);
		if (marked) {
			CHECK_EQ_U64(r.target, KVM_NOPTE |
					       KVM_KIND(KVM_NOPTE_GMEM) | va);
			CHECK(r.len >= 4096);
		} else {
			CHECK_EQ_U64(r.target, 0x3000000);
		}
	}
	gc_xlat_free(x);
	gc_error_free(err);
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST(hugetlb_dump_level)
{
	static const char *const dmg[] = { "none", "hugetlb" };
	for (size_t d = 0; d < 2; d++) {
		struct img m = { 0 };
		struct gc_kvm_vm *vms = NULL;
		size_t nr = 0;
		struct gc_error *err = walk(dmg[d], &m, &vms, &nr);
		CHECK(!err && nr == 1);
		if (err || nr != 1) {
			gc_error_free(err);
			gc_kvm_vms_free(vms, nr);
			free(m.p);
			return;
		}
		struct kvm_layout l;
		kvm_layout_linux61_svm(&l);
		struct kvm_mem mem = { &m, rd, vtop, rd_user };
		uint64_t bytes = 1;
		CHECK_OK(kvm_hugetlb_bytes(&l, &mem, &vms[0], &bytes));
		/* slot 0 (0x4000 pages at 0x7f0000000000) is the VMA's */
		CHECK_EQ_U64(bytes, d ? 0x4000ull << 12 : 0);
		gc_kvm_vms_free(vms, nr);
		free(m.p);
		if (!d) {
			CHECK(!kvm_hugetlb_note(31, bytes));
			continue;
		}
		char *n = kvm_hugetlb_note(31, bytes);
		CHECK_STR(n, "host dump_level 31 excluded hugetlbfs pages "
			     "(makedumpfile -d bit 8 drops them with anonymous "
			     "user pages; bit 16 does not touch them): the 64 "
			     "MiB of guest RAM in hugetlbfs slots are not in "
			     "this dump; the KVM structures, memory slots and "
			     "vCPU registers survived; a level without bit 8 "
			     "(e.g. -d 17) keeps them");
		free(n);
		n = kvm_hugetlb_note(8, bytes);
		CHECK(n != NULL);
		free(n);
		CHECK(!kvm_hugetlb_note(17, bytes));
		CHECK(!kvm_hugetlb_note(16, bytes));
		CHECK(!kvm_hugetlb_note(0, bytes));
	}
}

TEST_MAIN()
