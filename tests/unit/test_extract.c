// SPDX-License-Identifier: MIT
/*
 * KVM guest extraction (src/lib/vmx/extract.c) on synthetic hosts built
 * around the REAL QEMU guest dumps (tests/fixtures/hostguest.h): the guest
 * view and the written vmcore must equal the original guest page for page
 * and register for register.
 */
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "guestcore/guest.h"
#include "guestcore/vmx.h"
#include "harness.h"
#include "fixtures/hostguest.h"

#define IDLE "qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
#define PANIC "qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf"

struct host_spec {
	const char *guests[2];
	int nr;
	uint32_t rev;
	unsigned int seed;
	bool drop, bad;
	uint64_t drop_gfn, bad_gfn;
};

/* Build the host file; false (and the case skipped) without the dumps. */
static bool make_host(const struct host_spec *hs, const char *path)
{
	struct hg s;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < hs->nr; i++) {
		const char *p = gc_test_real_dump(hs->guests[i]);
		if (!p) {
			gc_test_skip("real QEMU guest dump not available");
			for (int k = 0; k < s.nr_guests; k++)
				gc_dump_close(s.g[k]);
			return false;
		}
		struct gc_error *err = gc_dump_open(p, NULL, &s.g[s.nr_guests]);
		if (err) {
			gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
			gc_error_free(err);
			for (int k = 0; k < s.nr_guests; k++)
				gc_dump_close(s.g[k]);
			return false;
		}
		s.nr_guests++;
	}
	s.seed = hs->seed;
	s.has_drop = hs->drop;
	s.drop_gfn = hs->drop_gfn;
	s.has_bad = hs->bad;
	s.bad_gfn = hs->bad_gfn;
	struct gc_vmcs_layout *l = gc_vmcs_builtin_layout(hs->rev);
	char lines[1024];
	bool ok = l && hg_build(&s, l, lines, sizeof(lines)) &&
		  hg_write(&s, path, l);
	for (int k = 0; k < s.nr_guests; k++)
		gc_dump_close(s.g[k]);
	free(s.pages);
	hi_free(&s.h);
	gc_vmcs_layout_free(l);
	if (!ok)
		gc_test_fail(__FILE__, __LINE__, "cannot build host %s", path);
	return ok;
}

static char *tmp_path(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", gc_test_tmpdir(), name);
	return buf[i];
}

/* Every page of ORIG's PHYS runs equal in OTHER, and the same number of
 * frames; returns the number of pages compared or -1 (failure recorded). */
static int64_t same_pages(struct gc_dump *orig, struct gc_dump *other)
{
	struct gc_frame_run *runs;
	size_t nr;
	struct gc_error *err = gc_dump_frame_runs(orig, GC_SPACE_PHYS, &runs, &nr);
	if (err) {
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
		gc_error_free(err);
		return -1;
	}
	static uint8_t a[4096], b[4096];
	int64_t n = 0;
	for (size_t i = 0; i < nr; i++)
		for (uint64_t f = runs[i].start; f < runs[i].start + runs[i].count; f++) {
			struct gc_error *e1 = gc_dump_read(orig, GC_SPACE_PHYS, f << 12, a, 4096);
			struct gc_error *e2 = gc_dump_read(other, GC_SPACE_PHYS, f << 12, b, 4096);
			bool bad = e1 || e2 || memcmp(a, b, 4096);
			if (bad) {
				gc_test_fail(__FILE__, __LINE__, "pfn 0x%" PRIx64 " differs: %s / %s",
					     f, e1 ? gc_error_string(e1) : "ok",
					     e2 ? gc_error_string(e2) : "ok");
				gc_error_free(e1);
				gc_error_free(e2);
				free(runs);
				return -1;
			}
			n++;
		}
	free(runs);
	if ((uint64_t)n != gc_dump_nr_frames(other)) {
		gc_test_fail(__FILE__, __LINE__, "%" PRId64 " pages in the original, %" PRIu64
			     " in the copy", n, gc_dump_nr_frames(other));
		return -1;
	}
	return n;
}

