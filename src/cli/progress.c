// SPDX-License-Identifier: MIT
/* Progress bar on stderr (terminal only). */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(struct cli_progress *p, const char *label,
		       uint64_t unit)
{
	p->active = isatty(STDERR_FILENO) == 1;
	p->label = label;
	p->unit = unit ? unit : 1;
	p->start = now();
	p->last = 0;
	p->drawn = false;
}

static void human(double bytes, char *buf, size_t cap)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, cap, "%.1f %s", bytes, units[u]);
}

void cli_progress_update(void *arg, uint64_t done, uint64_t total)
{
	struct cli_progress *p = arg;
	if (!p || !p->active)
		return;
	double t = now();
	if (p->drawn && t - p->last < 0.1 && done < total)
		return;
	p->last = t;
	p->drawn = true;
	double el = t - p->start;
	double frac = total ? (double)done / (double)total : 0;
	if (frac > 1)
		frac = 1;
	char bar[31];
	int fill = (int)(frac * 30);
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	double rate = el > 0 ? (double)done * (double)p->unit / el : 0;
	char r[32];
	human(rate, r, sizeof(r));
	char eta[32] = "--:--";
	if (done && total > done && el > 0) {
		double left = el * (double)(total - done) / (double)done;
		snprintf(eta, sizeof(eta), "%02d:%02d", (int)(left / 60),
			 (int)left % 60);
	}
	fprintf(stderr, "\r%s [%s] %5.1f%% %s/s ETA %s ", p->label, bar,
		frac * 100, r, eta);
	fflush(stderr);
}

void cli_progress_done(struct cli_progress *p)
{
	if (p->active && p->drawn) {
		fprintf(stderr, "\r%*s\r", 79, "");
		fflush(stderr);
	}
	p->drawn = false;
}
