// SPDX-License-Identifier: MIT
/*
 * 4 KiB reads from an ELF vmcore or kdump-compressed dump by physical
 * address, through libguestcore (read-ahead on and off) and through
 * libkdumpfile's C API (kdump_read, KDUMP_KPHYSADDR) on the same file and
 * the same addresses, in the same run:
 *
 *   random:     READS reads at pseudo-random stored pages;
 *   sequential: every stored page in ascending order (at most SEQ pages).
 *
 * Prints rates per CPU-second and per wall-second, CPU/wall (above 1 =
 * more than one core busy) and the ratio guestcore / libkdumpfile, and
 * counts byte mismatches between the two libraries on every page read.
 *
 * A third reader, the "floor", does only what no reader can skip on the
 * same random addresses: one pread of each page's stored bytes and one
 * call of its codec's library (descriptors looked up before the clock
 * starts, no cache, no checks).  floor / libkdumpfile is the most any
 * pread-based reader could reach against libkdumpfile on that dump;
 * guestcore / floor is what guestcore's own work costs.
 *
 *   bench_kdump DUMP [--reads N] [--seq N] [--baseline-seconds S]
 *               [--repeat R] [--seed S]
 *
 * The random pass runs every reader R times (default 2) in turn on fresh
 * handles and keeps each one's best round.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libdeflate.h>
#include <libkdumpfile/kdumpfile.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zstd.h>

#include "guestcore/guestcore.h"
#include "bench_common.h"
/* internal: who decoded the pages (the read-ahead split); where the
 * stored bytes of a page are (the floor reader) */
#include "dump_internal.h"
#include "io/readahead.h"

static double clk(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Process CPU time: includes the read-ahead worker's. */
struct stamp { double cpu, wall; };
static struct stamp stamp(void)
{
	return (struct stamp){ clk(CLOCK_PROCESS_CPUTIME_ID),
			       clk(CLOCK_MONOTONIC) };
}

/* The address space libkdumpfile is read through: KDUMP_KPHYSADDR, or
 * KDUMP_MACHPHYSADDR (the same addresses outside Xen) when its
 * kernel-physical mapping cannot be set up for the dump. */
static kdump_addrspace_t kas = KDUMP_KPHYSADDR;

struct rate {
	uint64_t reads;
	double cpu, wall;
};

/* Keep the round with the most reads per CPU-second. */
static void best(struct rate *keep, const struct rate *r)
{
	if (!keep->reads || r->reads / r->cpu > keep->reads / keep->cpu)
		*keep = *r;
}

static void print_rate(const char *who, const struct rate *r)
{
	printf("    %-26s %10.0f reads/CPU-s %10.0f reads/s wall "
	       "(%7.1f MiB/s)  CPU/wall %.2f  (%" PRIu64 " reads)\n", who,
	       r->reads / r->cpu, r->reads / r->wall,
	       r->reads * 4096.0 / r->wall / 1048576.0, r->cpu / r->wall,
	       r->reads);
}

static void gc_pass(struct gc_dump *d, const uint64_t *addrs, uint64_t n,
		    struct rate *out)
{
	static uint8_t buf[4096];
	uint64_t sum = 0;
	struct stamp t0 = stamp();
	for (uint64_t i = 0; i < n; i++) {
		struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS,
						    addrs[i], buf,
						    sizeof(buf));
		if (err) {
			fprintf(stderr, "guestcore read 0x%" PRIx64 ": %s\n",
				addrs[i], gc_error_string(err));
			exit(2);
		}
		sum += buf[0];
	}
	struct stamp t1 = stamp();
	*out = (struct rate){ n, t1.cpu - t0.cpu, t1.wall - t0.wall };
	if (sum == 42)
		putchar(' ');
}

