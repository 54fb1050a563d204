// SPDX-License-Identifier: MIT
/*
 * guestcore bt: kernel stack traces without debuginfo (ORC from the dump's
 * memory, frame pointers as the fallback), printed as crash's bt prints
 * them.  An active task starts from its vCPU's registers; a sleeping task
 * (TASKADDR) from its saved context.  --tasks walks every task (crash's
 * foreach bt), --state keeps those in some states (foreach UN bt).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "guestcore/svm.h"

struct bt {
	struct gc_kernel *k;
	struct gc_dump *d;
	const struct gc_types *t;
	struct gc_json *j;
	bool problems;
	/* which vCPUs' registers are a KVM guest's (asked once, lazily) */
	bool in_guest_asked;
	char **in_guest;
	unsigned int nin;
};

/* A KVM host's CPU stopped inside a guest holds the guest's registers:
 * the line that says so, NULL for the host's own (or unknown). */
static const char *cpu_in_guest(struct bt *b, unsigned int cpu)
{
	if (!b->in_guest_asked) {
		b->in_guest_asked = true;
		struct gc_error *err = gc_host_cpus_in_guest(b->d, b->k, false,
							     &b->in_guest,
							     &b->nin);
		gc_error_free(err);
	}
	return cpu < b->nin ? b->in_guest[cpu] : NULL;
}

/* bt PID: the task through the kernel's task list (ps's). */
static struct gc_error *task_by_pid(struct gc_kernel *k, int32_t pid,
				    uint64_t *task)
{
	struct gc_task t;
	struct gc_error *err = gc_kernel_task_by_pid(k, pid, &t);
	if (!err)
		*task = t.addr;
	return err;
}

static void task_ident(struct bt *b, uint64_t task, int32_t *pid, char *comm,
		       size_t len, int32_t *cpu)
{
	uint64_t o;
	const char *src;
	*pid = -1;
	snprintf(comm, len, "?");
	if (!b->t || !task)
		return;
	/* the CPU a sleeping task last ran on (thread_info.cpu, or cpu
	 * before 5.16), as crash's header shows it */
	if (*cpu < 0) {
		uint32_t c;
		struct gc_error *e = gc_types_offsetof(b->t, "task_struct",
						       "thread_info.cpu", &o,
						       &src);
		if (e) {
			gc_error_free(e);
			e = gc_types_offsetof(b->t, "task_struct", "cpu", &o,
					      &src);
		}
		if (!e)
			e = gc_kernel_read(b->k, task + o, &c, sizeof(c));
		if (!e && c < 8192)
			*cpu = (int32_t)c;
		gc_error_free(e);
	}
	struct gc_error *err = gc_types_offsetof(b->t, "task_struct", "pid", &o,
						 &src);
	int32_t p;
	if (!err)
		err = gc_kernel_read(b->k, task + o, &p, sizeof(p));
	if (!err)
		*pid = p;
	gc_error_free(err);
	char c[16];
	err = gc_types_offsetof(b->t, "task_struct", "comm", &o, &src);
	if (!err)
		err = gc_kernel_read(b->k, task + o, c, sizeof(c));
	if (!err) {
		char raw[sizeof(c) + 1];
		memcpy(raw, c, sizeof(c));
		raw[sizeof(c)] = '\0';
		cli_escape(raw, comm, len);
	}
	gc_error_free(err);
}

/* The function of F: for a return address, the function of the call
 * before it (pc - 1: a call can be a function's last instruction, as
 * startup_xen's call of xen_start_kernel is); "(no symbol)" otherwise. */
static void func_name(struct bt *b, const struct gc_stack_frame *f,
		      char *name, size_t len, uint64_t *offset, bool *have)
{
	struct gc_symbol s;
	*have = false;
	*offset = 0;
	/* module text resolves through the module's own kallsyms */
	struct gc_error *err = gc_kernel_symbol_at(b->k, f->exception ? f->pc :
						   f->pc - 1, &s);
	if (err) {
		gc_error_free(err);
		snprintf(name, len, "(no symbol)");
		return;
	}
	*have = true;
	*offset = f->pc - s.addr;
	snprintf(name, len, "%s", s.name);
}

