// SPDX-License-Identifier: MIT
/*
 * The ORC unwinder (src/lib/kernel/orc.c) on synthetic memory: entry
 * layouts, table lookup, call frames, the IRQ-stack switch (SP_INDIRECT),
 * pt_regs entry frames (full and iret-only), the end of stack, and every
 * stop reason; then gc_kernel_stack_vcpu / gc_kernel_stack_task on the
 * real panic dump.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guestcore/guestcore.h"
#include "kernel/orc.h"

#define TEXT 0xffffffff81000000ull
#define IPT 0xffffffff82000000ull   /* ip table */
#define ORCT 0xffffffff82001000ull  /* entries */
#define TASK_ST 0xffffc90000000000ull
#define IRQ_ST 0xffffc90000010000ull
#define HOLE 0xffffc90000020000ull  /* a stack whose memory is absent */
#define NMI_ST 0xfffffe0000010000ull /* an IST stack (cpu_entry_area) */
#define STK 0x4000ull

struct mem {
	uint8_t ipt[0x1000], orct[0x1000], task[STK], irq[STK], nmi[0x1000];
	size_t n;                /* ORC entries */
	struct gc_orc_table t;
};

static uint8_t *where(struct mem *m, uint64_t va, size_t len)
{
	struct { uint64_t base; uint8_t *p; size_t size; } r[] = {
		{IPT, m->ipt, sizeof(m->ipt)}, {ORCT, m->orct, sizeof(m->orct)},
		{TASK_ST, m->task, STK}, {IRQ_ST, m->irq, STK},
		{NMI_ST, m->nmi, sizeof(m->nmi)}};
	for (size_t i = 0; i < sizeof(r) / sizeof(*r); i++)
		if (va >= r[i].base && va - r[i].base <= r[i].size &&
		    r[i].size - (va - r[i].base) >= len)
			return r[i].p + (va - r[i].base);
	return NULL;
}

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	uint8_t *p = where(ctx, va, len);
	if (!p)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "test memory", "not mapped");
	memcpy(buf, p, len);
	return NULL;
}

static const struct gc_orc_table *table(void *ctx, uint64_t ip)
{
	struct mem *m = ctx;
	return ip >= m->t.text_start && ip < m->t.text_end ? &m->t : NULL;
}

static void put64(struct mem *m, uint64_t va, uint64_t v)
{
	uint8_t *p = where(m, va, 8);
	if (p)
		memcpy(p, &v, 8);
}

/* Linux <= 6.2 entry: sp_reg:4 bp_reg:4 type:2 end:1. */
static void add(struct mem *m, uint64_t ip, int16_t spo, int16_t bpo,
		unsigned int spr, unsigned int bpr, unsigned int type,
		unsigned int end)
{
	uint64_t a = IPT + 4 * m->n;
	int32_t rel = (int32_t)(ip - a);
	memcpy(m->ipt + 4 * m->n, &rel, 4);
	uint8_t *e = m->orct + 6 * m->n;
	memcpy(e, &spo, 2);
	memcpy(e + 2, &bpo, 2);
	uint16_t w = (uint16_t)(spr | bpr << 4 | type << 8 | end << 10);
	memcpy(e + 4, &w, 2);
	m->n++;
	m->t.n = m->n;
}

