// SPDX-License-Identifier: MIT
/*
 * bench_qevm: the baselines for QEMU migration streams (bench/run_qevm.sh).
 *
 *   bench_qevm open FILE [REPEAT]     time gc_dump_open + close (the index)
 *   bench_qevm decompress CODEC FILE SKIP
 *                                     the codec's library decompressing
 *                                     FILE from SKIP to /dev/null (the
 *                                     same calls guestcore makes, no cache
 *                                     file): the baseline of a compressed
 *                                     convert
 * Prints "seconds S cpu C bytes N".
 */
#include <bzlib.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "guestcore/guestcore.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 +
	       u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static unsigned char out[1 << 20];

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "open")) {
		int rep = argc > 3 ? atoi(argv[3]) : 5;
		double t0 = now(), c0 = cpu();
		for (int i = 0; i < rep; i++) {
			struct gc_dump *d;
			struct gc_error *err = gc_dump_open(argv[2], NULL, &d);
			if (err) {
				fprintf(stderr, "%s\n", gc_error_string(err));
				return 2;
			}
			gc_dump_close(d);
		}
		printf("seconds %.4f cpu %.4f opens %d\n", (now() - t0) / rep,
		       (cpu() - c0) / rep, rep);
		return 0;
	}
	if (argc < 5 || strcmp(argv[1], "decompress")) {
		fprintf(stderr, "usage: bench_qevm open FILE [N] | decompress CODEC FILE SKIP\n");
		return 2;
	}
	const char *codec = argv[2];
	int fd = open(argv[3], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		return 2;
	size_t skip = strtoull(argv[4], NULL, 0);
	unsigned char *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 2;
	unsigned char *in = m + skip;
	size_t len = st.st_size - skip;
	unsigned long long total = 0;
	double t0 = now(), c0 = cpu();
	if (!strcmp(codec, "gzip")) {
		z_stream z = {0};
		inflateInit2(&z, 31);
		z.next_in = in;
		z.avail_in = len;
		int rc;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			rc = inflate(&z, Z_NO_FLUSH);
			total += sizeof(out) - z.avail_out;
		} while (rc == Z_OK);
		inflateEnd(&z);
	} else if (!strcmp(codec, "bzip2")) {
		bz_stream z = {0};
		BZ2_bzDecompressInit(&z, 0, 0);
		z.next_in = (char *)in;
		z.avail_in = len;
		int rc;
		do {
			z.next_out = (char *)out;
			z.avail_out = sizeof(out);
			rc = BZ2_bzDecompress(&z);
			total += sizeof(out) - z.avail_out;
		} while (rc == BZ_OK);
		BZ2_bzDecompressEnd(&z);
	} else if (!strcmp(codec, "xz")) {
		lzma_stream z = LZMA_STREAM_INIT;
		if (lzma_stream_decoder(&z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			return 2;
		z.next_in = in;
		z.avail_in = len;
		lzma_ret rc;
		do {
			z.next_out = out;
			z.avail_out = sizeof(out);
			rc = lzma_code(&z, LZMA_FINISH);
			total += sizeof(out) - z.avail_out;
		} while (rc == LZMA_OK);
		lzma_end(&z);
	} else if (!strcmp(codec, "zstd")) {
		ZSTD_DStream *z = ZSTD_createDStream();
		ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 31);
		ZSTD_inBuffer ib = { in, len, 0 };
		size_t rc;
		do {
			ZSTD_outBuffer ob = { out, sizeof(out), 0 };
			rc = ZSTD_decompressStream(z, &ob, &ib);
			total += ob.pos;
			if (ZSTD_isError(rc))
				break;
		} while (ib.pos < ib.size || rc);
		ZSTD_freeDStream(z);
	} else {
		fprintf(stderr, "codec %s: gzip, bzip2, xz or zstd\n", codec);
		return 2;
	}
	printf("seconds %.4f cpu %.4f bytes %llu\n", now() - t0, cpu() - c0, total);
	return 0;
}
