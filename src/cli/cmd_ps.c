// SPDX-License-Identifier: MIT
/*
 * guestcore ps: the kernel's tasks as crash's `ps` lists them (PID, PPID,
 * CPU, TASK, ST, %MEM, COMM; '>' marks each CPU's active task, kernel
 * threads' names in brackets), from gc_kernel_tasks: layouts from the
 * kernel's own BTF, no debug vmlinux needed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt options[] = {
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_FLAG_OPT("kernel", 'k', "kernel threads only (no mm)"),
	CLI_FLAG_OPT("user", 'u', "user tasks only (with an mm)"),
	CLI_FLAG_OPT("group", 'G', "thread group leaders only (pid == tgid), as crash's ps -G"),
	CLI_FLAG_OPT("parents", 'p', "for each task shown, its parents up to pid 0 (crash's ps -p)"),
	CLI_OPT_END,
};

static int by_pid(const void *a, const void *b)
{
	const struct gc_task *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool kthread(const struct gc_task *t)
{
	return t->mm == 0;
}

static void print_row(const struct gc_task *t, uint64_t totalram)
{
	char comm[80], mem[16];
	cli_escape(t->comm, comm, sizeof(comm));
	if (t->rss_pages != UINT64_MAX && totalram)
		snprintf(mem, sizeof(mem), "%5.1f",
			 (double)t->rss_pages * 100.0 / (double)totalram);
	else if (kthread(t))
		snprintf(mem, sizeof(mem), "%5.1f", 0.0);
	else
		snprintf(mem, sizeof(mem), "%5s", "-");
	printf("%c %7" PRId32 " %7" PRId32 " %3" PRId32 "  %016" PRIx64
	       "  %-2s %s  %s%s%s\n", t->active ? '>' : ' ', t->pid, t->ppid,
	       t->cpu, t->addr, gc_task_state_name(t), mem,
	       kthread(t) ? "[" : "", comm, kthread(t) ? "]" : "");
}

static void json_task(struct gc_json *j, const struct gc_task *t)
{
	char comm[80];
	cli_escape(t->comm, comm, sizeof(comm));
	gc_json_object_begin(j);
	gc_json_key(j, "pid");
	gc_json_i64(j, t->pid);
	gc_json_key(j, "ppid");
	gc_json_i64(j, t->ppid);
	gc_json_key(j, "tgid");
	gc_json_i64(j, t->tgid);
	gc_json_key(j, "cpu");
	gc_json_i64(j, t->cpu);
	gc_json_key(j, "task");
	gc_json_hex(j, t->addr);
	gc_json_key(j, "state");
	gc_json_string(j, gc_task_state_name(t));
	gc_json_key(j, "state_raw");
	gc_json_u64(j, t->state);
	gc_json_key(j, "exit_state");
	gc_json_u64(j, t->exit_state);
	gc_json_key(j, "stack");
	gc_json_hex(j, t->stack);
	gc_json_key(j, "mm");
	gc_json_hex(j, t->mm);
	gc_json_key(j, "rss_pages");
	if (t->rss_pages == UINT64_MAX)
		gc_json_null(j);
	else
		gc_json_u64(j, t->rss_pages);
	gc_json_key(j, "comm");
	gc_json_string(j, comm);
	gc_json_key(j, "kernel_thread");
	gc_json_bool(j, kthread(t));
	gc_json_key(j, "active");
	gc_json_bool(j, t->active);
	gc_json_key(j, "active_cpu");
	gc_json_i64(j, t->active_cpu);
	gc_json_object_end(j);
}

static const struct gc_task *find_addr(const struct gc_task *v, size_t n,
				       int32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			return &v[i];
	return NULL;
}

/* crash's ps -p: the chain from pid 0 down to T, indented. */
static void print_parents(const struct gc_task *v, size_t n,
			  const struct gc_task *t)
{
	const struct gc_task *chain[64];
	size_t nc = 0;
	for (const struct gc_task *p = t; p && nc < 64;) {
		chain[nc++] = p;
		if (p->pid == 0)
			break;
		p = find_addr(v, n, p->ppid);
	}
	for (size_t i = nc; i-- > 0;) {
		char comm[80];
		cli_escape(chain[i]->comm, comm, sizeof(comm));
		printf("%*sPID: %-5" PRId32 " TASK: %016" PRIx64 "  CPU: %-3"
		       PRId32 " COMMAND: \"%s\"\n", (int)(nc - 1 - i), "",
		       chain[i]->pid, chain[i]->addr, chain[i]->cpu, comm);
	}
	printf("\n");
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool konly = cli_take_flag(&argc, argv, "--kernel");
	bool uonly = cli_take_flag(&argc, argv, "--user");
	bool group = cli_take_flag(&argc, argv, "--group");
	bool parents = cli_take_flag(&argc, argv, "--parents");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc < 2)
		return cli_usage(&cmd_ps);
	/* operands after DUMP: pids to show */
	int32_t *want = NULL;
	size_t nwant = (size_t)argc - 2;
	if (nwant) {
		want = calloc(nwant, sizeof(*want));
		if (!want)
			return cli_fail("out of memory");
		for (size_t i = 0; i < nwant; i++) {
			uint64_t v;
			if (!cli_parse_count(argv[2 + i], &v) || v > INT32_MAX) {
				free(want);
				return cli_fail("%s: not a pid", argv[2 + i]);
			}
			want[i] = (int32_t)v;
		}
	}
	struct gc_dump *d = cli_open(argv[1]);
	if (!d) {
		free(want);
		return EXIT_ERROR;
	}
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		free(want);
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	struct gc_task *v;
	size_t n;
	struct gc_error *err = gc_kernel_tasks(k, &v, &n);
	int rc = EXIT_OK;
	if (err && !n) {
		rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
		goto out;
	}
	struct gc_kernel_sys sys;
	struct gc_error *e2 = gc_kernel_sys(k, &sys);
	if (e2) {
		gc_error_free(e2);
		sys.totalram_pages = 0;
	}
	qsort(v, n, sizeof(*v), by_pid);
	size_t shown = 0, found = 0;
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "tasks");
		gc_json_array_begin(&j);
	} else if (!parents) {
		printf("      PID    PPID  CPU        TASK         ST  %%MEM  COMM\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct gc_task *t = &v[i];
		if ((konly && !kthread(t)) || (uonly && kthread(t)) ||
		    (group && t->pid != t->tgid))
			continue;
		if (nwant) {
			bool hit = false;
			for (size_t w = 0; w < nwant; w++)
				hit |= want[w] == t->pid;
			if (!hit)
				continue;
			found++;
		}
		shown++;
		if (json)
			json_task(&j, t);
		else if (parents)
			print_parents(v, n, t);
		else
			print_row(t, sys.totalram_pages);
	}
	if (json) {
		gc_json_array_end(&j);
		gc_json_key(&j, "nr_tasks");
		gc_json_u64(&j, n);
		gc_json_key(&j, "shown");
		gc_json_u64(&j, shown);
		gc_json_key(&j, "totalram_pages");
		gc_json_u64(&j, sys.totalram_pages);
		gc_json_key(&j, "complete");
		gc_json_bool(&j, err == NULL);
		gc_json_key(&j, "error");
		if (err)
			gc_json_string(&j, gc_error_string(
				gc_error_set_file(err, gc_dump_path(d))));
		else
			gc_json_null(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	if (err) {
		fprintf(stderr, "guestcore: the task list is incomplete (%zu "
			"tasks read): %s\n", n,
			gc_error_string(gc_error_set_file(err, gc_dump_path(d))));
		gc_error_free(err);
		rc = EXIT_PROBLEMS;
	} else if (nwant && found < nwant) {
		fprintf(stderr, "guestcore: %zu of the %zu pids asked for have "
			"no task\n", nwant - found, nwant);
		rc = EXIT_PROBLEMS;
	}
out:
	free(v);
	free(want);
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_ps = {
	.name = "ps",
	.run = run,
	.summary = "the kernel's tasks as crash's ps lists them (from the kernel's BTF; '>' marks each CPU's active task)",
	.usage = "ps DUMP [PID...] [--json] [-k|-u] [-G] [-p]",
	.opts = options,
	.kernel = true,
};