static void print_regs(const struct gc_stack_frame *f, bool orig)
{
	const struct gc_pt_regs *r = &f->regs;
	printf("    RIP: %016" PRIx64 "  RSP: %016" PRIx64 "  RFLAGS: %08"
	       PRIx64 "\n", r->ip, r->sp, r->flags);
	if (!f->partial) {
		printf("    RAX: %016" PRIx64 "  RBX: %016" PRIx64 "  RCX: %016"
		       PRIx64 "\n", r->ax, r->bx, r->cx);
		printf("    RDX: %016" PRIx64 "  RSI: %016" PRIx64 "  RDI: %016"
		       PRIx64 "\n", r->dx, r->si, r->di);
		printf("    RBP: %016" PRIx64 "   R8: %016" PRIx64 "   R9: %016"
		       PRIx64 "\n", r->bp, r->r8, r->r9);
		printf("    R10: %016" PRIx64 "  R11: %016" PRIx64 "  R12: %016"
		       PRIx64 "\n", r->r10, r->r11, r->r12);
		printf("    R13: %016" PRIx64 "  R14: %016" PRIx64 "  R15: %016"
		       PRIx64 "\n", r->r13, r->r14, r->r15);
	}
	if (orig && !f->partial)
		printf("    ORIG_RAX: %016" PRIx64 "  CS: %04" PRIx64 "  SS: %04"
		       PRIx64 "\n", r->orig_ax, r->cs, r->ss);
	else
		printf("    CS: %04" PRIx64 "  SS: %04" PRIx64 "\n", r->cs,
		       r->ss);
}

static void json_regs(struct gc_json *j, const struct gc_stack_frame *f)
{
	const struct gc_pt_regs *r = &f->regs;
	static const char *const names[] = {
		"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
		"r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip",
		"cs", "rflags", "rsp", "ss"};
	const uint64_t *v = &r->r15;
	gc_json_key(j, "regs");
	gc_json_object_begin(j);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		/* the iret part only: ip, cs, flags, sp, ss */
		if (f->partial && i < 16)
			continue;
		gc_json_key(j, names[i]);
		gc_json_hex(j, v[i]);
	}
	gc_json_object_end(j);
}

