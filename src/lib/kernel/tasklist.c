// SPDX-License-Identifier: MIT
/*
 * The kernel's task list: the idle task of every possible CPU (init_task
 * for CPU 0, the runqueue's idle for the others), every process on
 * init_task.tasks and each process's other threads on
 * signal->thread_head (thread_node links; thread_group on kernels before
 * 3.14).  Every layout comes from the kernel's types (gc_kernel_types);
 * the walk is bounded: each step checks next->prev, a set of the
 * addresses seen stops a cycle, and a hard cap stops a list that never
 * ends.  A damaged list ends the walk with an error naming the address;
 * what was read before it is handed back, marked incomplete by the error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_internal.h"
#include "util/vec.h"

#define MAX_TASKS (1u << 22)   /* PID_MAX_LIMIT: 4M pids */
#define MAX_CPUS 4096          /* CPUs looked at (the possible mask) */

static struct gc_error *off(const struct gc_task_layout *l, const char *type,
			    const char *path, uint64_t *out)
{
	const char *src;
	return gc_types_offsetof(l->t, type, path, out, &src);
}

static bool off_opt(const struct gc_task_layout *l, const char *type,
		    const char *path, uint64_t *out)
{
	struct gc_error *e = off(l, type, path, out);
	if (e) {
		gc_error_free(e);
		return false;
	}
	return true;
}

static unsigned int member_size(const struct gc_task_layout *l, const char *type,
				const char *path)
{
	struct gc_member m;
	const char *src;
	uint64_t sz = 0;
	struct gc_error *e = gc_types_member(l->t, type, path, &m, &src);
	if (!e && m.type.provider)
		e = gc_type_sizeof(m.type, &sz);
	gc_error_free(e);
	return (unsigned int)sz;
}

static void rss_layout(struct gc_task_layout *l)
{
	/* Linux 4.x .. 6.1: struct mm_rss_stat { atomic_long_t count[]; } */
	uint64_t o;
	if (!off_opt(l, "mm_struct", "rss_stat.count", &o))
		return;
	unsigned int total = member_size(l, "mm_struct", "rss_stat.count");
	static const char *const names[3] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SHMEMPAGES" };
	for (int i = 0; i < 3; i++) {
		const char *src;
		int64_t v;
		struct gc_error *e = gc_types_number(l->t, names[i], &v, &src);
		if (e) {
			gc_error_free(e);
			continue;
		}
		if (v < 0 || (uint64_t)(v + 1) * 8 > total)
			return;
		l->rss_idx[l->nr_rss++] = v;
	}
	if (l->nr_rss < 2)
		return;
	l->rss_off = o;
	l->rss_elem = 8;
	l->has_rss = true;
}

static struct gc_error *get_layout(struct gc_kernel *k, struct gc_task_layout *l)
{
	memset(l, 0, sizeof(*l));
	struct gc_error *err = gc_kernel_types(k, &l->t);
	if (err)
		return gc_error_context(err, "task list: no kernel types");
	if ((err = off(l, "task_struct", "tasks", &l->tasks)) ||
	    (err = off(l, "task_struct", "pid", &l->pid)) ||
	    (err = off(l, "task_struct", "tgid", &l->tgid)) ||
	    (err = off(l, "task_struct", "real_parent", &l->real_parent)) ||
	    (err = off(l, "task_struct", "comm", &l->comm)))
		return gc_error_context(err, "task list: layout of task_struct");
	if (off_opt(l, "task_struct", "__state", &l->state))
		l->state_size = member_size(l, "task_struct", "__state");
	else if (off_opt(l, "task_struct", "state", &l->state))
		l->state_size = member_size(l, "task_struct", "state");
	if (l->state_size != 4 && l->state_size != 8)
		return gc_error_new(GC_ERR_UNSUPPORTED, "task_struct",
				    "no __state or state member of 4 or 8 "
				    "bytes in the kernel's types");
	l->has_exit_state = off_opt(l, "task_struct", "exit_state",
				    &l->exit_state);
	l->has_stack = off_opt(l, "task_struct", "stack", &l->stack);
	l->has_mm = off_opt(l, "task_struct", "mm", &l->mm);
	l->has_cpu = off_opt(l, "task_struct", "thread_info.cpu", &l->cpu) ||
		     off_opt(l, "task_struct", "cpu", &l->cpu);
	uint64_t head;
	if (off_opt(l, "task_struct", "signal", &l->signal) &&
	    off_opt(l, "signal_struct", "thread_head", &head) &&
	    off_opt(l, "task_struct", "thread_node", &l->thread_link)) {
		l->per_signal = true;
		l->thread_head = head;
	} else if ((err = off(l, "task_struct", "thread_group",
			      &l->thread_link))) {
		return gc_error_context(err, "task list: neither "
					"signal_struct.thread_head nor "
					"task_struct.thread_group");
	}
	if (l->has_mm)
		rss_layout(l);
	return NULL;
}

