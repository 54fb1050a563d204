// SPDX-License-Identifier: MIT
/*
 * guestcore guests: the KVM guests of a host dump, one line per VM, from
 * the host kernel's own KVM structures (gc_kvm_list: vm_list, memory
 * slots, vCPUs, the VMM process); no guest memory is read.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "guestcore/kvm.h"
#include "json.h"
#include "svm_cli.h"

static const char *vendor(enum gc_kvm_vendor v)
{
	return v == GC_KVM_SVM ? "svm" : v == GC_KVM_VMX ? "vmx" : "?";
}

static void json_vm(struct gc_json *j, size_t i, const struct gc_kvm_vm *vm,
		    const char *hugetlb_note)
{
	gc_json_object_begin(j);
	gc_json_key(j, "index");
	gc_json_u64(j, i);
	gc_json_key(j, "source");
	gc_json_string(j, "kvm");
	gc_json_key(j, "kvm");
	gc_json_hex(j, vm->kvm);
	gc_json_key(j, "vendor");
	gc_json_string(j, vendor(vm->vendor));
	gc_json_key(j, "vmm_pid");
	gc_json_u64(j, vm->pid);
	gc_json_key(j, "userspace_pid");
	gc_json_u64(j, vm->userspace_pid);
	gc_json_key(j, "comm");
	gc_json_string(j, vm->comm);
	gc_json_key(j, "name");
	gc_json_string(j, vm->name);
	gc_json_key(j, "cmdline");
	if (vm->cmdline)
		gc_json_string(j, vm->cmdline);
	else
		gc_json_null(j);
	gc_json_key(j, "mm");
	gc_json_hex(j, vm->mm);
	gc_json_key(j, "pgd");
	gc_json_hex(j, vm->pgd_phys);
	gc_json_key(j, "memory_bytes");
	gc_json_u64(j, vm->mem_bytes);
	gc_json_key(j, "slots");
	gc_json_array_begin(j);
	for (size_t s = 0; s < vm->nr_slots; s++) {
		const struct gc_kvm_slot *sl = &vm->slots[s];
		gc_json_object_begin(j);
		gc_json_key(j, "as_id");
		gc_json_u64(j, sl->as_id);
		gc_json_key(j, "id");
		gc_json_i64(j, sl->id);
		gc_json_key(j, "gpa");
		gc_json_hex(j, sl->base_gfn << 12);
		gc_json_key(j, "npages");
		gc_json_u64(j, sl->npages);
		gc_json_key(j, "userspace_addr");
		gc_json_hex(j, sl->userspace_addr);
		gc_json_key(j, "flags");
		gc_json_u64(j, sl->flags);
		gc_json_key(j, "readonly");
		gc_json_bool(j, sl->flags & GC_KVM_MEM_READONLY);
		gc_json_key(j, "smm");
		gc_json_bool(j, sl->as_id == 1);
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "vcpus");
	gc_json_array_begin(j);
	for (unsigned int c = 0; c < vm->nr_vcpus; c++) {
		const struct gc_kvm_vcpu *v = &vm->vcpus[c];
		gc_json_object_begin(j);
		gc_json_key(j, "vcpu_id");
		gc_json_i64(j, v->vcpu_id);
		gc_json_key(j, "kvm_vcpu");
		gc_json_hex(j, v->addr);
		gc_json_key(j, "thread_pid");
		gc_json_u64(j, v->pid);
		gc_json_key(j, "in_guest_mode");
		gc_json_bool(j, v->mode == 1);
		gc_json_key(j, "host_cpu");
		gc_json_i64(j, v->cpu);
		gc_json_key(j, "mp_state");
		gc_json_i64(j, v->mp_state);
		gc_json_key(j, "vmcb");
		gc_json_hex(j, v->vmcb_pa);
		gc_json_key(j, "nested_cr3");
		gc_json_hex(j, v->nested_cr3);
		uint64_t val;
		const char *names[] = { "rip", "rsp", "cr3" };
		const enum gc_vcpu_reg regs[] = { GC_REG_RIP, GC_REG_RSP,
						  GC_REG_CR3 };
		for (size_t r = 0; r < 3; r++) {
			gc_json_key(j, names[r]);
			if (gc_vcpu_get_reg(&v->regs, regs[r], &val))
				gc_json_hex(j, val);
			else
				gc_json_null(j);
		}
		gc_json_object_end(j);
	}
	gc_json_array_end(j);
	gc_json_key(j, "problems");
	gc_json_string(j, vm->problems ? vm->problems : "");
	if (hugetlb_note) {
		gc_json_key(j, "hugetlb_dump_level_note");
		gc_json_string(j, hugetlb_note);
	}
	gc_json_object_end(j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool scan = cli_take_flag(&argc, argv, "--scan");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc != 2)
		return cli_usage(&cmd_guests);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	size_t found;
	if (scan) {
		/* forced: the VMCB scan even when the structures work */
		int src = svm_cli_guests(d, json, NULL, &found);
		gc_dump_close(d);
		return src;
	}
	struct gc_kernel *k = NULL;
	struct gc_error *err = gc_kernel_open(d, &ko, &k);
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	if (!err)
		err = gc_kvm_list(k, &vms, &nr);
	if (err) {
		gc_kernel_close(k);
		/* the structures are unusable: the VMCB scan answers when it
		 * finds VMs (saying why); else the structures' error (kvm not
		 * loaded / no vm_list: answered, no VMs, exit 1) */
		int src = svm_cli_guests(d, json, gc_error_string(err),
					 &found);
		if (found) {
			gc_error_free(err);
			gc_dump_close(d);
			return src;
		}
		gc_dump_close(d);
		return cli_lookup_error(gc_error_set_file(err, argv[1]));
	}
	char *note = gc_kvm_dump_level_note(d);
	int rc = nr ? EXIT_OK : EXIT_PROBLEMS;
	for (size_t i = 0; i < nr; i++)
		if (vms[i].problems && vms[i].problems[0])
			rc = EXIT_PROBLEMS;
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "guests");
		gc_json_array_begin(&j);
		for (size_t i = 0; i < nr; i++) {
			char *hn = gc_kvm_hugetlb_level_note(k, &vms[i]);
			json_vm(&j, i, &vms[i], hn);
			free(hn);
		}
		gc_json_array_end(&j);
		gc_json_key(&j, "dump_level_note");
		if (note)
			gc_json_string(&j, note);
		else
			gc_json_null(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		if (!nr)
			printf("no VM on the host's vm_list (kvm loaded, no "
			       "guest running)\n");
		for (size_t i = 0; i < nr; i++) {
			const struct gc_kvm_vm *vm = &vms[i];
			size_t nslots = 0, smm = 0;
			for (size_t s = 0; s < vm->nr_slots; s++)
				if (vm->slots[s].as_id)
					smm++;
				else
					nslots++;
			printf("%zu  pid %" PRIu32 " (%s)  name %s  memory %"
			       PRIu64 " MiB in %zu slot%s", i, vm->pid,
			       vm->comm[0] ? vm->comm : "?",
			       vm->name[0] ? vm->name : "-",
			       vm->mem_bytes >> 20, nslots,
			       nslots == 1 ? "" : "s");
			if (smm)
				printf(" (+%zu SMM)", smm);
			printf("  %u vCPU%s  %s  kvm 0x%" PRIx64 "  source kvm\n",
			       vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s",
			       vendor(vm->vendor), vm->kvm);
			if (vm->problems && vm->problems[0])
				printf("   problems: %s\n", vm->problems);
			char *hn = gc_kvm_hugetlb_level_note(k, vm);
			if (hn)
				printf("   %s\n", hn);
			free(hn);
		}
		if (note)
			printf("%s\n", note);
	}
	free(note);
	gc_kvm_vms_free(vms, nr);
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	CLI_FLAG_OPT("scan", 0, "find the VMs by the VMCB page scan (AMD SVM) instead of the host kernel's KVM structures (the fallback when those cannot be used)"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_guests = {
	.name = "guests",
	.run = run,
	.summary = "list the KVM guests of a host dump from the host "
		   "kernel's KVM structures",
	.usage = "guests HOST [--scan] [--json] [kernel options]",
	.opts = options,
	.kernel = true,
};