static void print_trace(struct bt *b, const struct gc_stack_trace *tr,
			const char *guest)
{
	int32_t pid, cpu_n = tr->cpu;
	char comm[80];
	task_ident(b, tr->task, &pid, comm, sizeof(comm), &cpu_n);
	if (b->j) {
		gc_json_object_begin(b->j);
		if (cpu_n >= 0) {
			gc_json_key(b->j, "cpu");
			gc_json_u64(b->j, (uint64_t)cpu_n);
		}
		gc_json_key(b->j, "active");
		gc_json_bool(b->j, tr->cpu >= 0);
		gc_json_key(b->j, "task");
		gc_json_hex(b->j, tr->task);
		if (pid >= 0) {
			gc_json_key(b->j, "pid");
			gc_json_u64(b->j, (uint64_t)pid);
		}
		gc_json_key(b->j, "comm");
		gc_json_string(b->j, comm);
		gc_json_key(b->j, "frames");
		gc_json_array_begin(b->j);
	} else {
		char cpu[16];
		if (cpu_n >= 0)
			snprintf(cpu, sizeof(cpu), "%" PRId32, cpu_n);
		else
			snprintf(cpu, sizeof(cpu), "-");
		printf("PID: %-7" PRId32 "  TASK: %016" PRIx64 "  CPU: %-3s  "
		       "COMMAND: \"%s\"\n", pid, tr->task, cpu, comm);
	}
	int n = 0;
	for (size_t i = 0; i < tr->nr; i++) {
		const struct gc_stack_frame *f = &tr->frames[i];
		char name[160];
		uint64_t off;
		bool have;
		func_name(b, f, name, sizeof(name), &off, &have);
		if (b->j) {
			gc_json_object_begin(b->j);
			if (!f->exception) {
				gc_json_key(b->j, "level");
				gc_json_u64(b->j, (uint64_t)n++);
			}
			gc_json_key(b->j, "kind");
			gc_json_string(b->j, f->exception ? (f->user ?
					"user registers" : "exception") :
					"call");
			gc_json_key(b->j, "sp");
			gc_json_hex(b->j, f->sp);
			gc_json_key(b->j, "pc");
			gc_json_hex(b->j, f->pc);
			gc_json_key(b->j, "function");
			if (have)
				gc_json_string(b->j, name);
			else
				gc_json_null(b->j);
			if (have) {
				gc_json_key(b->j, "offset");
				gc_json_u64(b->j, off);
			}
			if (f->module[0]) {
				gc_json_key(b->j, "module");
				gc_json_string(b->j, f->module);
			}
			gc_json_key(b->j, "stack");
			gc_json_string(b->j, f->stack_name[0] ? f->stack_name :
				       "unknown");
			gc_json_key(b->j, "how");
			gc_json_string(b->j, f->how ? f->how : "?");
			if (f->exception) {
				if (f->regs_addr) {
					gc_json_key(b->j, "regs_address");
					gc_json_hex(b->j, f->regs_addr);
				}
				gc_json_key(b->j, "partial_regs");
				gc_json_bool(b->j, f->partial);
				json_regs(b->j, f);
			}
			gc_json_object_end(b->j);
			continue;
		}
		if (i && f->stack != tr->frames[i - 1].stack &&
		    tr->frames[i - 1].stack != GC_STACK_TASK &&
		    tr->frames[i - 1].stack != GC_STACK_UNKNOWN)
			printf("--- <%s stack> ---\n",
			       tr->frames[i - 1].stack_name);
		char mod[80] = "";
		if (f->module[0])
			snprintf(mod, sizeof(mod), " [%s]", f->module);
		if (f->exception) {
			if (!f->user) {
				if (have)
					printf("    [exception RIP: %s+%" PRIu64
					       "%s]\n", name, off, mod);
				else
					printf("    [exception RIP: %s%s]\n",
					       name, mod);
			}
			print_regs(f, f->regs_addr != 0);
			continue;
		}
		char num[16];
		snprintf(num, sizeof(num), "#%d", n++);
		if (have)
			printf("%3s [%016" PRIx64 "] %s+%" PRIu64 "%s at %016"
			       PRIx64 "%s\n", num, f->sp, name, off, mod, f->pc,
			       strcmp(f->how, "frame pointer") ? "" :
			       " (frame pointer)");
		else
			printf("%3s [%016" PRIx64 "] %s%s at %016" PRIx64 "\n",
			       num, f->sp, name, mod, f->pc);
	}
	if (tr->stop != GC_STACK_STOP_END)
		b->problems = true;
	if (b->j) {
		gc_json_array_end(b->j);
		gc_json_key(b->j, "stop");
		gc_json_string(b->j, gc_stack_stop_name(tr->stop));
		gc_json_key(b->j, "stop_reason");
		gc_json_string(b->j, tr->stop_why);
		gc_json_key(b->j, "orc_layout");
		gc_json_string(b->j, tr->orc_layout);
		if (guest) {
			gc_json_key(b->j, "in_guest");
			gc_json_string(b->j, guest);
		}
		gc_json_object_end(b->j);
	} else if (tr->stop != GC_STACK_STOP_END) {
		printf("    (stack walk stopped: %s: %s)\n",
		       gc_stack_stop_name(tr->stop), tr->stop_why);
		if (guest)
			printf("    (%s)\n", guest);
	}
}

static int bt_cpu(struct bt *b, unsigned int cpu, bool first)
{
	struct gc_stack_trace *tr;
	struct gc_error *err = gc_kernel_stack_vcpu(b->k, cpu, &tr);
	if (err) {
		cli_error(gc_error_set_file(err, gc_dump_path(b->d)));
		b->problems = true;
		return EXIT_PROBLEMS;
	}
	if (!first && !b->j)
		printf("\n");
	/* the vCPU's own registers are not kernel text: perhaps they are
	 * a KVM guest's, the host task being inside VMRUN/VMLAUNCH */
	const char *guest = NULL;
	if (tr->stop == GC_STACK_STOP_NOT_TEXT && tr->nr <= 1)
		guest = cpu_in_guest(b, cpu);
	print_trace(b, tr, guest);
	gc_stack_trace_free(tr);
	return EXIT_OK;
}

