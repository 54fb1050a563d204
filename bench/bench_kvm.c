// SPDX-License-Identifier: MIT
/*
 * bench_kvm HOST [--rounds N]: finding a host dump's KVM guests from the
 * host kernel's KVM structures (gc_kvm_list, the dump opened afresh each
 * round: kernel view, BTF, vm_list, slots, vCPUs) against the baseline
 * the structures replace, the full VMCS page scan of the same dump
 * (gc_vmx_find_guests with the built-in layouts) and the VMCB page scan
 * of the AMD fallback (gc_svm_find_guests: recogniser + grouping by
 * nested_cr3), in the same run.
 * Per method: CPU seconds (the process's, all threads) and wall seconds,
 * the mean and the best of the N rounds, and the ratios scan/structures
 * of the bests (bench/README.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guestcore/guestcore.h"

static double clock_now(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int die(struct gc_error *err)
{
	fprintf(stderr, "bench_kvm: %s\n", gc_error_string(err));
	gc_error_free(err);
	return 2;
}

enum { M_KVM, M_VMCS, M_VMCB, NR_M };

struct stat_m {
	double cpu_sum, wall_sum, cpu_best, wall_best;
	size_t found;
};

static struct gc_error *run_kvm(const char *path, size_t *found)
{
	struct gc_dump *d;
	struct gc_kernel *k;
	struct gc_kvm_vm *vms;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err)
		return err;
	if (!(err = gc_kernel_open(d, NULL, &k))) {
		if (!(err = gc_kvm_list(k, &vms, found)))
			gc_kvm_vms_free(vms, *found);
		gc_kernel_close(k);
	}
	gc_dump_close(d);
	return err;
}

static struct gc_error *run_vmcs(const char *path, size_t *found)
{
	struct gc_dump *d;
	struct gc_vmcs_db *db;
	struct gc_vmx_guest_group *g;
	struct gc_vmcs_scan_opts so = { 0 };
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err)
		return err;
	if (!(err = gc_vmcs_db_new(true, &db))) {
		if (!(err = gc_vmx_find_guests(d, db, &so, &g, found)))
			gc_vmx_guest_groups_free(g, *found);
		gc_vmcs_db_free(db);
	}
	gc_dump_close(d);
	return err;
}

static struct gc_error *run_vmcb(const char *path, size_t *found)
{
	struct gc_dump *d;
	struct gc_svm_guest_group *sg;
	struct gc_error *err = gc_dump_open(path, NULL, &d);
	if (err)
		return err;
	if (!(err = gc_svm_find_guests(d, &sg, found)))
		gc_svm_guest_groups_free(sg, *found);
	gc_dump_close(d);
	return err;
}

int main(int argc, char **argv)
{
	if (argc < 2 || (argc != 2 && argc != 4) ||
	    (argc == 4 && strcmp(argv[2], "--rounds"))) {
		fprintf(stderr, "usage: bench_kvm HOST [--rounds N]\n");
		return 2;
	}
	int rounds = 3;
	if (argc == 4)
		rounds = atoi(argv[3]) > 0 ? atoi(argv[3]) : 1;
	struct gc_error *(*const run[NR_M])(const char *, size_t *) = {
		run_kvm, run_vmcs, run_vmcb
	};
	struct stat_m st[NR_M];
	memset(st, 0, sizeof(st));
	for (int r = 0; r < rounds; r++) {
		for (int m = 0; m < NR_M; m++) {
			double c0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
			double w0 = clock_now(CLOCK_MONOTONIC);
			struct gc_error *err = run[m](argv[1], &st[m].found);
			double c = clock_now(CLOCK_PROCESS_CPUTIME_ID) - c0;
			double w = clock_now(CLOCK_MONOTONIC) - w0;
			if (err)
				return die(err);
			st[m].cpu_sum += c;
			st[m].wall_sum += w;
			if (!r || c < st[m].cpu_best)
				st[m].cpu_best = c;
			if (!r || w < st[m].wall_best)
				st[m].wall_best = w;
		}
	}
	static const char *const what[NR_M] = {
		"kvm structures (gc_kvm_list)",
		"baseline, VMCS page scan (gc_vmx_find_guests)",
		"VMCB page scan (gc_svm_find_guests)",
	};
	static const char *const unit[NR_M] = { "VM(s)", "guest(s)", "VM(s)" };
	printf("host: %s, %d rounds\n", argv[1], rounds);
	for (int m = 0; m < NR_M; m++)
		printf("%s: %zu %s, %.3f CPU s/round (best %.3f), %.3f wall "
		       "s/round (best %.3f)\n", what[m], st[m].found, unit[m],
		       st[m].cpu_sum / rounds, st[m].cpu_best,
		       st[m].wall_sum / rounds, st[m].wall_best);
	const struct stat_m *k = &st[M_KVM];
	printf("ratio scan/kvm: %.1fx CPU, %.1fx wall (best of %d)\n",
	       k->cpu_best > 0 ? st[M_VMCS].cpu_best / k->cpu_best : 0.0,
	       k->wall_best > 0 ? st[M_VMCS].wall_best / k->wall_best : 0.0,
	       rounds);
	printf("ratio vmcb-scan/kvm: %.1fx CPU, %.1fx wall (best of %d)\n",
	       k->cpu_best > 0 ? st[M_VMCB].cpu_best / k->cpu_best : 0.0,
	       k->wall_best > 0 ? st[M_VMCB].wall_best / k->wall_best : 0.0,
	       rounds);
	return 0;
}
