// SPDX-License-Identifier: MIT
/* guestcore read: raw bytes by address, or a list of addresses. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CHUNK (1u << 20)

static int write_all(FILE *out, const void *buf, size_t len)
{
	if (fwrite(buf, 1, len, out) != len)
		return cli_fail("read: write failed: %s", strerror(errno));
	return EXIT_OK;
}

static struct gc_kernel *kern; /* set for -v (kernel virtual) reads */

static int read_range(struct gc_dump *d, enum gc_space space, uint64_t addr,
		      uint64_t len, bool zero, FILE *out, uint8_t *buf,
		      uint64_t *missing)
{
	while (len) {
		size_t n = (size_t)(len < CHUNK ? len : CHUNK);
		struct gc_error *err =
			kern ? gc_kernel_read(kern, addr, buf, n) :
			zero ? gc_dump_read_fill(d, space, addr, buf, n,
						 missing) :
			       gc_dump_read(d, space, addr, buf, n);
		if (err)
			return cli_error(gc_error_set_file(err,
							   gc_dump_path(d)));
		int rc = write_all(out, buf, n);
		if (rc)
			return rc;
		addr += n;
		len -= n;
	}
	return EXIT_OK;
}

static int run(int argc, char **argv)
{
	bool mach = cli_take_flag(&argc, argv, "-m");
	bool phys = cli_take_flag(&argc, argv, "-p");
	bool zero = cli_take_flag(&argc, argv, "--missing=zero");
	bool virt = cli_take_flag(&argc, argv, "-v");
	bool force = cli_take_flag(&argc, argv, "--force");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	const char *outpath = NULL, *list = NULL;
	uint64_t list_len = 0;
	bool have_list_len = false;
	int j = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			outpath = argv[++i];
		} else if (!strcmp(argv[i], "--list") && i + 1 < argc) {
			list = argv[++i];
		} else if (!strcmp(argv[i], "--length") && i + 1 < argc) {
			if (!cli_parse_count(argv[++i], &list_len) ||
			    !list_len)
				return cli_fail("read: bad --length '%s'",
						argv[i]);
			have_list_len = true;
		} else if (!strncmp(argv[i], "--missing=", 10)) {
			return cli_fail("read: --missing takes 'zero' only");
		} else {
			argv[j++] = argv[i];
		}
	}
	argc = j;
	if (mach + phys + virt > 1)
		return cli_fail("read: -p, -m and -v exclude each other");
	if (virt && zero)
		return cli_fail("read: --missing=zero applies to -p/-m reads");
	if (list ? argc != 2 : argc != 4)
		return cli_usage(&cmd_read);
	enum gc_space space = mach ? GC_SPACE_MACH : GC_SPACE_PHYS;
	uint64_t addr = 0, len = 0;
	if (!list) {
		if (!cli_parse_hex(argv[2], &addr))
			return cli_fail("read: '%s' is not a hexadecimal "
					"address", argv[2]);
		if (!cli_parse_count(argv[3], &len))
			return cli_fail("read: '%s' is not a length",
					argv[3]);
	}
	if (!list && !mach && !phys && !zero && addr >= 0xffff800000000000ull)
		virt = true; /* kernel-half addresses are kernel virtual */
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	kern = NULL;
	if (virt && !(kern = cli_open_kernel(d, &ko))) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	if (!have_list_len)
		list_len = gc_dump_page_size(d);
	FILE *in = NULL, *out = stdout;
	char *tmp = NULL;
	uint8_t *buf = malloc(CHUNK);
	int rc = EXIT_OK;
	uint64_t missing = 0;
	if (!buf) {
		rc = cli_fail("read: out of memory");
		goto done;
	}
	/* -o: written beside the output and renamed into place at the end,
	 * under the rules every writer follows (gc_outfile_check). */
	if (outpath) {
		int fd = -1;
		struct gc_error *oerr = gc_outfile_check(outpath, force, argv[1]);
		if (!oerr)
			oerr = gc_outfile_create(outpath, &fd, &tmp);
		if (!oerr && !(out = fdopen(fd, "wb"))) {
			close(fd);
			oerr = gc_error_set_file(gc_error_new(GC_ERR_IO, "output",
							      "%s", strerror(errno)), outpath);
		}
		if (oerr) {
			out = NULL;
			rc = cli_error(oerr);
			goto done;
		}
	}
	if (!list) {
		rc = read_range(d, space, addr, len, zero, out, buf, &missing);
		goto done;
	}
	in = !strcmp(list, "-") ? stdin : fopen(list, "r");
	if (!in) {
		rc = cli_fail("read: cannot open %s: %s", list,
			      strerror(errno));
		goto done;
	}
	char line[256];
	unsigned long lineno = 0;
	while (fgets(line, sizeof(line), in)) {
		lineno++;
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		s[strcspn(s, " \t\r\n#")] = '\0';
		if (!*s)
			continue;
		if (!cli_parse_hex(s, &addr)) {
			rc = cli_fail("read: %s line %lu: '%s' is not a "
				      "hexadecimal address", list, lineno, s);
			break;
		}
		rc = read_range(d, space, addr, list_len, zero, out, buf,
				&missing);
		if (rc)
			break;
	}
done:
	if (zero && missing)
		fprintf(stderr, "guestcore: read: %" PRIu64 " missing page%s "
			"read as zeroes\n", missing, missing == 1 ? "" : "s");
	if (in && in != stdin)
		fclose(in);
	if (out && out != stdout && fclose(out) && !rc)
		rc = cli_fail("read: writing %s failed: %s", outpath,
			      strerror(errno));
	if (tmp && !rc) {
		struct gc_error *perr = gc_outfile_place(tmp, outpath, force);
		if (perr)
			rc = cli_error(perr);
	}
	if (tmp && rc)
		unlink(tmp);
	free(tmp);
	free(buf);
	gc_kernel_close(kern);
	kern = NULL;
	gc_dump_close(d);
	return rc;
}

static const struct cli_opt options[] = {
	{ .name = "phys", .short_name = 'p', .arg = CLI_FLAG, .canon = "-p", .help = "ADDR is guest-physical" },
	{ .name = "mach", .short_name = 'm', .arg = CLI_FLAG, .canon = "-m", .help = "ADDR is a machine address (Xen PV)" },
	{ .name = "virt", .short_name = 'v', .arg = CLI_FLAG, .canon = "-v", .help = "ADDR is kernel virtual (the default for kernel-half addresses)" },
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "FILE", .canon = "-o", .help = "write the bytes to FILE instead of standard output" },
	CLI_FLAG_OPT("force", 0, "replace an existing regular FILE"),
	CLI_VALUE_OPT("list", 0, "FILE", "read one address per line from FILE (- for standard input)"),
	CLI_VALUE_OPT("length", 0, "N", "bytes per --list address (default: one page)"),
	{ .name = "missing", .arg = CLI_VALUE, .metavar = "zero", .canon = "--missing=",
	  .help = "read pages missing from the dump as zeroes (counted on standard error)" },
	CLI_OPT_END,
};

const struct cli_command cmd_read = {
	.name = "read",
	.run = run,
	.summary = "raw bytes by address (or one address per line with "
		   "--list)",
	.usage = "read DUMP [-p|-m|-v] ADDR LENGTH [-o FILE] [--missing=zero]\n"
		 "       guestcore read DUMP [-p|-m|-v] --list FILE [--length N] "
		 "[-o FILE [--force]] [--missing=zero]\n"
		 "       (-v kernel virtual: the default for a kernel-half ADDR)",
	.opts = options,
	.kernel = true,
};
