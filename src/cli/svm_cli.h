// SPDX-License-Identifier: MIT
/* The VMCB-scan fallback shared by guests and extract (docs/kvm.md,
 * "The VMCB scan"). */
#ifndef GC_CLI_SVM_CLI_H
#define GC_CLI_SVM_CLI_H

#include <stdbool.h>

#include "guestcore/svm.h"
#include "json.h"

/* List the VMs the VMCB scan finds in D (guests --scan, or the fallback
 * when the KVM structures failed: WHY says how, NULL when forced).
 * Returns the exit status; *FOUND the number of VMs. */
int svm_cli_guests(struct gc_dump *d, bool json, const char *why,
		   size_t *found);

/* vmcs with no VMCS found: the VMCBs of MEM (rejected candidates too
 * with VERBOSE), as text, or as keys "vmcb_candidates" and "vmcb" of the
 * open object J. */
int svm_cli_vmcb_list(const struct gc_hostmem *mem, bool verbose,
		      struct gc_json *j);

#endif
