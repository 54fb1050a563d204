// SPDX-License-Identifier: MIT
/*
 * Extract a guest from a QEMU process core: walk the guest RAM map page
 * by page, split it into runs the core holds and gaps it does not, write
 * the runs as PT_LOADs of an ELF vmcore (p_paddr = guest-physical) and
 * report the gaps.  Verification re-reads the written file and compares
 * it with the core page for page.
 *
 * The file is produced by write_vmcore() below, the one place that
 * writes: the guest pipeline (gc_guest_extract) on the "qemu" guest
 * (src/lib/guests/qemu/).  This file is the QEMU-flavoured front of that
 * pipeline (gaps in process terms, verification against the core's own
 * PT_LOADs); it lives with the writers, the layer above guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"
#include "guestcore/guest.h"
#include "guestcore/writer.h"
#include "formats/qemu_core.h"
#include "guests/qemu/ram.h"
#include "util/vec.h"

#define PAGE 4096ull
#define PT_LOAD 1
#define ET_CORE 4
#define EM_X86_64 62
#define CHUNK (1u << 20)

struct run {
	uint64_t gpa, size, hva;
};

void gc_qemu_extract_result_free(struct gc_qemu_extract_result *r)
{
	if (!r)
		return;
	free(r->gaps);
	free(r->vmcoreinfo_status);
	memset(r, 0, sizeof(*r));
}

static struct gc_error *add_gap(struct gc_qemu_extract_result *r, uint64_t gpa, uint64_t size,
				uint64_t hva, enum gc_hva_state st)
{
	if (r->nr_gaps && r->gaps[r->nr_gaps - 1].gpa + r->gaps[r->nr_gaps - 1].size == gpa &&
	    r->gaps[r->nr_gaps - 1].state == st) {
		r->gaps[r->nr_gaps - 1].size += size;
		return NULL;
	}
	void *n = realloc(r->gaps, (r->nr_gaps + 1) * sizeof(*r->gaps));
	if (!n)
		return &gc_error_nomem;
	r->gaps = n;
	r->gaps[r->nr_gaps++] = (struct gc_qemu_gap){ gpa, size, hva, st };
	return NULL;
}

/* Split the map into present runs and gaps. */
static struct gc_error *plan(struct gc_qemu_core *c, const struct gc_qemu_ram_map *m,
			     struct run **runs, size_t *nr, struct gc_qemu_extract_result *r)
{
	*runs = NULL;
	*nr = 0;
	size_t cap = 0;
	for (size_t i = 0; i < m->nr_ranges; i++) {
		const struct gc_qemu_ram_range *rg = &m->ranges[i];
		uint64_t done = 0;
		while (done < rg->size) {
			uint64_t run, off;
			enum gc_hva_state st = gc_qemu_core_hva(c, rg->hva + done, &run, &off);
			/* whole pages only: a partially present page is missing */
			uint64_t n = GC_MIN(run, rg->size - done);
			if (st == GC_HVA_PRESENT)
				n &= ~(PAGE - 1);
			else
				n = (n + PAGE - 1) & ~(PAGE - 1);
			if (!n) {
				st = GC_HVA_TRUNCATED;
				n = PAGE;
			}
			n = GC_MIN(n, rg->size - done);
			if (st == GC_HVA_PRESENT) {
				struct run *last = *nr ? &(*runs)[*nr - 1] : NULL;
				if (last && last->gpa + last->size == rg->gpa + done &&
				    last->hva + last->size == rg->hva + done) {
					last->size += n;
				} else {
					struct run nrun = { rg->gpa + done, n, rg->hva + done };
					if (!gc_vec_push(runs, nr, &cap, &nrun))
						return &gc_error_nomem;
				}
				r->pages_written += n / PAGE;
			} else {
				struct gc_error *err = add_gap(r, rg->gpa + done, n, rg->hva + done, st);
				if (err)
					return err;
				r->pages_missing += n / PAGE;
			}
			done += n;
		}
	}
	return NULL;
}

