// SPDX-License-Identifier: MIT
/* The task list (gc_kernel_tasks, gc_task_list_walk) and gc_kernel_sys:
 * walks over hand-built memories (sound, cycle, broken prev, a task
 * outside memory, threads on both list kinds) and the real panic dump. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guestcore/guestcore.h"
#include "guestcore/kernel.h"
#include "kernel/kernel_internal.h"

#define BASE 0xffff888000000000ull
#define TS 0x200u
#define NT 8u

struct mem {
	uint8_t b[TS * NT];
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct mem *m = ctx;
	if (va < BASE || va - BASE > sizeof(m->b) ||
	    len > sizeof(m->b) - (va - BASE))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the test memory");
	memcpy(buf, m->b + (va - BASE), len);
	return NULL;
}

static void w64(struct mem *m, uint64_t off, uint64_t v)
{
	memcpy(m->b + off, &v, 8);
}

static void w32(struct mem *m, uint64_t off, uint32_t v)
{
	memcpy(m->b + off, &v, 4);
}

static uint64_t node(unsigned int i, uint64_t off)
{
	return BASE + i * TS + off;
}

static void layout(struct gc_task_layout *l, bool per_signal)
{
	memset(l, 0, sizeof(*l));
	l->tasks = 0x10; l->pid = 0x20; l->tgid = 0x24;
	l->state = 0x28; l->state_size = 4;
	l->exit_state = 0x2c; l->has_exit_state = true;
	l->stack = 0x30; l->has_stack = true;
	l->mm = 0x38; l->has_mm = true;
	l->comm = 0x40; l->cpu = 0x50; l->has_cpu = true;
	l->real_parent = 0x58; l->signal = 0x60;
	l->thread_link = 0x70; l->thread_head = 0x10;
	l->per_signal = per_signal;
	l->has_rss = true; l->rss_off = 0x80; l->rss_elem = 8;
	l->rss_idx[0] = 0; l->rss_idx[1] = 1; l->rss_idx[2] = 3;
	l->nr_rss = 3;
}

/*
 * Tasks 0..4 on init_task.tasks (0 is init_task), task 5 a second thread
 * of 4; task 6 is 4's signal_struct, task 7 its mm.  PER_SIGNAL: threads
 * on signal->thread_head (thread_node at 0x70), else on thread_group.
 */
static void build(struct mem *m, bool per_signal)
{
	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < 6; i++) {
		uint64_t a = i * TS;
		w32(m, a + 0x20, i);
		w32(m, a + 0x24, i == 5 ? 4 : i);
		w32(m, a + 0x28, i == 3 ? 0x402 : 1);
		w32(m, a + 0x50, i % 2);
		memcpy(m->b + a + 0x40, "task\x01", 5);
		m->b[a + 0x45] = (uint8_t)('0' + i);
		w64(m, a + 0x58, i == 0 ? BASE : i == 2 ? node(0, 0) : node(1, 0));
		if (i >= 4)
			w64(m, a + 0x38, node(7, 0));
	}
	unsigned int ring[] = { 0, 1, 2, 3, 4 };
	for (unsigned int k = 0; k < 5; k++) {
		w64(m, ring[k] * TS + 0x10, node(ring[(k + 1) % 5], 0x10));
		w64(m, ring[k] * TS + 0x18, node(ring[(k + 4) % 5], 0x10));
	}
	if (per_signal) {
		w64(m, 4 * TS + 0x60, node(6, 0));
		w64(m, 5 * TS + 0x60, node(6, 0));
		uint64_t head = node(6, 0x10);
		w64(m, 6 * TS + 0x10, node(4, 0x70));
		w64(m, 6 * TS + 0x18, node(5, 0x70));
		w64(m, 4 * TS + 0x70, node(5, 0x70));
		w64(m, 4 * TS + 0x78, head);
		w64(m, 5 * TS + 0x70, head);
		w64(m, 5 * TS + 0x78, node(4, 0x70));
	} else {
		/* thread_group: 4 <-> 5; 1..3 alone on their own */
		w64(m, 4 * TS + 0x70, node(5, 0x70));
		w64(m, 4 * TS + 0x78, node(5, 0x70));
		w64(m, 5 * TS + 0x70, node(4, 0x70));
		w64(m, 5 * TS + 0x78, node(4, 0x70));
		for (unsigned int i = 0; i < 4; i++) {
			w64(m, i * TS + 0x70, node(i, 0x70));
			w64(m, i * TS + 0x78, node(i, 0x70));
		}
	}
	w64(m, 7 * TS + 0x80, 10);
	w64(m, 7 * TS + 0x88, 20);
	w64(m, 7 * TS + 0x98, 3);
}

