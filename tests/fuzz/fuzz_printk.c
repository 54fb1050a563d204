// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the printk readers (lockless ring, printk_log records,
 * plain buffer) over a kernel memory made of the input, mapped at
 * 0xffffffff80000000.  The VMCOREINFO is fixed per layout; the first byte
 * picks the layout.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"

#define BASE 0xffffffff80000000ull

struct mem {
	const uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct mem *m = ctx;
	if (va < BASE || va - BASE > m->n || len > m->n - (va - BASE))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the input");
	memcpy(buf, m->p + (va - BASE), len);
	return NULL;
}

static const char *const layouts[] = {
	"SYMBOL(prb)=ffffffff80000000\n",
	("SYMBOL(log_buf)=ffffffff80000000\nSYMBOL(log_buf_len)=ffffffff80000008\n"
	 "SYMBOL(log_first_idx)=ffffffff8000000c\n"
	 "SYMBOL(log_next_idx)=ffffffff80000010\nSIZE(printk_log)=16\n"),
	("SYMBOL(log_buf)=ffffffff80000000\nSYMBOL(log_buf_len)=ffffffff80000008\n"
	 "SYMBOL(log_end)=ffffffff8000000c\n"),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *l = layouts[data[0] % 3];
	struct gc_vmcoreinfo *vi;
	struct gc_error *err = gc_vmcoreinfo_parse(l, strlen(l), &vi);
	if (err) {
		gc_error_free(err);
		return 0;
	}
	struct mem m = {data + 1, size - 1};
	struct gc_kmem km = {&m, rd};
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	const char *src;
	err = gc_printk_read(vi, &km, &sb, &src);
	gc_error_free(err);
	gc_strbuf_free(&sb);
	gc_vmcoreinfo_free(vi);
	return 0;
}
