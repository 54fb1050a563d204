// SPDX-License-Identifier: MIT
/* guestcore mod: the loaded modules, as crash's `mod` lists them, read from
 * the kernel's modules list with the layouts from its BTF. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct cli_opt opts[] = {
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_FLAG_OPT("symbols", 's', "also list each module's symbols from "
		     "its own kallsyms"),
	CLI_OPT_END,
};

/* "MODULE" centred in WIDTH columns, as crash centres its headers. */
static void centred(const char *s, int width)
{
	int len = (int)strlen(s), left = (width - len) / 2;
	printf("%*s%s%*s", left, "", s, width - len - left, "");
}

/* crash lists modules by base address; the library keeps list order. */
struct row {
	uint64_t base;
	size_t i;
};
static int by_base(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	return x->base < y->base ? -1 : x->base > y->base;
}

static void print_text(struct gc_kernel *k, size_t n, bool syms)
{
	if (!n) {
		printf("no modules installed\n");
		return;
	}
	int namew = 4, sizew = 5;
	for (size_t i = 0; i < n; i++) {
		const struct gc_module *m = gc_kernel_module(k, i);
		char b[32];
		int l = (int)strlen(m->name);
		if (l > namew)
			namew = l;
		l = snprintf(b, sizeof(b), "%" PRIu64, m->size);
		if (l > sizew)
			sizew = l;
	}
	centred("MODULE", 16);
	printf("  %-*s  ", namew, "NAME");
	centred("BASE", 16);
	printf("  %*s  OBJECT FILE\n", sizew, "SIZE");
	struct row *order = malloc(n * sizeof(*order));
	for (size_t i = 0; order && i < n; i++)
		order[i] = (struct row){ gc_kernel_module(k, i)->base, i };
	if (order)
		qsort(order, n, sizeof(*order), by_base);
	for (size_t x = 0; x < n; x++) {
		size_t i = order ? order[x].i : x;
		const struct gc_module *m = gc_kernel_module(k, i);
		printf("%016" PRIx64 "  %-*s  %016" PRIx64 "  %*" PRIu64
		       "  (not loaded)%s\n", m->addr, namew, m->name, m->base,
		       sizew, m->size,
		       m->nr_syms ? "  [CONFIG_KALLSYMS]" : "");
	}
	for (size_t x = 0; syms && x < n; x++) {
		size_t i = order ? order[x].i : x;
		const struct gc_module *m = gc_kernel_module(k, i);
		printf("\n%s (%zu symbols):\n", m->name, m->nr_syms);
		struct gc_symbol s;
		for (size_t j = 0; gc_kernel_module_sym(k, i, j, &s); j++)
			printf("%016" PRIx64 " (%c) %s [%s]\n", s.addr, s.type,
			       s.name, s.module);
	}
	free(order);
}

static void print_json(struct gc_kernel *k, size_t n, bool syms)
{
	struct gc_json j;
	gc_json_init(&j, stdout, true);
	gc_json_object_begin(&j);
	gc_json_key(&j, "modules");
	gc_json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		const struct gc_module *m = gc_kernel_module(k, i);
		gc_json_object_begin(&j);
		gc_json_key(&j, "name");
		gc_json_string(&j, m->name);
		gc_json_key(&j, "module");
		gc_json_hex(&j, m->addr);
		gc_json_key(&j, "base");
		gc_json_hex(&j, m->base);
		gc_json_key(&j, "size");
		gc_json_u64(&j, m->size);
		gc_json_key(&j, "init_base");
		gc_json_hex(&j, m->init_base);
		gc_json_key(&j, "init_size");
		gc_json_u64(&j, m->init_size);
		gc_json_key(&j, "state");
		gc_json_u64(&j, m->state);
		gc_json_key(&j, "state_name");
		gc_json_string(&j, m->state_name);
		if (m->has_taints) {
			gc_json_key(&j, "taints");
			gc_json_u64(&j, m->taints);
		}
		gc_json_key(&j, "nr_symbols");
		gc_json_u64(&j, m->nr_syms);
		if (syms) {
			gc_json_key(&j, "symbols");
			gc_json_array_begin(&j);
			struct gc_symbol s;
			for (size_t x = 0; gc_kernel_module_sym(k, i, x, &s);
			     x++) {
				char t[2] = {s.type, 0};
				gc_json_object_begin(&j);
				gc_json_key(&j, "name");
				gc_json_string(&j, s.name);
				gc_json_key(&j, "address");
				gc_json_hex(&j, s.addr);
				gc_json_key(&j, "type");
				gc_json_string(&j, t);
				gc_json_object_end(&j);
			}
			gc_json_array_end(&j);
		}
		gc_json_object_end(&j);
	}
	gc_json_array_end(&j);
	gc_json_key(&j, "problems");
	gc_json_array_begin(&j);
	for (size_t i = 0; i < gc_kernel_nr_module_problems(k); i++)
		gc_json_string(&j, gc_kernel_module_problem(k, i));
	gc_json_array_end(&j);
	gc_json_object_end(&j);
	gc_json_end(&j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool syms = cli_take_flag(&argc, argv, "--symbols");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	if (argc != 2)
		return cli_usage(&cmd_mod);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	size_t n;
	struct gc_error *err = gc_kernel_modules(k, &n);
	int rc = EXIT_OK;
	if (err) {
		rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
	} else {
		if (json)
			print_json(k, n, syms);
		else
			print_text(k, n, syms);
		size_t np = gc_kernel_nr_module_problems(k);
		for (size_t i = 0; i < np && !json; i++)
			fprintf(stderr, "guestcore: %s: %s\n", gc_dump_path(d),
				gc_kernel_module_problem(k, i));
		if (np)
			rc = EXIT_PROBLEMS;
	}
	gc_kernel_close(k);
	gc_dump_close(d);
	return rc;
}

const struct cli_command cmd_mod = {
	.name = "mod",
	.run = run,
	.summary = "loaded kernel modules (crash's mod), with their symbols "
		   "from each module's own kallsyms",
	.usage = "mod DUMP [--symbols] [--json] [--vmcoreinfo FILE] "
		 "[--system-map FILE] [--vmlinux FILE] "
		 "[--kallsyms auto|vmcoreinfo|search]",
	.opts = opts,
	.kernel = true,
};