static int bt_task(struct bt *b, uint64_t task, bool first)
{
	unsigned int cpu;
	if (gc_kernel_task_active_cpu(b->k, task, &cpu))
		return bt_cpu(b, cpu, first);
	struct gc_stack_trace *tr;
	struct gc_error *err = gc_kernel_stack_task(b->k, task, &tr);
	if (err)
		return cli_error(gc_error_set_file(err, gc_dump_path(b->d)));
	if (!first && !b->j)
		printf("\n");
	print_trace(b, tr, NULL);
	gc_stack_trace_free(tr);
	return EXIT_OK;
}

/* STATES: crash's state names, comma-separated ("UN", "RU,UN"). */
static bool state_wanted(const char *states, const char *st)
{
	if (!states)
		return true;
	size_t l = strlen(st);
	for (const char *p = states; *p;) {
		size_t n = strcspn(p, ",");
		if (n == l && !strncasecmp(p, st, l))
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

static bool states_valid(const char *states)
{
	static const char *const known[] = {"RU", "IN", "UN", "ST", "TR", "ZO",
					    "DE", "SW", "WA", "PA", "ID", "NE"};
	for (const char *p = states; *p;) {
		size_t n = strcspn(p, ",");
		bool ok = false;
		for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
			ok |= n == 2 && !strncasecmp(p, known[i], 2);
		if (!ok)
			return false;
		p += n + (p[n] == ',');
	}
	return *states != '\0';
}

/*
 * Every task, in ps's order (crash's foreach bt), or those in STATES.  A
 * task whose stack cannot be walked is said and the others go on (exit 1);
 * a damaged task list is walked as far as it was read, and said.
 */
static int bt_tasks(struct bt *b, const char *states, size_t *shown)
{
	struct gc_task *v;
	size_t n;
	struct gc_error *err = gc_kernel_tasks(b->k, &v, &n);
	if (err && !n)
		return cli_error(gc_error_set_file(err, gc_dump_path(b->d)));
	int rc = EXIT_OK;
	*shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!state_wanted(states, gc_task_state_name(&v[i])))
			continue;
		int r = bt_task(b, v[i].addr, *shown == 0);
		(*shown)++;
		if (r > rc)
			rc = r;
	}
	free(v);
	if (err) {
		fprintf(stderr, "guestcore: the task list is incomplete (%zu "
			"tasks read): %s\n", n,
			gc_error_string(gc_error_set_file(err,
							  gc_dump_path(b->d))));
		gc_error_free(err);
		b->problems = true;
	}
	return rc;
}

/* crash's bt without arguments: the panicking CPU (panic_cpu), else
 * every vCPU. */
static bool panic_cpu(struct gc_kernel *k, unsigned int nr, unsigned int *cpu)
{
	struct gc_symbol s;
	int32_t v;
	struct gc_error *err = gc_kernel_symbol(k, "panic_cpu", &s);
	if (!err)
		err = gc_kernel_read(k, s.addr, &v, sizeof(v));
	if (err) {
		gc_error_free(err);
		return false;
	}
	if (v < 0 || (unsigned int)v >= nr)
		return false;
	*cpu = (unsigned int)v;
	return true;
}

