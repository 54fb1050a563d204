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

#include "fixtures/hostimg.h"
#include "guestcore/guestcore.h"
#include "guestcore/kvm.h"
#include "guestcore/vmx.h"
#include "guests/kvm/kvm_internal.h"
#include "harness.h"
#include "util/report.h"

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

#include "kvm_img.h"

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

/* kvm_walk over image M (kvm_image.py's DAMAGE, owned and freed here)
 * with layout L, each of its allocations failing in turn: out of memory
 * or the full answer, and nothing left allocated.  WANT_IN, when not
 * NULL, must occur in the full answer. */
static void walk_img_each_failing(const char *damage, struct img m,
				  const struct kvm_layout *l,
				  const char *want_in)
{
	struct kvm_mem mem = { &m, rd, vtop, rd_user };
	static char want[65536], got[65536];
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	CHECK_OK(kvm_walk(l, &mem, KBASE, &vms, &nr));
	vms_text(vms, nr, want, sizeof(want));
	gc_kvm_vms_free(vms, nr);
	if (want_in)
		CHECK_CONTAINS(want, want_in);
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

static void walk_each_failing(const char *damage, const struct kvm_layout *l)
{
	if (!FAULTS) {
		gc_test_skip("AddressSanitizer's allocator stays in place");
		return;
	}
	struct img m = { 0 };
	CHECK(make_image(damage, &m));
	walk_img_each_failing(damage, m, l, NULL);
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

/* Intel: the image's vCPUs as struct vcpu_vmx (kvm_vcpu at 0, a
 * loaded_vmcs pointer at 7000 naming a loaded_vmcs whose vmcs is a Sandy
 * Bridge VMCS region, tests/fixtures/hostimg.h's), the registers KVM keeps
 * in the VMCS decoded through the published layouts: out of memory there
 * used to read as "no usable VMCS layout". */
TEST(walk_vmx_out_of_memory)
{
	if (!FAULTS) {
		gc_test_skip("AddressSanitizer's allocator stays in place");
		return;
	}
	struct gc_vmcs_layout *pub = gc_vmcs_published_layout(0x10);
	CHECK(pub);
	struct himg h;
	memset(&h, 0, sizeof(h));
	hi_write_vmcs(&h, pub, &hi_vcpus[0], 0);
	hi_write_vmcs(&h, pub, &hi_vcpus[1], 1);
	struct img m = { 0 };
	CHECK(!h.oom && make_image("none", &m));
	const size_t LV = 0x1b000, VMCS = 0x1c000, N = 0x1e000;
	uint8_t *p = realloc(m.p, N);
	CHECK(p);
	m.p = p;
	memset(m.p + m.n, 0, N - m.n);
	m.n = N;
	static const size_t vcpu[2] = { 0x14000, 0x16000 };
	for (unsigned int i = 0; i < 2; i++) {
		uint64_t lv = KBASE + LV + 0x100 * i, vmcs = KBASE + VMCS +
							      0x1000 * i;
		memcpy(m.p + vcpu[i] + 7000, &lv, 8);
		memcpy(m.p + LV + 0x100 * i, &vmcs, 8);
		memcpy(m.p + VMCS + 0x1000 * i, hi_page(&h, hi_vcpus[i].paddr),
		       HI_PAGE);
	}
	hi_free(&h);
	gc_vmcs_layout_free(pub);
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	CHECK_OK(gc_vmcs_db_add_published(db));
	struct kvm_layout l;
	kvm_layout_linux61_svm(&l);
	l.vendor = GC_KVM_VMX;
	l.has_vmx_vmcs = true;
	l.vmx_vcpu = 0;
	l.vmx_loaded_vmcs = 7000;
	l.loaded_vmcs_vmcs = 0;
	l.vmcs_db = db;
	walk_img_each_failing("none (VMX)", m, &l, "rev 0x10 (Sandy Bridge)");
	gc_vmcs_db_free(db);
}

/* A guest as text: counts, gaps, vCPU registers, findings, provenance. */
static void guest_text(struct gc_guest *g, char *buf, size_t len)
{
	size_t o = 0;
#define OUT(...)                                                          \
	do {                                                              \
		if (o < len)                                              \
			o += (size_t)snprintf(buf + o, len - o, __VA_ARGS__); \
	} while (0)
	const struct gc_guest_counts *c = gc_guest_counts(g);
	OUT("counts %llu %llu %llu %llu\n",
	    (unsigned long long)c->frames_mapped,
	    (unsigned long long)c->frames_present,
	    (unsigned long long)c->frames_missing,
	    (unsigned long long)c->frames_not_ram);
	size_t ng = 0;
	gc_guest_gaps(g, &ng);
	OUT("gaps %zu\n", ng);
	for (unsigned int i = 0; i < gc_guest_nr_vcpus(g); i++) {
		struct gc_vcpu v;
		struct gc_error *err = gc_guest_vcpu(g, i, &v);
		OUT("vcpu %u %s:", i, err ? gc_error_string(err) : "");
		for (unsigned int r = 0; !err && r < GC_REG_COUNT; r++) {
			uint64_t val;
			if (gc_vcpu_get_reg(&v, r, &val))
				OUT(" %u=%llx", r, (unsigned long long)val);
		}
		OUT("\n");
		gc_error_free(err);
	}
	const struct gc_report *f = gc_guest_findings(g);
	for (size_t i = 0; i < gc_report_count(f); i++) {
		const struct gc_finding *x = gc_report_finding(f, i);
		OUT("finding %d %s %s\n", (int)x->severity, x->code,
		    x->message);
	}
	OUT("provenance %s\n", gc_guest_provenance(g));
#undef OUT
}

static void report_text(const struct gc_report *r, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < gc_report_count(r) && o < len; i++) {
		const struct gc_finding *x = gc_report_finding(r, i);
		o += (size_t)snprintf(buf + o, len - o, "finding %d %s %s\n",
				      (int)x->severity, x->code, x->message);
	}
}

/* gc_guest_open(SOURCE, A), each of its allocations failing in turn
 * (N from FIRST, every STEP-th): out of memory, or the guest exactly as
 * with memory to spare; nothing left allocated once it is closed. */
static void open_each_failing(const char *source,
			      const struct gc_guest_args *a, long step,
			      const char *want_in)
{
	static char want[1 << 16], got[1 << 16];
	struct gc_guest *g = NULL;
	CHECK_OK(gc_guest_open(source, a, &g));
	guest_text(g, want, sizeof(want));
	gc_guest_close(g);
	CHECK_CONTAINS(want, want_in);
	long n = 0;
	for (;; n += step) {
		long live = fi.live;
		arm(n);
		struct gc_error *err = gc_guest_open(source, a, &g);
		disarm();
		if (err) {
			if (err != &gc_error_nomem)
				fprintf(stderr, "%s, allocation %ld failing: "
					"%s\n", source, n, gc_error_string(err));
			CHECK(fi.hit && err == &gc_error_nomem);
			gc_error_free(err);
		} else {
			guest_text(g, got, sizeof(got));
			gc_guest_close(g);
			if (strcmp(got, want))
				fprintf(stderr, "%s, allocation %ld failing:\n"
					"got  %s\nwant %s\n", source, n, got,
					want);
			CHECK_STR(got, want);
		}
		if (fi.live != live)
			fprintf(stderr, "%s, allocation %ld failing: %ld "
				"allocations left behind\n", source, n,
				fi.live - live);
		CHECK_EQ_U64(fi.live, live);
		if (!fi.hit)
			break;
	}
	CHECK(n > 5);
}

/* The real kvm-host-vmm host: the "kvm" source (its findings: the vCPU in
 * guest mode, the NPT cross-check; kg_open added them without looking at
 * gc_report_add's answer) and the "svm" source on the truth's two VMCBs
 * (its svm-scan note likewise). */
TEST(real_guest_open_out_of_memory)
{
	const char *path = gc_test_real_dump("kvm-host-vmm/host.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	if (!FAULTS) {
		gc_test_skip("AddressSanitizer's allocator stays in place");
		return;
	}
	struct gc_dump *d = NULL;
	struct gc_kernel *k = NULL;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (!err)
		err = gc_kernel_open(d, NULL, &k);
	CHECK_OK(err);
	struct gc_guest_args a = { .host = d, .kernel = k, .vm = 0 };
	open_each_failing("kvm", &a, 1, "kvm-npt NPT cross-check");
	static const uint64_t vmcb[2] = { 0x1d534000, 0x1d539000 };
	struct gc_guest_args s = { .host = d, .addrs = vmcb, .nr_addrs = 2 };
	open_each_failing("svm", &s, 1, "svm-scan registers from the VMCB");

	/* check's KVM findings (gc_kvm_check): the same */
	static char want[1 << 14], got[1 << 14];
	struct gc_report rep = { 0 };
	CHECK_OK(gc_kvm_check(k, &rep));
	report_text(&rep, want, sizeof(want));
	gc_report_clear(&rep);
	CHECK_CONTAINS(want, "kvm-cpu-in-guest host CPU 0 was executing KVM "
		       "guest 0");
	long n = 0;
	for (;; n++) {
		long live = fi.live;
		arm(n);
		err = gc_kvm_check(k, &rep);
		disarm();
		report_text(&rep, got, sizeof(got));
		gc_report_clear(&rep);
		if (err) {
			CHECK(fi.hit && err == &gc_error_nomem);
		} else {
			if (strcmp(got, want))
				fprintf(stderr, "gc_kvm_check, allocation %ld "
					"failing:\ngot  %s\nwant %s\n", n,
					got, want);
			CHECK_STR(got, want);
		}
		CHECK_EQ_U64(fi.live, live);
		if (!fi.hit)
			break;
	}
	CHECK(n > 5);
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST_MAIN()
