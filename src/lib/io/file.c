// SPDX-License-Identifier: MIT
/* Dump files: open once, mmap when possible, bounds-checked reads. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "file.h"
#include "../util/util.h"

struct gc_error *gc_file_open(const char *path, struct gc_file **out)
{
	*out = NULL;
	struct gc_file *f = calloc(1, sizeof(*f));
	if (!f)
		return &gc_error_nomem;
	/* O_NONBLOCK: opening a FIFO with no writer must not wait forever;
	 * anything but a regular file or a block device is refused below. */
	f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f->fd < 0) {
		int e = errno;
		free(f);
		if (e == ENOENT && !strcmp(path, "-"))
			/* the usual name of standard input */
			return gc_error_set_file(
				gc_error_new(GC_ERR_IO, "cannot open",
					     "no file is named '-', and "
					     "standard input is not read as a "
					     "dump (a dump needs random "
					     "access): save it to a file "
					     "first"), path);
		return gc_error_set_file(
			gc_error_new(GC_ERR_IO, "cannot open", "%s",
				     strerror(e)), path);
	}
	struct stat st;
	if (fstat(f->fd, &st) < 0) {
		int e = errno;
		close(f->fd);
		free(f);
		return gc_error_set_file(
			gc_error_new(GC_ERR_IO, "cannot stat", "%s",
				     strerror(e)), path);
	}
	const char *kind = S_ISDIR(st.st_mode) ? "a directory"
		: S_ISFIFO(st.st_mode) ? "a FIFO (pipe): a dump needs random access; save it to a file first"
		: S_ISCHR(st.st_mode) ? "a character device, not a dump file"
		: S_ISSOCK(st.st_mode) ? "a socket, not a dump file"
		: NULL;
	uint64_t size = (uint64_t)st.st_size;
	if (!kind && S_ISBLK(st.st_mode) && ioctl(f->fd, BLKGETSIZE64, &size) < 0)
		kind = "a block device whose size cannot be read";
	if (kind) {
		close(f->fd);
		free(f);
		return gc_error_set_file(
			gc_error_new(GC_ERR_IO, "cannot read", "it is %s", kind),
			path);
	}
	(void)fcntl(f->fd, F_SETFL, 0);  /* back to blocking reads */
	f->size = size;
	f->path = strdup(path);
	if (!f->path) {
		close(f->fd);
		free(f);
		return &gc_error_nomem;
	}
	if (S_ISREG(st.st_mode) && f->size > 0 && f->size <= SIZE_MAX) {
		void *m = mmap(NULL, (size_t)f->size, PROT_READ, MAP_PRIVATE,
			       f->fd, 0);
		if (m != MAP_FAILED)
			f->map = m;
	}
	*out = f;
	return NULL;
}

void gc_file_close(struct gc_file *f)
{
	if (!f)
		return;
	if (f->map)
		munmap((void *)f->map, (size_t)f->size);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}

struct gc_error *gc_file_check_range(const struct gc_file *f, uint64_t off,
				     uint64_t len, const char *what)
{
	if (gc_range_ok(off, len, f->size))
		return NULL;
	return gc_error_at(GC_ERR_TRUNCATED, off, what,
			   "needs 0x%" PRIx64 " bytes but the file ends at 0x%"
			   PRIx64, len, f->size);
}

struct gc_error *gc_file_read(struct gc_file *f, uint64_t off, void *buf,
			      size_t len, const char *what)
{
	struct gc_error *err = gc_file_check_range(f, off, len, what);
	if (err)
		return err;
	if (f->map) {
		memcpy(buf, f->map + off, len);
		return NULL;
	}
	return gc_file_pread(f, off, buf, len, what);
}

struct gc_error *gc_file_pread(struct gc_file *f, uint64_t off, void *buf,
			       size_t len, const char *what)
{
	struct gc_error *err = gc_file_check_range(f, off, len, what);
	if (err)
		return err;
	size_t done = 0;
	while (done < len) {
		ssize_t n = pread(f->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return gc_error_at(GC_ERR_IO, off + done, what,
					   "read failed: %s", strerror(errno));
		if (n == 0)
			return gc_error_at(GC_ERR_TRUNCATED, off + done, what,
					   "unexpected end of file");
		done += (size_t)n;
	}
	return NULL;
}

struct gc_error *gc_file_view(struct gc_file *f, uint64_t off, size_t len,
			      void *tmp, const void **out, const char *what)
{
	if (f->map) {
		struct gc_error *err = gc_file_check_range(f, off, len, what);
		if (err)
			return err;
		*out = f->map + off;
		return NULL;
	}
	*out = tmp;
	return gc_file_read(f, off, tmp, len, what);
}

struct gc_error *gc_file_pread_random(struct gc_file *f, uint64_t off,
				      void *buf, size_t len, const char *what)
{
	struct gc_error *err = gc_file_check_range(f, off, len, what);
	if (err)
		return err;
	/* from the page cache when it is there (one system call, as a
	 * plain pread) */
	struct iovec iov = { buf, len };
	ssize_t n = preadv2(f->fd, &iov, 1, (off_t)off, RWF_NOWAIT);
	if (n == (ssize_t)len)
		return NULL;
	if (n < 0 && errno != EAGAIN && errno != EOPNOTSUPP &&
	    errno != EINTR)
		return gc_error_at(GC_ERR_IO, off, what, "read failed: %s",
				   strerror(errno));
	if (n < 0 && errno == EAGAIN) {
		/* not cached: start reading the aligned window around it,
		 * as a fault in a mapping does, so that the next random
		 * reads nearby find their pages in the cache */
		uint64_t w = GC_FILE_READAROUND;
		uint64_t start = off / w * w;
		(void)posix_fadvise(f->fd, (off_t)start, (off_t)w,
				    POSIX_FADV_WILLNEED);
	}
	return gc_file_pread(f, off, buf, len, what);
}
