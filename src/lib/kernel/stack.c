// SPDX-License-Identifier: MIT
/*
 * Stack traces of the kernel in a dump, without debuginfo: what orc.c's
 * walk needs, found in the dump's own memory.
 *
 *   ORC tables   __start_orc_unwind_ip..__stop_orc_unwind_ip (s32, each
 *                relative to its own address) and __start_orc_unwind
 *                (6-byte entries) for the kernel's text (_stext.._etext
 *                and _sinittext.._einittext); each module's
 *                mod->arch.{orc_unwind_ip, orc_unwind, num_orcs} for its
 *                core text (mod->core_layout, Linux < 6.4; mod->mem[0],
 *                MOD_TEXT, from 6.4), the module list and struct module's
 *                layout from BTF.
 *   entry layout struct orc_entry's bitfields from BTF (they moved in 6.3
 *                and 6.4); the 6.1 layout when there are no types.
 *   stacks       the task's (task_struct.stack, sizeof(union
 *                thread_union)), the CPU's hardirq stack (per-CPU
 *                hardirq_stack_ptr, or pcpu_hot.hardirq_stack_ptr in
 *                6.2-6.14: top - 8, sizeof(struct irq_stack)),
 *                the CPU's IST stacks (per-CPU cea_exception_stacks; each
 *                *_stack member of struct cea_exception_stacks).
 *   start        an active task: its vCPU's registers; a sleeping task:
 *                thread.sp -> struct inactive_task_frame (bp, ret_addr).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/orc.h"
#include "util/vec.h"

#define MAX_MODULES 8192
#define DEFAULT_STACK 16384u   /* THREAD_SIZE and IRQ_STACK_SIZE, x86-64 */
#define MAX_STACK (1u << 20)

struct ctx {
	struct gc_kernel *k;
	const struct gc_types *t;        /* NULL: no types */
	struct gc_orc_table text, inittext;
	bool have_text, have_inittext;
	struct gc_orc_table *mods;
	size_t nr_mods, cap_mods;
	bool mods_loaded;
	struct gc_stack_range stacks[12];
	size_t nr_stacks;
	char layout[96];
};

static struct gc_error *kread(void *c, uint64_t va, void *buf, size_t len)
{
	struct ctx *x = c;
	return gc_kernel_read(x->k, va, buf, len);
}

static bool sym(struct gc_kernel *k, const char *name, uint64_t *addr)
{
	struct gc_symbol s;
	struct gc_error *err = gc_kernel_symbol(k, name, &s);
	if (err) {
		gc_error_free(err);
		return false;
	}
	*addr = s.addr;
	return true;
}

/* A u64 of kernel memory, or false (the error freed): for the optional
 * stacks, whose absence bt reports by not finding a frame there. */
static bool rd_u64(struct gc_kernel *k, uint64_t va, uint64_t *v)
{
	struct gc_error *err = gc_kernel_read_u64(k, va, v);
	gc_error_free(err);
	return !err;
}

static bool off(const struct ctx *x, const char *type, const char *path,
		uint64_t *o)
{
	if (!x->t)
		return false;
	const char *src;
	struct gc_error *err = gc_types_offsetof(x->t, type, path, o, &src);
	if (err) {
		gc_error_free(err);
		return false;
	}
	return true;
}

static uint64_t size_or(const struct ctx *x, const char *type, uint64_t dflt)
{
	uint64_t sz;
	const char *src;
	if (!x->t)
		return dflt;
	struct gc_error *err = gc_types_sizeof(x->t, type, &sz, &src);
	if (err) {
		gc_error_free(err);
		return dflt;
	}
	return sz && sz <= MAX_STACK ? sz : dflt;
}

/* struct orc_entry's bitfields from BTF: their bit offsets from byte 4;
 * the version by which of "end" and "signal" exist and type's width. */