static struct mem *setup(struct gc_unwind_env *env,
			 struct gc_stack_range st[4])
{
	struct mem *m = calloc(1, sizeof(*m));
	m->t = (struct gc_orc_table){.ip_start = IPT, .orc_start = ORCT,
				     .text_start = TEXT,
				     .text_end = TEXT + 0x1000,
				     .name = "vmlinux"};
	/* functions: f1 0x100, f2 0x200, f3 0x300, entry 0x400, entry2
	 * 0x500, loop 0x600, end 0x700; nothing below 0x100 (FP land) */
	add(m, TEXT + 0x100, 16, 0, GC_ORC_REG_SP, 0, 0, 0);
	add(m, TEXT + 0x200, 8, 0, GC_ORC_REG_SP_INDIRECT, 0, 0, 0);
	add(m, TEXT + 0x300, 8, -16, GC_ORC_REG_SP, GC_ORC_REG_PREV_SP, 0, 0);
	add(m, TEXT + 0x400, 8, 0, GC_ORC_REG_SP, 0, 1, 0);       /* REGS */
	add(m, TEXT + 0x500, 0, 0, GC_ORC_REG_SP, 0, 1, 0);       /* REGS */
	add(m, TEXT + 0x600, 0, 0, GC_ORC_REG_SP, 0, 0, 0);       /* loops */
	add(m, TEXT + 0x700, 0, 0, GC_ORC_REG_UNDEFINED, 0, 0, 1); /* end */
	add(m, TEXT + 0x800, 40, 0, GC_ORC_REG_SP, 0, 2, 0); /* REGS_PARTIAL */
	add(m, TEXT + 0x900, 0, 0, GC_ORC_REG_UNDEFINED, 0, 0, 0); /* none */
	st[0] = (struct gc_stack_range){TASK_ST, TASK_ST + STK, GC_STACK_TASK,
					"task"};
	st[1] = (struct gc_stack_range){IRQ_ST, IRQ_ST + STK, GC_STACK_IRQ,
					"IRQ"};
	st[2] = (struct gc_stack_range){HOLE, HOLE + STK, GC_STACK_EXCEPTION,
					"DF"};
	st[3] = (struct gc_stack_range){NMI_ST, NMI_ST + 0x1000,
					GC_STACK_EXCEPTION, "NMI"};
	*env = (struct gc_unwind_env){.ctx = m, .read = rd, .table = table,
				      .stacks = st, .nr_stacks = 4};
	gc_orc_layout_v1(&env->layout);
	return m;
}

static struct gc_stack_frame exc(uint64_t ip, uint64_t sp)
{
	struct gc_stack_frame f = {.pc = ip, .sp = sp, .exception = true,
				   .how = "registers"};
	f.regs.ip = ip;
	f.regs.sp = sp;
	f.regs.cs = 0x10;
	return f;
}

TEST(orc_decode_layouts)
{
	struct gc_orc_layout l;
	struct gc_orc_entry e;
	/* sp_offset -8, bp_offset 16, sp_reg SP(5), bp_reg PREV_SP(1) */
	uint8_t raw[6] = {0xf8, 0xff, 0x10, 0x00, 0x15, 0x00};
	gc_orc_layout_v1(&l);
	raw[5] = 0x01;                       /* type 1 = REGS (old numbering) */
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.sp_offset, (uint64_t)(int64_t)-8);
	CHECK_EQ_U64(e.bp_offset, 16);
	CHECK_EQ_U64(e.sp_reg, GC_ORC_REG_SP);
	CHECK_EQ_U64(e.bp_reg, GC_ORC_REG_PREV_SP);
	CHECK_EQ_U64(e.type, GC_ORC_REGS);
	raw[0] = raw[1] = 0;
	raw[4] = 0x10;                       /* sp_reg undefined */
	raw[5] = 0x04;                       /* end */
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.type, GC_ORC_END_OF_STACK);
	raw[5] = 0x00;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.type, GC_ORC_UNDEFINED);
	/* 6.4 numbering: type:3 (2 = CALL, 3 = REGS), signal at bit 11 */
	gc_orc_layout_v2(&l);
	raw[4] = 0x15;
	raw[5] = 0x02 | 0x08;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.type, GC_ORC_CALL);
	CHECK(e.signal);
	raw[5] = 0x01;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.type, GC_ORC_END_OF_STACK);
	raw[5] = 0x07;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.type, GC_ORC_BAD_TYPE);
}

TEST(orc_find_binary_search)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	struct gc_orc_entry e;
	bool found;
	CHECK(!gc_orc_find(&env, &m->t, TEXT + 0x2ff, &e, &found));
	CHECK(found);
	CHECK_EQ_U64(e.sp_reg, GC_ORC_REG_SP_INDIRECT);
	CHECK(!gc_orc_find(&env, &m->t, TEXT + 0x300, &e, &found));
	CHECK(found && e.bp_reg == GC_ORC_REG_PREV_SP);
	CHECK(!gc_orc_find(&env, &m->t, TEXT + 0xfff, &e, &found));
	CHECK(found && e.type == GC_ORC_UNDEFINED);
	CHECK(!gc_orc_find(&env, &m->t, TEXT + 0x50, &e, &found));
	CHECK(!found);
	/* a table that points at unmapped memory is an error, not a guess */
	struct gc_orc_table bad = m->t;
	bad.ip_start = 0xffffffff90000000ull;
	struct gc_error *err = gc_orc_find(&env, &bad, TEXT + 0x300, &e,
					   &found);
	CHECK(err != NULL);
	gc_error_free(err);
	free(m);
}