/*
 * The one place the output is written: the guest pipeline
 * (guest_extract.c) on the "qemu" guest of the core.
 */
static struct gc_error *write_vmcore(struct gc_qemu_core *c, const struct gc_qemu_ram_map *m,
				     const char *out_path, const struct gc_convert_opts *opts,
				     struct gc_qemu_extract_result *r)
{
	struct gc_guest *guest;
	struct gc_guest_args a = { .core = c, .ram_map = m };
	struct gc_error *err = gc_guest_open("qemu", &a, &guest);
	if (err)
		return err;
	/* OPTS NULL: ELF, replacing OUT as before; with OPTS, force is the
	 * caller's (extract-qemu refuses an existing OUT without --force) */
	struct gc_convert_opts o = { .format = GC_OUT_ELF, .force = true };
	if (opts)
		o = *opts;
	struct gc_guest_extract_result gr;
	err = gc_guest_extract(guest, out_path, &o, &gr);
	r->writer = o.format == GC_OUT_KDUMP ? "shared kdump-compressed writer (gc_convert)" :
					       "shared ELF vmcore writer (gc_convert)";
	r->nr_loads = gr.stats.segments;
	r->file_size = gr.stats.out_bytes;
	r->has_vmcoreinfo = gr.stats.has_vmcoreinfo;
	r->vmcoreinfo_status = gr.vmcoreinfo_status;
	gr.vmcoreinfo_status = NULL;
	gc_guest_extract_result_free(&gr);
	gc_guest_close(guest);
	return err;
}

struct gc_error *gc_qemu_extract(struct gc_qemu_core *c, const struct gc_qemu_ram_map *m,
				 const char *out_path, const struct gc_convert_opts *opts,
				 struct gc_qemu_extract_result *r)
{
	memset(r, 0, sizeof(*r));
	r->vcpu_status = "not recovered: a process core holds the host threads' registers; "
			 "the guest vCPU state lives in QEMU's CPUX86State (TCG) or in the kernel (KVM) "
			 "and cannot be located without QEMU debug information";
	struct run *runs;
	size_t nr;
	struct gc_error *err = plan(c, m, &runs, &nr, r);
	free(runs);
	if (!err && !nr)
		err = gc_error_new(GC_ERR_NOT_PRESENT, "guest RAM",
				   "none of the %" PRIu64 " pages of the map is in the process core",
				   r->pages_missing);
	if (!err)
		err = write_vmcore(c, m, out_path, opts, r);
	return err;
}

