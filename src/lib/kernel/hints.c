// SPDX-License-Identifier: MIT
/*
 * The bridge from kernel facts to writer hints (gc_kernel_writer_hints in
 * guestcore/kernel.h): what the kernel layer knows that the writers use.
 * `guestcore convert` and library callers both come through here, so the
 * same input gives the same output bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_internal.h"

/* Append to the "used" line, ", "-separated. */
static void used_add(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void used_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= cap)
		return;
	if (n) {
		snprintf(buf + n, cap - n, ", ");
		n = strlen(buf);
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
}

/*
 * Xen PV: crash decides that a kernel is a Xen PV guest from a non-NULL
 * xen_start_info, and then translates page-table entries as machine
 * frames.  The output's tables hold pfns, so the pointer is cleared (the
 * old value goes into the GUESTCORE note).  Not finding the symbol or
 * the pointer already NULL means nothing to patch.
 */
static size_t pv_patch(struct gc_kernel *k)
{
	struct gc_symbol sym;
	uint64_t pa, old;
	if (!gc_dump_has_space(k->d, GC_SPACE_MACH))
		return 0;
	struct gc_error *err = gc_kernel_symbol(k, "xen_start_info", &sym);
	if (!err)
		err = gc_kernel_vtop(k, sym.addr, &pa);
	if (!err)
		err = gc_kernel_read_u64(k, sym.addr, &old);
	if (err) {
		gc_error_free(err);
		return 0;
	}
	if (!old)
		return 0;
	struct gc_convert_patch *p = &k->hints.patch;
	memset(p, 0, sizeof(*p));
	p->paddr = pa;
	p->len = 8;
	snprintf(k->hints.patch_what, sizeof(k->hints.patch_what),
		 "xen_start_info (symbol from %s) set to NULL, was 0x%" PRIx64
		 ", so that crash reads the pfn-space page tables natively",
		 sym.source ? sym.source : "?", old);
	p->what = k->hints.patch_what;
	return 1;
}

struct gc_error *gc_kernel_writer_hints(struct gc_kernel *k,
					struct gc_convert_kernel *ck,
					const char **used)
{
	char *u = k->hints.used;
	size_t cap = sizeof(k->hints.used);
	u[0] = '\0';
	if (used)
		*used = u;
	const struct gc_vmcoreinfo *vi = gc_kernel_vmcoreinfo(k);
	if (vi) {
		size_t len;
		const char *t = gc_vmcoreinfo_text(vi, &len);
		if (t && len) {
			ck->vmcoreinfo = t;
			ck->vmcoreinfo_len = len;
			used_add(u, cap, "VMCOREINFO (%s)",
				 gc_kernel_vmcoreinfo_source(k));
		}
	}
	uint64_t v;
	enum gc_space sp;
	if (!ck->has_page_offset &&
	    gc_kernel_fact_u64(k, "page_offset", &v, NULL)) {
		ck->has_page_offset = true;
		ck->page_offset = v;
		used_add(u, cap, "page_offset 0x%" PRIx64, v);
	}
	if (gc_kernel_fact_u64(k, "page_table", &v, &sp)) {
		uint64_t pfn = v >> 12;
		bool ok = true;
		if (sp == GC_SPACE_MACH) {
			struct gc_error *err = gc_dump_mfn_to_pfn(k->d, pfn,
								  &pfn);
			ok = !err;
			gc_error_free(err);
		}
		if (ok) {
			k->hints.pgd_pfn = pfn;
			ck->pgd_pfns = &k->hints.pgd_pfn;
			ck->nr_pgd_pfns = 1;
			used_add(u, cap, "top-level table pfn 0x%" PRIx64, pfn);
		}
	}
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, "release");
	if (f && f->value && f->value[0])
		ck->uts_release = f->value;
	if ((f = gc_kernel_fact_by_name(k, "version")) && f->value)
		ck->uts_version = f->value;
	if ((f = gc_kernel_fact_by_name(k, "nodename")) && f->value)
		ck->uts_nodename = f->value;
	int64_t pb;
	f = gc_kernel_fact_by_name(k, "phys_base");
	if (f && gc_kernel_fact_s64(k, "phys_base", &pb)) {
		ck->has_phys_base = true;
		ck->phys_base = pb;
		used_add(u, cap, "phys_base %s", f->value);
	}
	/* pr_pid: each vCPU's current task (vCPU i = Linux CPU i, which the
	 * task's own cpu field confirms). */
	unsigned int nv = gc_dump_nr_vcpus(k->d);
	if (nv && nv <= 8192 && !k->hints.pids)
		k->hints.pids = calloc(nv, sizeof(uint32_t));
	if (nv && k->hints.pids) {
		unsigned int known = 0;
		struct gc_error *first = NULL;
		for (unsigned int i = 0; i < nv; i++) {
			uint64_t task;
			struct gc_error *e = gc_kernel_cpu_task(k, i, &task,
								&k->hints.pids[i]);
			if (e) {
				k->hints.pids[i] = GC_CONVERT_PID_UNKNOWN;
				if (!first)
					first = e;
				else
					gc_error_free(e);
			} else {
				known++;
			}
		}
		ck->cpu_pids = k->hints.pids;
		ck->nr_cpu_pids = nv;
		if (known)
			used_add(u, cap, "pr_pid of %u of %u vCPUs from per-CPU "
				 "current_task", known, nv);
		if (first)
			used_add(u, cap, "pr_pid unknown for %u vCPUs (%s)",
				 nv - known, gc_error_string(first));
		gc_error_free(first);
	}
	size_t np = pv_patch(k);
	ck->patches = np ? &k->hints.patch : NULL;
	ck->nr_patches = np;
	return NULL;
}
