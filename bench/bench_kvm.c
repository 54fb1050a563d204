// SPDX-License-Identifier: MIT
/*
 * bench_kvm HOST [--rounds N]: finding a host dump's KVM guests from the
 * host kernel's KVM structures (gc_kvm_list, the dump opened afresh each
 * round: kernel view, BTF, vm_list, slots, vCPUs) against the baseline
 * the structures replace, the full VMCS page scan of the same dump
 * (gc_vmx_find_guests with the built-in layouts) and the VMCB page scan
 * of the AMD fallback (gc_svm_find_guests: recogniser + grouping by
 * nested_cr3), in the same run.
 * Figures are CPU seconds per round and their ratio (bench/README.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guestcore/guestcore.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(struct gc_error *err)
{
	fprintf(stderr, "bench_kvm: %s\n", gc_error_string(err));
	gc_error_free(err);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_kvm HOST [--rounds N]\n");
		return 2;
	}
	int rounds = 3;
	if (argc == 4 && !strcmp(argv[2], "--rounds"))
		rounds = atoi(argv[3]) > 0 ? atoi(argv[3]) : 1;
	double t_kvm = 0, t_scan = 0, t_vmcb = 0;
	size_t nr_kvm = 0, nr_scan = 0, nr_vmcb = 0;
	for (int r = 0; r < rounds; r++) {
		struct gc_dump *d;
		struct gc_kernel *k;
		struct gc_kvm_vm *vms;
		double t0 = cpu_now();
		struct gc_error *err = gc_dump_open(argv[1], NULL, &d);
		if (err)
			return die(err);
		if ((err = gc_kernel_open(d, NULL, &k)) ||
		    (err = gc_kvm_list(k, &vms, &nr_kvm)))
			return die(err);
		gc_kvm_vms_free(vms, nr_kvm);
		gc_kernel_close(k);
		gc_dump_close(d);
		double t1 = cpu_now();
		struct gc_vmcs_db *db;
		struct gc_vmx_guest_group *g;
		struct gc_vmcs_scan_opts so = { 0 };
		if ((err = gc_dump_open(argv[1], NULL, &d)) ||
		    (err = gc_vmcs_db_new(true, &db)) ||
		    (err = gc_vmx_find_guests(d, db, &so, &g, &nr_scan)))
			return die(err);
		gc_vmx_guest_groups_free(g, nr_scan);
		gc_vmcs_db_free(db);
		gc_dump_close(d);
		double t2 = cpu_now();
		struct gc_svm_guest_group *sg;
		if ((err = gc_dump_open(argv[1], NULL, &d)) ||
		    (err = gc_svm_find_guests(d, &sg, &nr_vmcb)))
			return die(err);
		gc_svm_guest_groups_free(sg, nr_vmcb);
		gc_dump_close(d);
		double t3 = cpu_now();
		t_kvm += t1 - t0;
		t_scan += t2 - t1;
		t_vmcb += t3 - t2;
	}
	printf("host: %s, %d rounds\n", argv[1], rounds);
	printf("kvm structures (gc_kvm_list): %zu VM(s), %.3f CPU s/round\n",
	       nr_kvm, t_kvm / rounds);
	printf("baseline, VMCS page scan (gc_vmx_find_guests): %zu guest(s), "
	       "%.3f CPU s/round\n", nr_scan, t_scan / rounds);
	printf("ratio scan/kvm: %.1fx\n", t_kvm > 0 ? t_scan / t_kvm : 0.0);
	printf("VMCB page scan (gc_svm_find_guests): %zu VM(s), %.3f CPU "
	       "s/round\n", nr_vmcb, t_vmcb / rounds);
	printf("ratio vmcb-scan/kvm: %.1fx\n",
	       t_kvm > 0 ? t_vmcb / t_kvm : 0.0);
	return 0;
}
