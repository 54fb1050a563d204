// SPDX-License-Identifier: MIT
/*
 * A progress bar on stderr for long commands (convert, extract...): shown
 * only when stderr is a terminal, silent otherwise.  Rate and ETA from
 * the monotonic clock; redrawn at most ~10 times a second.
 */
#ifndef GC_CLI_PROGRESS_H
#define GC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct cli_progress {
	bool active;          /* stderr is a terminal */
	const char *label;
	uint64_t unit;        /* bytes per item, for the rate (e.g. 4096) */
	double start, last;
	bool drawn;
};

void cli_progress_init(struct cli_progress *p, const char *label,
		       uint64_t unit);
/* Suitable as gc_convert_opts.progress (ARG = the cli_progress). */
void cli_progress_update(void *arg, uint64_t done, uint64_t total);
/* Clear the bar line (call before printing results). */
void cli_progress_done(struct cli_progress *p);

#endif
