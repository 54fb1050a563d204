// SPDX-License-Identifier: MIT
/*
 * bench_qevm: the baselines for QEMU migration streams (bench/run_qevm.sh).
 *
 *   bench_qevm open FILE [REPEAT]     time gc_dump_open + close (the index)
 *   bench_qevm decompress CODEC FILE SKIP (gzip, bzip2, xz, lzop, zstd)
 *                                     the codec's library decompressing
 *                                     FILE from SKIP to /dev/null (the
 *                                     same calls guestcore makes, no cache
 *                                     file): the baseline of a compressed
 *                                     convert
 * Prints "seconds S cpu C bytes N".
 */
#include <bzlib.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdbool.h>
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

static int lzop_bad(size_t at, int line)
{
	fprintf(stderr, "lzop data not understood at offset %zu (line %d)\n",
		at, line);
	return 2;
}

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
	} else if (!strcmp(codec, "lzop")) {
		/* lzop's container (lzop -c), each block through liblzo2 and
		 * its checksums verified, as guestcore (and lzop -d) do */
		static unsigned char blk[64 << 20];
		size_t k = 9;
		if (lzo_init() != LZO_E_OK || len < 64)
			return lzop_bad(k, __LINE__);
#define BE32(p) ((unsigned)(p)[0] << 24 | (unsigned)(p)[1] << 16 | \
		 (unsigned)(p)[2] << 8 | (p)[3])
		unsigned ver = (unsigned)in[k] << 8 | in[k + 1];
		k += 4 + (ver >= 0x0940 ? 2 : 0);
		k += 1 + (ver >= 0x0940 ? 1 : 0);          /* method, level */
		unsigned flags = BE32(in + k);
		k += 4 + ((flags & 0x800) ? 4 : 0) + 8 + (ver >= 0x0940 ? 4 : 0);
		k += 1 + in[k] + 4;                         /* name, checksum */
		if (flags & 0x40)
			k += 8 + BE32(in + k);
		for (;;) {
			if (k + 4 > len)
				return lzop_bad(k, __LINE__);
			unsigned dlen = BE32(in + k), clen;
			if (!dlen)
				break;
			if (k + 8 > len)
				return lzop_bad(k, __LINE__);
			clen = BE32(in + k + 4);
			k += 8;
			unsigned dsum = 0, csum = 0;
			bool has_d = flags & 0x101, has_c = clen < dlen && (flags & 0x202);
			if (has_d) { dsum = BE32(in + k); k += 4; }
			if (has_c) { csum = BE32(in + k); k += 4; }
			if (dlen > sizeof(blk) || clen > len - k)
				return lzop_bad(k, __LINE__);
			if (has_c && (unsigned)adler32(1, in + k, clen) != csum)
				return lzop_bad(k, __LINE__);
			const unsigned char *plain = in + k;
			if (clen < dlen) {
				lzo_uint n = dlen;
				if (lzo1x_decompress_safe(in + k, clen, blk, &n, NULL) !=
				    LZO_E_OK || n != dlen)
					return lzop_bad(k, __LINE__);
				plain = blk;
			}
			if (has_d && (unsigned)adler32(1, plain, dlen) != dsum)
				return lzop_bad(k, __LINE__);
			total += dlen;
			k += clen;
		}
#undef BE32
	} else {
		fprintf(stderr, "codec %s: gzip, bzip2, xz, lzop or zstd\n", codec);
		return 2;
	}
	printf("seconds %.4f cpu %.4f bytes %llu\n", now() - t0, cpu() - c0, total);
	return 0;
}
