// SPDX-License-Identifier: MIT
/* libFuzzer target: the kdump-compressed reader (disk_dump_header and
 * kdump_sub_header of every version, 32/64-bit layouts, both bitmaps,
 * the rank table, page descriptors, per-page zlib/lzo/snappy/zstd, notes
 * at offset_note, VMCOREINFO, eraseinfo).  Seeds: tests/fuzz/seeds_kdump.sh. */
#include <string.h>

#define FUZZ_NAME "fuzz_kdump"

#include "fuzz_dump_common.h"
