// SPDX-License-Identifier: MIT
/*
 * The guest inside a QEMU process core, as a struct gc_dump: PHYS frame
 * -> guest RAM range -> host virtual address -> offset in the core.  It
 * lets every format-neutral layer (reads, the kernel layer's VMCOREINFO
 * search, the shared vmcore writers) work on the guest without a copy.
 *
 * Frames the map covers but the core does not hold are EXCLUDED (mapping
 * not dumped) or TRUNCATED (file cut short); frame_runs lists only frames
 * with data, so a writer never fills them with zeroes.
 *
 * Not in the format registry: gc_dump_open() never takes a process core
 * for a guest dump; gc_qemu_guest_open() is the way in.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dump_internal.h"
#include "qemu_core.h"

#define PAGE 4096ull

struct qguest {
	struct gc_qemu_core *core;   /* not owned */
	struct gc_qemu_ram_range *ranges;
	size_t nr_ranges;
	struct gc_frame_run *runs;   /* frames with data */
	size_t nr_runs;
};

static struct gc_error *qg_locate(struct gc_dump *d, enum gc_space space, uint64_t frame,
				  struct gc_page_loc *loc)
{
	const struct qguest *q = d->priv;
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	if (space != GC_SPACE_PHYS || frame > (UINT64_MAX >> 12))
		return NULL;
	uint64_t gpa = frame << 12;
	const struct gc_qemu_ram_range *r = gc_qemu_ram_range_find(q->ranges, q->nr_ranges, gpa);
	if (!r)
		return NULL;
	uint64_t run, off;
	switch (gc_qemu_core_hva(q->core, r->hva + (gpa - r->gpa), &run, &off)) {
	case GC_HVA_PRESENT:
		if (run < PAGE) {
			loc->state = GC_PAGE_TRUNCATED;
			return NULL;
		}
		loc->state = GC_PAGE_PRESENT;
		loc->offset = off;
		loc->size = (uint32_t)PAGE;
		loc->codec = GC_CODEC_RAW;
		return NULL;
	case GC_HVA_NOT_DUMPED:
		loc->state = GC_PAGE_EXCLUDED;
		return NULL;
	case GC_HVA_TRUNCATED:
		loc->state = GC_PAGE_TRUNCATED;
		return NULL;
	case GC_HVA_UNMAPPED:
		break;
	}
	return NULL;
}

static struct gc_error *qg_frame_runs(struct gc_dump *d, enum gc_space space,
				      struct gc_frame_run **runs, size_t *nr)
{
	const struct qguest *q = d->priv;
	*runs = malloc((q->nr_runs ? q->nr_runs : 1) * sizeof(**runs));
	if (!*runs)
		return &gc_error_nomem;
	memcpy(*runs, q->runs, q->nr_runs * sizeof(**runs));
	*nr = q->nr_runs;
	return NULL;
}

static void qg_close(struct gc_dump *d)
{
	struct qguest *q = d->priv;
	if (!q)
		return;
	free(q->ranges);
	free(q->runs);
	free(q);
}

static struct gc_error *qg_open(struct gc_dump *d)
{
	(void)d;
	return gc_error_new(GC_ERR_UNSUPPORTED, "QEMU process core",
			    "open the guest with gc_qemu_guest_open()");
}

static const struct gc_format_ops gc_qemu_guest_ops = {
	.format = GC_FORMAT_QEMU_CORE,
	.open = qg_open,
	.close = qg_close,
	.locate = qg_locate,
	.frame_runs = qg_frame_runs,
};

static struct gc_error *add_run(struct qguest *q, uint64_t frame, uint64_t count)
{
	if (q->nr_runs && q->runs[q->nr_runs - 1].start + q->runs[q->nr_runs - 1].count == frame) {
		q->runs[q->nr_runs - 1].count += count;
		return NULL;
	}
	void *n = realloc(q->runs, (q->nr_runs + 1) * sizeof(*q->runs));
	if (!n)
		return &gc_error_nomem;
	q->runs = n;
	q->runs[q->nr_runs++] = (struct gc_frame_run){ frame, count };
	return NULL;
}

struct gc_error *gc_qemu_guest_open(struct gc_qemu_core *core, const struct gc_qemu_ram_map *map,
				    struct gc_dump **out)
{
	*out = NULL;
	struct qguest *q = calloc(1, sizeof(*q));
	if (!q)
		return &gc_error_nomem;
	q->core = core;
	struct gc_dump *d;
	struct gc_error *err = gc_dump_view_new(gc_qemu_core_path(core),
						&gc_qemu_guest_ops, q,
						(uint32_t)PAGE, &d);
	if (err)
		return err;
	q->ranges = malloc((map->nr_ranges ? map->nr_ranges : 1) * sizeof(*q->ranges));
	if (!q->ranges) {
		err = &gc_error_nomem;
		goto fail;
	}
	memcpy(q->ranges, map->ranges, map->nr_ranges * sizeof(*q->ranges));
	q->nr_ranges = map->nr_ranges;
	for (size_t i = 0; i < q->nr_ranges && !err; i++) {
		const struct gc_qemu_ram_range *r = &q->ranges[i];
		for (uint64_t done = 0; done < r->size && !err;) {
			uint64_t run, off;
			enum gc_hva_state st = gc_qemu_core_hva(core, r->hva + done, &run, &off);
			uint64_t n = GC_MIN(run, r->size - done);
			if (st == GC_HVA_PRESENT && n >= PAGE) {
				n &= ~(PAGE - 1);
				err = add_run(q, (r->gpa + done) >> 12, n >> 12);
				d->nr_frames += n >> 12;
			} else {
				n = n < PAGE ? PAGE : (n + PAGE - 1) & ~(PAGE - 1);
				n = GC_MIN(n, r->size - done);
			}
			done += n;
		}
	}
	if (!err)
		err = gc_dump_add_field(d, "source", false, 0, "QEMU process core %s",
					gc_qemu_core_path(core));
	if (!err)
		err = gc_dump_add_field(d, "guest RAM method", false, 0, "%s: %s",
					gc_qemu_ram_method_name(map->method), map->why);
	if (err)
		goto fail;
	*out = d;
	return NULL;
fail:
	gc_dump_close(d);
	return err;
}
