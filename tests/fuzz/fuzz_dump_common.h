// SPDX-License-Identifier: MIT
/*
 * The body shared by the fuzz targets that feed their input to
 * gc_dump_open() as a file and exercise everything a dump offers: header
 * fields, notes, VMCOREINFO, vCPUs, reads at both ends of every frame run
 * and check.  A target defines FUZZ_NAME (and optionally FUZZ_PREFIX(f,
 * data, size), which writes bytes before the input) and includes this.
 */
#ifndef GC_FUZZ_DUMP_COMMON_H
#define GC_FUZZ_DUMP_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/report.h"
#include "guestcore/guestcore.h"

static char path[64];

static void exercise(struct gc_dump *d)
{
	for (size_t i = 0; i < gc_dump_nr_fields(d); i++)
		(void)strlen(gc_dump_field(d, i)->value);
	for (size_t i = 0; i < gc_dump_nr_notes(d); i++)
		(void)gc_dump_note(d, i)->size;
	const char *t;
	size_t len;
	uint64_t off;
	gc_error_free(gc_dump_vmcoreinfo(d, &t, &len, &off));
	for (unsigned i = 0; i < gc_dump_nr_vcpus(d) && i < 64; i++) {
		struct gc_vcpu v;
		gc_error_free(gc_dump_vcpu(d, i, &v));
	}
	struct gc_frame_run *runs;
	size_t n;
	struct gc_error *err = gc_dump_frame_runs(d, GC_SPACE_PHYS, &runs, &n);
	gc_error_free(err);
	if (!err) {
		uint8_t buf[64];
		uint32_t ps = gc_dump_page_size(d);
		for (size_t i = 0; i < n && i < 32; i++) {
			uint64_t a = runs[i].start * ps;
			gc_error_free(gc_dump_read(d, GC_SPACE_PHYS, a, buf,
						   sizeof(buf)));
			a = (runs[i].start + runs[i].count - 1) * ps + ps - 8;
			gc_error_free(gc_dump_read(d, GC_SPACE_PHYS, a, buf,
						   16));
		}
		free(runs);
	}
	struct gc_report r = {0};
	gc_error_free(gc_dump_check(d, gc_dump_nr_frames(d) < 256 ?
					       GC_CHECK_DEEP : 0, &r));
	gc_report_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/%s.%ld", FUZZ_NAME,
			 (long)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
#ifdef FUZZ_PREFIX
	FUZZ_PREFIX(f, data, size);
#endif
	fwrite(data, 1, size, f);
	fclose(f);
#ifdef FUZZ_EXTRA
	FUZZ_EXTRA(path, data, size);
#endif
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
	} else {
		exercise(d);
		gc_dump_close(d);
	}
	unlink(path);
	return 0;
}

#endif