/* Bounded by BASE seconds of CPU: libkdumpfile may be much slower. */
static void kdf_pass(kdump_ctx_t *k, const uint64_t *addrs, uint64_t n,
		     double base, struct rate *out)
{
	static uint8_t buf[4096];
	uint64_t sum = 0, done = 0;
	struct stamp t0 = stamp();
	while (done < n) {
		size_t len = sizeof(buf);
		kdump_status st = kdump_read(k, kas, addrs[done],
					     buf, &len);
		if (st != KDUMP_OK || len != sizeof(buf)) {
			fprintf(stderr, "libkdumpfile read 0x%" PRIx64
				": %s\n", addrs[done], kdump_get_err(k));
			exit(2);
		}
		sum += buf[0];
		done++;
		if ((done & 255) == 0 &&
		    clk(CLOCK_PROCESS_CPUTIME_ID) - t0.cpu > base)
			break;
	}
	struct stamp t1 = stamp();
	*out = (struct rate){ done, t1.cpu - t0.cpu, t1.wall - t0.wall };
	if (sum == 42)
		putchar(' ');
}

/* Where each address's stored bytes are (untimed); false when a page is
 * not one plain run of bytes in the main file (flattened records, split
 * parts), where the floor reader does not apply. */
static bool floor_locs(struct gc_dump *d, const uint64_t *addrs, uint64_t n,
		       struct gc_page_loc *locs)
{
	for (uint64_t i = 0; i < n; i++) {
		struct gc_error *err = d->ops->locate(d, GC_SPACE_PHYS,
						      addrs[i] >> 12, &locs[i]);
		if (err || locs[i].state != GC_PAGE_PRESENT ||
		    gc_stream_container(d->stream) != GC_CONTAINER_PLAIN ||
		    (locs[i].stream && locs[i].stream != d->stream) ||
		    locs[i].size > 8192) {
			gc_error_free(err);
			return false;
		}
	}
	return true;
}

static void floor_pass(int fd, const struct gc_page_loc *locs, uint64_t n,
		       struct rate *out)
{
	static uint8_t in[8192], page[4096];
	struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
	ZSTD_DCtx *zs = ZSTD_createDCtx();
	uint64_t sum = 0;
	struct stamp t0 = stamp();
	for (uint64_t i = 0; i < n; i++) {
		const struct gc_page_loc *l = &locs[i];
		if (pread(fd, in, l->size, (off_t)l->offset) != (ssize_t)l->size)
			exit(2);
		size_t got = sizeof(page);
		switch (l->codec) {
		case GC_CODEC_ZLIB:
			libdeflate_zlib_decompress(z, in, l->size, page,
						   sizeof(page), &got);
			break;
		case GC_CODEC_LZO: {
			lzo_uint g = sizeof(page);
			lzo1x_decompress_safe(in, l->size, page, &g, NULL);
			break;
		}
		case GC_CODEC_SNAPPY:
			snappy_uncompress((const char *)in, l->size,
					  (char *)page, &got);
			break;
		case GC_CODEC_ZSTD:
			ZSTD_decompressDCtx(zs, page, sizeof(page), in,
					    l->size);
			break;
		default:  /* raw: the pread was the read */
			page[0] = in[0];
			break;
		}
		sum += page[0];
	}
	struct stamp t1 = stamp();
	*out = (struct rate){ n, t1.cpu - t0.cpu, t1.wall - t0.wall };
	libdeflate_free_decompressor(z);
	ZSTD_freeDCtx(zs);
	if (sum == 42)
		putchar(' ');
}

/* Compare every address (untimed). */
static uint64_t mismatches(struct gc_dump *d, kdump_ctx_t *k,
			   const uint64_t *addrs, uint64_t n)
{
	static uint8_t a[4096], b[4096];
	uint64_t bad = 0;
	for (uint64_t i = 0; i < n; i++) {
		size_t len = sizeof(b);
		struct gc_error *err = gc_dump_read(d, GC_SPACE_PHYS, addrs[i],
						    a, sizeof(a));
		kdump_status st = kdump_read(k, kas, addrs[i], b,
					     &len);
		if (err || st != KDUMP_OK || memcmp(a, b, sizeof(a)))
			bad++;
		gc_error_free(err);
	}
	return bad;
}

static struct gc_dump *gc_open(const char *path, bool ra)
{
	struct gc_open_opts o = { .no_readahead = !ra };
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(path, &o, &d);
	if (err) {
		fprintf(stderr, "%s\n", gc_error_string(err));
		exit(2);
	}
	return d;
}

