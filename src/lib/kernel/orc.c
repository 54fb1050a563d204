// SPDX-License-Identifier: MIT
/*
 * The ORC unwinder core: decode entries, find the entry of an ip in a
 * table in (dump) memory by binary search, and walk a stack.
 *
 * The walk follows the ORC rules: an entry gives the previous frame's
 * stack pointer (the CFA) from a base register plus an offset (SP, BP,
 * or a value stored at one of them: the stack-switch pattern of
 * call_on_stack), where the previous rbp is (the CFA plus an offset, or
 * rbp plus an offset, or unchanged), and whether the frame is a call
 * (return address below the CFA) or an entry frame that saved a struct
 * pt_regs (REGS: the whole of it at the CFA; REGS_PARTIAL: only its iret
 * part, ip..ss, ending at the CFA + 40).
 *
 * Every word is read only from the stacks the caller names (task, IRQ,
 * exception stacks); the stack pointer must grow on one stack; the walk
 * stops with a reason and never invents a frame: a return address that
 * is not in kernel or module text ends it.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/orc.h"
#include "util/vec.h"

#define PT_REGS_SIZE 168u      /* 21 words */
#define PT_REGS_IP_OFF 128u    /* offsetof(struct pt_regs, ip) */
#define MAX_STACK_SWITCHES 8

void gc_orc_layout_v1(struct gc_orc_layout *l)
{
	*l = (struct gc_orc_layout){.sp_reg_shift = 0, .bp_reg_shift = 4,
				    .type_shift = 8, .type_bits = 2,
				    .end_shift = 10, .signal_shift = -1,
				    .new_types = false};
}

void gc_orc_layout_v2(struct gc_orc_layout *l)
{
	*l = (struct gc_orc_layout){.sp_reg_shift = 0, .bp_reg_shift = 4,
				    .type_shift = 8, .type_bits = 3,
				    .end_shift = -1, .signal_shift = 11,
				    .new_types = true};
}

void gc_orc_decode(const struct gc_orc_layout *l, const uint8_t raw[6],
		   struct gc_orc_entry *e)
{
	uint16_t sp = (uint16_t)(raw[0] | raw[1] << 8);
	uint16_t bp = (uint16_t)(raw[2] | raw[3] << 8);
	unsigned int w = (unsigned int)(raw[4] | raw[5] << 8);
	memset(e, 0, sizeof(*e));
	e->sp_offset = (int16_t)sp;
	e->bp_offset = (int16_t)bp;
	e->sp_reg = (w >> (l->sp_reg_shift & 15)) & 15;
	e->bp_reg = (w >> (l->bp_reg_shift & 15)) & 15;
	if (l->regs_ax) {
		static const uint8_t map[16] = {
			GC_ORC_REG_UNDEFINED, GC_ORC_REG_AX, GC_ORC_REG_DX,
			GC_ORC_REG_SP, GC_ORC_REG_BP, GC_ORC_REG_DI,
			GC_ORC_REG_R10, GC_ORC_REG_R13, GC_ORC_REG_PREV_SP,
			GC_ORC_REG_SP_INDIRECT, GC_ORC_REG_BP_INDIRECT,
			GC_ORC_REG_INVALID, GC_ORC_REG_INVALID,
			GC_ORC_REG_INVALID, GC_ORC_REG_INVALID,
			GC_ORC_REG_INVALID};
		e->sp_reg = map[e->sp_reg];
		e->bp_reg = map[e->bp_reg];
	}
	unsigned int tb = l->type_bits > 0 && l->type_bits <= 4 ? l->type_bits : 2;
	unsigned int t = (w >> (l->type_shift & 15)) & ((1u << tb) - 1);
	e->end = l->end_shift >= 0 && ((w >> (l->end_shift & 15)) & 1);
	e->signal = l->signal_shift >= 0 && ((w >> (l->signal_shift & 15)) & 1);
	if (l->new_types) {
		static const enum gc_orc_type map[] = {
			GC_ORC_UNDEFINED, GC_ORC_END_OF_STACK, GC_ORC_CALL,
			GC_ORC_REGS, GC_ORC_REGS_PARTIAL};
		e->type = t < 5 ? map[t] : GC_ORC_BAD_TYPE;
	} else {
		static const enum gc_orc_type map[] = {
			GC_ORC_CALL, GC_ORC_REGS, GC_ORC_REGS_PARTIAL};
		e->type = t < 3 ? map[t] : GC_ORC_BAD_TYPE;
		/* The old layout says "no data" with sp_reg undefined. */
		if (e->sp_reg == GC_ORC_REG_UNDEFINED)
			e->type = e->end ? GC_ORC_END_OF_STACK : GC_ORC_UNDEFINED;
	}
}