static void find_layout(struct ctx *x, struct gc_orc_layout *l)
{
	gc_orc_layout_v1(l);
	snprintf(x->layout, sizeof(x->layout), "Linux <= 6.2 layout (assumed: "
		 "no struct orc_entry in the types)");
	if (!x->t)
		return;
	struct gc_member m;
	const char *src;
	static const char *const names[] = {"sp_reg", "bp_reg", "type", "end",
					    "signal"};
	int pos[5], bits[5];
	for (int i = 0; i < 5; i++) {
		pos[i] = -1;
		bits[i] = 0;
		struct gc_error *err = gc_types_member(x->t, "orc_entry",
						       names[i], &m, &src);
		if (err) {
			gc_error_free(err);
			continue;
		}
		if (m.bit_offset >= 32 && m.bit_offset < 48) {
			pos[i] = (int)m.bit_offset - 32;
			bits[i] = (int)m.bitfield_size;
		}
	}
	if (pos[0] < 0 || pos[1] < 0 || pos[2] < 0 || bits[2] < 1 ||
	    bits[2] > 4)
		return;
	l->sp_reg_shift = (unsigned int)pos[0];
	l->bp_reg_shift = (unsigned int)pos[1];
	l->type_shift = (unsigned int)pos[2];
	l->type_bits = (unsigned int)bits[2];
	l->end_shift = pos[3];
	l->signal_shift = pos[4];
	l->new_types = pos[3] < 0;
	snprintf(x->layout, sizeof(x->layout), "type:%d at bit %d, %s, %s "
		 "(struct orc_entry from BTF)", bits[2], pos[2],
		 pos[3] >= 0 ? "end bit" : "no end bit",
		 l->new_types ? "Linux >= 6.4 types" : "Linux < 6.4 types");
}

/* Which ORC register numbering the kernel's table uses (orc.h): 32
 * samples of 128 entries across the vmlinux table vote. */
static void find_regs(struct ctx *x, struct gc_orc_layout *l)
{
	enum { SAMPLES = 32, PER = 128 };
	if (x->k->orc_regs) {   /* voted before (bt --tasks: every task) */
		l->regs_ax = x->k->orc_regs == 2;
		size_t len = strlen(x->layout);
		snprintf(x->layout + len, sizeof(x->layout) - len, "; %s",
			 x->k->orc_regs == 3 ? "regs unknown: 6.x assumed" :
			 l->regs_ax ? "regs 7.x (SP=3)" : "regs 6.x (SP=5)");
		return;
	}
	uint8_t *raw = malloc(6u * SAMPLES * PER);
	if (!raw)
		return;
	size_t have = 0;
	uint64_t n = x->text.n;
	for (unsigned int i = 0; i < SAMPLES && n >= PER; i++) {
		uint64_t at = (n - PER) / (SAMPLES - 1) * i;
		struct gc_error *err = gc_kernel_read(x->k, x->text.orc_start +
						      6 * at, raw + 6 * have,
						      6u * PER);
		if (err) {
			gc_error_free(err);
			continue;
		}
		have += PER;
	}
	unsigned int old, ax;
	bool known = gc_orc_guess_regs(l, raw, have, &old, &ax);
	free(raw);
	(void)old;
	(void)ax;
	if (have)
		x->k->orc_regs = !known ? 3 : l->regs_ax ? 2 : 1;
	size_t len = strlen(x->layout);
	snprintf(x->layout + len, sizeof(x->layout) - len, "; %s",
		 !known ? "regs unknown: 6.x assumed" :
		 l->regs_ax ? "regs 7.x (SP=3)" : "regs 6.x (SP=5)");
}

