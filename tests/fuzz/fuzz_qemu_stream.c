// SPDX-License-Identifier: MIT
/* libFuzzer target: QEMU migration streams and libvirt save images (the
 * libvirt header, QEVM sections, RAM records, the JSON VM description,
 * device sections by description or footer, cpu registers, the vmcoreinfo
 * device's note, whole-stream gzip/bzip2/xz/lzop/zstd).  Seeds:
 * tests/fuzz/seeds_qemu_stream.sh.  Decompressed streams go to unlinked
 * temporary files, never to a cache directory. */
#include <stdlib.h>

#define FUZZ_NAME "fuzz_qemu_stream"
#define FUZZ_PREFIX(f, data, size) \
	((void)(f), (void)(data), (void)(size), \
	 setenv("GUESTCORE_CACHE_DIR", "/proc/gc-fuzz-no-cache", 1))

#include "fuzz_dump_common.h"
