// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the task-list walk (gc_task_list_walk) over a kernel
 * memory made of the input, mapped at 0xffff888000000000, with a fixed
 * synthetic task_struct layout (below).  The first byte picks threads on
 * signal->thread_head (bit 0) or on thread_group, and the number of idle
 * tasks (bits 1-2: 0..3, at BASE, BASE + 0x200, ...); init_task is at
 * BASE.  Cycles, broken links, reads outside the input and lists that
 * never end must end with an error, never a hang or a crash.
 * tests/fuzz/seeds_tasks.sh writes seeds of the same layout.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"

#define BASE 0xffff888000000000ull

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct gc_task_layout l;
	memset(&l, 0, sizeof(l));
	/* task_struct (0x200 bytes in the seeds): */
	l.tasks = 0x10;          /* struct list_head tasks */
	l.pid = 0x20;
	l.tgid = 0x24;
	l.state = 0x28;
	l.state_size = 4;
	l.exit_state = 0x2c;
	l.has_exit_state = true;
	l.stack = 0x30;
	l.has_stack = true;
	l.mm = 0x38;
	l.has_mm = true;
	l.comm = 0x40;           /* char comm[16] */
	l.cpu = 0x50;
	l.has_cpu = true;
	l.real_parent = 0x58;
	l.signal = 0x60;
	l.thread_link = 0x70;    /* thread_node, or thread_group */
	l.thread_head = 0x10;    /* in signal_struct */
	l.per_signal = data[0] & 1;
	l.has_rss = true;        /* mm->rss_stat.count[0,1,3] at mm + 0x80 */
	l.rss_off = 0x80;
	l.rss_elem = 8;
	l.rss_idx[0] = 0;
	l.rss_idx[1] = 1;
	l.rss_idx[2] = 3;
	l.nr_rss = 3;
	uint64_t idle[3] = { BASE, BASE + 0x200, BASE + 0x400 };
	size_t nr_idle = (data[0] >> 1) & 3;
	if (nr_idle > 3)
		nr_idle = 3;
	struct mem m = { data + 1, size - 1 };
	struct gc_kmem km = { &m, rd };
	struct gc_task *v;
	size_t n;
	struct gc_error *err = gc_task_list_walk(&km, &l, idle, nr_idle, BASE,
						 &v, &n);
	for (size_t i = 0; i < n; i++) {
		struct gc_task *t = &v[i];
		if (strlen(t->comm) > 16)
			abort();
		(void)gc_task_state_name(t);
	}
	free(v);
	gc_error_free(err);
	return 0;
}