/* ---- a set of addresses (open addressing, grows at half load) ---------- */

struct addr_set {
	uint64_t *slot;
	size_t cap, nr;
};

static size_t hash(uint64_t a, size_t cap)
{
	a ^= a >> 33;
	a *= 0xff51afd7ed558ccdull;
	a ^= a >> 33;
	return (size_t)a & (cap - 1);
}

/* Adds A; *DUP true when it was there.  False only on out of memory. */
static bool set_add(struct addr_set *s, uint64_t a, bool *dup)
{
	if (2 * (s->nr + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 256;
		uint64_t *ns = calloc(ncap, sizeof(*ns));
		if (!ns)
			return false;
		for (size_t i = 0; i < s->cap; i++) {
			if (!s->slot[i])
				continue;
			size_t h = hash(s->slot[i], ncap);
			while (ns[h])
				h = (h + 1) & (ncap - 1);
			ns[h] = s->slot[i];
		}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	size_t h = hash(a, s->cap);
	while (s->slot[h]) {
		if (s->slot[h] == a) {
			*dup = true;
			return true;
		}
		h = (h + 1) & (s->cap - 1);
	}
	s->slot[h] = a;
	s->nr++;
	*dup = false;
	return true;
}

/* ---- reading one task --------------------------------------------------- */

struct walk {
	const struct gc_kmem *m;
	const struct gc_task_layout *l;
	struct gc_task *v;
	size_t nr, cap;
	struct addr_set seen;   /* list nodes visited */
};

static struct gc_error *rd(const struct gc_kmem *m, uint64_t va,
			   unsigned int size, uint64_t *out)
{
	uint8_t b[8] = { 0 };
	struct gc_error *err = m->read(m->ctx, va, b, size);
	if (err)
		return err;
	uint64_t v = 0;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*out = v;
	return NULL;
}

static int32_t s32(uint64_t v)
{
	return (int32_t)(uint32_t)v;
}

static struct gc_error *read_task(struct walk *w, uint64_t addr,
				  struct gc_task *t)
{
	const struct gc_kmem *k = w->m;
	const struct gc_task_layout *l = w->l;
	memset(t, 0, sizeof(*t));
	t->addr = addr;
	t->cpu = -1;
	t->active_cpu = -1;
	t->rss_pages = UINT64_MAX;
	uint64_t v, parent;
	struct gc_error *err;
	if ((err = rd(k, addr + l->pid, 4, &v)))
		goto fail;
	t->pid = s32(v);
	if ((err = rd(k, addr + l->tgid, 4, &v)))
		goto fail;
	t->tgid = s32(v);
	if ((err = rd(k, addr + l->state, l->state_size, &t->state)))
		goto fail;
	if (l->has_exit_state && (err = rd(k, addr + l->exit_state, 4, &v)))
		goto fail;
	t->exit_state = l->has_exit_state ? (uint32_t)v : 0;
	if (l->has_stack && (err = rd(k, addr + l->stack, 8, &t->stack)))
		goto fail;
	if (l->has_mm && (err = rd(k, addr + l->mm, 8, &t->mm)))
		goto fail;
	if (l->has_cpu) {
		if ((err = rd(k, addr + l->cpu, 4, &v)))
			goto fail;
		t->cpu = s32(v);
	}
	char comm[16];
	if ((err = k->read(k->ctx, addr + l->comm, comm, sizeof(comm))))
		goto fail;
	size_t n = strnlen(comm, sizeof(comm));
	memcpy(t->comm, comm, n);
	t->comm[n] = '\0';
	if ((err = rd(k, addr + l->real_parent, 8, &parent)))
		goto fail;
	t->ppid = 0;
	if (parent && parent != addr) {
		if ((err = rd(k, parent + l->pid, 4, &v)))
			return gc_error_context(err, "parent 0x%" PRIx64
						" of task 0x%" PRIx64,
						parent, addr);
		t->ppid = s32(v);
	}
	if (l->has_rss && t->mm) {
		uint64_t sum = 0;
		bool ok = true;
		for (unsigned int i = 0; i < l->nr_rss && ok; i++) {
			struct gc_error *e = rd(k, t->mm + l->rss_off +
						(uint64_t)l->rss_idx[i] *
						l->rss_elem, 8, &v);
			if (e) {
				gc_error_free(e);
				ok = false;
			} else if ((int64_t)v > 0) {
				sum += v;
			}
		}
		if (ok)
			t->rss_pages = sum;
	}
	return NULL;
fail:
	return gc_error_context(err, "task 0x%" PRIx64, addr);
}

static struct gc_error *push(struct walk *w, uint64_t addr)
{
	if (w->nr >= MAX_TASKS)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, addr,
				     "task list", "more than %u tasks: a list "
				     "that does not end", MAX_TASKS);
	struct gc_task t;
	struct gc_error *err = read_task(w, addr, &t);
	if (err)
		return err;
	if (!gc_vec_push(&w->v, &w->nr, &w->cap, &t))
		return &gc_error_nomem;
	return NULL;
}

/*
 * Walk the circular list whose head is at HEAD, each entry's node at
 * NODE_OFF in a task_struct: each entry's task is read and kept (except
 * SKIP, a list's own head task), and when THREADS is set its other
 * threads are walked right after it.  WHAT names the list in errors.
 */
static struct gc_error *walk_threads(struct walk *w, uint64_t leader);

static struct gc_error *walk_list(struct walk *w, uint64_t head,
				  uint64_t node_off, bool threads,
				  uint64_t skip, const char *what)
{
	const struct gc_kmem *k = w->m;
	uint64_t prev = head, node;
	struct gc_error *err = rd(k, head, 8, &node);
	if (err)
		return gc_error_context(err, "%s: head 0x%" PRIx64, what, head);
	for (;;) {
		if (node == head)
			return NULL;
		uint64_t back;
		if ((err = rd(k, node + 8, 8, &back)))
			return gc_error_context(err, "%s: node 0x%" PRIx64
						" (after 0x%" PRIx64 ")", what,
						node, prev);
		/* a node seen before first: a cycle back to it also fails
		 * the prev check, which would hide what happened */
		bool dup;
		if (!set_add(&w->seen, node, &dup))
			return &gc_error_nomem;
		if (dup)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, node,
					     what, "node reached twice (after "
					     "0x%" PRIx64 "): the list has a "
					     "cycle", prev);
		if (back != prev)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, node,
					     what, "list node's prev is 0x%"
					     PRIx64 ", not the node before it "
					     "0x%" PRIx64 ": the list is damaged",
					     back, prev);
		uint64_t task = node - node_off;
		if (task != skip) {
			if ((err = push(w, task)))
				return err;
			if (threads && (err = walk_threads(w, task)))
				return err;
		}
		prev = node;
		if ((err = rd(k, node, 8, &node)))
			return gc_error_context(err, "%s: next of node 0x%"
						PRIx64, what, prev);
	}
}