static void kernel_tables(struct ctx *x, bool *no_orc)
{
	struct gc_kernel *k = x->k;
	uint64_t ip0 = 0, ip1 = 0, o0 = 0, o1 = 0, s, e;
	*no_orc = true;
	bool tables = sym(k, "__start_orc_unwind_ip", &ip0) &&
		      sym(k, "__stop_orc_unwind_ip", &ip1) &&
		      sym(k, "__start_orc_unwind", &o0);
	if (!sym(k, "__stop_orc_unwind", &o1))
		o1 = 0;
	uint64_t n = 0;
	if (tables && ip1 > ip0 && (ip1 - ip0) % 4 == 0 &&
	    (ip1 - ip0) / 4 <= GC_ORC_MAX_ENTRIES) {
		n = (ip1 - ip0) / 4;
		/* both tables must agree on the count when both ends are known */
		if (o1 && (o1 < o0 || o1 - o0 != 6 * n))
			n = 0;
	}
	if (n)
		*no_orc = false;
	else if (tables)
		snprintf(x->layout, sizeof(x->layout), "ORC tables 0x%" PRIx64
			 "..0x%" PRIx64 " / 0x%" PRIx64 "..0x%" PRIx64 " do not "
			 "agree: not used", ip0, ip1, o0, o1);
	if (sym(k, "_stext", &s) && sym(k, "_etext", &e) && e > s) {
		x->text = (struct gc_orc_table){.ip_start = ip0, .orc_start = o0,
						.n = n, .text_start = s,
						.text_end = e};
		snprintf(x->text.name, sizeof(x->text.name), "vmlinux");
		x->have_text = true;
	}
	if (sym(k, "_sinittext", &s) && sym(k, "_einittext", &e) && e > s) {
		x->inittext = x->text;
		x->inittext.text_start = s;
		x->inittext.text_end = e;
		x->have_inittext = true;
	}
}

/* The module list, as far as BTF describes it (Linux < 6.4 layout). */
static void load_modules(struct ctx *x)
{
	x->mods_loaded = true;
	uint64_t head, o_list, o_name, o_base, o_size, o_n, o_ip, o_orc;
	if (!sym(x->k, "modules", &head) ||
	    !off(x, "module", "list", &o_list) ||
	    !off(x, "module", "name", &o_name))
		return;
	/* The core text: core_layout (< 6.4), else mem[MOD_TEXT = 0], a
	 * struct module_memory {base, size, ...} (6.4+). */
	if (!off(x, "module", "core_layout.base", &o_base) ||
	    !off(x, "module", "core_layout.size", &o_size)) {
		uint64_t o_mem, o_msize;
		if (!off(x, "module", "mem", &o_mem) ||
		    !off(x, "module_memory", "base", &o_base) ||
		    !off(x, "module_memory", "size", &o_msize))
			return;
		o_base += o_mem;
		o_size = o_mem + o_msize;
	}
	bool orc = off(x, "module", "arch.num_orcs", &o_n) &&
		   off(x, "module", "arch.orc_unwind_ip", &o_ip) &&
		   off(x, "module", "arch.orc_unwind", &o_orc);
	uint64_t p;
	if (!rd_u64(x->k, head, &p))
		return;
	for (unsigned int i = 0; i < MAX_MODULES && p != head; i++) {
		uint64_t m = p - o_list, base, ip = 0, oe = 0;
		uint32_t size, n = 0;
		char name[64] = "";
		struct gc_error *err = gc_kernel_read_u64(x->k, m + o_base, &base);
		if (!err)
			err = gc_kernel_read(x->k, m + o_size, &size, 4);
		if (!err)
			err = gc_kernel_read(x->k, m + o_name, name, 56);
		if (!err && orc) {
			err = gc_kernel_read(x->k, m + o_n, &n, 4);
			if (!err)
				err = gc_kernel_read_u64(x->k, m + o_ip, &ip);
			if (!err)
				err = gc_kernel_read_u64(x->k, m + o_orc, &oe);
		}
		if (!err)
			err = gc_kernel_read_u64(x->k, p, &p);
		if (err) {
			gc_error_free(err);
			return;
		}
		name[sizeof(name) - 1] = '\0';
		if (n > GC_ORC_MAX_ENTRIES || !ip || !oe)
			n = 0;
		struct gc_orc_table t = {.ip_start = ip, .orc_start = oe,
					 .n = n, .text_start = base,
					 .text_end = base + size};
		snprintf(t.name, sizeof(t.name), "%s", name);
		if (base + size > base &&
		    !gc_vec_push(&x->mods, &x->nr_mods, &x->cap_mods, &t))
			return;
	}
}