/* IRQ stack -> task stack (SP_INDIRECT) -> pt_regs -> call -> user regs */
TEST(orc_walk_irq_regs_user)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	put64(m, IRQ_ST + 0x3f08, TEXT + 0x220);        /* f1 -> f2 */
	put64(m, IRQ_ST + 0x3f10, TASK_ST + 0x3e00);    /* saved task sp */
	put64(m, TASK_ST + 0x3e00, TEXT + 0x410);       /* f2 -> entry */
	struct gc_pt_regs r = {.ip = TEXT + 0x305, .sp = TASK_ST + 0x3f00,
			       .cs = 0x10, .bp = 0x1234, .ax = 7};
	memcpy(m->task + 0x3e10, &r, sizeof(r));        /* entry's pt_regs */
	put64(m, TASK_ST + 0x3f00, TEXT + 0x508);       /* f3 -> entry2 */
	put64(m, TASK_ST + 0x3ef8, 0xb0b0);             /* f3's saved rbp */
	struct gc_pt_regs u = {.ip = 0x401000, .sp = 0x7ffd0000, .cs = 0x33,
			       .ss = 0x2b, .orig_ax = 1};
	memcpy(m->task + 0x3f08, &u, sizeof(u));        /* user pt_regs */
	struct gc_stack_trace tr = {0};
	struct gc_stack_frame f = exc(TEXT + 0x110, IRQ_ST + 0x3f00);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_END);
	CHECK_EQ_U64(tr.nr, 6);
	CHECK(tr.frames[0].exception && tr.frames[0].stack == GC_STACK_IRQ);
	CHECK_EQ_U64(tr.frames[1].pc, TEXT + 0x220);
	CHECK_EQ_U64(tr.frames[1].sp, IRQ_ST + 0x3f08);
	CHECK_EQ_U64(tr.frames[1].stack, GC_STACK_IRQ);
	CHECK_EQ_U64(tr.frames[2].pc, TEXT + 0x410);
	CHECK_EQ_U64(tr.frames[2].sp, TASK_ST + 0x3e00);
	CHECK_EQ_U64(tr.frames[2].stack, GC_STACK_TASK);
	CHECK(tr.frames[3].exception && !tr.frames[3].user);
	CHECK_EQ_U64(tr.frames[3].regs_addr, TASK_ST + 0x3e10);
	CHECK_EQ_U64(tr.frames[3].pc, TEXT + 0x305);
	CHECK_EQ_U64(tr.frames[3].regs.ax, 7);
	CHECK_EQ_U64(tr.frames[4].pc, TEXT + 0x508);
	CHECK(tr.frames[5].exception && tr.frames[5].user);
	CHECK_EQ_U64(tr.frames[5].regs.orig_ax, 1);
	CHECK(strstr(tr.stop_why, "user space") != NULL);
	free(tr.frames);
	free(m);
}

/* The register numbering with AX (seen on Linux 7.2): raw sp_reg/bp_reg
 * map onto the unwinder's numbering, and the table's CALL entries tell
 * which numbering a kernel uses. */
