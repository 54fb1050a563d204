// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel layer on Xen dumps, and the legacy PV
 * physical view.  The input goes to gc_dump_open as a file; gc_kernel_open
 * then searches it for VMCOREINFO, walks page tables (machine-only for
 * legacy PV), rebuilds the guest's p2m and reads through a physical view
 * over the dump.  When the dump has no pfn column, the input's last bytes
 * also serve as a p2m (hostile mfns, duplicates, flag bits) for a view of
 * its own (gc_p2m_view_new).  Then reads by pfn and by mfn, pfn <-> mfn,
 * frame runs, vtop, log and check are exercised on the dump and views.
 * Seeds: tests/fuzz/seeds_xen_guest.sh GCFIXTURE OUTDIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "guestcore/kernel.h"
#include "dump_internal.h"
#include "kernel/xen_p2m.h"

static char path[64];

static void reads(struct gc_dump *d)
{
	struct gc_frame_run *runs;
	size_t n;
	struct gc_error *err = gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &n);
	gc_error_free(err);
	if (err)
		return;
	uint8_t buf[32];
	uint32_t ps = gc_dump_page_size(d);
	for (size_t i = 0; i < n && i < 16; i++) {
		uint64_t f = runs[i].start + runs[i].count - 1, m, p;
		gc_error_free(gc_dump_read(d, GC_SPACE_PHYS, f * ps, buf, 32));
		if (!gc_dump_has_space(d, GC_SPACE_MACH))
			continue;
		err = gc_dump_pfn_to_mfn(d, runs[i].start, &m);
		if (!err)
			gc_error_free(gc_dump_mfn_to_pfn(d, m, &p));
		gc_error_free(err);
	}
	free(runs);
}

static void kernel(struct gc_dump *d)
{
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(d, NULL, &k);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
		return;
	}
	static const uint64_t va[] = {0xffffffff81000000ull,
				      0xffff888000000000ull,
				      0xffffc90000001000ull};
	for (size_t i = 0; i < sizeof(va) / sizeof(va[0]); i++) {
		struct gc_walk w;
		gc_error_free(gc_kernel_walk(k, va[i], false, 0, &w));
	}
	char *log;
	const char *src;
	err = gc_kernel_log(k, &log, &src);
	if (!err)
		free(log);
	gc_error_free(err);
	struct gc_report r = {0};
	gc_error_free(gc_kernel_check(k, &r));
	gc_report_clear(&r);
	gc_kernel_close(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_xen_guest.%ld",
			 (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err) {
		gc_error_free(err);
		unlink(path);
		return 0;
	}
	kernel(d);
	struct gc_dump *view = NULL;
	if (gc_dump_needs_p2m(d) && size >= 64) {
		size_t n = size / 8 > 4096 ? 4096 : size / 8;
		uint64_t *tab = malloc(n * sizeof(*tab));
		struct gc_xlat *x;
		if (tab) {
			memcpy(tab, data + size - n * 8, n * 8);
			err = gc_xen_p2m_table_xlat(tab, n, 12,
						    gc_dump_nr_frames(d), NULL, &x);
			if (!err)
				err = gc_p2m_view_new(d, x, "fuzz", false,
						      &view);
			gc_error_free(err);
			free(tab);
		}
		/* a view of a view is refused */
		if (view && !gc_xen_p2m_table_xlat(NULL, 0, 12, UINT64_MAX,
						      NULL, &x)) {
			struct gc_dump *again;
			gc_error_free(gc_p2m_view_new(view, x, "again", false,
						      &again));
		}
	}
	/* and the CLI's way: a view built by the kernel layer */
	struct gc_dump *kview = NULL;
	if (gc_dump_needs_p2m(d))
		gc_error_free(gc_kernel_phys_view(d, NULL, &kview));
	reads(d);
	struct gc_report r = {0};
	gc_error_free(gc_dump_check(d, 0, &r));
	gc_report_clear(&r);
	for (int i = 0; i < 2; i++) {
		struct gc_dump *v = i ? kview : view;
		if (!v)
			continue;
		reads(v);
		kernel(v);
		gc_error_free(gc_dump_check(v, 0, &r));
		gc_report_clear(&r);
	}
	gc_dump_close(view);
	if (kview)
		gc_dump_close(kview);  /* closes D too */
	else
		gc_dump_close(d);
	unlink(path);
	return 0;
}
