// SPDX-License-Identifier: MIT
/*
 * A host CPU stopped inside a guest: the host dump's register note for
 * that CPU holds the guest's registers, not the host's (docs/kvm.md,
 * "Registers").  Found from the KVM structures (a vCPU whose mode is
 * IN_GUEST_MODE names its host CPU; the note's CR3 equal to the guest's
 * confirms it) or, when those are unusable, from the VMCB scan (a note
 * whose RIP, RSP and CR3 are a VMCB's).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/kernel.h"
#include "guestcore/kvm.h"
#include "guestcore/svm.h"
#include "util/util.h"

void gc_host_cpus_in_guest_free(char **lines, unsigned int nr)
{
	for (unsigned int i = 0; lines && i < nr; i++)
		free(lines[i]);
	free(lines);
}

static bool reg(const struct gc_vcpu *v, enum gc_vcpu_reg r, uint64_t *x)
{
	*x = 0;
	return gc_vcpu_get_reg(v, r, x);
}

/* From the structures: 1 answered, 0 unusable (*WHY). */
static struct gc_error *by_structures(struct gc_dump *host,
				      struct gc_kernel *k, char **lines,
				      unsigned int nr, bool *answered)
{
	*answered = false;
	struct gc_kvm_vm *vms = NULL;
	size_t nv = 0;
	struct gc_error *err = gc_kvm_list(k, &vms, &nv);
	if (err) {
		gc_error_free(err);
		return NULL;
	}
	*answered = true;
	for (size_t i = 0; i < nv && !err; i++) {
		const struct gc_kvm_vm *vm = &vms[i];
		for (unsigned int c = 0; c < vm->nr_vcpus && !err; c++) {
			const struct gc_kvm_vcpu *v = &vm->vcpus[c];
			if (v->mode != 1 || v->cpu < 0 || (unsigned)v->cpu >= nr)
				continue;
			struct gc_vcpu note;
			if ((err = gc_dump_vcpu(host, (unsigned)v->cpu, &note)))
				break;
			uint64_t ncr3, gcr3, rip;
			bool have = reg(&note, GC_REG_CR3, &ncr3) &&
				    reg(&v->regs, GC_REG_CR3, &gcr3);
			reg(&v->regs, GC_REG_RIP, &rip);
			const char *how = !have ? "" :
					  ncr3 == gcr3 ? "; the note's CR3 is "
							 "the guest's" :
							 "; but the note's CR3 "
							 "is not the guest's: "
							 "the CPU may have left "
							 "the guest";
			free(lines[v->cpu]);
			lines[v->cpu] = gc_asprintf(
				"host CPU %d was executing KVM guest %zu (VMM pid %"
				PRIu32 " %s) vCPU %d (kvm_vcpu.mode IN_GUEST_MODE,"
				" guest rip 0x%" PRIx64 "%s): these are the "
				"guest's registers, not the host's", v->cpu, i,
				vm->pid, vm->comm[0] ? vm->comm : "?",
				v->vcpu_id, rip, how);
			if (!lines[v->cpu])
				err = &gc_error_nomem;
		}
	}
	gc_kvm_vms_free(vms, nv);
	return err;
}

static struct gc_error *by_scan(struct gc_dump *host, char **lines,
				unsigned int nr)
{
	struct gc_hostmem mem;
	struct gc_error *err = gc_hostmem_dump(host, &mem);
	if (err)
		return err;
	struct gc_vmcb_scan s;
	if ((err = gc_vmcb_scan(&mem, false, &s)))
		return err;
	for (unsigned int c = 0; c < nr && !err; c++) {
		struct gc_vcpu note;
		if ((err = gc_dump_vcpu(host, c, &note)))
			break;
		uint64_t rip, rsp, cr3;
		if (!reg(&note, GC_REG_RIP, &rip) || !reg(&note, GC_REG_RSP, &rsp)
		    || !reg(&note, GC_REG_CR3, &cr3))
			continue;
		for (size_t i = 0; i < s.nr_hits; i++) {
			const struct gc_vmcb_state *st = &s.hits[i].st;
			if (st->rip != rip || st->rsp != rsp || st->cr3 != cr3)
				continue;
			lines[c] = gc_asprintf(
				"host CPU %u was executing the SVM guest of VMCB 0x%"
				PRIx64 " (nested_cr3 0x%" PRIx64 "): the note's "
				"RIP, RSP and CR3 are that VMCB's (the KVM "
				"structures could not be used): these are the "
				"guest's registers, not the host's", c,
				s.hits[i].paddr, st->nested_cr3);
			if (!lines[c])
				err = &gc_error_nomem;
			break;
		}
	}
	gc_vmcb_scan_free(&s);
	return err;
}

struct gc_error *gc_host_cpus_in_guest(struct gc_dump *host,
				       struct gc_kernel *k, bool scan,
				       char ***out, unsigned int *nr_out)
{
	*out = NULL;
	*nr_out = 0;
	unsigned int nr = gc_dump_nr_vcpus(host);
	if (!nr)
		return NULL;
	char **lines = calloc(nr, sizeof(*lines));
	if (!lines)
		return &gc_error_nomem;
	struct gc_kernel *own = NULL;
	struct gc_error *err = NULL;
	bool answered = false;
	if (!k) {
		err = gc_kernel_open(host, NULL, &own);
		if (err) {
			gc_error_free(err);
			err = NULL;
		}
		k = own;
	}
	if (k)
		err = by_structures(host, k, lines, nr, &answered);
	if (!err && !answered && scan)
		err = by_scan(host, lines, nr);
	gc_kernel_close(own);
	if (err) {
		gc_host_cpus_in_guest_free(lines, nr);
		return err;
	}
	*out = lines;
	*nr_out = nr;
	return NULL;
}