static int run(int argc, char **argv)
{
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	bool json = cli_take_flag(&argc, argv, "--json");
	bool all = cli_take_flag(&argc, argv, "--all");
	bool tasks = cli_take_flag(&argc, argv, "--tasks");
	const char *cpu_arg = NULL, *target = NULL, *path = NULL, *states = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu_arg = argv[++i];
		else if (!strcmp(argv[i], "--state") && i + 1 < argc)
			states = argv[++i];
		else if (!path)
			path = argv[i];
		else if (!target)
			target = argv[i];
		else
			return cli_usage(&cmd_bt);
	}
	if (!path || (!!all + !!cpu_arg + !!target + tasks) > 1)
		return cli_usage(&cmd_bt);
	if (states && !tasks)
		return cli_fail("bt: --state goes with --tasks");
	if (states && !states_valid(states))
		return cli_fail("bt: --state takes crash's state names, "
				"comma-separated (RU, IN, UN, ST, TR, ZO, DE, "
				"SW, WA, PA, ID, NE), not '%s'", states);
	uint64_t cpu_n = 0, task = 0;
	int32_t pid = -1;
	if (cpu_arg && !cli_parse_count(cpu_arg, &cpu_n))
		return cli_fail("bt: --cpu takes a vCPU number, not '%s'",
				cpu_arg);
	if (target) {
		/* crash's rule: a hex address (0x.. or a long hex word) is a
		 * task_struct, a decimal number a pid */
		char *end;
		errno = 0;
		long v = strtol(target, &end, 10);
		if (strncmp(target, "0x", 2) && !*end && !errno && v >= 0 &&
		    v <= INT32_MAX && strlen(target) < 9)
			pid = (int32_t)v;
		else if (!cli_parse_hex(target, &task))
			return cli_fail("bt: '%s' is neither a pid nor a "
					"task_struct address", target);
	}
	struct gc_dump *d = cli_open(path);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	struct bt b = {.k = k, .d = d};
	struct gc_error *err = gc_kernel_types(k, &b.t);
	if (err) {
		gc_error_free(err);
		b.t = NULL;
	}
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "traces");
		gc_json_array_begin(&j);
		b.j = &j;
	}
	int rc = EXIT_OK;
	unsigned int nr = gc_dump_nr_vcpus(d);
	unsigned int pc;
	size_t shown = 0;
	if (tasks) {
		rc = bt_tasks(&b, states, &shown);
	} else if (pid >= 0) {
		err = task_by_pid(k, pid, &task);
		if (err)  /* no such pid: not found, exit 1 */
			rc = cli_lookup_error(gc_error_set_file(err,
							       gc_dump_path(d)));
		else
			rc = bt_task(&b, task, true);
	} else if (target) {
		rc = bt_task(&b, task, true);
	} else if (cpu_arg) {
		if (cpu_n >= nr)
			rc = cli_fail("bt: --cpu %" PRIu64 ": the dump has %u "
				      "vCPUs", cpu_n, nr);
		else
			rc = bt_cpu(&b, (unsigned int)cpu_n, true);
	} else if (!all && panic_cpu(k, nr, &pc)) {
		rc = bt_cpu(&b, pc, true);
	} else {
		if (!nr)
			rc = cli_fail("bt: no vCPU registers in this dump");
		for (unsigned int i = 0; i < nr; i++) {
			int r = bt_cpu(&b, i, i == 0);
			if (r > rc)
				rc = r;
		}
	}
	if (json) {
		gc_json_array_end(&j);
		if (tasks) {
			gc_json_key(&j, "shown");
			gc_json_u64(&j, shown);
		}
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	if (tasks && !json && rc != EXIT_ERROR)
		fprintf(stderr, "%zu task%s%s%s\n", shown, shown == 1 ? "" : "s",
			states ? " in state " : "", states ? states : "");
	if (rc == EXIT_OK && b.problems)
		rc = EXIT_PROBLEMS;
	gc_host_cpus_in_guest_free(b.in_guest, b.nin);
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "all", .short_name = 'a', .arg = CLI_FLAG, .canon = "--all",
	  .help = "every vCPU's active task" },
	CLI_VALUE_OPT("cpu", 0, "N", "the active task of vCPU N"),
	CLI_FLAG_OPT("tasks", 0, "every task, in ps's order (crash's foreach bt)"),
	CLI_VALUE_OPT("state", 0, "ST[,ST]", "with --tasks: only tasks in these "
		      "states, crash's names (UN: uninterruptible, RU, IN, ...)"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_bt = {
	.name = "bt",
	.run = run,
	.summary = "kernel stack traces without debuginfo (ORC from the dump, "
		   "frame pointers as the fallback), like crash's bt",
	.usage = "bt DUMP [-a | --cpu N | TASKADDR | PID | --tasks [--state ST]] "
		 "[--json] "
		 "[--vmcoreinfo FILE] [--system-map FILE] [--vmlinux FILE] "
		 "[--kallsyms auto|vmcoreinfo|search]",
	.opts = options,
	.kernel = true,
};
