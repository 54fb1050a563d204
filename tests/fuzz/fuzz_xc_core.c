// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the Xen xc_core readers (ELF sections and notes, both
 * classes and byte orders, .xen_p2m / .xen_pfn indexes, vCPU contexts, the
 * legacy 0xF00FEBED layout) and the frame index behind them.  The input
 * goes to gc_dump_open as a file (a memfd, no disk I/O); then every public
 * accessor is exercised: header fields, notes, check, frame runs, reads of
 * a few frames by pfn and by mfn, pfn <-> mfn, page states, vCPUs.
 * Seeds: tests/fuzz/seeds_xc_core.sh GCFIXTURE OUTDIR (docs/fuzzing.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/report.h"
#include "guestcore/guestcore.h"

static void read_frames(struct gc_dump *d, enum gc_space space)
{
	struct gc_frame_run *runs = NULL;
	size_t n = 0;
	struct gc_error *err = gc_dump_frame_runs(d, space, &runs, &n);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
		return;
	}
	uint32_t ps = gc_dump_page_size(d);
	uint8_t buf[128];
	for (size_t i = 0; i < n && i < 8; i++) {
		uint64_t f[3] = { runs[i].start,
				  runs[i].start + runs[i].count - 1,
				  runs[i].start + runs[i].count };
		for (int k = 0; k < 3; k++) {
			enum gc_page_state st;
			gc_error_free(gc_dump_page_state(d, space, f[k], &st));
			/* straddle the end of the frame into the next */
			uint64_t a = f[k] * ps + ps - 64;
			uint64_t missing = 0;
			err = gc_dump_read(d, space, a, buf, sizeof(buf));
			if (err) {
				(void)gc_error_string(err);
				gc_error_free(err);
			}
			gc_error_free(gc_dump_read_fill(d, space, a, buf,
							sizeof(buf),
							&missing));
			uint64_t other;
			if (space == GC_SPACE_PHYS)
				gc_error_free(gc_dump_pfn_to_mfn(d, f[k],
								 &other));
			else
				gc_error_free(gc_dump_mfn_to_pfn(d, f[k],
								 &other));
		}
	}
	free(runs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz_xc_core", 0);
	if (fd < 0)
		return 0;
	size_t done = 0;
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0) {
			close(fd);
			return 0;
		}
		done += (size_t)w;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct gc_dump *d = NULL;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
		close(fd);
		return 0;
	}
	(void)gc_format_name(gc_dump_format(d));
	(void)gc_dump_nr_frames(d);
	for (size_t i = 0; i < gc_dump_nr_fields(d); i++)
		(void)strlen(gc_dump_field(d, i)->value);
	(void)gc_dump_field_by_name(d, "xch_nr_pages");
	for (size_t i = 0; i < gc_dump_nr_notes(d); i++)
		(void)gc_dump_note(d, i)->size;
	struct gc_report rep = { 0 };
	err = gc_dump_check(d, 0, &rep);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
	}
	for (size_t i = 0; i < rep.count; i++)
		(void)strlen(rep.items[i].message);
	(void)gc_report_problems(&rep);
	gc_report_clear(&rep);
	read_frames(d, GC_SPACE_PHYS);
	if (gc_dump_has_space(d, GC_SPACE_MACH))
		read_frames(d, GC_SPACE_MACH);
	/* frames nobody lists: 0, the invalid marker, huge values */
	static const uint64_t odd[] = { 0, 1, 0xffffffffull, ~0ull,
					~0ull >> 12, 1ull << 40 };
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		uint64_t o;
		uint8_t b[16];
		gc_error_free(gc_dump_pfn_to_mfn(d, odd[i], &o));
		gc_error_free(gc_dump_mfn_to_pfn(d, odd[i], &o));
		gc_error_free(gc_dump_read(d, GC_SPACE_PHYS, odd[i] << 12, b,
					   sizeof(b)));
		gc_error_free(gc_dump_read(d, GC_SPACE_MACH, odd[i] << 12, b,
					   sizeof(b)));
	}
	for (unsigned i = 0; i < gc_dump_nr_vcpus(d) && i < 64; i++) {
		struct gc_vcpu v;
		err = gc_dump_vcpu(d, i, &v);
		if (err) {
			(void)gc_error_string(err);
			gc_error_free(err);
		}
	}
	gc_dump_close(d);
	close(fd);
	return 0;
}
