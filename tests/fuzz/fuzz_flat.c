// SPDX-License-Identifier: MIT
/* libFuzzer target: the flattened makedumpfile stream (record index,
 * overlapping records, later-wins map, reads that straddle records) and
 * the kdump reader behind it.  Inputs that do not start with the
 * flattened signature get one, so every input exercises the stream
 * parser.  Seeds: tests/fuzz/seeds_kdump.sh. */
#include <string.h>

#define FUZZ_NAME "fuzz_flat"
/* Inputs without the flattened signature get a flattened header, so
 * every input exercises the stream parser. */
#define FUZZ_PREFIX(f, data, size)                                        \
	do {                                                              \
		if ((size) < 12 || memcmp((data), "makedumpfile", 12)) {  \
			uint8_t h_[4096] = "makedumpfile";                \
			h_[23] = 1;                                       \
			h_[31] = 1;                                       \
			fwrite(h_, 1, sizeof(h_), (f));                   \
		}                                                         \
	} while (0)

#include "fuzz_dump_common.h"
