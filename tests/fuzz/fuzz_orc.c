// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the ORC unwinder (src/lib/kernel/orc.c) over hostile
 * tables and stacks.  Input:
 *   [0]      flags: bit 0 the 6.4 entry layout, bit 1 no stack bounds
 *            known, bit 2 "no ORC" (frame pointers only), bit 3 start
 *            from a call frame (a sleeping task) instead of registers,
 *            bit 4 the register numbering of Linux 7.x (AX, SP=3), bit 5
 *            that numbering guessed from the entries (gc_orc_guess_regs)
 *   [1..2]   N, ORC entries (little endian, at most 1024)
 *   [3..4]   start ip, offset into the text at TEXT
 *   [5..6]   start sp, offset into the stack
 *   [7..8]   start rbp, offset into the stack
 *   then 4*N bytes of relative ips (as in __start_orc_unwind_ip), 6*N
 *   bytes of entries, and the rest is the stack (first half "task",
 *   second half "IRQ").  Every walk must end, with at most
 *   GC_STACK_MAX_FRAMES frames and a stop reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/orc.h"

#define TEXT 0xffffffff81000000ull
#define IPT 0xffffffff82000000ull
#define ORCT 0xffffffff83000000ull
#define STACK 0xffffc90000000000ull

struct img {
	const uint8_t *ipt, *orct, *stk;
	size_t n, stk_len;
	struct gc_orc_table t;
};

static const uint8_t *at(const uint8_t *p, size_t plen, uint64_t base,
			 uint64_t va, size_t len)
{
	if (va < base || va - base > plen || plen - (va - base) < len)
		return NULL;
	return p + (va - base);
}

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct img *im = ctx;
	const uint8_t *p = at(im->ipt, 4 * im->n, IPT, va, len);
	if (!p)
		p = at(im->orct, 6 * im->n, ORCT, va, len);
	if (!p)
		p = at(im->stk, im->stk_len, STACK, va, len);
	if (!p)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "fuzz memory", "not mapped");
	memcpy(buf, p, len);
	return NULL;
}

static const struct gc_orc_table *table(void *ctx, uint64_t ip)
{
	struct img *im = ctx;
	return ip >= TEXT && ip < TEXT + 0x10000 ? &im->t : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	unsigned int flags = data[0];
	size_t n = (size_t)(data[1] | data[2] << 8) & 1023;
	if (size - 9 < 10 * n)
		n = (size - 9) / 10;
	struct img im = {.ipt = data + 9, .orct = data + 9 + 4 * n,
			 .stk = data + 9 + 10 * n, .n = n,
			 .stk_len = size - 9 - 10 * n};
	im.t = (struct gc_orc_table){.ip_start = IPT, .orc_start = ORCT,
				     .n = n, .text_start = TEXT,
				     .text_end = TEXT + 0x10000,
				     .name = "fuzz"};
	struct gc_stack_range st[2] = {
		{STACK, STACK + im.stk_len / 2, GC_STACK_TASK, "task"},
		{STACK + im.stk_len / 2, STACK + im.stk_len, GC_STACK_IRQ,
		 "IRQ"}};
	struct gc_unwind_env env = {.ctx = &im, .read = rd, .table = table,
				    .no_orc = (flags & 4) != 0,
				    .stacks = st,
				    .nr_stacks = (flags & 2) ? 0 : 2};
	if (flags & 1)
		gc_orc_layout_v2(&env.layout);
	else
		gc_orc_layout_v1(&env.layout);
	env.layout.regs_ax = (flags & 16) != 0;
	if (flags & 32) {
		unsigned int vo, va;
		(void)gc_orc_guess_regs(&env.layout, im.orct, im.n, &vo, &va);
	}
	struct gc_stack_frame f = {.pc = TEXT + (data[3] | data[4] << 8),
				   .sp = STACK + (data[5] | data[6] << 8),
				   .exception = !(flags & 8),
				   .how = "fuzz"};
	f.regs.ip = f.pc;
	f.regs.sp = f.sp;
	f.regs.cs = 0x10;
	struct gc_stack_trace tr;
	memset(&tr, 0, sizeof(tr));
	struct gc_error *err = gc_unwind(&env, &f,
					 STACK + (data[7] | data[8] << 8), &tr);
	if (!err && (tr.nr < 1 || tr.nr > GC_STACK_MAX_FRAMES ||
		     !memchr(tr.stop_why, 0, sizeof(tr.stop_why))))
		__builtin_trap();
	gc_error_free(err);
	free(tr.frames);
	return 0;
}