static const struct gc_orc_table *module_at(struct ctx *x, uint64_t ip)
{
	if (!x->mods_loaded)
		load_modules(x);
	for (size_t i = 0; i < x->nr_mods; i++)
		if (ip >= x->mods[i].text_start && ip < x->mods[i].text_end)
			return &x->mods[i];
	return NULL;
}

static const struct gc_orc_table *table_at(void *c, uint64_t ip)
{
	struct ctx *x = c;
	if (x->have_text && ip >= x->text.text_start && ip < x->text.text_end)
		return &x->text;
	if (x->have_inittext && ip >= x->inittext.text_start &&
	    ip < x->inittext.text_end)
		return &x->inittext;
	if (ip >> 63)
		return module_at(x, ip);
	return NULL;
}

static void add_stack(struct ctx *x, uint64_t start, uint64_t size,
		      enum gc_stack_kind kind, const char *name)
{
	if (!start || start + size < start ||
	    x->nr_stacks >= sizeof(x->stacks) / sizeof(*x->stacks))
		return;
	struct gc_stack_range *s = &x->stacks[x->nr_stacks++];
	s->start = start;
	s->end = start + size;
	s->kind = kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
}

static void task_stack(struct ctx *x, uint64_t task)
{
	uint64_t o, st;
	if (!task || !off(x, "task_struct", "stack", &o) ||
	    !rd_u64(x->k, task + o, &st))
		return;
	add_stack(x, st, size_or(x, "thread_union", DEFAULT_STACK),
		  GC_STACK_TASK, "task");
}

static void cpu_stacks(struct ctx *x, unsigned int cpu)
{
	uint64_t pco, pc, v;
	if (!sym(x->k, "__per_cpu_offset", &pco) ||
	    !rd_u64(x->k, pco + 8ull * cpu, &pc))
		return;
	uint64_t var;
	struct gc_error *err = gc_kernel_percpu_var(x->k, x->t,
						"hardirq_stack_ptr", &var);
	bool have = !err;
	gc_error_free(err);
	if (have && rd_u64(x->k, pc + var, &v) && v) {
		uint64_t sz = size_or(x, "irq_stack", DEFAULT_STACK);
		add_stack(x, v + 8 - sz, sz, GC_STACK_IRQ, "IRQ");
	}
	uint64_t cea;
	struct gc_type ty;
	const char *src;
	if (!x->t || !sym(x->k, "cea_exception_stacks", &var) ||
	    !rd_u64(x->k, pc + var, &cea) || !cea)
		return;
	err = gc_types_find(x->t, "struct cea_exception_stacks",
			  &ty, &src);
	struct gc_type_info ti;
	if (!err)
		err = gc_type_info(ty, &ti);
	if (err) {
		gc_error_free(err);
		return;
	}
	for (uint32_t i = 0; i < ti.vlen && i < 32; i++) {
		struct gc_member m;
		uint64_t sz;
		err = gc_type_member(ty, i, &m);
		if (err) {
			gc_error_free(err);
			continue;
		}
		{
			size_t l = strlen(m.name);
			if (l < 7 || strcmp(m.name + l - 6, "_stack"))
				continue;
			err = gc_type_sizeof(m.type, &sz);
			if (err) {
				gc_error_free(err);
				continue;
			}
			char nm[16];
			snprintf(nm, sizeof(nm), "%.*s", (int)(l - 6), m.name);
			add_stack(x, cea + m.bit_offset / 8, sz,
				  GC_STACK_EXCEPTION, nm);
		}
	}
}

