// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the AMD fallback (src/lib/guests/svm/).  Input: 8
 * bytes nested_cr3 selector, 8 bytes guest-physical address, 1 byte
 * paging depth, then host physical memory starting at 0.  Every page is
 * put through the VMCB recogniser (gc_vmcb_check) and the scan; the NPT
 * root is kept inside the input so walks reach real table data.  The NPT
 * as an xlat must agree with the single walk (gc_npt_translate) and
 * return runs that contain the address and stay inside one leaf.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/svm.h"
#include "guests/svm/svm_internal.h"
#include "fuzz/fuzz_hostmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17 || size > (1u << 20))
		return 0;
	uint64_t sel = fuzz_get64(data), gpa = fuzz_get64(data + 8);
	unsigned int levels = (data[16] & 1) ? 5 : 4;
	struct fuzz_mem m = { data + 17, size - 17 };
	uint64_t max = (m.n / 4096) * 4096;
	struct gc_hostmem hm = fuzz_hostmem(&m, max);
	for (size_t off = 0; off + 4096 <= m.n; off += 4096) {
		struct gc_vmcb_hit h;
		gc_vmcb_check(m.p + off, 4096, off, max, &h);
		if (h.valid && (h.st.nested_cr3 & 0xfff))
			abort();  /* the recogniser promised alignment */
	}
	/* a short page is never a VMCB */
	if (m.n >= 100) {
		struct gc_vmcb_hit h;
		gc_vmcb_check(m.p, 100, 0, max, &h);
		if (h.valid)
			abort();
	}
	struct gc_vmcb_scan s;
	struct gc_error *err = gc_vmcb_scan(&hm, true, &s);
	if (!err) {
		for (size_t i = 0; i < s.nr_hits; i++)
			if (s.hits[i].paddr & 0xfff || !s.hits[i].reason)
				abort();
		gc_vmcb_scan_free(&s);
	}
	gc_error_free(err);
	if (!max)
		return 0;
	uint64_t ncr3 = (sel % max) & ~0xfffull;
	struct gc_npt_walk w;
	err = gc_npt_translate(&hm, ncr3, levels, gpa, &w);
	bool walked = !err;
	gc_error_free(err);
	struct gc_xlat *x;
	err = gc_npt_xlat_new(&hm, ncr3, levels, &x);
	if (err) {
		gc_error_free(err);
		return 0;
	}
	struct gc_xlat_run r;
	err = gc_xlat_lookup(x, gpa, &r);
	if (!err && r.status == GC_XLAT_MAPPED) {
		if (!walked || r.target != w.hpa || !r.len ||
		    r.len > w.page_size)
			abort();
	} else if (!err && walked && gpa < x->limit) {
		abort();  /* the walk mapped what the xlat did not */
	}
	gc_error_free(err);
	gc_xlat_free(x);
	return 0;
}
