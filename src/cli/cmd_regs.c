// SPDX-License-Identifier: MIT
/* guestcore regs: per-vCPU registers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "guestcore/svm.h"

/* x86_64 display order (other architectures: register number order). */
static const enum gc_vcpu_reg x86_order[] = {
	GC_REG_RIP, GC_REG_RSP, GC_REG_RFLAGS, GC_REG_RAX, GC_REG_RBX,
	GC_REG_RCX, GC_REG_RDX, GC_REG_RSI, GC_REG_RDI, GC_REG_RBP, GC_REG_R8,
	GC_REG_R9, GC_REG_R10, GC_REG_R11, GC_REG_R12, GC_REG_R13, GC_REG_R14,
	GC_REG_R15, GC_REG_ORIG_RAX, GC_REG_CS, GC_REG_SS, GC_REG_DS,
	GC_REG_ES, GC_REG_FS, GC_REG_GS, GC_REG_FS_BASE, GC_REG_GS_BASE,
	GC_REG_GS_BASE_KERNEL, GC_REG_CR0, GC_REG_CR1, GC_REG_CR2, GC_REG_CR3,
	GC_REG_CR4, GC_REG_CR5, GC_REG_CR6, GC_REG_CR7, GC_REG_EFER,
	GC_REG_KERNEL_SS, GC_REG_KERNEL_SP, GC_REG_GDT_BASE, GC_REG_GDT_LIMIT,
	GC_REG_IDT_BASE, GC_REG_IDT_LIMIT,
};

/* The registers V has, in display order; names from the library. */
static size_t reg_order(const struct gc_vcpu *v, unsigned int *out)
{
	size_t n = 0;
	uint64_t x;
	if (v->arch == GC_ARCH_X86_64) {
		for (size_t k = 0; k < sizeof(x86_order) / sizeof(*x86_order);
		     k++)
			if (gc_vcpu_get_reg(v, x86_order[k], &x))
				out[n++] = x86_order[k];
		return n;
	}
	for (unsigned int r = 0; r < gc_arch_nr_regs(v->arch) &&
	     r < GC_VCPU_MAX_REGS; r++)
		if (gc_vcpu_get_reg(v, r, &x))
			out[n++] = r;
	return n;
}

static void flag_words(const struct gc_vcpu *v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!v->has_xen_flags)
		return;
	snprintf(buf, len, "%s%s%s",
		 (v->xen_flags & (1u << 5)) ? "online" : "offline",
		 (v->xen_flags & (1u << 2)) ? ", in kernel" : "",
		 (v->xen_flags & 1u) ? ", fpu valid" : "");
}

/* Is some note's RIP outside the host kernel's text (32 MiB from
 * SYMBOL(_stext): Debian 6.1's text is 14 MiB; VMCOREINFO has no _etext)
 * and module area?  Only then is the host kernel opened to ask KVM which
 * CPU was in a guest (a CPU whose note holds a guest's registers runs the
 * guest's code; opening the kernel costs ~0.3 s, so every `regs` does not
 * pay it).  A guest running kernel code at addresses inside the host's
 * text window is not seen here (`check` asks KVM always). */
