// SPDX-License-Identifier: MIT
/*
 * guestcore sys: crash's `sys` summary (KERNEL, DUMPFILE, CPUS, DATE,
 * UPTIME, LOAD AVERAGE, TASKS, NODENAME, RELEASE, VERSION, MACHINE,
 * MEMORY, PANIC) from the kernel's facts, gc_kernel_sys and the task
 * list, then where the date and uptime came from and the panicking task.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char *fact(struct gc_kernel *k, const char *name)
{
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(k, name);
	return f ? f->value : NULL;
}

/* crash's pages_to_size: "127.5 MB", "2 GB" (".0" dropped). */
static void size_text(uint64_t bytes, char *buf, size_t len)
{
	double b = (double)bytes;
	if (b >= 1024.0 * 1024 * 1024)
		snprintf(buf, len, "%.1f GB", b / (1024.0 * 1024 * 1024));
	else if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MB", b / (1024.0 * 1024));
	else
		snprintf(buf, len, "%" PRIu64 " KB", bytes / 1024);
	char *p = strstr(buf, ".0 ");
	if (p)
		memmove(p, p + 2, strlen(p + 2) + 1);
}

static void uptime_text(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000ull;
	uint64_t days = s / 86400;
	s %= 86400;
	if (days)
		snprintf(buf, len, "%" PRIu64 " day%s, %02" PRIu64 ":%02" PRIu64
			 ":%02" PRIu64, days, days == 1 ? "" : "s", s / 3600,
			 s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 s / 3600, s / 60 % 60, s % 60);
}

/* crash's LOAD_INT.LOAD_FRAC of avenrun (FSHIFT 11), rounded. */
static void load_text(uint64_t x, char *buf, size_t len)
{
	x += 2048 / 200;
	snprintf(buf, len, "%" PRIu64 ".%02" PRIu64, x >> 11,
		 ((x & 2047) * 100) >> 11);
}