TEST(orc_registers_with_ax)
{
	struct gc_orc_layout l;
	struct gc_orc_entry e;
	gc_orc_layout_v2(&l);
	l.regs_ax = true;
	/* CALL, sp_reg 3 (SP), bp_reg 8 (PREV_SP) */
	uint8_t raw[6] = {0x08, 0x00, 0xf0, 0xff, 0x83, 0x02};
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.sp_reg, GC_ORC_REG_SP);
	CHECK_EQ_U64(e.bp_reg, GC_ORC_REG_PREV_SP);
	CHECK_EQ_U64(e.type, GC_ORC_CALL);
	static const unsigned int want[16] = {
		GC_ORC_REG_UNDEFINED, GC_ORC_REG_AX, GC_ORC_REG_DX,
		GC_ORC_REG_SP, GC_ORC_REG_BP, GC_ORC_REG_DI, GC_ORC_REG_R10,
		GC_ORC_REG_R13, GC_ORC_REG_PREV_SP, GC_ORC_REG_SP_INDIRECT,
		GC_ORC_REG_BP_INDIRECT, GC_ORC_REG_INVALID,
		GC_ORC_REG_INVALID, GC_ORC_REG_INVALID, GC_ORC_REG_INVALID,
		GC_ORC_REG_INVALID};
	for (unsigned int r = 0; r < 16; r++) {
		raw[4] = (uint8_t)r;
		gc_orc_decode(&l, raw, &e);
		CHECK_EQ_U64(e.sp_reg, want[r]);
	}
	/* the same bytes in the 6.x numbering: sp_reg 3 is DI */
	l.regs_ax = false;
	raw[4] = 0x83;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.sp_reg, GC_ORC_REG_DI);
	CHECK_EQ_U64(e.bp_reg, GC_ORC_REG_BP_INDIRECT);
	/* ... where AX is 10 (the 2026 Clang DRAP support, backported to
	 * 6.12+ stable trees) */
	raw[4] = 0x0a;
	gc_orc_decode(&l, raw, &e);
	CHECK_EQ_U64(e.sp_reg, GC_ORC_REG_AX);
	/* the vote: 200 CALL entries, 190 on raw SP of one numbering */
	uint8_t tab[6 * 220];
	unsigned int vo, va;
	for (int pass = 0; pass < 3; pass++) {
		memset(tab, 0, sizeof(tab));
		for (int i = 0; i < 220; i++) {
			uint8_t *x = tab + 6 * i;
			x[5] = i < 200 ? 0x02 : 0x00;   /* CALL, else undefined */
			x[4] = (uint8_t)(i < 190 ? (pass == 0 ? 5 : pass == 1 ? 3 :
						    (i & 1 ? 5 : 3)) : 4);
		}
		gc_orc_layout_v2(&l);
		l.regs_ax = pass == 0;   /* the vote sets it either way */
		bool known = gc_orc_guess_regs(&l, tab, 220, &vo, &va);
		if (pass == 0) {
			CHECK(known && !l.regs_ax);
			CHECK_EQ_U64(vo, 190);
		} else if (pass == 1) {
			CHECK(known && l.regs_ax);
			CHECK_EQ_U64(va, 190);
		} else {
			CHECK(!known);   /* 95 against 95: no numbering */
		}
	}
	CHECK(!gc_orc_guess_regs(&l, tab, 10, &vo, &va));   /* too few */
}

/* The walk of orc_walk_irq_regs_user with its table renumbered as Linux
 * 7.x numbers registers: the same frames with regs_ax, and a wrong walk
 * without it. */
TEST(orc_walk_registers_with_ax)
{
	static const uint8_t to_ax[16] = {0, 8, 2, 5, 4, 3, 6, 7, 10, 9,
					  11, 12, 13, 14, 15, 15};
	for (int with = 0; with < 2; with++) {
		struct gc_unwind_env env;
		struct gc_stack_range st[4];
		struct mem *m = setup(&env, st);
		for (size_t i = 0; i < m->n; i++) {
			uint8_t *x = m->orct + 6 * i;
			x[4] = (uint8_t)(to_ax[x[4] & 15] | to_ax[x[4] >> 4] << 4);
		}
		env.layout.regs_ax = with;
		put64(m, IRQ_ST + 0x3f08, TEXT + 0x220);
		put64(m, IRQ_ST + 0x3f10, TASK_ST + 0x3e00);
		put64(m, TASK_ST + 0x3e00, TEXT + 0x410);
		struct gc_pt_regs r = {.ip = TEXT + 0x305, .sp = TASK_ST + 0x3f00,
				       .cs = 0x10, .bp = 0x1234, .ax = 7};
		memcpy(m->task + 0x3e10, &r, sizeof(r));
		put64(m, TASK_ST + 0x3f00, TEXT + 0x508);
		put64(m, TASK_ST + 0x3ef8, 0xb0b0);
		struct gc_pt_regs u = {.ip = 0x401000, .sp = 0x7ffd0000,
				       .cs = 0x33, .ss = 0x2b, .orig_ax = 1};
		memcpy(m->task + 0x3f08, &u, sizeof(u));
		struct gc_stack_trace tr = {0};
		struct gc_stack_frame f = exc(TEXT + 0x110, IRQ_ST + 0x3f00);
		CHECK(!gc_unwind(&env, &f, 0, &tr));
		if (with) {
			CHECK_EQ_U64(tr.stop, GC_STACK_STOP_END);
			CHECK_EQ_U64(tr.nr, 6);
			CHECK_EQ_U64(tr.frames[2].pc, TEXT + 0x410);
			CHECK_EQ_U64(tr.frames[4].pc, TEXT + 0x508);
			CHECK(tr.frames[5].user);
		} else {
			CHECK(tr.stop != GC_STACK_STOP_END || tr.nr != 6);
		}
		free(tr.frames);
		free(m);
	}
}

