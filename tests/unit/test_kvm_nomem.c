// SPDX-License-Identifier: MIT
/*
 * Out of memory in the KVM guest layer (src/lib/guests/kvm/, the svm
 * source): every allocation of a call fails in turn, one at a time, and
 * the call must then either fail with out of memory or return exactly
 * what it returns with memory to spare -- never a result with something
 * silently missing -- and leave nothing allocated once its result is
 * freed.  This binary replaces malloc, calloc, realloc and free (glibc
 * supports that: its own internal allocations come here too) with ones
 * that count what is live and fail the Nth allocation on request; under
 * AddressSanitizer, whose allocator must stay in place, the cases skip
 * (LeakSanitizer still sees leaks there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/guestcore.h"
#include "guests/kvm/kvm_internal.h"
#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
#define FAULTS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FAULTS 0
#endif
#endif
#ifndef FAULTS
#define FAULTS 1
#endif

/* The injector: countdown < 0 disarmed; else allocations to let through
 * before the one that fails (once).  live: allocations not yet freed.
 * Volatile: the compiler takes malloc and free for the C library's, which
 * touch no other object, and would keep these in registers across them. */
static volatile struct {
	long countdown;
	bool hit;
	long live;
} fi = { -1, false, 0 };

#if FAULTS
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

/* The C library's own calls (strdup, vasprintf) come here only when these
 * are exported: the build hides symbols by default. */
#define PUBLIC __attribute__((visibility("default")))

static bool fi_fail(void)
{
	if (fi.countdown < 0 || fi.countdown-- > 0)
		return false;
	fi.hit = true;
	return true;
}

PUBLIC void *malloc(size_t n)
{
	if (fi_fail())
		return NULL;
	void *p = __libc_malloc(n);
	fi.live += p != NULL;
	return p;
}

PUBLIC void *calloc(size_t n, size_t size)
{
	if (fi_fail())
		return NULL;
	void *p = __libc_calloc(n, size);
	fi.live += p != NULL;
	return p;
}

PUBLIC void free(void *p)
{
	fi.live -= p != NULL;
	__libc_free(p);
}

PUBLIC void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	if (fi_fail())
		return NULL;
	return __libc_realloc(p, n);
}
#endif

static void arm(long n)
{
	fi.countdown = n;
	fi.hit = false;
}

static void disarm(void)
{
	fi.countdown = -1;
}

#define KBASE 0xffff888000000000ull

struct img {
	uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	const struct img *m = ctx;
	if (va < KBASE || va - KBASE > m->n || len > m->n - (va - KBASE))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "image", "outside the image");
	memcpy(buf, m->p + (va - KBASE), len);
	return NULL;
}

static struct gc_error *vtop(void *ctx, uint64_t va, uint64_t *pa)
{
	(void)ctx;
	*pa = va - KBASE;
	return NULL;
}

static struct gc_error *rd_user(void *ctx, uint64_t pgd, uint64_t va,
				void *buf, size_t len)
{
	const struct img *m = ctx;
	(void)pgd;
	if (va > m->n || len > m->n - va)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_NONE, va,
				     "user", "outside the image");
	memcpy(buf, m->p + va, len);
	return NULL;
}

/* The image tests/fuzz/kvm_image.py writes for DAMAGE. */
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

