// SPDX-License-Identifier: MIT
/*
 * A dump file opened once: mmap for reading where it fits, pread
 * otherwise.  Every accessor is bounds-checked and names its offset.
 */
#ifndef GC_IO_FILE_H
#define GC_IO_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "guestcore/error.h"

struct gc_file {
	char *path;
	int fd;
	uint64_t size;
	const uint8_t *map;  /* whole file, or NULL when pread is used */
};

struct gc_error *gc_file_open(const char *path, struct gc_file **out);
void gc_file_close(struct gc_file *f);

/* Read exactly LEN bytes at OFF; WHAT names the structure for errors. */
struct gc_error *gc_file_read(struct gc_file *f, uint64_t off, void *buf,
			      size_t len, const char *what);
/* The same with pread even when the file is mapped (io/stream.h decides
 * which one a read of page data uses). */
struct gc_error *gc_file_pread(struct gc_file *f, uint64_t off, void *buf,
			       size_t len, const char *what);
/*
 * The same for a lone read at a random place: from the page cache when
 * the bytes are there; when they are not, the GC_FILE_READAROUND-aligned
 * window around them is read into the cache first (posix_fadvise
 * WILLNEED), as a page fault in a mapping reads around, so that random
 * reads that fall near each other cost one disk read.
 */
#define GC_FILE_READAROUND (128u << 10)
struct gc_error *gc_file_pread_random(struct gc_file *f, uint64_t off,
				      void *buf, size_t len,
				      const char *what);
/*
 * Pointer to LEN bytes at OFF: straight into the mapping when there is
 * one, otherwise read into TMP (which must hold LEN bytes).
 */
struct gc_error *gc_file_view(struct gc_file *f, uint64_t off, size_t len,
			      void *tmp, const void **out, const char *what);
/* Error unless [off, off+len) is inside the file. */
struct gc_error *gc_file_check_range(const struct gc_file *f, uint64_t off,
				     uint64_t len, const char *what);

#endif