/* An NMI on its IST stack: the entry's pt_regs there hold the
 * interrupted task-stack context */
TEST(orc_walk_nmi_stack_to_task)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	put64(m, NMI_ST + 0xe08, TEXT + 0x410);         /* f1 -> entry */
	struct gc_pt_regs r = {.ip = TEXT + 0x305, .sp = TASK_ST + 0x3f00,
			       .cs = 0x10};
	memcpy(m->nmi + 0xe18, &r, sizeof(r));          /* at CFA 0xe10 + 8 */
	put64(m, TASK_ST + 0x3f00, TEXT + 0x508);       /* f3 -> entry2 */
	struct gc_pt_regs u = {.ip = 0x401000, .sp = 0x7ffd0000, .cs = 0x33};
	memcpy(m->task + 0x3f08, &u, sizeof(u));
	struct gc_stack_trace tr = {0};
	struct gc_stack_frame f = exc(TEXT + 0x110, NMI_ST + 0xe00);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.nr, 5);
	CHECK_EQ_U64(tr.frames[1].stack, GC_STACK_EXCEPTION);
	CHECK(!strcmp(tr.frames[1].stack_name, "NMI"));
	CHECK(tr.frames[2].exception);
	CHECK_EQ_U64(tr.frames[2].regs_addr, NMI_ST + 0xe18);
	CHECK_EQ_U64(tr.frames[3].stack, GC_STACK_TASK);
	CHECK_EQ_U64(tr.frames[3].pc, TEXT + 0x508);
	CHECK(tr.frames[4].user);
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_END);
	free(tr.frames);
	free(m);
}

/* REGS_PARTIAL: only the iret frame (ip, cs, flags, sp, ss) at the CFA */
TEST(orc_walk_partial_regs_then_end)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	uint64_t iret[5] = {TEXT + 0x705, 0x10, 0x246, TASK_ST + 0x3000, 0x18};
	memcpy(m->task + 0x2040, iret, sizeof(iret));
	struct gc_stack_trace tr = {0};
	/* sp_offset 40: the CFA is at 0x2040, the end of the iret frame */
	struct gc_stack_frame f = exc(TEXT + 0x810, TASK_ST + 0x2018);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.nr, 2);
	CHECK(tr.frames[1].exception && tr.frames[1].partial);
	CHECK_EQ_U64(tr.frames[1].pc, TEXT + 0x705);
	CHECK_EQ_U64(tr.frames[1].regs_addr, TASK_ST + 0x2040 - 128);
	/* then the end marker at 0x700 */
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_END);
	CHECK(strstr(tr.stop_why, "end marker") != NULL);
	free(tr.frames);
	free(m);
}

TEST(orc_walk_stops_with_a_reason)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	struct gc_stack_trace tr = {0};
	struct gc_stack_frame f;

	/* a frame whose CFA does not move: a loop, not 256 frames */
	put64(m, TASK_ST + 0x1ff8, TEXT + 0x608);
	f = exc(TEXT + 0x610, TASK_ST + 0x2000);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_LOOP);
	free(tr.frames);

	/* a return address outside the text */
	memset(&tr, 0, sizeof(tr));
	put64(m, TASK_ST + 0x1008, 0xffffffff90000000ull);
	f = exc(TEXT + 0x110, TASK_ST + 0x1000);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_NOT_TEXT);
	CHECK_EQ_U64(tr.nr, 2);
	free(tr.frames);

	/* a stack pointer on no known stack */
	memset(&tr, 0, sizeof(tr));
	f = exc(TEXT + 0x110, 0xffff888000001000ull);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_OFF_STACK);
	free(tr.frames);

	/* a known stack whose memory is not in the dump */
	memset(&tr, 0, sizeof(tr));
	f = exc(TEXT + 0x110, HOLE + 0x100);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_UNREADABLE);
	free(tr.frames);

	/* an undefined ORC entry: no unwind data, stop */
	memset(&tr, 0, sizeof(tr));
	f = exc(TEXT + 0x910, TASK_ST + 0x1000);
	CHECK(!gc_unwind(&env, &f, 0, &tr));
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_NO_ORC);
	CHECK_EQ_U64(tr.nr, 1);
	free(tr.frames);
	free(m);
}