/* Registers a VMCS carries equal the original's notes. */
static bool same_regs(struct gc_dump *orig, struct gc_dump *other, bool all)
{
	if (gc_dump_nr_vcpus(orig) != gc_dump_nr_vcpus(other)) {
		gc_test_fail(__FILE__, __LINE__, "vCPU count %u vs %u", gc_dump_nr_vcpus(orig),
			     gc_dump_nr_vcpus(other));
		return false;
	}
	static const enum gc_vcpu_reg regs[] = {
		GC_REG_RIP, GC_REG_RSP, GC_REG_CR3, GC_REG_RFLAGS, GC_REG_CR0, GC_REG_CR4,
		GC_REG_CS, GC_REG_SS, GC_REG_DS, GC_REG_ES, GC_REG_FS, GC_REG_GS,
		GC_REG_FS_BASE, GC_REG_GS_BASE, GC_REG_GDT_BASE, GC_REG_GDT_LIMIT,
		GC_REG_IDT_BASE, GC_REG_IDT_LIMIT,
	};
	for (unsigned int i = 0; i < gc_dump_nr_vcpus(orig); i++) {
		struct gc_vcpu a, b;
		struct gc_error *err = gc_dump_vcpu(orig, i, &a);
		if (!err)
			err = gc_dump_vcpu(other, i, &b);
		if (err) {
			gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
			gc_error_free(err);
			return false;
		}
		size_t n = all ? sizeof(regs) / sizeof(regs[0]) : 3;
		for (size_t k = 0; k < n; k++)
			if (a.regs[regs[k]] != b.regs[regs[k]]) {
				gc_test_fail(__FILE__, __LINE__, "vCPU %u register %d: 0x%" PRIx64
					     " vs 0x%" PRIx64, i, (int)regs[k], a.regs[regs[k]],
					     b.regs[regs[k]]);
				return false;
			}
		if (a.pgd_addr != b.pgd_addr) {
			gc_test_fail(__FILE__, __LINE__, "vCPU %u page-table root", i);
			return false;
		}
	}
	return true;
}

