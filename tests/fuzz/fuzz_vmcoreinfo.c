// SPDX-License-Identifier: MIT
/* libFuzzer target: the VMCOREINFO parser, its accessors, the in-memory
 * plausibility test and the System.map parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/vmcoreinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	(void)gc_vmcoreinfo_plausible(text, size);
	struct gc_vmcoreinfo *vi;
	struct gc_error *err = gc_vmcoreinfo_parse(text, size, &vi);
	if (!err) {
		uint64_t v;
		int64_t n;
		for (size_t i = 0; i < gc_vmcoreinfo_count(vi); i++) {
			const struct gc_vmcoreinfo_entry *e =
				gc_vmcoreinfo_entry(vi, i);
			(void)gc_vmcoreinfo_value(vi, e->key);
		}
		(void)gc_vmcoreinfo_symbol(vi, "init_top_pgt", &v);
		(void)gc_vmcoreinfo_number(vi, "phys_base", &n);
		(void)gc_vmcoreinfo_offset(vi, "printk_info.seq", &v);
		(void)gc_vmcoreinfo_kerneloffset(vi, &v);
		gc_vmcoreinfo_free(vi);
	}
	gc_error_free(err);
	struct gc_symtab t;
	err = gc_system_map_parse(text, size, 0x1000, &t);
	if (!err)
		gc_symtab_free(&t);
	gc_error_free(err);
	return 0;
}