static kdump_ctx_t *kdf_open(const char *path, int *fd)
{
	kdump_ctx_t *k = kdump_new();
	*fd = open(path, O_RDONLY);
	if (!k || *fd < 0)
		return NULL;
	if (kdump_open_fd(k, *fd) != KDUMP_OK) {
		printf("libkdumpfile cannot open %s: %s\n", path,
		       kdump_get_err(k));
		kdump_free(k);
		close(*fd);
		return NULL;
	}
	return k;
}

/* Pick the address space (see kas); false if neither reads ADDR. */
static bool kdf_probe(kdump_ctx_t *k, uint64_t addr)
{
	uint8_t buf[4096];
	size_t len = sizeof(buf);
	if (kdump_read(k, KDUMP_KPHYSADDR, addr, buf, &len) == KDUMP_OK)
		return true;
	printf("  libkdumpfile KDUMP_KPHYSADDR read fails (%s); using "
	       "KDUMP_MACHPHYSADDR (identical addresses for a non-Xen "
	       "guest)\n", kdump_get_err(k));
	kas = KDUMP_MACHPHYSADDR;
	len = sizeof(buf);
	if (kdump_read(k, kas, addr, buf, &len) == KDUMP_OK)
		return true;
	printf("  libkdumpfile cannot read 0x%" PRIx64 ": %s\n", addr,
	       kdump_get_err(k));
	return false;
}

