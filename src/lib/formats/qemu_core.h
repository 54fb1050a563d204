// SPDX-License-Identifier: MIT
/* Internal view of a QEMU process core (see include/guestcore/qemu.h). */
#ifndef GC_FORMATS_QEMU_CORE_H
#define GC_FORMATS_QEMU_CORE_H

#include "guestcore/qemu.h"
#include "io/file.h"

struct gc_qemu_core {
	struct gc_file *file;
	struct gc_qemu_segment *segs;   /* sorted by vaddr, disjoint */
	size_t nr_segs;
	struct gc_qemu_mapped_file *files;
	size_t nr_files;
	char *file_strings;             /* NT_FILE names, owned */
	struct gc_qemu_thread *threads;
	size_t nr_threads;
	uint64_t *auxv;                 /* pairs */
	size_t nr_auxv;
	char psargs[81];
	char fname[17];
	bool has_prpsinfo;
	char **argv;                    /* NULL-terminated, owned */
	size_t argc;
	const char *argv_source;
	char *exe;
	char **problems;                /* non-fatal damage, one line each */
	size_t nr_problems;
};

#endif
