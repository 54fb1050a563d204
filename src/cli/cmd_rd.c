// SPDX-License-Identifier: MIT
/*
 * guestcore rd: crash-style memory display (address, 64-bit words, ASCII),
 * line for line like crash's `rd -p ADDR COUNT`.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define WORDS_PER_LINE 2
#define GC_MIN_U64(a, b) ((a) < (b) ? (a) : (b))

static void ascii(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
	out[n] = '\0';
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool mach = cli_take_flag(&argc, argv, "-m");
	bool phys = cli_take_flag(&argc, argv, "-p");
	bool virt = cli_take_flag(&argc, argv, "-v");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (mach + phys + virt > 1)
		return cli_fail("rd: -p, -m and -v exclude each other");
	if (argc < 3 || argc > 4)
		return cli_usage(&cmd_rd);
	uint64_t addr, count = 1;
	if (!cli_parse_hex(argv[2], &addr))
		return cli_fail("rd: '%s' is not a hexadecimal address",
				argv[2]);
	if (argc == 4 && (!cli_parse_count(argv[3], &count) || !count ||
			  count > (1ull << 32)))
		return cli_fail("rd: '%s' is not a word count (1 to 2^32)",
				argv[3]);
	/* Kernel-half addresses are kernel virtual unless -p/-m says so. */
	if (!mach && !phys && addr >= 0xffff800000000000ull)
		virt = true;
	enum gc_space space = mach ? GC_SPACE_MACH :
			      virt ? GC_SPACE_KVIRT : GC_SPACE_PHYS;
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *kern = NULL;
	if (virt && !(kern = cli_open_kernel(d, &ko))) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "space");
		gc_json_string(&j, gc_space_name(space));
		gc_json_key(&j, "lines");
		gc_json_array_begin(&j);
	}
	int rc = EXIT_OK;
	for (uint64_t done = 0; done < count; done += WORDS_PER_LINE) {
		uint64_t n = GC_MIN_U64(count - done, WORDS_PER_LINE);
		uint64_t a = addr + done * 8;
		uint8_t buf[8 * WORDS_PER_LINE];
		struct gc_error *err =
			kern ? gc_kernel_read(kern, a, buf, n * 8) :
			    gc_dump_read(d, space, a, buf, n * 8);
		if (err) {
			err = gc_error_set_file(err, gc_dump_path(d));
			if (json) {
				gc_json_array_end(&j);
				cli_json_error(&j, err);
				gc_json_object_end(&j);
				gc_json_end(&j);
			}
			fflush(stdout);
			rc = cli_lookup_error(err);  /* not in the dump: exit 1 */
			break;
		}
		char text[8 * WORDS_PER_LINE + 1];
		ascii(buf, n * 8, text);
		if (json) {
			gc_json_object_begin(&j);
			gc_json_key(&j, "address");
			gc_json_hex(&j, a);
			gc_json_key(&j, "words");
			gc_json_array_begin(&j);
			for (uint64_t k = 0; k < n; k++) {
				uint64_t w;
				memcpy(&w, buf + k * 8, 8);
				gc_json_hex(&j, w);
			}
			gc_json_array_end(&j);
			gc_json_key(&j, "ascii");
			gc_json_string(&j, text);
			gc_json_object_end(&j);
			continue;
		}
		printf("%16" PRIx64 ":  ", a);
		for (uint64_t k = 0; k < WORDS_PER_LINE; k++) {
			if (k < n) {
				uint64_t w;
				memcpy(&w, buf + k * 8, 8);
				printf("%016" PRIx64 " ", w);
			} else {
				printf("%17s", "");
			}
		}
		printf("  %s\n", text);
	}
	if (json && rc == EXIT_OK) {
		gc_json_array_end(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	gc_kernel_close(kern);
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "phys", .short_name = 'p', .arg = CLI_FLAG, .canon = "-p", .help = "ADDR is guest-physical (the default below 0xffff800000000000)" },
	{ .name = "mach", .short_name = 'm', .arg = CLI_FLAG, .canon = "-m", .help = "ADDR is a machine address (Xen PV)" },
	{ .name = "virt", .short_name = 'v', .arg = CLI_FLAG, .canon = "-v", .help = "ADDR is kernel virtual (the default for kernel-half addresses)" },
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_rd = {
	.name = "rd",
	.run = run,
	.summary = "display memory as 64-bit words and ASCII, like crash's rd",
	.usage = "rd DUMP [-p|-m|-v] ADDR [COUNT] [--json]   (-p guest-"
		 "physical, the default below 0xffff800000000000; -m machine; "
		 "-v kernel virtual, the default for kernel-half addresses)",
	.opts = options,
	.kernel = true,
};