struct gc_error *gc_qemu_verify(struct gc_qemu_core *c, const struct gc_qemu_ram_map *m,
				const char *out_path, struct gc_qemu_verify_result *v)
{
	memset(v, 0, sizeof(*v));
	struct gc_file *f;
	struct gc_error *err = gc_file_open(out_path, &f);
	if (err)
		return err;
	uint8_t eh[64];
	uint8_t *page = malloc(PAGE);
	if (!page) {
		gc_file_close(f);
		return &gc_error_nomem;
	}
	uint64_t covered = 0;
	if ((err = gc_file_read(f, 0, eh, sizeof(eh), "ELF header")))
		goto out;
	if (memcmp(eh, "\177ELF", 4)) {
		/* kdump-compressed & co: through the team's readers */
		struct gc_guest *guest;
		struct gc_guest_args a = { .core = c, .ram_map = m };
		if ((err = gc_guest_open("qemu", &a, &guest)))
			goto out;
		struct gc_convert_opts o = { .format = GC_OUT_KDUMP };
		struct gc_verify_stats vs;
		memset(&vs, 0, sizeof(vs));
		err = gc_guest_verify(guest, out_path, &o, &vs);
		gc_guest_close(guest);
		v->pages_compared = vs.compared;
		v->pages_differ = vs.mismatches;
		v->first_differ_gpa = vs.first_mismatch_pfn << 12;
		v->pages_outside_map = vs.extra;
		v->pages_not_in_output = vs.excluded + vs.missing;
		goto out;
	}
	if (eh[4] != 2 || eh[5] != 1 || gc_get16(eh + 54, false) != 56) {
		err = gc_error_set_file(gc_error_at(GC_ERR_FORMAT, 0, "ELF header",
						    "not an ELF64 little-endian vmcore"), out_path);
		goto out;
	}
	uint64_t phoff = gc_get64(eh + 32, false), phnum = gc_get16(eh + 56, false);
	if ((err = gc_file_check_range(f, phoff, phnum * 56, "program headers")))
		goto out;
	uint64_t (*ld)[3] = calloc(phnum ? phnum : 1, sizeof(*ld));
	size_t nld = 0;
	if (!ld) {
		err = &gc_error_nomem;
		goto out;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint8_t ph[56];
		if ((err = gc_file_read(f, phoff + 56 * i, ph, sizeof(ph), "program header"))) {
			free(ld);
			goto out;
		}
		if (gc_get32(ph, false) != PT_LOAD)
			continue;
		ld[nld][0] = gc_get64(ph + 8, false);
		ld[nld][1] = gc_get64(ph + 24, false);
		ld[nld][2] = gc_get64(ph + 32, false);
		nld++;
	}
	for (size_t i = 0; i < nld; i++) {
		uint64_t off = ld[i][0], pa = ld[i][1], fsz = ld[i][2];
		/* an alias of pages another PT_LOAD holds (the kernel-text
		 * segment): compared, not counted twice */
		bool alias = false;
		for (size_t j = 0; j < nld && nld <= 4096 && !alias; j++)
			alias = j != i && ld[j][1] <= pa && pa + fsz <= ld[j][1] + ld[j][2] &&
				(ld[j][2] > fsz || j < i);
		for (uint64_t k = 0; k + PAGE <= fsz; k += PAGE) {
			uint64_t gpa = pa + k;
			const struct gc_qemu_ram_range *r = gc_qemu_ram_range_find(m->ranges, m->nr_ranges, gpa);
			if (!r) {
				v->pages_outside_map++;
				continue;
			}
			if ((err = gc_file_read(f, off + k, page, PAGE, "PT_LOAD data"))) {
				free(ld);
				goto out;
			}
			const void *want = gc_qemu_core_view(c, r->hva + (gpa - r->gpa), PAGE);
			uint8_t tmp[PAGE];
			if (!want) {
				struct gc_error *re = gc_qemu_core_read(c, r->hva + (gpa - r->gpa), tmp, PAGE);
				if (re) {
					/* output holds a page the core lacks */
					gc_error_free(re);
					v->pages_differ++;
					if (v->pages_differ == 1)
						v->first_differ_gpa = gpa;
					continue;
				}
				want = tmp;
			}
			if (!alias) {
				v->pages_compared++;
				covered++;
			}
			if (memcmp(page, want, PAGE)) {
				if (!v->pages_differ)
					v->first_differ_gpa = gpa;
				v->pages_differ++;
			}
		}
	}
	free(ld);
	/* every page of the map the core holds must be in the output */
	uint64_t in_core = 0;
	for (size_t i = 0; i < m->nr_ranges; i++)
		for (uint64_t d = 0; d < m->ranges[i].size;) {
			uint64_t run, off;
			enum gc_hva_state st = gc_qemu_core_hva(c, m->ranges[i].hva + d, &run, &off);
			uint64_t n = GC_MIN(run, m->ranges[i].size - d);
			if (st == GC_HVA_PRESENT)
				in_core += n / PAGE;
			n = n < PAGE ? PAGE : (st == GC_HVA_PRESENT ? n & ~(PAGE - 1) : (n + PAGE - 1) & ~(PAGE - 1));
			d += n;
		}
	v->pages_not_in_output = in_core > covered ? in_core - covered : 0;
out:
	free(page);
	gc_file_close(f);
	return err;
}