static struct gc_error *walk_threads(struct walk *w, uint64_t leader)
{
	const struct gc_task_layout *l = w->l;
	if (!l->per_signal)
		/* thread_group links the threads among themselves; the
		 * leader's own node is the head. */
		return walk_list(w, leader + l->thread_link, l->thread_link,
				 false, leader, "thread_group list");
	uint64_t sig;
	struct gc_error *err = rd(w->m, leader + l->signal, 8, &sig);
	if (err)
		return gc_error_context(err, "signal of task 0x%" PRIx64,
					leader);
	if (!sig)   /* an exited zombie leader: no threads */
		return NULL;
	/* The leader is on its own thread list: skip it there. */
	return walk_list(w, sig + l->thread_head, l->thread_link, false,
			 leader, "signal->thread_head list");
}

/*
 * The walk over memory M: the tasks at IDLE (one per CPU, in CPU order),
 * then init_task.tasks from INIT with each process's threads.  The
 * fuzzer calls this on memory made of its input.
 */
struct gc_error *gc_task_list_walk(const struct gc_kmem *m,
				   const struct gc_task_layout *l,
				   const uint64_t *idle, size_t nr_idle,
				   uint64_t init, struct gc_task **out,
				   size_t *n)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.l = l;
	struct gc_error *err = NULL;
	for (size_t i = 0; i < nr_idle && !err; i++)
		err = push(&w, idle[i]);
	if (!err)
		err = walk_list(&w, init + l->tasks, l->tasks, true, 0,
				"init_task.tasks list");
	free(w.seen.slot);
	*out = w.v;
	*n = w.nr;
	return err;
}

