// SPDX-License-Identifier: MIT
/*
 * The "qemu" guest source: the guest inside a core file of the QEMU
 * process that ran it.  Its physical space is the guest RAM map
 * (ram.c: --ram ranges, `info mtree -f`, or the machine's standard layout)
 * as a table xlat guest-physical -> host virtual address of the process;
 * a page is stored where the core's PT_LOAD holding that address puts it.
 * Pages the map covers but the core lacks are gaps: not dumped
 * (p_filesz stops before them), truncated (the file ends first) or not
 * mapped in the process at all.  A process core holds the host threads'
 * registers, not the guest's: the guest has no vCPUs.
 *
 * gc_dump_open() never takes a process core for a guest dump; the way in
 * is gc_guest_open("qemu", ...) with args.core and args.ram_map.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/qemu_core.h"
#include "guests/guest.h"
#include "util/vec.h"

static struct gc_error *qg_locate(struct gc_guest *g, uint64_t hva,
				  struct gc_page_loc *loc)
{
	struct gc_qemu_core *core = g->priv;
	memset(loc, 0, sizeof(*loc));
	uint64_t run, off;
	switch (gc_qemu_core_hva(core, hva, &run, &off)) {
	case GC_HVA_PRESENT:
		if (run < GC_GUEST_PAGE) {
			loc->state = GC_PAGE_TRUNCATED;
			return NULL;
		}
		loc->state = GC_PAGE_PRESENT;
		loc->offset = off;
		loc->size = (uint32_t)GC_GUEST_PAGE;
		loc->codec = GC_CODEC_RAW;
		/* stream NULL: the view's own (plain) stream of the core */
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
	loc->state = GC_PAGE_ABSENT;
	return NULL;
}

static const char *qg_gap_reason(enum gc_page_state s)
{
	switch (s) {
	case GC_PAGE_EXCLUDED: return "not dumped (the mapping's p_filesz "
				      "stops before it)";
	case GC_PAGE_TRUNCATED: return "truncated in the process core";
	default: return "not mapped in the process";
	}
}

static struct gc_error *qg_provenance(struct gc_guest *g,
				      struct gc_strbuf *sb)
{
	struct gc_qemu_core *core = g->priv;
	gc_strbuf_printf(sb, "extracted_from=QEMU process core %s\n",
			 gc_qemu_core_path(core));
	return NULL;
}

static struct gc_error *qg_open(struct gc_guest *g,
				const struct gc_guest_args *a)
{
	if (!a->core || !a->ram_map)
		return gc_error_new(GC_ERR_INVALID_ARG, "QEMU guest",
				    "no process core or RAM map given");
	const struct gc_qemu_ram_map *map = a->ram_map;
	g->priv = a->core;
	g->path = gc_qemu_core_path(a->core);
	g->guest_type = "qemu-process";
	struct gc_xlat_entry *t = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < map->nr_ranges; i++) {
		const struct gc_qemu_ram_range *r = &map->ranges[i];
		struct gc_xlat_entry e = { r->gpa, r->hva, r->size };
		if (!r->size)
			continue;
		if (!gc_vec_push(&t, &n, &cap, &e)) {
			free(t);
			return &gc_error_nomem;
		}
	}
	struct gc_error *err = gc_xlat_table(t, n, "qemu-ram-map",
					     GC_SPACE_PHYS, GC_SPACE_NONE,
					     "not guest RAM in the map",
					     &g->walk);
	free(t);
	if (err)
		return err;
	g->summary = gc_asprintf("QEMU process core %s; guest RAM method "
				 "%s: %s", gc_qemu_core_path(a->core),
				 gc_qemu_ram_method_name(map->method),
				 map->why ? map->why : "");
	return g->summary ? NULL : &gc_error_nomem;
}

static void qg_close(struct gc_guest *g)
{
	g->priv = NULL;  /* the core belongs to the caller */
}

const struct gc_guest_source gc_guest_source_qemu = {
	.name = "qemu",
	.description = "guest RAM inside a core file of the QEMU process "
		       "that ran it (no vCPU registers)",
	.open = qg_open,
	.locate = qg_locate,
	.gap_reason = qg_gap_reason,
	.provenance = qg_provenance,
	.where = "process core",
	.target = "process address",
	.mapper = "RAM map",
	.close = qg_close,
};
