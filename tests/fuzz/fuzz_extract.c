// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: KVM guest extraction (src/lib/guests/vmx/source.c,
 * src/lib/guests/guest.c).  The
 * input is a host dump (any format gc_dump_open takes); every guest the
 * VMCS scan finds (built-in layouts and the dump's VMCSINFO note) is
 * opened as a guest view and exercised: EPT walk, host-frame
 * classification, registers from the VMCS, reads at both ends of every
 * frame run, check.  Seeds: tests/fuzz/seeds_extract.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "guestcore/guest.h"
#include "guestcore/vmx.h"

static char path[64];

static void exercise(struct gc_guest *gg)
{
	struct gc_dump *g = gc_guest_dump(gg);
	const struct gc_vmx_guest_info *gi = gc_vmx_guest_info(gg);
	if (!gi || gc_dump_format(g) != GC_FORMAT_GUEST)
		abort();
	size_t nr_gaps;
	const struct gc_guest_gap *gaps = gc_guest_gaps(gg, &nr_gaps);
	for (size_t i = 0; i < nr_gaps; i++)
		if (!gaps[i].count || !gaps[i].reason)
			abort();
	for (unsigned int i = 0; i < gc_dump_nr_vcpus(g); i++) {
		struct gc_vcpu v;
		gc_error_free(gc_dump_vcpu(g, i, &v));
	}
	struct gc_frame_run *runs;
	size_t n;
	struct gc_error *err = gc_dump_frame_runs(g, GC_SPACE_PHYS, &runs, &n);
	if (err) {
		gc_error_free(err);
		return;
	}
	uint64_t total = 0;
	uint8_t buf[64];
	for (size_t i = 0; i < n; i++) {
		total += runs[i].count;
		if (i >= 32)
			continue;
		uint64_t a = runs[i].start << 12;
		gc_error_free(gc_dump_read(g, GC_SPACE_PHYS, a, buf, sizeof(buf)));
		a = ((runs[i].start + runs[i].count) << 12) - 8;
		gc_error_free(gc_dump_read(g, GC_SPACE_PHYS, a, buf, 8));
	}
	free(runs);
	if (total != gi->frames_present || total != gc_dump_nr_frames(g))
		abort();   /* the view must agree with itself */
	struct gc_report r = { 0 };
	gc_error_free(gc_dump_check(g, 0, &r));
	gc_report_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_extract.%ld", (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct gc_dump *host;
	struct gc_error *err = gc_dump_open(path, NULL, &host);
	if (err) {
		gc_error_free(err);
		unlink(path);
		return 0;
	}
	/* gc_vmcs_scan reads every listed frame: a few KB of ELF can list
	 * 2^24 frames and take seconds per run without reaching our code. */
	if (gc_dump_nr_frames(host) > (1u << 20)) {
		gc_dump_close(host);
		unlink(path);
		return 0;
	}
	struct gc_vmcs_db *db = NULL;
	err = gc_vmcs_db_new(true, &db);
	if (err)
		db = NULL;
	gc_error_free(err);
	if (db) {
		struct gc_vmcs_layout *l;
		struct gc_error *e = gc_vmcsinfo_from_dump(host, NULL, &l);
		gc_error_free(e ? e : gc_vmcs_db_add(db, l));
	}
	if (db) {
		struct gc_vmx_guest_group *g = NULL;
		size_t ng = 0;
		err = gc_vmx_find_guests(host, db, NULL, &g, &ng);
		gc_error_free(err);
		for (size_t i = 0; !err && i < ng && i < 4; i++) {
			struct gc_guest_args o = { .host = host, .vmcs_db = db,
						   .addrs = g[i].vmcs,
						   .nr_addrs = g[i].nr_vmcs };
			struct gc_guest *guest;
			struct gc_error *e = gc_guest_open("vmx", &o, &guest);
			if (e) {
				gc_error_free(e);
				continue;
			}
			exercise(guest);
			gc_guest_close(guest);
		}
		gc_vmx_guest_groups_free(g, ng);
	}
	gc_vmcs_db_free(db);
	gc_dump_close(host);
	unlink(path);
	return 0;
}