/* ---- CPUs ---------------------------------------------------------------- */

static struct gc_error *sym(struct gc_kernel *k, const char *name,
			    uint64_t *addr)
{
	struct gc_symbol s;
	struct gc_error *err = gc_kernel_symbol(k, name, &s);
	if (!err)
		*addr = s.addr;
	return err;
}

static struct gc_error *krd(struct gc_kernel *k, uint64_t va,
			    unsigned int size, uint64_t *out)
{
	struct gc_kmem m;
	gc_kernel_kmem(k, &m);
	return rd(&m, va, size, out);
}

/* Possible CPUs (below nr_cpu_ids when known) as a bitmap of NBITS. */
static struct gc_error *possible_cpus(struct gc_kernel *k, uint64_t *mask,
				      unsigned int nbits)
{
	uint64_t a, nr_ids = nbits;
	struct gc_error *err = sym(k, "__cpu_possible_mask", &a);
	if (err) {
		gc_error_free(err);
		err = sym(k, "cpu_possible_map", &a);
	}
	if (err)
		return gc_error_context(err, "possible CPUs");
	if ((err = gc_kernel_read(k, a, mask, nbits / 8)))
		return gc_error_context(err, "__cpu_possible_mask");
	uint64_t ids;
	struct gc_error *e = sym(k, "nr_cpu_ids", &ids);
	if (!e)
		e = krd(k, ids, 4, &nr_ids);
	gc_error_free(e);
	for (unsigned int c = 0; c < nbits; c++)
		if (c >= nr_ids)
			mask[c / 64] &= ~(1ull << (c % 64));
	return NULL;
}

/* CPU C's idle task: the runqueue's idle (runqueues per-CPU), else
 * idle_threads (smpboot). */
static struct gc_error *idle_task(struct gc_kernel *k,
				  const struct gc_task_layout *l,
				  unsigned int c, uint64_t *task)
{
	uint64_t pco, pc, rq, idle_off;
	struct gc_error *err = sym(k, "__per_cpu_offset", &pco);
	if (!err)
		err = krd(k, pco + 8ull * c, 8, &pc);
	if (err)
		return gc_error_context(err, "per-CPU offset of CPU %u", c);
	err = sym(k, "runqueues", &rq);
	if (!err)
		err = off(l, "rq", "idle", &idle_off);
	if (!err)
		err = krd(k, pc + rq + idle_off, 8, task);
	if (err) {
		uint64_t it;
		struct gc_error *e2 = sym(k, "idle_threads", &it);
		if (!e2)
			e2 = krd(k, pc + it, 8, task);
		if (e2) {
			gc_error_free(e2);
			return gc_error_context(err, "idle task of CPU %u", c);
		}
		gc_error_free(err);
	}
	if (!*task)
		return gc_error_new(GC_ERR_NOT_PRESENT, "idle task",
				    "CPU %u has none (never brought up)", c);
	return NULL;
}

/* Mark each CPU's current task (CUR[c], 0 unknown) active. */
static void mark_active(struct gc_task *v, size_t n, const uint64_t *cur,
			size_t nr_cur)
{
	for (size_t i = 0; i < n; i++) {
		struct gc_task *t = &v[i];
		for (size_t c = 0; c < nr_cur; c++) {
			if (!cur[c] || cur[c] != t->addr || t->active)
				continue;
			/* an idle task is active only for its own CPU */
			if (t->pid == 0 && t->cpu >= 0 &&
			    (size_t)t->cpu != c)
				continue;
			t->active = true;
			t->active_cpu = (int32_t)c;
			break;
		}
	}
}

