// SPDX-License-Identifier: MIT
/* Helpers shared by the bench programs: the address generator and the
 * list of stored frames. */
#ifndef GC_BENCH_COMMON_H
#define GC_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guestcore/guestcore.h"

/* xorshift64: the same sequence for the same seed in every program. */
static uint64_t rng_state;
static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Every frame D stores in SP, ascending; *N of them.  Exits on error. */
static inline uint64_t *stored_frames(struct gc_dump *d, enum gc_space sp,
				      size_t *n)
{
	struct gc_frame_run *r;
	size_t nr;
	struct gc_error *err = gc_dump_frame_runs(d, sp, &r, &nr);
	if (err) {
		fprintf(stderr, "frame runs: %s\n", gc_error_string(err));
		exit(2);
	}
	size_t total = 0;
	for (size_t i = 0; i < nr; i++)
		total += r[i].count;
	uint64_t *f = malloc((total ? total : 1) * sizeof(*f));
	if (!f)
		exit(2);
	size_t k = 0;
	for (size_t i = 0; i < nr; i++)
		for (uint64_t j = 0; j < r[i].count; j++)
			f[k++] = r[i].start + j;
	free(r);
	*n = total;
	return f;
}

#endif
