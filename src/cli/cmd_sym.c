// SPDX-License-Identifier: MIT
/* guestcore sym: symbol -> address or address -> symbol, like crash's sym. */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "cli.h"

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc != 3)
		return cli_usage(&cmd_sym);
	const char *q = argv[2];
	uint64_t addr = 0;
	/* An address is hex with 0x, or a 16-digit hex word. */
	bool is_addr = (!strncmp(q, "0x", 2) && cli_parse_hex(q, &addr)) ||
		       (strlen(q) >= 9 && cli_parse_hex(q, &addr));
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	struct gc_symbol s;
	struct gc_error *err = is_addr ? gc_kernel_symbol_at(k, addr, &s) :
					 gc_kernel_symbol(k, q, &s);
	int rc = EXIT_OK;
	if (err) {
		/* no such symbol, or an address no symbol covers, is an
		 * answer (exit 1); no symbol table at all is unusable
		 * input (exit 2) */
		err = gc_error_set_file(err, gc_dump_path(d));
		rc = gc_kernel_has_symbols(k) ? cli_lookup_error(err) :
						cli_error(err);
	} else if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "name");
		gc_json_string(&j, s.name);
		gc_json_key(&j, "address");
		gc_json_hex(&j, s.addr);
		char t[2] = {s.type, 0};
		gc_json_key(&j, "type");
		gc_json_string(&j, t);
		if (is_addr) {
			gc_json_key(&j, "offset");
			gc_json_u64(&j, addr - s.addr);
		}
		if (s.module[0]) {
			gc_json_key(&j, "module");
			gc_json_string(&j, s.module);
		}
		gc_json_key(&j, "source");
		gc_json_string(&j, s.source);
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else {
		char type = (char)toupper((unsigned char)s.type);
		char mod[80] = "";
		if (s.module[0])  /* as crash: "name+off [module]" */
			snprintf(mod, sizeof(mod), " [%s]", s.module);
		if (is_addr && addr != s.addr)  /* as crash: the address asked */
			printf("%016" PRIx64 " (%c) %s+%" PRIu64 "%s\n", addr,
			       s.type, s.name, addr - s.addr, mod);
		else
			printf("%016" PRIx64 " (%c) %s%s\n", s.addr,
			       s.type == '?' ? '?' : s.type, s.name, mod);
		(void)type;
	}
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_sym = {
	.name = "sym",
	.run = run,
	.summary = "kernel symbol to address or address to symbol "
		   "(VMCOREINFO, kallsyms in memory, System.map, vmlinux)",
	.usage = "sym DUMP NAME|ADDR [--json] [--vmcoreinfo FILE] "
		 "[--system-map FILE] [--vmlinux FILE] "
		 "[--kallsyms auto|vmcoreinfo|search]",
	.opts = cli_json_only,
	.kernel = true,
};