static bool any_outside_host_text(struct gc_dump *d, const char *vi,
				  size_t vlen)
{
	const char *key = "SYMBOL(_stext)=";
	const char *p = memmem(vi, vlen, key, strlen(key));
	if (!p)
		return true;
	uint64_t s = strtoull(p + strlen(key), NULL, 16);
	uint64_t e = s + (32ull << 20);
	for (unsigned int i = 0; i < gc_dump_nr_vcpus(d); i++) {
		struct gc_vcpu v;
		uint64_t rip;
		struct gc_error *err = gc_dump_vcpu(d, i, &v);
		if (err) {
			gc_error_free(err);
			continue;
		}
		if (!gc_vcpu_get_reg(&v, GC_REG_RIP, &rip))
			continue;
		if ((rip < s || rip >= e) && (rip < 0xffffffffc0000000ull ||
					      rip >= 0xffffffffff000000ull))
			return true;
	}
	return false;
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	if (argc != 2)
		return cli_usage(&cmd_regs);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "vcpus");
		gc_json_array_begin(&j);
	}
	int rc = EXIT_OK;
	unsigned int n = gc_dump_nr_vcpus(d);
	/* a KVM host's CPU stopped inside a guest: its note holds the
	 * guest's registers (from the host kernel's KVM structures; dumps
	 * without VMCOREINFO are not Linux hosts) */
	char **in_guest = NULL;
	unsigned int nin = 0;
	const char *vi;
	size_t vlen;
	uint64_t voff;
	struct gc_error *gerr = gc_dump_vmcoreinfo(d, &vi, &vlen, &voff);
	if (!gerr && any_outside_host_text(d, vi, vlen))
		gerr = gc_host_cpus_in_guest(d, NULL, false, &in_guest, &nin);
	gc_error_free(gerr);
	if (!n && !json)
		printf("no vCPU registers in this dump (`guestcore check` "
		       "says why)\n");
	for (unsigned int i = 0; i < n; i++) {
		struct gc_vcpu v;
		struct gc_error *err = gc_dump_vcpu(d, i, &v);
		if (err) {
			rc = cli_error(gc_error_set_file(err,
							 gc_dump_path(d)));
			break;
		}
		char flags[64];
		flag_words(&v, flags, sizeof(flags));
		unsigned int idx[GC_VCPU_MAX_REGS];
		size_t nr = reg_order(&v, idx);
		/* a record too short to hold any register (check names it) */
		if (!nr && rc == EXIT_OK)
			rc = EXIT_PROBLEMS;
		if (json) {
			gc_json_object_begin(&j);
			gc_json_key(&j, "vcpu");
			gc_json_u64(&j, v.id);
			gc_json_key(&j, "source");
			gc_json_string(&j, v.source);
			gc_json_key(&j, "arch");
			gc_json_string(&j, gc_arch_name(v.arch));
			gc_json_key(&j, "width");
			gc_json_u64(&j, v.is_32bit ? 32 : 64);
			if (v.has_xen_flags) {
				gc_json_key(&j, "xen_flags");
				gc_json_hex(&j, v.xen_flags);
			}
			if (i < nin && in_guest[i]) {
				gc_json_key(&j, "in_guest");
				gc_json_string(&j, in_guest[i]);
			}
			if (v.pgd_space != GC_SPACE_NONE) {
				gc_json_key(&j, "pgd");
				gc_json_hex(&j, v.pgd_addr);
				gc_json_key(&j, "pgd_space");
				gc_json_string(&j, gc_space_name(v.pgd_space));
			}
			gc_json_key(&j, "regs");
			gc_json_object_begin(&j);
			for (size_t k = 0; k < nr; k++) {
				gc_json_key(&j, gc_arch_reg_name(v.arch,
								 idx[k]));
				gc_json_hex(&j, v.regs[idx[k]]);
			}
			gc_json_object_end(&j);
			gc_json_object_end(&j);
			continue;
		}
		printf("vcpu %u: %s, %s%s%s\n", v.id, v.source,
		       v.arch == GC_ARCH_X86_64 && v.is_32bit ? "x86_32" :
		       gc_arch_name(v.arch), flags[0] ? ", " : "",
		       flags);
		if (i < nin && in_guest[i])
			printf("  note: %s\n", in_guest[i]);
		if (!nr)
			printf("  no register is known (the record holds none "
			       "it could decode; `guestcore check` says why)\n");
		int col = 0;
		for (size_t k = 0; k < nr; k++) {
			char name[24];
			size_t m = 0;
			for (const char *s = gc_arch_reg_name(v.arch, idx[k]);
			     *s && m < sizeof(name) - 1; s++)
				name[m++] = (char)(*s >= 'a' && *s <= 'z' ?
							   *s - 32 : *s);
			name[m] = '\0';
			printf("  %7s: %016" PRIx64, name, v.regs[idx[k]]);
			if (++col == 3) {
				printf("\n");
				col = 0;
			}
		}
		if (col)
			printf("\n");
		if (v.pgd_space != GC_SPACE_NONE)
			printf("  page table root: %s address 0x%" PRIx64 "\n",
			       gc_space_name(v.pgd_space), v.pgd_addr);
	}
	if (json && rc == EXIT_OK) {
		gc_json_array_end(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	/* none at all: not found (a stream cut before its device state, a
	 * vmcore without NT_PRSTATUS notes) */
	if (!n && rc == EXIT_OK)
		rc = EXIT_PROBLEMS;
	gc_host_cpus_in_guest_free(in_guest, nin);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_regs = {
	.name = "regs",
	.run = run,
	.summary = "per-vCPU registers (GPRs, rip, rsp, rflags, segments, "
		   "control registers)",
	.usage = "regs DUMP [--json]",
	.opts = cli_json_only,
};
