// SPDX-License-Identifier: MIT
/* guestcore log: the kernel's printk buffer, as dmesg and crash print it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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
	char *text;
	const char *src;
	struct gc_error *err = gc_kernel_log(k, &text, &src);
	int rc = EXIT_OK;
	if (err) {
		rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
	} else if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "source");
		gc_json_string(&j, src);
		gc_json_key(&j, "text");
		gc_json_string(&j, text);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		fputs(text, stdout);
	}
	free(text);
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
