// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kallsyms search (token index and table, markers,
 * names, num_syms, the address tables in every layout) over kernel-virtual
 * memory made of the input, mapped at ffffffff81000000.  The first byte
 * chooses whether a VMCOREINFO with _stext validates the result; the
 * second whether memory has a hole (reads that fail) in the middle.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "util/util.h"

#define BASE 0xffffffff81000000ull

struct img {
	const uint8_t *p;
	size_t n;
	bool hole;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct img *im = ctx;
	uint64_t off = va - BASE;
	if (va < BASE || off > im->n || im->n - off < len)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the image");
	if (im->hole && off < im->n / 2 + 4096 && off + len > im->n / 2)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "in the hole");
	memcpy(buf, im->p + off, len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	bool use_vi = data[0] & 1;
	struct img im = {data + 2, size - 2, (data[1] & 1) != 0};
	struct gc_kmem m = {&im, rd};
	struct gc_vmcoreinfo *vi = NULL;
	static const char vtext[] = "OSRELEASE=4.19.0\nPAGESIZE=4096\n"
				    "SYMBOL(_stext)=ffffffff81000000\n";
	if (use_vi) {
		struct gc_error *e = gc_vmcoreinfo_parse(vtext, sizeof(vtext) - 1,
							 &vi);
		gc_error_free(e);
	}
	struct gc_va_range r = {BASE, BASE + ((im.n + 4095) & ~4095ull)};
	struct gc_symtab t;
	struct gc_kallsyms_loc loc;
	struct gc_error *err = gc_kallsyms_search(&m, &r, 1, vi, &t, &loc);
	if (!err) {
		/* the table is sorted and every name is a string */
		for (size_t i = 0; i < t.n; i++)
			if (strlen(t.s[i].name) > (1u << 20))
				__builtin_trap();
		gc_symtab_free(&t);
	}
	gc_error_free(err);
	gc_vmcoreinfo_free(vi);
	return 0;
}
