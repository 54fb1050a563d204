// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: EPT walks.  Input: 8 bytes EPTP selector, 8 bytes
 * guest-physical address, then host physical memory starting at 0.  The
 * EPTP's root is kept inside the input so walks reach real table data.
 * The EPT as an xlat (gc_ept_xlat_new) must agree with the single walk and
 * return runs that contain the address and stay inside one leaf.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/vmx.h"
#include "guests/vmx/vmx_internal.h"
#include "fuzz/fuzz_hostmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	uint64_t sel = fuzz_get64(data), gpa = fuzz_get64(data + 8);
	struct fuzz_mem m = { data + 16, size - 16 };
	struct gc_hostmem hm = fuzz_hostmem(&m, (m.n + 4095) & ~(uint64_t)4095);
	uint64_t pages = (m.n + 4095) / 4096;
	uint64_t root = pages ? (sel >> 12) % pages : 0;
	uint64_t eptp = (root << 12) | (sel & 0xfff);
	struct gc_ept_walk w;
	gc_error_free(gc_ept_translate(&hm, eptp, gpa, &w));
	struct gc_eptp_info ei;
	gc_error_free(gc_eptp_decode(sel, hm.max_paddr, &ei));
	struct gc_report f = { 0 };
	struct gc_ept_space *s;
	struct gc_ept_space_opts o = { .max_entries = 1 << 16 };
	struct gc_error *err = gc_ept_space_open(&hm, eptp, &o, &f, &s);
	if (!err) {
		uint8_t buf[64];
		gc_error_free(gc_ept_space_read(s, gpa, buf, sizeof(buf)));
		struct gc_frame_run *r;
		size_t nr;
		if (!gc_ept_space_runs(s, &r, &nr))
			free(r);
		uint64_t hpa;
		struct gc_error *e2 = gc_ept_space_translate(s, gpa, &hpa);
		/* the flat map and the walk must agree */
		struct gc_error *e3 = gc_ept_translate(&hm, eptp, gpa, &w);
		if (!e2 && !e3 && hpa != w.hpa)
			abort();
		gc_error_free(e2);
		gc_error_free(e3);
		gc_ept_space_close(s);
	}
	gc_error_free(err);
	gc_report_clear(&f);
	struct gc_xlat *x;
	struct gc_error *xe = gc_ept_xlat_new(&hm, eptp, &x);
	bool have_x = !xe;
	gc_error_free(xe);
	if (have_x) {
		struct gc_xlat_run r;
		struct gc_error *e1 = gc_xlat_lookup(x, gpa, &r);
		struct gc_error *e2 = gc_ept_translate(&hm, eptp, gpa, &w);
		if (!e1 && !r.len)
			abort();
		if (!e1 && r.status == GC_XLAT_MAPPED &&
		    (e2 || r.target != w.hpa || r.len > w.page_size))
			abort();   /* the run and the walk must agree */
		if (!e1 && !e2 && r.status != GC_XLAT_MAPPED)
			abort();
		/* a few runs on from GPA: each starts where the last ended */
		uint64_t a = gpa;
		for (int i = 0; i < 8 && !e1 && a + r.len > a &&
				a + r.len < x->limit; i++) {
			a += r.len;
			e1 = gc_xlat_lookup(x, a, &r);
		}
		gc_error_free(e1);
		gc_error_free(e2);
		gc_xlat_free(x);
	}
	/* the scanner over the same memory */
	static struct gc_vmcs_db *db;  /* built once: layouts are costly */
	if (db || !gc_vmcs_db_new(true, &db)) {
		struct gc_vmcs_scan sc;
		if (!gc_vmcs_scan(&hm, db, NULL, &sc))
			gc_vmcs_scan_free(&sc);
	}
	return 0;
}