static struct gc_error *setup(struct gc_kernel *k, struct ctx *x,
			      struct gc_unwind_env *env,
			      struct gc_stack_trace **out)
{
	memset(x, 0, sizeof(*x));
	x->k = k;
	struct gc_error *err = gc_kernel_types(k, &x->t);
	if (err) {
		gc_error_free(err);  /* walk without stack bounds */
		x->t = NULL;
	}
	*env = (struct gc_unwind_env){.ctx = x, .read = kread,
				      .table = table_at};
	find_layout(x, &env->layout);
	kernel_tables(x, &env->no_orc);
	if (!env->no_orc)
		find_regs(x, &env->layout);
	if (!x->have_text)
		return gc_error_new(GC_ERR_NOT_PRESENT, "kernel text",
				    "no _stext/_etext symbols: cannot tell "
				    "return addresses (give --system-map or "
				    "--vmlinux)");
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return &gc_error_nomem;
	snprintf((*out)->orc_layout, sizeof((*out)->orc_layout), "%s",
		 !env->no_orc ? x->layout : strncmp(x->layout, "ORC tables", 10) ?
		 "no ORC tables: frame pointers only" : x->layout);
	return NULL;
}

static void finish(struct ctx *x, struct gc_unwind_env *env,
		   struct gc_stack_trace *tr)
{
	(void)env;
	for (size_t i = 0; i < tr->nr; i++) {
		uint64_t pc = tr->frames[i].pc;
		if (!(pc >> 63) || (pc >= x->text.text_start &&
				    pc < x->text.text_end))
			continue;
		const struct gc_orc_table *m = module_at(x, pc);
		if (m)
			snprintf(tr->frames[i].module,
				 sizeof(tr->frames[i].module), "%s", m->name);
	}
	free(x->mods);
	x->mods = NULL;
}

static struct gc_error *walk(struct ctx *x, struct gc_unwind_env *env,
			     const struct gc_stack_frame *start, uint64_t bp,
			     struct gc_stack_trace *tr)
{
	env->stacks = x->stacks;
	env->nr_stacks = x->nr_stacks;
	struct gc_error *err = gc_unwind(env, start, bp, tr);
	finish(x, env, tr);
	if (err) {
		free(tr->frames);
		free(tr);
	}
	return err;
}

struct gc_error *gc_kernel_stack_vcpu(struct gc_kernel *k, unsigned int cpu,
				      struct gc_stack_trace **out)
{
	*out = NULL;
	struct gc_vcpu v;
	struct gc_error *err = gc_dump_vcpu(k->d, cpu, &v);
	if (err)
		return gc_error_context(err, "registers of vCPU %u", cpu);
	if (v.arch != GC_ARCH_X86_64 || v.is_32bit)
		return gc_error_new(GC_ERR_UNSUPPORTED, "stack trace",
				    "vCPU %u is not x86-64; only x86-64 "
				    "kernels are unwound", cpu);
	uint64_t rip, rsp, rbp;
	if (!gc_vcpu_get_reg(&v, GC_REG_RIP, &rip) ||
	    !gc_vcpu_get_reg(&v, GC_REG_RSP, &rsp) ||
	    !gc_vcpu_get_reg(&v, GC_REG_RBP, &rbp))
		return gc_error_new(GC_ERR_NOT_PRESENT, "stack trace",
				    "vCPU %u has no rip/rsp/rbp (%s)", cpu,
				    v.source ? v.source : "no source");
	struct ctx x;
	struct gc_unwind_env env;
	struct gc_stack_trace *tr;
	err = setup(k, &x, &env, &tr);
	if (err)
		return err;
	tr->cpu = (int32_t)cpu;
	uint64_t task = 0;
	uint32_t pid;
	err = gc_kernel_cpu_task(k, cpu, &task, &pid);
	if (err) {
		gc_error_free(err);
		task = 0;
	}
	tr->task = task;
	task_stack(&x, task);
	cpu_stacks(&x, cpu);
	struct gc_stack_frame f = {.pc = rip, .sp = rsp, .exception = true,
				   .how = "registers"};
	static const unsigned int map[] = {
		GC_REG_R15, GC_REG_R14, GC_REG_R13, GC_REG_R12, GC_REG_RBP,
		GC_REG_RBX, GC_REG_R11, GC_REG_R10, GC_REG_R9, GC_REG_R8,
		GC_REG_RAX, GC_REG_RCX, GC_REG_RDX, GC_REG_RSI, GC_REG_RDI,
		GC_REG_ORIG_RAX, GC_REG_RIP, GC_REG_CS, GC_REG_RFLAGS,
		GC_REG_RSP, GC_REG_SS};
	uint64_t *r = &f.regs.r15;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!gc_vcpu_get_reg(&v, map[i], &r[i]))
			r[i] = 0;
	/* User mode: a lower-half rip in ring 3.  A lower-half rip in ring
	 * 0 is no kernel code (a nested guest's registers that QEMU left
	 * in the notes of a CPU running it): the walk then stops at once
	 * with "not kernel text" instead of passing for the user's. */
	uint64_t cs;
	f.user = !(rip >> 63) && (!gc_vcpu_get_reg(&v, GC_REG_CS, &cs) ||
				  (cs & 3));
	err = walk(&x, &env, &f, rbp, tr);
	if (!err)
		*out = tr;
	return err;
}