static struct gc_error *walk(struct mem *m, bool per_signal,
			     struct gc_task **v, size_t *n)
{
	struct gc_task_layout l;
	layout(&l, per_signal);
	struct gc_kmem km = { m, rd };
	uint64_t idle[1] = { BASE };
	return gc_task_list_walk(&km, &l, idle, 1, BASE, v, n);
}

static void sound(bool per_signal)
{
	struct mem *m = malloc(sizeof(*m));
	CHECK(m != NULL);
	build(m, per_signal);
	struct gc_task *v;
	size_t n;
	struct gc_error *err = walk(m, per_signal, &v, &n);
	if (err) {
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
		gc_error_free(err);
	}
	CHECK_EQ_U64(n, 6);          /* idle, 1, 2, 3, 4, 4's thread 5 */
	if (n == 6) {
		int32_t want[6] = { 0, 1, 2, 3, 4, 5 };
		for (unsigned int i = 0; i < 6; i++)
			CHECK_EQ_U64((uint64_t)v[i].pid, (uint64_t)want[i]);
		CHECK_EQ_U64((uint64_t)v[5].tgid, 4);
		CHECK_EQ_U64((uint64_t)v[2].ppid, 0);
		CHECK_EQ_U64((uint64_t)v[3].ppid, 1);
		CHECK_STR(v[1].comm, "task\x01" "1");
		CHECK_STR(gc_task_state_name(&v[1]), "IN");
		CHECK_STR(gc_task_state_name(&v[3]), "ID");
		CHECK_EQ_U64(v[4].rss_pages, 33);  /* 10 + 20 + 3 */
		CHECK_EQ_U64(v[1].rss_pages, UINT64_MAX);
		CHECK_EQ_U64(v[4].mm, node(7, 0));
		CHECK_EQ_U64((uint64_t)v[5].cpu, 1);
		CHECK(!v[0].active && v[0].active_cpu == -1);
	}
	free(v);
	free(m);
}

TEST(tasks_sound_signal_list) { sound(true); }
TEST(tasks_sound_thread_group) { sound(false); }

/* DAMAGE applied to a sound memory; the walk must fail naming WHAT at
 * ADDR with N tasks kept. */
static void damaged(void (*damage)(struct mem *), const char *what,
		    uint64_t addr, size_t want_n)
{
	struct mem *m = malloc(sizeof(*m));
	CHECK(m != NULL);
	build(m, true);
	damage(m);
	struct gc_task *v;
	size_t n;
	struct gc_error *err = walk(m, true, &v, &n);
	CHECK(err != NULL);
	if (err) {
		uint64_t a = 0;
		enum gc_space sp;
		CHECK(gc_error_address(err, &a, &sp));
		CHECK_EQ_U64(a, addr);
		CHECK_CONTAINS(gc_error_string(err), what);
		gc_error_free(err);
	}
	CHECK_EQ_U64(n, want_n);
	free(v);
	free(m);
}

static void cycle(struct mem *m) { w64(m, 3 * TS + 0x10, node(2, 0x10)); }
static void self_loop(struct mem *m) { w64(m, 2 * TS + 0x10, node(2, 0x10)); }
static void broken_prev(struct mem *m) { w64(m, 1 * TS + 0x10, node(3, 0x10)); }
static void outside(struct mem *m) { w64(m, 2 * TS + 0x10, BASE + 0x100000); }
static void thread_cycle(struct mem *m) { w64(m, 5 * TS + 0x70, node(4, 0x70)); }

TEST(tasks_cycle)
{
	damaged(cycle, "cycle", node(2, 0x10), 4);   /* idle, 1, 2, 3 */
}
TEST(tasks_self_loop)
{
	/* 2's next is itself: reached twice right after it was read */
	damaged(self_loop, "cycle", node(2, 0x10), 3);
}
TEST(tasks_broken_prev)
{
	damaged(broken_prev, "not the node before it", node(3, 0x10), 2);
}
TEST(tasks_node_outside_memory)
{
	damaged(outside, "outside the test memory", BASE + 0x100000 + 8, 3);
}
TEST(tasks_thread_list_cycle)
{
	/* 4, its thread 5, then 5's next is 4 again */
	damaged(thread_cycle, "cycle", node(4, 0x70), 6);
}

