// SPDX-License-Identifier: MIT
/*
 * The ORC unwinder core (x86-64), apart from the kernel object so that it
 * can be fed any memory (tests/fuzz/fuzz_orc.c): ORC entry layouts, the
 * table lookup (relative ip array + 6-byte entries, both in the dump's
 * kernel-virtual memory) and the walk itself.  stack.c gives it the
 * kernel's tables, the stacks of a task/CPU and memory.
 */
#ifndef GC_KERNEL_ORC_H
#define GC_KERNEL_ORC_H

#include <stdbool.h>
#include <stdint.h>

#include "guestcore/kernel.h"

/* ORC register numbers (sp_reg / bp_reg) as the unwinder knows them: the
 * numbering of Linux up to 6.x (at least 6.12), where AX is 10 (upstream
 * commit 96f3b16a "objtool: Support Clang RAX DRAP sequence", 2026, also
 * queued for the 6.12 to 7.0 stable trees; no older table uses 10).  A
 * later numbering (seen on 7.2: UNDEFINED 0, AX 1, DX 2, SP 3, BP 4, DI 5,
 * R10 6, R13 7, PREV_SP 8, SP_INDIRECT 9, BP_INDIRECT 10) is mapped onto
 * these by gc_orc_decode when the layout says so. */
enum {
	GC_ORC_REG_UNDEFINED = 0, GC_ORC_REG_PREV_SP = 1, GC_ORC_REG_DX = 2,
	GC_ORC_REG_DI = 3, GC_ORC_REG_BP = 4, GC_ORC_REG_SP = 5,
	GC_ORC_REG_R10 = 6, GC_ORC_REG_R13 = 7, GC_ORC_REG_BP_INDIRECT = 8,
	GC_ORC_REG_SP_INDIRECT = 9, GC_ORC_REG_AX = 10,
	GC_ORC_REG_INVALID = 15,
};

/* What an entry says the frame is (version independent). */
enum gc_orc_type {
	GC_ORC_CALL = 0, GC_ORC_REGS, GC_ORC_REGS_PARTIAL, GC_ORC_UNDEFINED,
	GC_ORC_END_OF_STACK, GC_ORC_BAD_TYPE,
};

/*
 * Where the bitfields of the 16-bit word at byte 4 of an entry are.
 * Linux up to 6.3: sp_reg:4 bp_reg:4 type:2 end:1 (types CALL=0,
 * REGS=1, REGS_PARTIAL=2); from 6.4: sp_reg:4 bp_reg:4 type:3 signal:1
 * (UNDEFINED=0, END_OF_STACK=1, CALL=2, REGS=3, REGS_PARTIAL=4).  BTF's
 * struct orc_entry says which (stack.c); without it the 6.1 layout.
 */
struct gc_orc_layout {
	unsigned int sp_reg_shift, bp_reg_shift, type_shift, type_bits;
	int end_shift;         /* -1: no end bit */
	int signal_shift;      /* -1: no signal bit */
	bool new_types;        /* the 6.4 type numbering */
	bool regs_ax;          /* the register numbering with AX (7.x) */
};

struct gc_orc_entry {
	int16_t sp_offset, bp_offset;
	unsigned int sp_reg, bp_reg;
	enum gc_orc_type type;
	bool end, signal;
};

void gc_orc_layout_v1(struct gc_orc_layout *l);   /* <= 6.3 (end bit) */
void gc_orc_layout_v2(struct gc_orc_layout *l);   /* >= 6.4 (signal bit) */
void gc_orc_decode(const struct gc_orc_layout *l, const uint8_t raw[6],
		   struct gc_orc_entry *e);
/* The raw sp_reg of an entry (before any renumbering). */
unsigned int gc_orc_raw_sp_reg(const struct gc_orc_layout *l,
			       const uint8_t raw[6]);
/* Which register numbering a table uses, from its CALL entries: in every
 * numbering nearly all of them take the stack pointer from SP, raw 5 in
 * the old one and raw 3 in the one with AX.  *VOTES_OLD / *VOTES_AX count
 * them; true when one has at least 9 in 10 of the votes (then
 * L->regs_ax is set accordingly). */
bool gc_orc_guess_regs(struct gc_orc_layout *l, const uint8_t *raw,
		       size_t n, unsigned int *votes_old,
		       unsigned int *votes_ax);

/* One ORC table in kernel-virtual memory: N relative ips (s32, each
 * relative to its own address, sorted) at IP_START and N entries at
 * ORC_START; it covers [TEXT_START, TEXT_END). */
struct gc_orc_table {
	uint64_t ip_start, orc_start, n;
	uint64_t text_start, text_end;
	char name[64];         /* "vmlinux", or the module's name */
};
enum { GC_ORC_MAX_ENTRIES = 1u << 24 };

struct gc_stack_range {
	uint64_t start, end;   /* [start, end) */
	enum gc_stack_kind kind;
	char name[16];
};

/* What the walk reads through. */
struct gc_unwind_env {
	void *ctx;
	struct gc_error *(*read)(void *ctx, uint64_t va, void *buf, size_t len);
	/* The table covering IP; NULL when IP is in no known text. */
	const struct gc_orc_table *(*table)(void *ctx, uint64_t ip);
	/* No ORC in this kernel at all: frame pointers only. */
	bool no_orc;
	/* The stacks the walk may use (none known: any readable memory,
	 * SP must still only grow). */
	const struct gc_stack_range *stacks;
	size_t nr_stacks;
	struct gc_orc_layout layout;
};

/* The entry for IP in T (the last with ip <= IP): *FOUND false when IP
 * is below the first.  Errors: unreadable table memory. */
struct gc_error *gc_orc_find(const struct gc_unwind_env *env,
			     const struct gc_orc_table *t, uint64_t ip,
			     struct gc_orc_entry *out, bool *found);

/* Walk from START (an exception frame: the vCPU's registers, or a
 * sleeping task's first CALL frame with START_IS_CALL) appending frames
 * to TR; TR->stop says why it ended.  Only running out of memory is an
 * error. */
struct gc_error *gc_unwind(const struct gc_unwind_env *env,
			   const struct gc_stack_frame *start,
			   uint64_t start_bp, struct gc_stack_trace *tr);

#endif