static void ratio(const char *what, const struct rate *g,
		  const struct rate *k)
{
	printf("    ratio guestcore/libkdumpfile (%s): %.2fx per CPU-second, "
	       "%.2fx wall\n", what, (g->reads / g->cpu) / (k->reads / k->cpu),
	       (g->reads / g->wall) / (k->reads / k->wall));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_kdump DUMP [--reads N] [--seq N] "
				"[--baseline-seconds S] [--repeat R] "
				"[--seed S]\n");
		return 2;
	}
	const char *path = argv[1];
	uint64_t reads = 200000, seq_max = UINT64_MAX;
	double base_s = 10;
	int repeat = 2;
	rng_state = 0x9E3779B97F4A7C15ull;
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--reads"))
			reads = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seq"))
			seq_max = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--baseline-seconds"))
			base_s = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--repeat"))
			repeat = atoi(argv[i + 1]) > 0 ? atoi(argv[i + 1]) : 1;
		else if (!strcmp(argv[i], "--seed"))
			rng_state = strtoull(argv[i + 1], NULL, 0) | 1;
	}
	struct gc_dump *on = gc_open(path, true), *off = gc_open(path, false);
	if (gc_dump_page_size(on) != 4096) {
		fprintf(stderr, "page size %u: this bench reads 4 KiB pages\n",
			gc_dump_page_size(on));
		return 2;
	}
	size_t n;
	uint64_t *frames = stored_frames(on, GC_SPACE_PHYS, &n);
	if (!n) {
		fprintf(stderr, "no stored pages\n");
		return 2;
	}
	const struct gc_field *codec = gc_dump_field_by_name(on, "status");
	printf("dump: %s\n  %s, %zu stored pages, file %" PRIu64 " bytes%s%s\n",
	       path, gc_format_name(gc_dump_format(on)), n,
	       gc_dump_file_size(on), codec ? ", status " : "",
	       codec ? codec->value : "");
	int fd = -1;
	kdump_ctx_t *k = kdf_open(path, &fd);
	uint64_t *rand_addr = malloc(reads * sizeof(*rand_addr));
	uint64_t nseq = n < seq_max ? n : seq_max;
	uint64_t *seq_addr = malloc(nseq * sizeof(*seq_addr));
	if (!rand_addr || !seq_addr)
		return 2;
	for (uint64_t i = 0; i < reads; i++)
		rand_addr[i] = frames[rnd() % n] << 12;
	for (uint64_t i = 0; i < nseq; i++)
		seq_addr[i] = frames[i] << 12;
	free(frames);
	if (k && !kdf_probe(k, seq_addr[0])) {
		kdump_free(k);
		close(fd);
		k = NULL;
	}

	/* Random pass, REPEAT rounds of every reader in turn on fresh
	 * handles; the best round of each counts (the first round of a
	 * large file may still fault parts of it back into the page cache,
	 * which is not what is measured). */
	struct rate g_on = {0}, g_off = {0}, kr = {0}, fr = {0};
	struct gc_page_loc *locs = malloc(reads * sizeof(*locs));
	int ffd = open(path, O_RDONLY);
	/* raw ELF pages: guestcore copies them from the mapping, which a
	 * pread is no floor for */
	bool have_floor = gc_dump_format(off) != GC_FORMAT_ELF_VMCORE &&
			  locs && ffd >= 0 &&
			  floor_locs(off, rand_addr, reads, locs);
	for (int r = 0; r < repeat; r++) {
		struct rate t;
		gc_dump_close(on);
		gc_dump_close(off);
		on = gc_open(path, true);
		off = gc_open(path, false);
		gc_pass(off, rand_addr, reads, &t);
		best(&g_off, &t);
		gc_pass(on, rand_addr, reads, &t);
		best(&g_on, &t);
		if (k) {
			kdump_free(k);
			close(fd);
			k = kdf_open(path, &fd);
			if (!k)
				return 2;
			kdf_pass(k, rand_addr, reads, base_s, &t);
			best(&kr, &t);
		}
		if (have_floor) {
			floor_pass(ffd, locs, reads, &t);
			best(&fr, &t);
		}
	}
	printf("  random 4 KiB reads (best of %d rounds):\n", repeat);
	print_rate("guestcore", &g_on);
	print_rate("guestcore (no read-ahead)", &g_off);
	if (k) {
		print_rate("libkdumpfile", &kr);
		ratio("random", &g_on, &kr);
	}
	if (have_floor) {
		print_rate("floor (pread + codec)", &fr);
		printf("    guestcore / floor: %.2f per CPU-second",
		       (g_on.reads / g_on.cpu) / (fr.reads / fr.cpu));
		if (k)
			printf("; floor / libkdumpfile: %.2fx (the most a "
			       "pread-based reader could reach)",
			       (fr.reads / fr.cpu) / (kr.reads / kr.cpu));
		printf("\n");
	} else if (gc_dump_format(off) != GC_FORMAT_ELF_VMCORE) {
		printf("    floor: not measured (pages not one plain run of "
		       "bytes each: flattened or split)\n");
	}
	free(locs);
	if (ffd >= 0)
		close(ffd);
	/* fresh handles: nothing cached from the random pass */
	gc_dump_close(on);
	gc_dump_close(off);
	on = gc_open(path, true);
	off = gc_open(path, false);
	printf("  sequential 4 KiB reads (%" PRIu64 " pages):\n", nseq);
	gc_pass(on, seq_addr, nseq, &g_on);
	gc_pass(off, seq_addr, nseq, &g_off);
	print_rate("guestcore", &g_on);
	print_rate("guestcore (no read-ahead)", &g_off);
	printf("    read-ahead speed-up (wall): %.2fx\n",
	       g_off.wall / g_on.wall);
	struct gc_readahead_stats st;
	gc_readahead_stats(on->ra, &st);
	uint64_t dec = st.ahead + st.helped + st.misses;
	if (dec)
		printf("    pages decoded: %" PRIu64 " by the read-ahead worker "
		       "(%.0f%%), %" PRIu64 " by the reader (%" PRIu64
		       " helping ahead, %" PRIu64 " on demand); %" PRIu64
		       " waits\n", st.ahead, 100.0 * st.ahead / dec,
		       st.helped + st.misses, st.helped, st.misses, st.waits);
	uint64_t bad = 0;
	if (k) {
		kdump_free(k);
		close(fd);
		k = kdf_open(path, &fd);
		kdf_pass(k, seq_addr, nseq, base_s, &kr);
		print_rate("libkdumpfile", &kr);
		ratio("sequential", &g_on, &kr);
		uint64_t cmp = reads < 20000 ? reads : 20000;
		bad = mismatches(off, k, rand_addr, cmp) +
		      mismatches(on, k, seq_addr, nseq < 20000 ? nseq : 20000);
		printf("  mismatches guestcore vs libkdumpfile: %" PRIu64
		       " of %" PRIu64 " pages compared\n", bad,
		       cmp + (nseq < 20000 ? nseq : 20000));
		kdump_free(k);
		close(fd);
	}
	free(rand_addr);
	free(seq_addr);
	gc_dump_close(on);
	gc_dump_close(off);
	return bad ? 1 : 0;
}