TEST(task_state_names)
{
	struct gc_task t;
	memset(&t, 0, sizeof(t));
	CHECK_STR(gc_task_state_name(&t), "RU");
	t.state = 2;
	CHECK_STR(gc_task_state_name(&t), "UN");
	t.state = 0x402;
	CHECK_STR(gc_task_state_name(&t), "ID");
	t.state = 4;
	CHECK_STR(gc_task_state_name(&t), "ST");
	t.state = 8;
	CHECK_STR(gc_task_state_name(&t), "TR");
	t.state = 0x80;
	t.exit_state = 0x20;
	CHECK_STR(gc_task_state_name(&t), "ZO");
	t.exit_state = 0x10;
	CHECK_STR(gc_task_state_name(&t), "DE");
	t.exit_state = 0;
	t.state = 0x40;
	CHECK_STR(gc_task_state_name(&t), "PA");
	t.state = 0x800;
	CHECK_STR(gc_task_state_name(&t), "NE");
	t.state = 0x10000;
	CHECK_STR(gc_task_state_name(&t), "??");
}

/* ---- the real panic dump (crash's bt -a and sys, drgn's task list) ---- */

TEST(tasks_real_panic_dump)
{
	const char *path = gc_test_real_dump(
		"qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf");
	if (!path) {
		gc_test_skip("real dump absent (GC_DUMP_CACHE)");
		return;
	}
	struct gc_dump *d;
	struct gc_kernel *k;
	CHECK_OK(gc_dump_open(path, NULL, &d));
	struct gc_error *err = gc_kernel_open(d, NULL, &k);
	if (err) {
		gc_dump_close(d);
		CHECK_OK(err);
	}
	struct gc_task *v;
	size_t n;
	err = gc_kernel_tasks(k, &v, &n);
	CHECK(err == NULL);
	gc_error_free(err);
	CHECK_EQ_U64(n, 54);          /* drgn's 52 + swapper/0, swapper/1 */
	size_t active = 0;
	for (size_t i = 0; i < n; i++)
		active += v[i].active;
	CHECK_EQ_U64(active, 2);
	free(v);
	struct gc_task t;
	err = gc_kernel_task_by_pid(k, 1, &t);
	CHECK(err == NULL);
	gc_error_free(err);
	CHECK_STR(t.comm, "init");
	CHECK_EQ_U64(t.addr, 0xffff8dfa449fa100ull);   /* crash's bt -a */
	CHECK(t.active && t.active_cpu == 0 && t.cpu == 0);
	CHECK(t.mm != 0 && t.rss_pages != UINT64_MAX && t.rss_pages > 0);
	err = gc_kernel_task_by_pid(k, 99999, &t);
	CHECK(err && gc_error_code(err) == GC_ERR_NOT_PRESENT);
	gc_error_free(err);
	struct gc_kernel_sys s;
	err = gc_kernel_sys(k, &s);
	CHECK(err == NULL);
	gc_error_free(err);
	CHECK_EQ_U64(s.cpus, 2);
	CHECK_EQ_U64(s.cpus_online, 1);   /* crash: 2 [OFFLINE: 1] */
	CHECK_EQ_U64(s.hz, 250);
	CHECK_EQ_U64(s.uptime_ns / 1000000000ull, 7);   /* crash: 00:00:07 */
	CHECK(s.has_time && s.time_sec == 1795433186);  /* Mon Nov 23 11:26:26 UTC 2026 */
	CHECK_EQ_U64(s.cpu_khz / 1000, 2096);
	CHECK(s.has_panic_cpu && s.panic_cpu == 0 && s.panic_pid == 1);
	CHECK_EQ_U64(s.panic_task, 0xffff8dfa449fa100ull);
	CHECK(s.has_memory);
	/* crash: MEMORY 127.5 MB */
	CHECK(s.memory_pages * 4096 >= (uint64_t)(127.45 * 1048576) &&
	      s.memory_pages * 4096 < (uint64_t)(127.55 * 1048576));
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST_MAIN()