static void roundtrip(const char *guest_rel, uint32_t rev, unsigned int seed, const char *name)
{
	struct host_spec hs = { { guest_rel }, 1, rev, seed, false, false, 0, 0 };
	char host_path[512], out_path[600];
	snprintf(host_path, sizeof(host_path), "%s", tmp_path(name));
	snprintf(out_path, sizeof(out_path), "%s.vmcore", host_path);
	if (!make_host(&hs, host_path))
		return;
	struct gc_dump *orig = NULL, *host = NULL, *guest = NULL, *out = NULL;
	struct gc_vmcs_db *db = NULL;
	CHECK_OK(gc_dump_open(gc_test_real_dump(guest_rel), NULL, &orig));
	CHECK_OK(gc_dump_open(host_path, NULL, &host));
	CHECK_OK(gc_vmcs_db_new(true, &db));
	uint64_t vmcs[2] = { hg_vmcs_addr(0, 0), hg_vmcs_addr(0, 1) };
	struct gc_guest_args go = { .host = host, .vmcs_db = db, .addrs = vmcs, .nr_addrs = 2 };
	struct gc_guest *gg = NULL;
	CHECK_OK(gc_guest_open("vmx", &go, &gg));
	guest = gc_guest_dump(gg);
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(gg);
	CHECK(gi != NULL);
	CHECK(gc_vmx_guest_info(NULL) == NULL);
	/* the guest is never its host's format */
	CHECK_EQ_U64(gc_dump_format(guest), GC_FORMAT_GUEST);
	CHECK_EQ_U64(gi->eptp, hg_root(0) | 0x5e);
	CHECK_EQ_U64(gi->ept_levels, 4);
	CHECK_EQ_U64(gi->vcpus[0].revision, rev);
	CHECK_EQ_U64(gi->vcpus[1].vpid, 2);
	CHECK_EQ_U64(gi->frames_present, gc_dump_nr_frames(orig));
	CHECK_EQ_U64(gi->frames_missing, 0);
	CHECK_EQ_U64(gi->nr_ept_problems, 0);
	/* the 1 GiB page maps 3-4 GiB; only VGA RAM and BIOS have data */
	CHECK_EQ_U64(gi->frames_not_ram, 262144 - 4096 - 64);
	CHECK(same_regs(orig, guest, true));
	CHECK(same_pages(orig, guest) == (int64_t)gc_dump_nr_frames(orig));
	struct gc_convert_opts co = { .format = GC_OUT_ELF, .force = true };
	struct gc_guest_extract_result r;
	CHECK_OK(gc_guest_extract(gg, out_path, &co, &r));
	CHECK_EQ_U64(r.stats.pages_written, gc_dump_nr_frames(orig));
	CHECK_EQ_U64(r.stats.nr_vcpus, 2);
	CHECK(r.stats.has_vmcoreinfo);
	gc_guest_extract_result_free(&r);
	CHECK_OK(gc_dump_open(out_path, NULL, &out));
	CHECK(same_regs(orig, out, false));
	CHECK(same_pages(orig, out) == (int64_t)gc_dump_nr_frames(orig));
	/* the provenance note names the host, the VMCS regions and the EPTP */
	bool prov = false;
	for (size_t i = 0; i < gc_dump_nr_notes(out); i++) {
		const struct gc_note *n = gc_dump_note(out, i);
		if (strcmp(n->name, "GUESTCORE"))
			continue;
		char *t = strndup((const char *)n->desc, (size_t)n->size);
		char want[160];
		snprintf(want, sizeof(want), "vmcs=0x%" PRIx64 ",0x%" PRIx64 "\neptp=0x%" PRIx64,
			 vmcs[0], vmcs[1], gi->eptp);
		prov = t && strstr(t, want) && strstr(t, host_path) &&
		       strstr(t, "unknown (stored as 0): rax");
		free(t);
	}
	CHECK(prov);
	gc_dump_close(out);
	gc_guest_close(gg);
	gc_dump_close(host);
	gc_dump_close(orig);
	gc_vmcs_db_free(db);
	remove(out_path);
	remove(host_path);
}

TEST(extract_idle_layout_core2)
{
	roundtrip(IDLE, GC_VMCS_REV_CORE2, 0, "host-d.elf");
}

TEST(extract_panic_layout_synth)
{
	roundtrip(PANIC, GC_VMCS_REV_SYNTH, 5, "host-s.elf");
}