/* Below the first ORC entry: frame pointers (rbp -> saved rbp, ret) */
TEST(orc_walk_frame_pointer_fallback)
{
	struct gc_unwind_env env;
	struct gc_stack_range st[4];
	struct mem *m = setup(&env, st);
	put64(m, TASK_ST + 0x1100, TASK_ST + 0x1200);   /* saved rbp */
	put64(m, TASK_ST + 0x1108, TEXT + 0x40);        /* ret (no ORC) */
	put64(m, TASK_ST + 0x1200, 0);                  /* chain ends */
	put64(m, TASK_ST + 0x1208, TEXT + 0x48);
	struct gc_stack_trace tr = {0};
	struct gc_stack_frame f = exc(TEXT + 0x20, TASK_ST + 0x10f0);
	CHECK(!gc_unwind(&env, &f, TASK_ST + 0x1100, &tr));
	CHECK_EQ_U64(tr.nr, 3);
	CHECK_EQ_U64(tr.frames[1].pc, TEXT + 0x40);
	CHECK_EQ_U64(tr.frames[1].sp, TASK_ST + 0x1108);
	CHECK(!strcmp(tr.frames[1].how, "frame pointer"));
	CHECK_EQ_U64(tr.frames[2].pc, TEXT + 0x48);
	/* rbp 0 ends the chain: with ORC present that is "no ORC entry" */
	CHECK_EQ_U64(tr.stop, GC_STACK_STOP_NO_ORC);
	free(tr.frames);
	free(m);
}

static bool frame_fn(struct gc_kernel *k, const struct gc_stack_frame *f,
		     const char *want)
{
	struct gc_symbol s;
	struct gc_error *err = gc_kernel_symbol_at(k, f->exception ? f->pc :
						   f->pc - 1, &s);
	if (err) {
		gc_error_free(err);
		return false;
	}
	return !strcmp(s.name, want);
}

TEST(stack_real_panic_dump)
{
	const char *p = gc_test_real_dump(
		"qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf");
	if (!p) {
		gc_test_skip("real dump absent");
		return;
	}
	struct gc_dump *d;
	struct gc_kernel *k;
	CHECK(!gc_dump_open(p, NULL, &d));
	CHECK(!gc_kernel_open(d, NULL, &k));
	struct gc_stack_trace *tr;
	CHECK(!gc_kernel_stack_vcpu(k, 0, &tr));
	CHECK_EQ_U64(tr->task, 0xffff8dfa449fa100ull);
	CHECK_EQ_U64(tr->stop, GC_STACK_STOP_END);
	CHECK(!strcmp(tr->frames[0].module, "pvpanic"));
	CHECK(tr->nr == 12);
	CHECK(frame_fn(k, &tr->frames[1], "atomic_notifier_call_chain"));
	CHECK(frame_fn(k, &tr->frames[2], "panic"));
	CHECK_EQ_U64(tr->frames[2].sp, 0xffffd14a80013c30ull);
	CHECK(frame_fn(k, &tr->frames[10], "entry_SYSCALL_64_after_hwframe"));
	CHECK(tr->frames[11].user && tr->frames[11].regs.ip == 0x47b7a0);
	CHECK(strstr(tr->orc_layout, "BTF") != NULL);
	gc_stack_trace_free(tr);
	CHECK(!gc_kernel_stack_vcpu(k, 1, &tr));
	CHECK_EQ_U64(tr->frames[2].stack, GC_STACK_IRQ);
	CHECK(frame_fn(k, &tr->frames[2], "sysvec_reboot"));
	CHECK_EQ_U64(tr->frames[3].stack, GC_STACK_TASK);
	CHECK(frame_fn(k, &tr->frames[3], "asm_sysvec_reboot"));
	CHECK(tr->frames[4].exception && tr->frames[4].regs_addr);
	CHECK(frame_fn(k, &tr->frames[4], "native_safe_halt"));
	CHECK(frame_fn(k, &tr->frames[tr->nr - 1],
		       "secondary_startup_64_no_verify"));
	gc_stack_trace_free(tr);
	/* a task address that is not a task: an error naming it */
	struct gc_error *err = gc_kernel_stack_task(k, 0xffff8dfa449fa108ull,
						    &tr);
	CHECK(err != NULL && tr == NULL);
	gc_error_free(err);
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST_MAIN()