/* Everything kvm_walk returned, as text in BUF (no allocation). */
static void vms_text(const struct gc_kvm_vm *vms, size_t nr, char *buf,
		     size_t len)
{
	size_t o = 0;
#define OUT(...)                                                          \
	do {                                                              \
		if (o < len)                                              \
			o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	for (size_t i = 0; i < nr; i++) {
		const struct gc_kvm_vm *v = &vms[i];
		OUT("vm %zu kvm %llx vendor %d upid %u mm %llx pgd %llx/%llx "
		    "pid %u comm %s name %s cmdline %s pages %llu bytes %llu "
		    "problems [%s]\n", i, (unsigned long long)v->kvm,
		    (int)v->vendor, v->userspace_pid,
		    (unsigned long long)v->mm, (unsigned long long)v->pgd,
		    (unsigned long long)v->pgd_phys, v->pid, v->comm, v->name,
		    v->cmdline ? v->cmdline : "(null)",
		    (unsigned long long)v->nr_memslot_pages,
		    (unsigned long long)v->mem_bytes,
		    v->problems ? v->problems : "(null)");
		for (size_t s = 0; s < v->nr_slots; s++) {
			const struct gc_kvm_slot *l = &v->slots[s];
			OUT(" slot %llx as %u id %d gfn %llx n %llx ua %llx "
			    "fl %x\n", (unsigned long long)l->addr, l->as_id,
			    l->id, (unsigned long long)l->base_gfn,
			    (unsigned long long)l->npages,
			    (unsigned long long)l->userspace_addr, l->flags);
		}
		for (unsigned int c = 0; c < v->nr_vcpus; c++) {
			const struct gc_kvm_vcpu *x = &v->vcpus[c];
			OUT(" vcpu %llx id %d idx %d mode %d cpu %d mp %d pid "
			    "%u av %x dt %x vmcb %llx/%llx ncr3 %llx exit %llx "
			    "vmcs %llx/%llx rev %x lay %s eptp %llx fromvmcs "
			    "%llx note %s source %s\n ",
			    (unsigned long long)x->addr, x->vcpu_id,
			    x->vcpu_idx, x->mode, x->cpu, x->mp_state, x->pid,
			    x->regs_avail, x->regs_dirty,
			    (unsigned long long)x->vmcb,
			    (unsigned long long)x->vmcb_pa,
			    (unsigned long long)x->nested_cr3,
			    (unsigned long long)x->exit_code,
			    (unsigned long long)x->vmcs,
			    (unsigned long long)x->vmcs_pa, x->vmcs_revision,
			    x->vmcs_layout, (unsigned long long)x->eptp,
			    (unsigned long long)x->regs_from_vmcs,
			    x->regs_note ? x->regs_note : "(null)",
			    x->regs.source ? x->regs.source : "(null)");
			for (unsigned int r = 0; r < GC_REG_COUNT; r++) {
				uint64_t val;
				if (gc_vcpu_get_reg(&x->regs, r, &val))
					OUT(" %u=%llx", r,
					    (unsigned long long)val);
			}
			OUT(" pgd %llx\n", (unsigned long long)x->regs.pgd_addr);
		}
	}
#undef OUT
}

/* kvm_walk over kvm_image.py's DAMAGE image with layout L, each of its
 * allocations failing in turn: out of memory or the full answer, and
 * nothing left allocated. */
static void walk_each_failing(const char *damage, const struct kvm_layout *l)
{
	if (!FAULTS) {
		gc_test_skip("AddressSanitizer's allocator stays in place");
		return;
	}
	struct img m = { 0 };
	CHECK(make_image(damage, &m));
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	static char want[65536], got[65536];
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	CHECK_OK(kvm_walk(l, &mem, KBASE, &vms, &nr));
	vms_text(vms, nr, want, sizeof(want));
	gc_kvm_vms_free(vms, nr);
	long n = 0;
	for (;; n++) {
		long live = fi.live;
		arm(n);
		struct gc_error *err = kvm_walk(l, &mem, KBASE, &vms, &nr);
		disarm();
		if (err) {
			if (err != &gc_error_nomem)
				fprintf(stderr, "%s, allocation %ld failing: "
					"%s\n", damage, n, gc_error_string(err));
			CHECK(fi.hit && err == &gc_error_nomem);
			CHECK(!vms && !nr);
			gc_error_free(err);
		} else {
			vms_text(vms, nr, got, sizeof(got));
			gc_kvm_vms_free(vms, nr);
			if (strcmp(got, want))
				fprintf(stderr, "%s, allocation %ld failing:\n"
					"got  %s\nwant %s\n", damage, n, got,
					want);
			CHECK_STR(got, want);
		}
		if (fi.live != live)
			fprintf(stderr, "%s, allocation %ld failing: %ld "
				"allocations left behind\n", damage, n,
				fi.live - live);
		CHECK_EQ_U64(fi.live, live);
		if (!fi.hit)
			break;
	}
	CHECK(n > 5);
	free(m.p);
}

TEST(walk_out_of_memory)
{
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	walk_each_failing("none", &l);
	walk_each_failing("deep", &l);
	walk_each_failing("vcpus", &l);
	/* Linux < 5.17 without kvm_amd's types: the VMCB probed */
	kvm_layout_pre517_synthetic(&l);
	l.vendor = GC_KVM_UNKNOWN;
	l.svm_vmcb_probe = true;
	l.svm_vmcb = 6552;
	walk_each_failing("array", &l);
}

TEST_MAIN()