struct gc_error *gc_kernel_stack_task(struct gc_kernel *k, uint64_t task,
				      struct gc_stack_trace **out)
{
	*out = NULL;
	struct ctx x;
	struct gc_unwind_env env;
	struct gc_stack_trace *tr;
	struct gc_error *err = setup(k, &x, &env, &tr);
	if (err)
		return err;
	uint64_t o_sp, o_bp, o_ret, tsp, bp, ret;
	if (!off(&x, "task_struct", "thread.sp", &o_sp)) {
		free(tr);
		return gc_error_new(GC_ERR_NOT_PRESENT, "task_struct.thread.sp",
				    "no type information for the saved stack "
				    "pointer (a kernel without BTF: give "
				    "--vmlinux with DWARF or .BTF)");
	}
	if (!off(&x, "inactive_task_frame", "bp", &o_bp))
		o_bp = 40;
	if (!off(&x, "inactive_task_frame", "ret_addr", &o_ret))
		o_ret = 48;
	err = gc_kernel_read_u64(k, task + o_sp, &tsp);
	if (!err)
		err = gc_kernel_read_u64(k, tsp + o_bp, &bp);
	if (!err)
		err = gc_kernel_read_u64(k, tsp + o_ret, &ret);
	if (err) {
		free(tr);
		return gc_error_context(err, "saved context of task 0x%" PRIx64,
					task);
	}
	tr->task = task;
	tr->cpu = -1;
	task_stack(&x, task);
	if (x.nr_stacks && (tsp < x.stacks[0].start ||
			    tsp >= x.stacks[0].end)) {
		free(tr);
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, task,
				     "task_struct", "thread.sp 0x%" PRIx64
				     " is not on the task's stack 0x%" PRIx64
				     "..0x%" PRIx64 " (not a task, or it "
				     "never ran)", tsp, x.stacks[0].start,
				     x.stacks[0].end);
	}
	struct gc_stack_frame f = {.pc = ret, .sp = tsp + o_ret,
				   .how = "saved context"};
	err = walk(&x, &env, &f, bp, tr);
	if (!err)
		*out = tr;
	return err;
}

bool gc_kernel_task_active_cpu(struct gc_kernel *k, uint64_t task,
			       unsigned int *cpu)
{
	unsigned int n = gc_dump_nr_vcpus(k->d);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t t;
		uint32_t pid;
		struct gc_error *err = gc_kernel_cpu_task(k, i, &t, &pid);
		if (err) {
			gc_error_free(err);
			continue;
		}
		if (t == task) {
			*cpu = i;
			return true;
		}
	}
	return false;
}
