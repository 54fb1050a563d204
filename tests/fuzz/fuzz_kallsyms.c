// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kallsyms search (token index and table, markers,
 * names, num_syms, the address tables in every layout) over kernel-virtual
 * memory made of the input, mapped at ffffffff81000000.  The first byte
 * chooses whether a VMCOREINFO with _stext validates the result (bit 0)
 * and whether, instead of the search, VMCOREINFO names the tables (bit 1:
 * as Linux >= 6.0 does; 5 little-endian u32 image offsets follow the flag
 * bytes: num_syms, names, token_table, token_index, offsets, and with
 * bit 2 a relative_base, else the 7.0 encoding; bit 3 adds _stext to
 * check the table against); the second byte whether
 * memory has a hole (reads that fail) in the middle.
 */
#include <stdint.h>
#include <stdio.h>
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
	if ((data[0] & 2) && size >= 22) {
		/* the tables where VMCOREINFO says they are */
		uint32_t o[5];
		memcpy(o, data + 2, sizeof(o));
		struct img im = {data + 22, size - 22, (data[1] & 1) != 0};
		struct gc_kmem m = {&im, rd};
		char text[512];
		int l = snprintf(text, sizeof(text),
			"OSRELEASE=7.0.0\n%sSYMBOL(kallsyms_num_syms)=%llx\n"
			"SYMBOL(kallsyms_names)=%llx\n"
			"SYMBOL(kallsyms_token_table)=%llx\n"
			"SYMBOL(kallsyms_token_index)=%llx\n"
			"SYMBOL(kallsyms_offsets)=%llx\n%s",
			data[0] & 8 ? "SYMBOL(_stext)=ffffffff81000000\n" : "",
			(unsigned long long)(BASE + o[0]),
			(unsigned long long)(BASE + o[1]),
			(unsigned long long)(BASE + o[2]),
			(unsigned long long)(BASE + o[3]),
			(unsigned long long)(BASE + o[4]),
			data[0] & 4 ? "SYMBOL(kallsyms_relative_base)="
				      "ffffffff81000000\n" : "");
		struct gc_vmcoreinfo *v = NULL;
		struct gc_error *e = gc_vmcoreinfo_parse(text, (size_t)l, &v);
		struct gc_symtab t;
		if (!e)
			e = gc_kallsyms_read(v, &m, &t);
		if (!e)
			gc_symtab_free(&t);
		gc_error_free(e);
		gc_vmcoreinfo_free(v);
		return 0;
	}
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
