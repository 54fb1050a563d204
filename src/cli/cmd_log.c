// SPDX-License-Identifier: MIT
/* guestcore log: the kernel's printk buffer, as dmesg and crash print it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* {"source", "records": [{time, seq, level, facility, caller, text}]}:
 * time in seconds as dmesg prints it ("12.345678") and ts_nsec as a
 * number; caller "T<pid>" or "C<cpu>" as the kernel's PRINTK_CALLER. */
static void print_records(const struct gc_log_record *r, size_t nr,
			  const char *src)
{
	struct gc_json j;
	gc_json_init(&j, stdout, true);
	gc_json_object_begin(&j);
	gc_json_key(&j, "source");
	gc_json_string(&j, src);
	gc_json_key(&j, "records");
	gc_json_array_begin(&j);
	for (size_t i = 0; i < nr; i++) {
		gc_json_object_begin(&j);
		if (r[i].has_time) {
			char t[40];
			snprintf(t, sizeof(t), "%" PRIu64 ".%06" PRIu64,
				 r[i].ts_nsec / 1000000000u,
				 (r[i].ts_nsec % 1000000000u) / 1000u);
			gc_json_key(&j, "time");
			gc_json_string(&j, t);
			gc_json_key(&j, "ts_nsec");
			gc_json_u64(&j, r[i].ts_nsec);
		}
		if (r[i].has_seq) {
			gc_json_key(&j, "seq");
			gc_json_u64(&j, r[i].seq);
		}
		if (r[i].level >= 0) {
			gc_json_key(&j, "level");
			gc_json_i64(&j, r[i].level);
		}
		if (r[i].facility >= 0) {
			gc_json_key(&j, "facility");
			gc_json_i64(&j, r[i].facility);
		}
		if (r[i].has_caller) {
			char c[16];
			uint32_t id = r[i].caller_id;
			snprintf(c, sizeof(c), "%c%" PRIu32,
				 id & 0x80000000u ? 'C' : 'T',
				 id & 0x7fffffffu);
			gc_json_key(&j, "caller");
			gc_json_string(&j, c);
		}
		gc_json_key(&j, "text");
		gc_json_string(&j, r[i].text);
		gc_json_object_end(&j);
	}
	gc_json_array_end(&j);
	gc_json_object_end(&j);
	gc_json_end(&j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc != 2)
		return cli_usage(&cmd_log);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	const char *src;
	int rc = EXIT_OK;
	if (json) {
		struct gc_log_record *r;
		size_t nr;
		struct gc_error *err = gc_kernel_log_records(k, &r, &nr, &src);
		if (err) {
			rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
		} else {
			print_records(r, nr, src);
			gc_log_records_free(r, nr);
		}
	} else {
		char *text;
		struct gc_error *err = gc_kernel_log(k, &text, &src);
		if (err)
			rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
		else
			fputs(text, stdout);
		free(text);
	}
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_log = {
	.name = "log",
	.run = run,
	.summary = "the kernel log from the printk buffer in memory",
	.usage = "log DUMP [--json] [--vmcoreinfo FILE]",
	.opts = cli_json_only,
	.kernel = true,
};
