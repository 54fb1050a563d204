// SPDX-License-Identifier: MIT
/*
 * The .BTF section of an ELF file (a vmlinux, or a module's .ko on the
 * vmlinux's BTF), read through elfutils' libelf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#include "types/types_internal.h"
#include "util/util.h"

struct gc_error *gc_btf_provider_from_elf(const char *path,
					  const struct gc_type_provider *base,
					  struct gc_type_provider **out)
{
	*out = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return gc_error_new(GC_ERR_UNSUPPORTED, "libelf",
				    "elf_version: %s", elf_errmsg(-1));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gc_error_set_file(gc_error_new(GC_ERR_IO, path, "open: %s",
						      strerror(errno)), path);
	struct gc_error *err = NULL;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t shstrndx;
	if (!e || elf_kind(e) != ELF_K_ELF) {
		err = gc_error_at(GC_ERR_FORMAT, 0, "ELF header",
				  "not an ELF file");
		goto out;
	}
	if (elf_getshdrstrndx(e, &shstrndx)) {
		err = gc_error_new(GC_ERR_FORMAT, "ELF section names",
				   "%s", elf_errmsg(-1));
		goto out;
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".BTF"))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf) {
			err = gc_error_at(GC_ERR_TRUNCATED, sh.sh_offset, ".BTF",
					  "section of %llu bytes unreadable: %s",
					  (unsigned long long)sh.sh_size,
					  elf_errmsg(-1));
			goto out;
		}
		char src[512];
		snprintf(src, sizeof(src), ".BTF section of %s", path);
		err = base ? gc_btf_provider_new_split(base, d->d_buf, d->d_size,
						       src, out) :
			     gc_btf_provider_new(d->d_buf, d->d_size, src, out);
		if (err)
			err = gc_error_context(err, ".BTF section at file offset "
					       "0x%llx",
					       (unsigned long long)sh.sh_offset);
		goto out;
	}
	err = gc_error_new(GC_ERR_NOT_PRESENT, ".BTF",
			   "no .BTF section (built without CONFIG_DEBUG_INFO_BTF)");
out:
	if (e)
		elf_end(e);
	close(fd);
	return err ? gc_error_set_file(err, path) : NULL;
}
