// SPDX-License-Identifier: MIT
/*
 * The task each CPU was running: the per-CPU variable current_task (until
 * Linux 6.1; pcpu_hot.current_task from 6.2) at __per_cpu_offset[cpu],
 * with task_struct's pid (and cpu, as a cross-check) from the kernel's
 * types.  Nothing is guessed: a CPU whose answer cannot be read or does
 * not check out has no pid.
 */
#include <inttypes.h>
#include <stdio.h>

#include "kernel_internal.h"

static struct gc_error *sym(struct gc_kernel *k, const char *name,
			    uint64_t *addr)
{
	struct gc_symbol s;
	struct gc_error *err = gc_kernel_symbol(k, name, &s);
	if (!err)
		*addr = s.addr;
	return err;
}

struct gc_error *gc_kernel_percpu_var(struct gc_kernel *k,
				     const struct gc_types *t,
				     const char *name, uint64_t *off)
{
	struct gc_error *e1 = sym(k, name, off);
	if (!e1)
		return NULL;
	uint64_t hot, o;
	const char *src;
	struct gc_error *e2 = t ? sym(k, "pcpu_hot", &hot) : NULL;
	if (t && !e2)
		e2 = gc_types_offsetof(t, "pcpu_hot", name, &o, &src);
	if (!t || e2) {
		gc_error_free(e2);
		return e1;
	}
	gc_error_free(e1);
	*off = hot + o;
	return NULL;
}

struct gc_error *gc_kernel_cpu_task(struct gc_kernel *k, unsigned int cpu,
				    uint64_t *task, uint32_t *pid)
{
	const struct gc_types *t;
	struct gc_error *err = gc_kernel_types(k, &t);
	if (err)
		return err;
	uint64_t off_pid, pco, cur, per_cpu, tp;
	const char *src;
	err = gc_types_offsetof(t, "task_struct", "pid", &off_pid, &src);
	if (err)
		return err;
	err = sym(k, "__per_cpu_offset", &pco);
	if (!err)
		err = gc_kernel_read_u64(k, pco + 8ull * cpu, &per_cpu);
	if (err)
		return gc_error_context(err, "per-CPU offset of CPU %u", cpu);
	err = gc_kernel_percpu_var(k, t, "current_task", &cur);
	if (err)
		return err;
	err = gc_kernel_read_u64(k, per_cpu + cur, &tp);
	if (err)
		return gc_error_context(err, "current task of CPU %u", cpu);
	uint32_t p;
	err = gc_kernel_read(k, tp + off_pid, &p, sizeof(p));
	if (err)
		return gc_error_context(err, "pid of the current task of CPU %u "
					"(task 0x%" PRIx64 ")", cpu, tp);
	/* The task must say it runs on this CPU (thread_info.cpu, or cpu in
	 * older kernels), else the CPU numbering is not what we think. */
	uint64_t off_cpu;
	err = gc_types_offsetof(t, "task_struct", "thread_info.cpu", &off_cpu,
				&src);
	if (err) {
		gc_error_free(err);
		err = gc_types_offsetof(t, "task_struct", "cpu", &off_cpu, &src);
	}
	if (!err) {
		uint32_t c;
		err = gc_kernel_read(k, tp + off_cpu, &c, sizeof(c));
		if (!err && c != cpu)
			err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, tp,
					    "current task", "CPU %u's current "
					    "task says it runs on CPU %u", cpu, c);
		if (err)
			return err;
	} else {
		gc_error_free(err);
	}
	*task = tp;
	*pid = p;
	return NULL;
}
