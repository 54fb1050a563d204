// SPDX-License-Identifier: MIT
/*
 * Random 4 KiB reads from an xc_core dump, by pseudo-physical and by
 * machine address, through libguestcore and through libkdumpfile's C API
 * on the same file and the same addresses, in the same run.  Prints
 * reads per second for each and the ratio guestcore / libkdumpfile.
 *
 *   bench_xen DUMP [--reads N] [--baseline-seconds S] [--seed S]
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "guestcore/guestcore.h"
#include "bench_common.h"

/*
 * Rates are per second of this thread's CPU time (user + system, page
 * faults included), so a busy shared machine does not distort them;
 * both libraries are measured the same way in the same run.
 */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct result {
	double gc_rate, kdf_rate, gc_cold_rate;
	uint64_t gc_reads, kdf_reads;
	uint64_t mismatches;
};

static void bench_space(struct gc_dump *d, kdump_ctx_t *k, enum gc_space sp,
			kdump_addrspace_t kas, uint64_t reads,
			double baseline_seconds, struct result *res)
{
	size_t n;
	uint64_t *frames = stored_frames(d, sp, &n);
	uint64_t *addrs = malloc(reads * sizeof(*addrs));
	for (uint64_t i = 0; i < reads; i++)
		addrs[i] = frames[rnd() % n] << 12;
	free(frames);
	static uint8_t buf[4096], buf2[4096];
	uint64_t sum = 0;
	/* cold pass: first touch of each page in this process */
	double c0 = now();
	for (uint64_t i = 0; i < reads; i++) {
		if (gc_dump_read(d, sp, addrs[i], buf, sizeof(buf)))
			exit(2);
		sum += buf[1];
	}
	res->gc_cold_rate = reads / (now() - c0);
	double t0 = now();
	for (uint64_t i = 0; i < reads; i++) {
		struct gc_error *err = gc_dump_read(d, sp, addrs[i], buf,
						    sizeof(buf));
		if (err) {
			fprintf(stderr, "guestcore read 0x%" PRIx64 ": %s\n",
				addrs[i], gc_error_string(err));
			exit(2);
		}
		sum += buf[0];
	}
	double t1 = now();
	res->gc_reads = reads;
	res->gc_rate = reads / (t1 - t0);
	/* libkdumpfile: same addresses, bounded by time */
	uint64_t done = 0;
	t0 = now();
	while (done < reads) {
		size_t len = sizeof(buf2);
		kdump_status st = kdump_read(k, kas, addrs[done], buf2, &len);
		if (st != KDUMP_OK) {
			fprintf(stderr, "libkdumpfile read 0x%" PRIx64
				": %s\n", addrs[done], kdump_get_err(k));
			exit(2);
		}
		gc_dump_read(d, sp, addrs[done], buf, sizeof(buf));
		if (memcmp(buf, buf2, sizeof(buf)))
			res->mismatches++;
		done++;
		if ((done & 63) == 0 && now() - t0 > baseline_seconds)
			break;
	}
	t1 = now();
	res->kdf_reads = done;
	res->kdf_rate = done / (t1 - t0);
	free(addrs);
	if (sum == 42)
		putchar(' ');
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_xen DUMP [--reads N] "
				"[--baseline-seconds S] [--seed S]\n");
		return 2;
	}
	const char *path = argv[1];
	uint64_t reads = 1000000;
	double base_s = 10;
	rng_state = 0x9E3779B97F4A7C15ull;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--reads"))
			reads = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--baseline-seconds"))
			base_s = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--seed"))
			rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
	}
	/* open time: best of 5 (the file is in the page cache) */
	double best = 1e9;
	struct gc_dump *d = NULL;
	for (int i = 0; i < 5; i++) {
		if (d)
			gc_dump_close(d);
		double t0 = now();
		struct gc_error *err = gc_dump_open(path, NULL, &d);
		double t = now() - t0;
		if (err) {
			fprintf(stderr, "%s\n", gc_error_string(err));
			return 2;
		}
		if (t < best)
			best = t;
	}
	kdump_ctx_t *k = kdump_new();
	int fd = open(path, O_RDONLY);
	double kt0 = now();
	if (!k || fd < 0 || kdump_open_fd(k, fd) != KDUMP_OK) {
		fprintf(stderr, "libkdumpfile cannot open %s: %s\n", path,
			k ? kdump_get_err(k) : "no context");
		return 2;
	}
	double kopen = now() - kt0;
	printf("dump: %s (%" PRIu64 " pages, %s)\n", path,
	       gc_dump_nr_frames(d), gc_format_name(gc_dump_format(d)));
	printf("open (CPU s): guestcore %.4f (best of 5); libkdumpfile %.4f\n",
	       best, kopen);
	struct { const char *name; enum gc_space sp; kdump_addrspace_t kas; }
	spaces[] = {
		{ "pseudo-physical (pfn)", GC_SPACE_PHYS, KDUMP_KPHYSADDR },
		{ "machine (mfn)", GC_SPACE_MACH, KDUMP_MACHPHYSADDR },
	};
	int bad = 0;
	for (int s = 0; s < 2; s++) {
		if (!gc_dump_has_space(d, spaces[s].sp))
			continue;
		struct result r = {0};
		bench_space(d, k, spaces[s].sp, spaces[s].kas, reads, base_s,
			    &r);
		printf("%-22s guestcore %10.0f reads/s (%" PRIu64 " reads; "
		       "first pass %.0f/s); libkdumpfile %10.0f reads/s (%"
		       PRIu64 " reads); ratio %.1fx; mismatches %" PRIu64 "\n",
		       spaces[s].name, r.gc_rate, r.gc_reads, r.gc_cold_rate,
		       r.kdf_rate, r.kdf_reads, r.gc_rate / r.kdf_rate,
		       r.mismatches);
		bad += r.mismatches != 0;
	}
	kdump_free(k);
	close(fd);
	gc_dump_close(d);
	return bad ? 1 : 0;
}
