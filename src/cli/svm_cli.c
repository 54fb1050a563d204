// SPDX-License-Identifier: MIT
/*
 * guests --scan / the fallback of guests when the host kernel's KVM
 * structures cannot be used: the VMs of the VMCB scan (gc_svm_find_guests,
 * src/lib/guests/svm/), each opened as an "svm" guest for its vCPUs and
 * the memory its nested page tables map.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "guestcore/guest.h"
#include "svm_cli.h"

static void json_vm(struct gc_json *j, size_t i,
		    const struct gc_svm_guest_group *gr, struct gc_guest *g,
		    struct gc_error *oerr)
{
	gc_json_object_begin(j);
	gc_json_key(j, "index");
	gc_json_u64(j, i);
	gc_json_key(j, "source");
	gc_json_string(j, "svm-scan");
	gc_json_key(j, "vendor");
	gc_json_string(j, "svm");
	gc_json_key(j, "nested_cr3");
	gc_json_hex(j, gr->nested_cr3);
	const struct gc_svm_guest_info *si = g ? gc_svm_guest_info(g) : NULL;
	gc_json_key(j, "npt_levels");
	if (si)
		gc_json_u64(j, si->levels);
	else
		gc_json_null(j);
	gc_json_key(j, "memory_bytes");
	if (g)
		gc_json_u64(j, gc_guest_counts(g)->frames_mapped * 4096);
	else
		gc_json_null(j);
	gc_json_key(j, "frames_missing");
	if (g)
		gc_json_u64(j, gc_guest_counts(g)->frames_missing);
	else
		gc_json_null(j);
	gc_json_key(j, "vcpus");
	gc_json_array_begin(j);
	for (size_t c = 0; c < gr->nr_vmcb; c++) {
		gc_json_object_begin(j);
		gc_json_key(j, "vmcb");
		gc_json_hex(j, gr->vmcb[c]);
		struct gc_vcpu v;
		struct gc_error *err = g ? gc_guest_vcpu(g, (unsigned int)c, &v)
					 : NULL;
		if (si) {
			gc_json_key(j, "asid");
			gc_json_u64(j, si->vcpus[c].asid);
			gc_json_key(j, "exit_code");
			gc_json_hex(j, si->vcpus[c].exit_code);
		}
		const char *names[] = { "rip", "rsp", "rax", "cr3" };
		const enum gc_vcpu_reg regs[] = { GC_REG_RIP, GC_REG_RSP,
						  GC_REG_RAX, GC_REG_CR3 };
		for (size_t r = 0; r < 4; r++) {
			uint64_t val;
			gc_json_key(j, names[r]);
			if (g && !err && gc_vcpu_get_reg(&v, regs[r], &val))
				gc_json_hex(j, val);
			else
				gc_json_null(j);
		}
		gc_error_free(err);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "unknown_registers");
	gc_json_string(j, GC_SVM_UNKNOWN_REGS);
	gc_json_key(j, "problems");
	gc_json_string(j, oerr ? gc_error_string(oerr) : "");
	gc_json_object_end(j);
}

int svm_cli_guests(struct gc_dump *d, bool json, const char *why,
		   size_t *found)
{
	*found = 0;
	struct gc_svm_guest_group *gr = NULL;
	size_t ng = 0;
	struct gc_error *err = gc_svm_find_guests(d, &gr, &ng);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(d)));
	*found = ng;
	if (why && !ng)
		return EXIT_PROBLEMS;  /* the caller reports its own error */
	int rc = ng ? (why ? EXIT_PROBLEMS : EXIT_OK) : EXIT_PROBLEMS;
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "source");
		gc_json_string(&j, "svm-scan");
		gc_json_key(&j, "fallback_reason");
		if (why)
			gc_json_string(&j, why);
		else
			gc_json_null(&j);
		gc_json_key(&j, "guests");
		gc_json_array_begin(&j);
	} else {
		if (why)
			printf("the host kernel's KVM structures could not be "
			       "used (%s): VMs found by the VMCB scan\n", why);
		if (!ng)  /* forced scan only */
			printf("no VMCB found by the scan (no AMD SVM guest "
			       "with nested paging in this dump)\n");
	}
	for (size_t i = 0; i < ng; i++) {
		struct gc_guest_args ga = { .host = d, .addrs = gr[i].vmcb,
					    .nr_addrs = gr[i].nr_vmcb };
		struct gc_guest *g = NULL;
		struct gc_error *oerr = gc_guest_open("svm", &ga, &g);
		if (oerr)
			rc = EXIT_PROBLEMS;
		if (json) {
			json_vm(&j, i, &gr[i], g, oerr);
		} else {
			printf("%zu  nested_cr3 0x%" PRIx64 "  %zu vCPU%s  vmcb",
			       i, gr[i].nested_cr3, gr[i].nr_vmcb,
			       gr[i].nr_vmcb == 1 ? "" : "s");
			for (size_t c = 0; c < gr[i].nr_vmcb; c++)
				printf("%s0x%" PRIx64, c ? "," : " ",
				       gr[i].vmcb[c]);
			if (g)
				printf("  memory %" PRIu64 " MiB mapped by the "
				       "NPT", gc_guest_counts(g)->frames_mapped
						      >> 8);
			printf("  svm  source svm-scan\n");
			if (oerr)
				printf("   problems: %s\n",
				       gc_error_string(oerr));
		}
		gc_error_free(oerr);
		gc_guest_close(g);
	}
	if (json) {
		gc_json_array_end(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else if (ng) {
		printf("(registers from the VMCB only: %s unknown; vCPUs in "
		       "VMCB address order)\n", GC_SVM_UNKNOWN_REGS);
	}
	gc_svm_guest_groups_free(gr, ng);
	return rc;
}

/* ---- vmcs: the VMCB scan when no VMCS was found ------------------------ */

int svm_cli_vmcb_list(const struct gc_hostmem *mem, bool verbose,
		      struct gc_json *j)
{
	struct gc_vmcb_scan s;
	struct gc_error *err = gc_vmcb_scan(mem, verbose, &s);
	if (err) {
		if (j) {
			gc_json_key(j, "vmcb_error");
			gc_json_string(j, gc_error_string(err));
		} else {
			printf("VMCB scan: %s\n", gc_error_string(err));
		}
		gc_error_free(err);
		return EXIT_PROBLEMS;
	}
	size_t valid = 0;
	for (size_t i = 0; i < s.nr_hits; i++)
		valid += s.hits[i].valid;
	if (j) {
		gc_json_key(j, "vmcb_candidates");
		gc_json_u64(j, s.candidates);
		gc_json_key(j, "vmcb");
		gc_json_array_begin(j);
	} else {
		printf("AMD: %" PRIu64 " frames with the VMRUN intercept and an "
		       "ASID, %zu VMCB%s\n", s.candidates, valid,
		       valid == 1 ? "" : "s");
	}
	for (size_t i = 0; i < s.nr_hits; i++) {
		const struct gc_vmcb_hit *h = &s.hits[i];
		const struct gc_vmcb_state *t = &h->st;
		if (j) {
			gc_json_object_begin(j);
			gc_json_key(j, "paddr");
			gc_json_hex(j, h->paddr);
			gc_json_key(j, "valid");
			gc_json_bool(j, h->valid);
			gc_json_key(j, "reason");
			gc_json_string(j, h->reason);
			gc_json_key(j, "asid");
			gc_json_u64(j, t->asid);
			gc_json_key(j, "nested_cr3");
			gc_json_hex(j, t->nested_cr3);
			gc_json_key(j, "exit_code");
			gc_json_hex(j, t->exit_code);
			static const char *const nm[] = { "rip", "rsp", "rax",
							  "rflags", "cr0", "cr3",
							  "cr4", "efer" };
			const uint64_t v[] = { t->rip, t->rsp, t->rax, t->rflags,
					       t->cr0, t->cr3, t->cr4, t->efer };
			for (size_t k = 0; k < 8; k++) {
				gc_json_key(j, nm[k]);
				gc_json_hex(j, v[k]);
			}
			gc_json_object_end(j);
			continue;
		}
		if (!h->valid) {
			printf("rejected 0x%" PRIx64 ": %s\n", h->paddr,
			       h->reason);
			continue;
		}
		printf("VMCB at 0x%" PRIx64 ": ASID %" PRIu32 ", nested_cr3 0x%"
		       PRIx64 ", exit code 0x%" PRIx64 "\n", h->paddr, t->asid,
		       t->nested_cr3, t->exit_code);
		printf("  RIP %016" PRIx64 "  RSP %016" PRIx64 "  RAX %016"
		       PRIx64 "  RFLAGS %08" PRIx64 "\n", t->rip, t->rsp,
		       t->rax, t->rflags);
		printf("  CR0 %016" PRIx64 "  CR3 %016" PRIx64 "  CR4 %08"
		       PRIx64 "  EFER %" PRIx64 "\n", t->cr0, t->cr3, t->cr4,
		       t->efer);
	}
	if (j)
		gc_json_array_end(j);
	/* vCPUs of one VM share a nested_cr3 */
	for (size_t i = 0; i < s.nr_hits && !j; i++) {
		const struct gc_vmcb_hit *h = &s.hits[i];
		bool first = h->valid;
		for (size_t k = 0; k < i && first; k++)
			if (s.hits[k].valid &&
			    s.hits[k].st.nested_cr3 == h->st.nested_cr3)
				first = false;
		if (!first)
			continue;
		printf("guest with nested_cr3 0x%" PRIx64 ": VMCB",
		       h->st.nested_cr3);
		for (size_t k = i; k < s.nr_hits; k++)
			if (s.hits[k].valid &&
			    s.hits[k].st.nested_cr3 == h->st.nested_cr3)
				printf(" 0x%" PRIx64, s.hits[k].paddr);
		printf("  (guestcore extract DUMP --vmcb ... writes it)\n");
	}
	gc_vmcb_scan_free(&s);
	return EXIT_OK;
}