TEST(extract_damaged)
{
	struct host_spec hs = { { IDLE }, 1, GC_VMCS_REV_CORE2, 3, true, true, 0x1234, 0x42 };
	const char *path = tmp_path("host-bad.elf");
	if (!make_host(&hs, path))
		return;
	struct gc_dump *host = NULL, *guest = NULL;
	struct gc_vmcs_db *db = NULL;
	CHECK_OK(gc_dump_open(path, NULL, &host));
	CHECK_OK(gc_vmcs_db_new(true, &db));
	uint64_t vmcs[2] = { hg_vmcs_addr(0, 0), hg_vmcs_addr(0, 1) };
	struct gc_guest_args go = { .host = host, .vmcs_db = db, .addrs = vmcs, .nr_addrs = 2 };
	struct gc_guest *gg = NULL;
	CHECK_OK(gc_guest_open("vmx", &go, &gg));
	guest = gc_guest_dump(gg);
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(gg);
	CHECK_EQ_U64(gi->frames_missing, 1);
	CHECK_EQ_U64(gi->nr_ept_problems, 1);
	CHECK_CONTAINS(gi->ept_problems[0].message, "(guest-physical 0x42000) is misconfigured: "
						     "address above the highest host address");
	bool listed = false;
	size_t nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(gg, &nr_gaps);
	for (size_t i = 0; i < nr_gaps; i++)
		listed |= gaps[i].gfn == 0x1234 && gaps[i].count == 1 &&
			  gaps[i].state == GC_PAGE_EXCLUDED;
	CHECK(listed);
	uint8_t buf[16];
	struct gc_error *err = gc_dump_read(guest, GC_SPACE_PHYS, 0x1234000, buf, 16);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	gc_error_free(err);
	err = gc_dump_read(guest, GC_SPACE_PHYS, 0x42000, buf, 16);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	gc_error_free(err);
	CHECK_OK(gc_dump_read(guest, GC_SPACE_PHYS, 0x1235000, buf, 16));
	struct gc_report rep = { 0 };
	CHECK_OK(gc_dump_check(guest, 0, &rep));
	CHECK_EQ_U64(gc_report_problems(&rep), 2);
	gc_report_clear(&rep);
	gc_guest_close(gg);
	/* an absent VMCS address, a VMCS given twice, differing EPTPs */
	uint64_t absent[1] = { 0x7770000 };
	go.addrs = absent;
	go.nr_addrs = 1;
	err = gc_guest_open("vmx", &go, &gg);
	CHECK(err != NULL);
	CHECK_CONTAINS(gc_error_string(err), "VMCS at 0x7770000");
	gc_error_free(err);
	uint64_t twice[2] = { vmcs[0], vmcs[0] };
	go.addrs = twice;
	go.nr_addrs = 2;
	err = gc_guest_open("vmx", &go, &gg);
	CHECK(err != NULL);
	CHECK_CONTAINS(gc_error_string(err), "given twice");
	gc_error_free(err);
	uint64_t decoy[2] = { vmcs[0], HI_DECOYS };
	go.addrs = decoy;
	err = gc_guest_open("vmx", &go, &gg);
	CHECK(err != NULL);
	CHECK_CONTAINS(gc_error_string(err), "VMX-abort indicator");
	gc_error_free(err);
	gc_dump_close(host);
	gc_vmcs_db_free(db);
	remove(path);
}

TEST(find_two_guests)
{
	struct host_spec hs = { { IDLE, PANIC }, 2, GC_VMCS_REV_CORE2, 1, false, false, 0, 0 };
	const char *path = tmp_path("host-two.elf");
	if (!make_host(&hs, path))
		return;
	struct gc_dump *host = NULL;
	struct gc_vmcs_db *db = NULL;
	CHECK_OK(gc_dump_open(path, NULL, &host));
	CHECK_OK(gc_vmcs_db_new(true, &db));
	struct gc_vmx_guest_group *g = NULL;
	size_t ng = 0;
	CHECK_OK(gc_vmx_find_guests(host, db, NULL, &g, &ng));
	CHECK_EQ_U64(ng, 2);
	for (size_t i = 0; i < ng; i++) {
		int gi = g[i].eptp == (hg_root(1) | 0x5e) ? 1 : 0;
		CHECK_EQ_U64(g[i].eptp, hg_root(gi) | 0x5e);
		CHECK_EQ_U64(g[i].nr_vmcs, 2);
		/* ordered by VPID: vCPU 0 first although its VMCS is higher */
		CHECK_EQ_U64(g[i].vmcs[0], hg_vmcs_addr(gi, 0));
		CHECK_EQ_U64(g[i].vmcs[1], hg_vmcs_addr(gi, 1));
	}
	/* the two guests' vCPUs do not mix */
	uint64_t mixed[2] = { hg_vmcs_addr(0, 0), hg_vmcs_addr(1, 0) };
	struct gc_guest_args go = { .host = host, .vmcs_db = db, .addrs = mixed, .nr_addrs = 2 };
	struct gc_guest *guest = NULL;
	struct gc_error *err = gc_guest_open("vmx", &go, &guest);
	CHECK(err != NULL);
	CHECK_CONTAINS(gc_error_string(err), "not the same guest");
	gc_error_free(err);
	gc_vmx_guest_groups_free(g, ng);
	gc_dump_close(host);
	gc_vmcs_db_free(db);
	remove(path);
}

TEST_MAIN()
