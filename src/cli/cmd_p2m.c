// SPDX-License-Identifier: MIT
/* guestcore p2m: pfn <-> mfn translations through the dump's page index. */
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool rev = cli_take_flag(&argc, argv, "--mfn");
	if (argc < 3)
		return cli_usage(&cmd_p2m);
	for (int i = 2; i < argc; i++) {
		uint64_t v;
		if (!cli_parse_hex(argv[i], &v))
			return cli_fail("p2m: '%s' is not a hexadecimal frame "
					"number", argv[i]);
	}
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "translations");
		gc_json_array_begin(&j);
	}
	int rc = EXIT_OK;
	const char *from = rev ? "mfn" : "pfn", *to = rev ? "pfn" : "mfn";
	for (int i = 2; i < argc; i++) {
		uint64_t v, r = 0;
		cli_parse_hex(argv[i], &v);
		struct gc_error *err = rev ? gc_dump_mfn_to_pfn(d, v, &r) :
					     gc_dump_pfn_to_mfn(d, v, &r);
		if (err && gc_error_code(err) != GC_ERR_NOT_PRESENT) {
			if (json) {
				gc_json_array_end(&j);
				gc_json_object_end(&j);
				gc_json_end(&j);
			}
			rc = cli_error(gc_error_set_file(err,
							 gc_dump_path(d)));
			break;
		}
		if (json) {
			gc_json_object_begin(&j);
			gc_json_key(&j, from);
			gc_json_hex(&j, v);
			gc_json_key(&j, to);
			if (err)
				gc_json_null(&j);
			else
				gc_json_hex(&j, r);
			if (err)
				cli_json_error(&j, err);
			gc_json_object_end(&j);
		} else if (err) {
			printf("%s 0x%" PRIx64 " -> not in the dump: %s\n",
			       from, v, gc_error_why(err));
		} else {
			printf("%s 0x%" PRIx64 " -> %s 0x%" PRIx64 "\n", from,
			       v, to, r);
		}
		if (err) {
			rc = EXIT_PROBLEMS;
			gc_error_free(err);
		}
	}
	if (json && rc != EXIT_ERROR) {
		gc_json_array_end(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	CLI_FLAG_OPT("mfn", 0, "the frames are machine frames: translate mfn -> pfn"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_p2m = {
	.name = "p2m",
	.run = run,
	.summary = "translate pfns to mfns (or --mfn: mfns to pfns) with the "
		   "dump's page index",
	.usage = "p2m DUMP [--mfn] FRAME... [--json]   (frames in hex; exit 1 "
		 "if any is not in the dump)",
	.opts = options,
};