unsigned int gc_orc_raw_sp_reg(const struct gc_orc_layout *l,
			       const uint8_t raw[6])
{
	unsigned int w = (unsigned int)(raw[4] | raw[5] << 8);
	return (w >> (l->sp_reg_shift & 15)) & 15;
}

bool gc_orc_guess_regs(struct gc_orc_layout *l, const uint8_t *raw,
		       size_t n, unsigned int *votes_old,
		       unsigned int *votes_ax)
{
	struct gc_orc_layout plain = *l;
	plain.regs_ax = false;
	unsigned int calls = 0;
	*votes_old = *votes_ax = 0;
	for (size_t i = 0; i < n; i++) {
		struct gc_orc_entry e;
		gc_orc_decode(&plain, raw + 6 * i, &e);
		if (e.type != GC_ORC_CALL)
			continue;
		calls++;
		unsigned int r = gc_orc_raw_sp_reg(l, raw + 6 * i);
		*votes_old += r == 5;
		*votes_ax += r == 3;
	}
	if (calls < 16)
		return false;
	if (*votes_old * 10 >= calls * 9) {
		l->regs_ax = false;
		return true;
	}
	if (*votes_ax * 10 >= calls * 9) {
		l->regs_ax = true;
		return true;
	}
	return false;
}

static struct gc_error *ip_at(const struct gc_unwind_env *env,
			      const struct gc_orc_table *t, uint64_t i,
			      uint64_t *ip)
{
	int32_t rel;
	uint64_t a = t->ip_start + 4 * i;
	struct gc_error *err = env->read(env->ctx, a, &rel, sizeof(rel));
	if (err)
		return gc_error_context(err, "ORC ip table of %s, entry %" PRIu64,
					t->name, i);
	*ip = a + (uint64_t)(int64_t)rel;
	return NULL;
}

struct gc_error *gc_orc_find(const struct gc_unwind_env *env,
			     const struct gc_orc_table *t, uint64_t ip,
			     struct gc_orc_entry *out, bool *found)
{
	*found = false;
	if (!t->n || t->n > GC_ORC_MAX_ENTRIES)
		return NULL;
	/* The last entry whose ip is <= IP.  At most 25 probes (n is
	 * bounded); an unsorted table gives some entry with ip <= IP, which
	 * the walk's own checks then judge. */
	uint64_t lo = 0, hi = t->n;   /* answer in [lo, hi) */
	uint64_t v;
	struct gc_error *err = ip_at(env, t, 0, &v);
	if (err)
		return err;
	if (v > ip)
		return NULL;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		err = ip_at(env, t, mid, &v);
		if (err)
			return err;
		if (v <= ip)
			lo = mid;
		else
			hi = mid;
	}
	uint8_t raw[6];
	err = env->read(env->ctx, t->orc_start + 6 * lo, raw, sizeof(raw));
	if (err)
		return gc_error_context(err, "ORC entry %" PRIu64 " of %s", lo,
					t->name);
	gc_orc_decode(&env->layout, raw, out);
	*found = true;
	return NULL;
}

/* ---- the walk -------------------------------------------------------- */

struct walk {
	const struct gc_unwind_env *env;
	struct gc_stack_trace *tr;
	uint64_t ip, sp, bp;
	bool signal;               /* IP is exact (not a return address) */
	bool have_regs;            /* REGS holds the frame's whole register set */
	struct gc_pt_regs regs;
	int stack;                 /* index in env->stacks, -1 none known */
	unsigned int switches;
};

/* The stack holding [ADDR, ADDR+LEN): its index; -1 when none is known
 * at all (then any address goes), -2 when stacks are known but none
 * holds it. */
static int stack_of(const struct gc_unwind_env *env, uint64_t addr,
		    uint64_t len)
{
	if (!env->nr_stacks)
		return -1;
	for (size_t i = 0; i < env->nr_stacks; i++) {
		const struct gc_stack_range *s = &env->stacks[i];
		if (addr >= s->start && addr < s->end && s->end - addr >= len)
			return (int)i;
	}
	return -2;
}