struct gc_error *gc_kernel_tasks(struct gc_kernel *k, struct gc_task **out,
				 size_t *n)
{
	*out = NULL;
	*n = 0;
	struct gc_task_layout l;
	struct gc_error *err = get_layout(k, &l);
	if (err)
		return err;
	uint64_t init;
	if ((err = sym(k, "init_task", &init)))
		return gc_error_context(err, "task list");
	uint64_t mask[MAX_CPUS / 64] = { 0 };
	if ((err = possible_cpus(k, mask, MAX_CPUS))) {
		gc_error_free(err);
		mask[0] = 1;
	}
	uint64_t *idle = NULL, *cur = NULL, zero = 0;
	size_t nr_idle = 0, cap_idle = 0, nr_cur = 0, cap_cur = 0;
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		if (!(mask[c / 64] >> (c % 64) & 1))
			continue;
		uint64_t task = init;   /* CPU 0's idle task is init_task */
		if (c && (err = idle_task(k, &l, c, &task))) {
			if (gc_error_code(err) != GC_ERR_NOT_PRESENT)
				goto fail;
			gc_error_free(err);
			err = NULL;
			continue;
		}
		uint64_t cu;
		uint32_t pid;
		struct gc_error *e = gc_kernel_cpu_task(k, c, &cu, &pid);
		if (e)
			cu = 0;
		gc_error_free(e);
		while (nr_cur < c)
			if (!gc_vec_push(&cur, &nr_cur, &cap_cur, &zero))
				goto nomem;
		if (!gc_vec_push(&cur, &nr_cur, &cap_cur, &cu) ||
		    !gc_vec_push(&idle, &nr_idle, &cap_idle, &task))
			goto nomem;
	}
	struct gc_kmem m;
	gc_kernel_kmem(k, &m);
	err = gc_task_list_walk(&m, &l, idle, nr_idle, init, out, n);
	mark_active(*out, *n, cur, nr_cur);
	/* damage (a broken list, an unreadable task) keeps what was read;
	 * running out of memory does not */
	if (err == &gc_error_nomem) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	free(idle);
	free(cur);
	return err;
nomem:
	err = &gc_error_nomem;
fail:
	free(idle);
	free(cur);
	return err;
}

struct gc_error *gc_kernel_task_by_pid(struct gc_kernel *k, int32_t pid,
				       struct gc_task *out)
{
	struct gc_task *v;
	size_t n;
	struct gc_error *err = gc_kernel_tasks(k, &v, &n);
	for (size_t i = 0; i < n; i++) {
		if (v[i].pid == pid) {
			*out = v[i];
			free(v);
			gc_error_free(err);
			return NULL;
		}
	}
	free(v);
	if (err)
		return err;
	return gc_error_new(GC_ERR_NOT_PRESENT, "task", "no task has pid %"
			    PRId32, pid);
}

/* Linux >= 4.14 task state bits (include/linux/sched.h) */
enum {
	TS_INTERRUPTIBLE = 0x1, TS_UNINTERRUPTIBLE = 0x2, TS_STOPPED = 0x4,
	TS_TRACED = 0x8, TS_EXIT_DEAD = 0x10, TS_EXIT_ZOMBIE = 0x20,
	TS_PARKED = 0x40, TS_DEAD = 0x80, TS_WAKING = 0x200,
	TS_NOLOAD = 0x400, TS_NEW = 0x800,
};

const char *gc_task_state_name(const struct gc_task *t)
{
	uint64_t s = t->state;
	if (t->exit_state & TS_EXIT_ZOMBIE)
		return "ZO";
	if (t->exit_state & TS_EXIT_DEAD)
		return "DE";
	if (s == 0)
		return "RU";
	if (s & TS_INTERRUPTIBLE)
		return "IN";
	if (s & TS_UNINTERRUPTIBLE)
		return (s & TS_NOLOAD) ? "ID" : "UN";
	if (s & TS_STOPPED)
		return "ST";
	if (s & TS_TRACED)
		return "TR";
	if (s & TS_PARKED)
		return "PA";
	if (s & TS_DEAD)
		return "DE";
	if (s & TS_WAKING)
		return "WA";
	if (s & TS_NEW)
		return "NE";
	return "??";
}