/* S is all 'X' (what makedumpfile --config writes over what it erases) */
static bool all_x(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s != 'X')
			return false;
	return true;
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc != 2)
		return cli_usage(&cmd_sys);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	gc_kernel_collect_facts(k);
	struct gc_kernel_sys s;
	struct gc_error *err = gc_kernel_sys(k, &s);
	if (err) {
		int rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
		gc_kernel_close(k);
		gc_dump_close(d);
		return rc;
	}
	struct gc_task *tasks;
	size_t ntasks;
	struct gc_error *terr = gc_kernel_tasks(k, &tasks, &ntasks);
	char panic_comm[80] = "";
	for (size_t i = 0; i < ntasks && s.panic_task; i++)
		if (tasks[i].addr == s.panic_task)
			cli_escape(tasks[i].comm, panic_comm,
				   sizeof(panic_comm));
	free(tasks);

	char date[64] = "(unknown)", up[64] = "(unknown)", mem[32] = "(unknown)";
	char load[3][48], mach[128], cpus[48], ntask[48];
	if (s.has_time) {
		time_t tt = (time_t)s.time_sec;
		struct tm tm;
		if (gmtime_r(&tt, &tm))
			strftime(date, sizeof(date), "%a %b %e %H:%M:%S UTC %Y",
				 &tm);
	}
	if (s.has_uptime)
		uptime_text(s.uptime_ns, up, sizeof(up));
	if (s.has_memory)
		size_text(s.memory_pages * 4096, mem, sizeof(mem));
	for (int i = 0; i < 3; i++)
		load_text(s.avenrun[i], load[i], sizeof(load[i]));
	const char *machine = fact(k, "machine");
	if (s.cpu_khz)
		snprintf(mach, sizeof(mach), "%s  (%u Mhz)",
			 machine ? machine : "(unknown)", s.cpu_khz / 1000);
	else
		snprintf(mach, sizeof(mach), "%s", machine ? machine : "(unknown)");
	if (s.cpus && s.cpus_online && s.cpus_online < s.cpus)
		snprintf(cpus, sizeof(cpus), "%u [OFFLINE: %u]", s.cpus,
			 s.cpus - s.cpus_online);
	else if (s.cpus)
		snprintf(cpus, sizeof(cpus), "%u", s.cpus);
	else
		snprintf(cpus, sizeof(cpus), "(unknown)");
	if (terr)
		snprintf(ntask, sizeof(ntask), "%zu (incomplete)", ntasks);
	else
		snprintf(ntask, sizeof(ntask), "%zu", ntasks);
	/* crash marks a kdump-compressed file written with a dump level
	 * (pages filtered out) as "[PARTIAL DUMP]" */
	const struct gc_field *dl = gc_dump_field_by_name(d, "dump_level");
	bool partial = dl && dl->has_number && (int32_t)dl->number > 0;
	const char *panic = fact(k, "panic");
	const char *release = fact(k, "release");
	if (!release)
		release = fact(k, "osrelease");
	const char *version = fact(k, "version");
	const char *nodename = fact(k, "nodename");
	/* makedumpfile --config poisons what it erases with 'X': a field
	 * read as nothing but X's from such a dump is marked, not shown as
	 * the guest's (`erase init_uts_ns.name.nodename` is the usual one) */
	bool erasedump = gc_dump_field_by_name(d, "eraseinfo") != NULL;
	bool er_node = erasedump && all_x(nodename);
	bool er_rel = erasedump && all_x(release);
	bool er_ver = erasedump && all_x(version);

	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "kernel");
		if (ko.vmlinux)
			gc_json_string(&j, ko.vmlinux);
		else
			gc_json_null(&j);
		gc_json_key(&j, "dumpfile");
		gc_json_string(&j, argv[1]);
		gc_json_key(&j, "partial_dump");
		gc_json_bool(&j, partial);
		gc_json_key(&j, "cpus");
		gc_json_u64(&j, s.cpus);
		gc_json_key(&j, "cpus_online");
		gc_json_u64(&j, s.cpus_online);
		gc_json_key(&j, "date");
		if (s.has_time) {
			gc_json_string(&j, date);
			gc_json_key(&j, "date_epoch");
			gc_json_i64(&j, s.time_sec);
			gc_json_key(&j, "date_source");
			gc_json_string(&j, s.time_source);
		} else {
			gc_json_null(&j);
		}
		gc_json_key(&j, "uptime_seconds");
		if (s.has_uptime) {
			gc_json_double(&j, (double)s.uptime_ns / 1e9);
			gc_json_key(&j, "uptime");
			gc_json_string(&j, up);
			gc_json_key(&j, "uptime_source");
			gc_json_string(&j, s.uptime_source);
		} else {
			gc_json_null(&j);
		}
		gc_json_key(&j, "hz");
		if (s.hz)
			gc_json_u64(&j, s.hz);
		else
			gc_json_null(&j);
		gc_json_key(&j, "load_average");
		if (s.has_load) {
			gc_json_array_begin(&j);
			for (int i = 0; i < 3; i++)
				gc_json_double(&j, strtod(load[i], NULL));
			gc_json_array_end(&j);
		} else {
			gc_json_null(&j);
		}
		gc_json_key(&j, "tasks");
		gc_json_u64(&j, ntasks);
		gc_json_key(&j, "tasks_complete");
		gc_json_bool(&j, terr == NULL);
		gc_json_key(&j, "nodename");
		nodename ? gc_json_string(&j, nodename) : gc_json_null(&j);
		gc_json_key(&j, "release");
		release ? gc_json_string(&j, release) : gc_json_null(&j);
		gc_json_key(&j, "version");
		version ? gc_json_string(&j, version) : gc_json_null(&j);
		gc_json_key(&j, "machine");
		machine ? gc_json_string(&j, machine) : gc_json_null(&j);
		gc_json_key(&j, "cpu_mhz");
		gc_json_u64(&j, s.cpu_khz / 1000);
		gc_json_key(&j, "memory_bytes");
		if (s.has_memory)
			gc_json_u64(&j, s.memory_pages * 4096);
		else
			gc_json_null(&j);
		gc_json_key(&j, "memory");
		gc_json_string(&j, mem);
		gc_json_key(&j, "panic");
		gc_json_string(&j, panic ? panic : "");
		gc_json_key(&j, "panic_cpu");
		gc_json_i64(&j, s.has_panic_cpu ? s.panic_cpu : -1);
		if (s.panic_task) {
			gc_json_key(&j, "panic_task");
			gc_json_hex(&j, s.panic_task);
			gc_json_key(&j, "panic_pid");
			gc_json_i64(&j, s.panic_pid);
			gc_json_key(&j, "panic_comm");
			gc_json_string(&j, panic_comm);
		}
		gc_json_key(&j, "erased");
		gc_json_array_begin(&j);
		if (er_node)
			gc_json_string(&j, "nodename");
		if (er_rel)
			gc_json_string(&j, "release");
		if (er_ver)
			gc_json_string(&j, "version");
		gc_json_array_end(&j);
		gc_json_key(&j, "missing");
		gc_json_string(&j, s.missing);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		printf("      KERNEL: %s\n", ko.vmlinux ? ko.vmlinux : "(none)");
		printf("    DUMPFILE: %s%s\n", argv[1],
		       partial ? "  [PARTIAL DUMP]" : "");
		printf("        CPUS: %s\n", cpus);
		printf("        DATE: %s\n", date);
		printf("      UPTIME: %s\n", up);
		if (s.has_load)
			printf("LOAD AVERAGE: %s, %s, %s\n", load[0], load[1],
			       load[2]);
		else
			printf("LOAD AVERAGE: (unknown)\n");
		printf("       TASKS: %s\n", ntask);
		static const char er[] = "  [erased by makedumpfile --config]";
		printf("    NODENAME: %s%s\n", nodename ? nodename : "(unknown)",
		       er_node ? er : "");
		printf("     RELEASE: %s%s\n", release ? release : "(unknown)",
		       er_rel ? er : "");
		printf("     VERSION: %s%s\n", version ? version : "(unknown)",
		       er_ver ? er : "");
		printf("     MACHINE: %s\n", mach);
		printf("      MEMORY: %s\n", mem);
		printf("       PANIC: \"%s\"\n", panic ? panic : "");
		if (s.panic_task)
			printf("  PANIC TASK: %" PRId32 " (%s) %016" PRIx64
			       " on CPU %" PRId32 "\n", s.panic_pid, panic_comm,
			       s.panic_task, s.panic_cpu);
		else if (s.has_panic_cpu)
			printf("   PANIC CPU: %" PRId32 "\n", s.panic_cpu);
		printf("\nDATE from %s; UPTIME from %s\n",
		       s.has_time ? s.time_source : "nowhere",
		       s.has_uptime ? s.uptime_source : "nowhere");
	}
	int rc = EXIT_OK;
	if (terr) {
		fprintf(stderr, "guestcore: task count incomplete: %s\n",
			gc_error_string(gc_error_set_file(terr, gc_dump_path(d))));
		gc_error_free(terr);
		rc = EXIT_PROBLEMS;
	}
	if (s.missing[0])
		fprintf(stderr, "guestcore: not known: %s\n", s.missing);
	if (erasedump)
		fprintf(stderr, "guestcore: %s: makedumpfile --config erased "
			"kernel data in this dump (the bytes read as 'X'; "
			"`guestcore check` names them)\n", gc_dump_path(d));
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_sys = {
	.name = "sys",
	.run = run,
	.summary = "crash's sys summary: CPUs, date, uptime, load, tasks, release, memory, panic (from the kernel's BTF)",
	.usage = "sys DUMP [--json]",
	.opts = cli_json_only,
	.kernel = true,
};
