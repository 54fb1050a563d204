// SPDX-License-Identifier: MIT
/*
 * Random reads of raw (uncompressed) pages -- ELF vmcores, xc_core --
 * through the public API against the floor: one pread per page of the
 * same pages in the same order, in the same run.
 *
 *   bench_raw DUMP [--reads N] [--seed S] [--space phys|mach]
 *
 * Readers, each on a fresh handle:
 *   floor        pread(fd, page, 4096, offset) of each page's stored bytes
 *                (offsets looked up before the clock starts);
 *   guestcore    gc_dump_read with the library's read policy;
 *   mapped       gc_dump_read with every read taken from the mapping (the
 *                policy before io/stream.h: what raw pages did until now).
 *
 * Cold: before each reader the file is dropped from the page cache
 * (posix_fadvise DONTNEED; the bench runs as root on a VM where that
 * empties the file's cache).  Warm: every page read once, then each reader.
 * Wall-clock rates (cold reads wait for the disk, which CPU time does not
 * see); the ratio guestcore/floor is the figure that matters.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"
#include "dump_internal.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void drop(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(2);
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
}

static double floor_pass(const char *path, const uint64_t *off, uint64_t n)
{
	static uint8_t page[4096];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(2);
	uint64_t sum = 0;
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		if (pread(fd, page, sizeof(page), (off_t)off[i]) != 4096)
			exit(2);
		sum += page[0];
	}
	double t = now() - t0;
	close(fd);
	if (sum == 1)
		fprintf(stderr, " ");
	return t;
}

static double gc_pass(const char *path, enum gc_space sp,
		      const uint64_t *frames, uint64_t n, bool mapped)
{
	static uint8_t page[4096];
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err) {
		fprintf(stderr, "%s\n", gc_error_string(err));
		exit(2);
	}
	if (mapped)
		d->map_random_max = UINT64_MAX;
	uint64_t sum = 0;
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		err = gc_dump_read(d, sp, frames[i] << 12, page, sizeof(page));
		if (err) {
			fprintf(stderr, "%s\n", gc_error_string(err));
			exit(2);
		}
		sum += page[0];
	}
	double t = now() - t0;
	gc_dump_close(d);
	if (sum == 1)
		fprintf(stderr, " ");
	return t;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_raw DUMP [--reads N] [--seed S] "
				"[--space phys|mach]\n");
		return 2;
	}
	const char *path = argv[1];
	uint64_t nreads = 200000;
	rng_state = 0x9E3779B97F4A7C15ull;
	enum gc_space sp = GC_SPACE_PHYS;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--reads"))
			nreads = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seed"))
			rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
		else if (!strcmp(argv[i], "--space"))
			sp = strcmp(argv[i + 1], "mach") ? GC_SPACE_PHYS :
							   GC_SPACE_MACH;
	}
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err) {
		fprintf(stderr, "%s\n", gc_error_string(err));
		return 2;
	}
	size_t nf;
	uint64_t *all = stored_frames(d, sp, &nf);
	uint64_t *frames = malloc(nreads * sizeof(*frames));
	uint64_t *off = malloc(nreads * sizeof(*off));
	if (!nf || !frames || !off)
		return 2;
	for (uint64_t i = 0; i < nreads; i++) {
		frames[i] = all[rnd() % nf];
		struct gc_page_loc loc;
		err = d->ops->locate(d, sp, frames[i], &loc);
		if (err || loc.state != GC_PAGE_PRESENT ||
		    loc.codec != GC_CODEC_RAW ||
		    gc_stream_container(d->stream) != GC_CONTAINER_PLAIN) {
			fprintf(stderr, "frame 0x%" PRIx64 " is not a raw page "
				"of a plain file: no floor for this dump\n",
				frames[i]);
			return 2;
		}
		off[i] = loc.offset;
	}
	printf("dump: %s (%s, %" PRIu64 " MiB), %" PRIu64 " random %s page "
	       "reads of %zu stored pages\n", path,
	       gc_format_name(gc_dump_format(d)),
	       gc_dump_file_size(d) >> 20, nreads,
	       sp == GC_SPACE_MACH ? "machine" : "physical", nf);
	gc_dump_close(d);
	free(all);
	FILE *la = fopen("/proc/loadavg", "r");
	char load[64] = "?";
	if (la) {
		if (!fgets(load, sizeof(load), la))
			load[0] = 0;
		fclose(la);
	}
	printf("load: %s", load);
	for (int warm = 0; warm < 2; warm++) {
		double t[3];
		if (warm)
			floor_pass(path, off, nreads);
		for (int r = 0; r < 3; r++) {
			if (!warm)
				drop(path);
			t[r] = r == 0 ? floor_pass(path, off, nreads) :
				       gc_pass(path, sp, frames, nreads, r == 2);
		}
		const char *names[3] = { "floor (pread per page)",
					 "guestcore", "mapped (old policy)" };
		printf("%s:\n", warm ? "warm (file in the page cache)" :
				       "cold (file dropped before each reader)");
		for (int r = 0; r < 3; r++)
			printf("  %-24s %10.0f reads/s\n", names[r],
			       (double)nreads / t[r]);
		printf("  guestcore / floor:  %.2f\n", t[0] / t[1]);
		printf("  guestcore / mapped: %.2f\n", t[2] / t[1]);
	}
	free(frames);
	free(off);
	return 0;
}