static void stop(struct walk *w, enum gc_stack_stop why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop(struct walk *w, enum gc_stack_stop why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	w->tr->stop = why;
	vsnprintf(w->tr->stop_why, sizeof(w->tr->stop_why), fmt, ap);
	va_end(ap);
}

/* Read LEN bytes of stack at ADDR: false (and the walk stopped) when
 * they are on no stack known or unreadable. */
static bool stack_read(struct walk *w, uint64_t addr, void *buf, size_t len,
		       const char *what)
{
	int s = stack_of(w->env, addr, len);
	if (s == -2 || addr + len < addr) {
		stop(w, GC_STACK_STOP_OFF_STACK, "%s at 0x%" PRIx64 " is on no "
		     "stack known for this task/CPU", what, addr);
		return false;
	}
	struct gc_error *err = w->env->read(w->env->ctx, addr, buf, len);
	if (err) {
		stop(w, GC_STACK_STOP_UNREADABLE, "%s at 0x%" PRIx64 ": %s",
		     what, addr, gc_error_string(err));
		gc_error_free(err);
		return false;
	}
	return true;
}

static void set_stack(const struct gc_unwind_env *env,
		      struct gc_stack_frame *f, uint64_t addr)
{
	int s = stack_of(env, addr, 1);
	if (s >= 0) {
		f->stack = env->stacks[s].kind;
		snprintf(f->stack_name, sizeof(f->stack_name), "%s",
			 env->stacks[s].name);
	} else {
		f->stack = GC_STACK_UNKNOWN;
		f->stack_name[0] = '\0';
	}
}

static struct gc_error *push(struct walk *w, const struct gc_stack_frame *f)
{
	if (!gc_vec_push(&w->tr->frames, &w->tr->nr, &w->tr->cap, f))
		return &gc_error_nomem;
	return NULL;
}

/* The new stack pointer must be above the old one on the same stack;
 * moving to another stack is allowed a few times. */
static bool check_progress(struct walk *w, uint64_t new_sp)
{
	int ns = stack_of(w->env, new_sp, 1);
	/* One past the end of a stack is where an empty stack's sp is. */
	if (ns < 0 && new_sp)
		ns = stack_of(w->env, new_sp - 1, 1);
	if (ns == w->stack || ns < 0) {
		if (new_sp <= w->sp) {
			stop(w, GC_STACK_STOP_LOOP, "stack pointer 0x%" PRIx64
			     " does not move up from 0x%" PRIx64 " (a loop)",
			     new_sp, w->sp);
			return false;
		}
	} else if (++w->switches > MAX_STACK_SWITCHES) {
		stop(w, GC_STACK_STOP_LOOP, "more than %d stack switches",
		     MAX_STACK_SWITCHES);
		return false;
	}
	if (ns >= 0)
		w->stack = ns;
	return true;
}

static bool reg_value(struct walk *w, unsigned int reg, uint64_t *v)
{
	if (!w->have_regs)
		return false;
	switch (reg) {
	case GC_ORC_REG_R10: *v = w->regs.r10; return true;
	case GC_ORC_REG_R13: *v = w->regs.r13; return true;
	case GC_ORC_REG_DI: *v = w->regs.di; return true;
	case GC_ORC_REG_DX: *v = w->regs.dx; return true;
	case GC_ORC_REG_AX: *v = w->regs.ax; return true;
	default: return false;
	}
}

static bool user_mode(const struct gc_pt_regs *r)
{
	/* A Xen PV kernel runs in ring 3, but Xen clears the RPL of the
	 * kernel's cs in the frames it gives the guest; an ip in the upper
	 * half is the kernel's in any case. */
	return (r->cs & 3) && !(r->ip >> 63);
}

/* A frame-pointer step (no ORC for IP): rbp must point into the stack
 * above sp, at a saved rbp and the return address after it. */
static struct gc_error *fp_step(struct walk *w, bool *go)
{
	*go = false;
	uint64_t bp = w->bp;
	if (!bp || (bp & 7) || bp < w->sp || stack_of(w->env, bp, 16) == -2) {
		stop(w, w->env->no_orc ? GC_STACK_STOP_END : GC_STACK_STOP_NO_ORC,
		     "%s at 0x%" PRIx64 " and rbp 0x%" PRIx64 " is not a frame "
		     "pointer on this stack", w->env->no_orc ?
		     "frame-pointer chain ends" : "no ORC entry", w->ip, bp);
		return NULL;
	}
	uint64_t v[2];
	if (!stack_read(w, bp, v, sizeof(v), "frame pointer"))
		return NULL;
	if (!check_progress(w, bp + 16))
		return NULL;
	struct gc_stack_frame f = {.pc = v[1], .sp = bp + 8,
				   .how = "frame pointer"};
	set_stack(w->env, &f, f.sp);
	struct gc_error *err = push(w, &f);
	if (err)
		return err;
	w->ip = v[1];
	w->sp = bp + 16;
	w->bp = v[0];
	w->signal = false;
	w->have_regs = false;
	*go = true;
	return NULL;
}

static struct gc_error *orc_step(struct walk *w, const struct gc_orc_entry *e,
				 bool *go)
{
	*go = false;
	if (e->type == GC_ORC_END_OF_STACK) {
		stop(w, GC_STACK_STOP_END, "end of stack (ORC end marker at "
		     "0x%" PRIx64 ")", w->ip);
		return NULL;
	}
	if (e->type == GC_ORC_UNDEFINED) {
		stop(w, GC_STACK_STOP_NO_ORC, "ORC has no unwind data for "
		     "0x%" PRIx64 " (undefined entry)", w->ip);
		return NULL;
	}
	if (e->type == GC_ORC_BAD_TYPE) {
		stop(w, GC_STACK_STOP_BAD_ORC, "ORC entry for 0x%" PRIx64
		     " has an unknown type", w->ip);
		return NULL;
	}
	uint64_t sp, v;
	bool indirect = false;
	switch (e->sp_reg) {
	case GC_ORC_REG_SP:
		sp = w->sp + (uint64_t)(int64_t)e->sp_offset;
		break;
	case GC_ORC_REG_BP:
		sp = w->bp + (uint64_t)(int64_t)e->sp_offset;
		break;
	case GC_ORC_REG_SP_INDIRECT:
		sp = w->sp;
		indirect = true;
		break;
	case GC_ORC_REG_BP_INDIRECT:
		sp = w->bp + (uint64_t)(int64_t)e->sp_offset;
		indirect = true;
		break;
	case GC_ORC_REG_R10: case GC_ORC_REG_R13:
	case GC_ORC_REG_DI: case GC_ORC_REG_DX: case GC_ORC_REG_AX:
		if (!reg_value(w, e->sp_reg, &v)) {
			stop(w, GC_STACK_STOP_BAD_ORC, "ORC entry for 0x%" PRIx64
			     " takes the stack pointer from register #%u, "
			     "which is not known here", w->ip, e->sp_reg);
			return NULL;
		}
		sp = v + (uint64_t)(int64_t)e->sp_offset;
		break;
	default:
		stop(w, GC_STACK_STOP_BAD_ORC, "ORC entry for 0x%" PRIx64 " has "
		     "sp_reg %u, which no ORC version defines", w->ip, e->sp_reg);
		return NULL;
	}
	if (indirect) {
		if (!stack_read(w, sp, &v, 8, "indirect stack pointer"))
			return NULL;
		sp = v;
		if (e->sp_reg == GC_ORC_REG_SP_INDIRECT)
			sp += (uint64_t)(int64_t)e->sp_offset;
	}
	uint64_t old_bp = w->bp, new_bp = w->bp;
	struct gc_stack_frame f = {.how = "ORC"};
	bool have_regs = false;
	struct gc_pt_regs regs;
	memset(&regs, 0, sizeof(regs));
	switch (e->type) {
	case GC_ORC_CALL:
		if (sp < 8 || !stack_read(w, sp - 8, &v, 8, "return address"))
			return NULL;
		f.pc = v;
		f.sp = sp - 8;
		break;
	case GC_ORC_REGS:
		if (!stack_read(w, sp, &regs, PT_REGS_SIZE, "pt_regs"))
			return NULL;
		have_regs = true;
		f.exception = true;
		f.regs_addr = sp;
		f.regs = regs;
		f.pc = regs.ip;
		f.sp = regs.sp;
		f.how = "pt_regs";
		new_bp = regs.bp;
		break;
	case GC_ORC_REGS_PARTIAL: {
		uint64_t iret[5];
		if (sp < PT_REGS_IP_OFF ||
		    !stack_read(w, sp, iret, sizeof(iret), "iret frame"))
			return NULL;
		regs.ip = iret[0];
		regs.cs = iret[1];
		regs.flags = iret[2];
		regs.sp = iret[3];
		regs.ss = iret[4];
		f.exception = true;
		f.partial = true;
		f.regs_addr = sp - PT_REGS_IP_OFF;
		f.regs = regs;
		f.pc = regs.ip;
		f.sp = regs.sp;
		f.how = "pt_regs";
		break;
	}
	default:
		return NULL;
	}
	switch (e->bp_reg) {
	case GC_ORC_REG_UNDEFINED:
		break;
	case GC_ORC_REG_PREV_SP:
		if (!stack_read(w, sp + (uint64_t)(int64_t)e->bp_offset, &new_bp,
				8, "saved rbp"))
			return NULL;
		break;
	case GC_ORC_REG_BP:
		if (!stack_read(w, old_bp + (uint64_t)(int64_t)e->bp_offset,
				&new_bp, 8, "saved rbp"))
			return NULL;
		break;
	default:
		stop(w, GC_STACK_STOP_BAD_ORC, "ORC entry for 0x%" PRIx64 " has "
		     "bp_reg %u, which the unwinder cannot follow", w->ip,
		     e->bp_reg);
		return NULL;
	}
	f.user = f.exception && user_mode(&f.regs);
	uint64_t next_sp = f.exception ? f.regs.sp : sp;
	if (!f.user && !check_progress(w, next_sp))
		return NULL;
	set_stack(w->env, &f, f.exception ? f.regs_addr : f.sp);
	struct gc_error *err = push(w, &f);
	if (err)
		return err;
	if (f.user) {
		stop(w, GC_STACK_STOP_END, "end of stack (entry from user "
		     "space: pt_regs at 0x%" PRIx64 ")", f.regs_addr);
		return NULL;
	}
	w->ip = f.pc;
	w->sp = next_sp;
	w->bp = new_bp;
	w->signal = f.exception || e->signal;
	w->have_regs = have_regs;
	w->regs = regs;
	*go = true;
	return NULL;
}

struct gc_error *gc_unwind(const struct gc_unwind_env *env,
			   const struct gc_stack_frame *start,
			   uint64_t start_bp, struct gc_stack_trace *tr)
{
	struct walk w = {.env = env, .tr = tr, .ip = start->pc,
			 .bp = start_bp, .signal = start->exception,
			 .have_regs = start->exception && !start->partial,
			 .regs = start->regs};
	/* A call frame's slot holds the return address; the caller's sp is
	 * just above it. */
	w.sp = start->exception ? start->sp : start->sp + 8;
	struct gc_stack_frame f0 = *start;
	set_stack(env, &f0, f0.sp);
	struct gc_error *err = push(&w, &f0);
	if (err)
		return err;
	w.stack = stack_of(env, w.sp, 1);
	if (w.stack < 0 && w.sp)
		w.stack = stack_of(env, w.sp - 1, 1);
	if (start->exception && start->user) {
		stop(&w, GC_STACK_STOP_END, "the CPU was in user mode");
		return NULL;
	}
	tr->stop = GC_STACK_STOP_END;
	tr->stop_why[0] = '\0';
	for (;;) {
		if (tr->nr >= GC_STACK_MAX_FRAMES) {
			stop(&w, GC_STACK_STOP_LIMIT, "%d frames",
			     GC_STACK_MAX_FRAMES);
			return NULL;
		}
		uint64_t look = w.signal ? w.ip : w.ip - 1;
		const struct gc_orc_table *t = env->table(env->ctx, look);
		if (!t) {
			stop(&w, GC_STACK_STOP_NOT_TEXT, "0x%" PRIx64 " is not in "
			     "the kernel's text nor in a module's", w.ip);
			return NULL;
		}
		struct gc_orc_entry e;
		bool found = false, go = false;
		err = gc_orc_find(env, t, look, &e, &found);
		if (err) {
			stop(&w, GC_STACK_STOP_UNREADABLE, "%s",
			     gc_error_string(err));
			gc_error_free(err);
			return NULL;
		}
		err = found ? orc_step(&w, &e, &go) : fp_step(&w, &go);
		if (err || !go)
			return err;
	}
}

const char *gc_stack_stop_name(enum gc_stack_stop s)
{
	switch (s) {
	case GC_STACK_STOP_END: return "end of stack";
	case GC_STACK_STOP_UNREADABLE: return "unreadable";
	case GC_STACK_STOP_OFF_STACK: return "off the stack";
	case GC_STACK_STOP_LOOP: return "loop";
	case GC_STACK_STOP_NO_ORC: return "no ORC entry";
	case GC_STACK_STOP_BAD_ORC: return "bad ORC entry";
	case GC_STACK_STOP_NOT_TEXT: return "not kernel text";
	case GC_STACK_STOP_LIMIT: return "frame limit";
	}
	return "?";
}

void gc_stack_trace_free(struct gc_stack_trace *t)
{
	if (!t)
		return;
	free(t->frames);
	free(t);
}
