// SPDX-License-Identifier: MIT
#include "guestcore/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

static struct gc_error *out_error(const char *out, enum gc_error_code code,
				  const char *why)
{
	return gc_error_set_file(gc_error_new(code, "output", "%s", why), out);
}

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device"
	       : S_ISBLK(m) ? "a block device" : S_ISFIFO(m) ? "a FIFO"
	       : S_ISSOCK(m) ? "a socket" : S_ISLNK(m) ? "a symbolic link"
	       : "not a regular file";
}

/* OUT exists: may it be replaced? */
static struct gc_error *replaceable(const char *out, const struct stat *st,
				    bool force)
{
	if (!S_ISREG(st->st_mode)) {
		char why[160];
		snprintf(why, sizeof(why), "is %s; only a regular file is "
			 "ever replaced (even with --force)", kind_of(st->st_mode));
		return out_error(out, GC_ERR_INVALID_ARG, why);
	}
	if (!force)
		return out_error(out, GC_ERR_INVALID_ARG,
				 "exists (use --force to overwrite)");
	return NULL;
}

struct gc_error *gc_outfile_check(const char *out, bool force,
				  const char *input)
{
	if (!out || !*out)
		return gc_error_new(GC_ERR_INVALID_ARG, "output", "no file name");
	struct stat st;
	if (lstat(out, &st) == 0) {
		struct gc_error *err = replaceable(out, &st, force);
		if (err)
			return err;
		struct stat in;
		if (input && stat(input, &in) == 0 && in.st_dev == st.st_dev &&
		    in.st_ino == st.st_ino)
			return out_error(out, GC_ERR_INVALID_ARG,
					 "is the input file itself");
	} else if (errno != ENOENT) {
		return out_error(out, GC_ERR_IO, strerror(errno));
	}
	return NULL;
}

/* The process's umask without changing it (umask(2) would, for every
 * thread): Linux shows it in /proc/self/status since 4.7. */
static mode_t current_umask(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned int m = 022;
	if (f) {
		char line[128];
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "Umask: %o", &m) == 1)
				break;
		fclose(f);
	}
	return (mode_t)(m & 0777);
}

struct gc_error *gc_outfile_create(const char *out, int *fd, char **tmp)
{
	*fd = -1;
	const char *slash = strrchr(out, '/');
	*tmp = slash ? gc_asprintf("%.*s/.%s.gctmp.XXXXXX", (int)(slash - out),
				   out, slash + 1)
		     : gc_asprintf(".%s.gctmp.XXXXXX", out);
	if (!*tmp)
		return &gc_error_nomem;
	*fd = mkostemp(*tmp, O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		return gc_error_set_file(
			gc_error_new(GC_ERR_IO, "output", "cannot create a "
				     "temporary file next to it: %s", strerror(e)),
			out);
	}
	(void)fchmod(*fd, 0666 & ~current_umask());
	return NULL;
}

struct gc_error *gc_outfile_place(const char *tmp, const char *out,
				  bool force)
{
	struct stat st;
	if (lstat(out, &st) == 0) {
		struct gc_error *err = replaceable(out, &st, force);
		if (err)
			return err;
	}
	if (!force) {
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE) == 0)
			return NULL;
		if (errno == EEXIST)
			return out_error(out, GC_ERR_INVALID_ARG,
					 "exists (use --force to overwrite)");
		if (errno != EINVAL && errno != ENOSYS)
			goto fail;
		/* no RENAME_NOREPLACE here (some network and FUSE file
		 * systems): link() fails with EEXIST as atomically, and a
		 * file made after the lstat above is never replaced */
		if (link(tmp, out) == 0) {
			(void)unlink(tmp);
			return NULL;
		}
		if (errno == EEXIST)
			return out_error(out, GC_ERR_INVALID_ARG,
					 "exists (use --force to overwrite)");
		if (errno != EPERM && errno != ENOTSUP && errno != ENOSYS)
			goto fail;
		/* no hard links either (vfat): a last check, then rename */
		if (lstat(out, &st) == 0)
			return out_error(out, GC_ERR_INVALID_ARG,
					 "exists (use --force to overwrite)");
	}
	if (rename(tmp, out) == 0)
		return NULL;
fail:;
	int e = errno;
	return gc_error_set_file(gc_error_new(GC_ERR_IO, "output",
					      "cannot rename %s into place: %s",
					      tmp, strerror(e)), out);
}
