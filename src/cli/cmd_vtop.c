// SPDX-License-Identifier: MIT
/*
 * guestcore vtop: translate a kernel virtual address, showing each level's
 * table, index and entry the way crash's vtop does (for Xen PV both the
 * machine and the pseudo-physical address of every level).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void centered(char *out, size_t w, const char *s)
{
	size_t n = strlen(s), pad = w > n ? w - n : 0, left = pad / 2;
	memset(out, ' ', left);
	memcpy(out + left, s, n);
	memset(out + left + n, ' ', pad - left);
	out[w > n ? w : n] = '\0';
}

static void print_leaf(const struct gc_walk *w)
{
	char pte[24], phys[24], h1[40], h2[40], flags[160];
	snprintf(pte, sizeof(pte), "%" PRIx64, w->leaf);
	uint64_t base = w->phys & ~(w->page_size - 1);
	snprintf(phys, sizeof(phys), "%" PRIx64, base);
	size_t l1 = (strlen(pte) > 3 ? strlen(pte) : 3), l2 = (strlen(phys) > 8 ? strlen(phys) : 8);
	centered(h1, l1, "PTE");
	centered(h2, l2, "PHYSICAL");
	gc_x86_flags(w->leaf, w->page_size > 4096, flags, sizeof(flags));
	printf("\n%s  %s  FLAGS\n", h1, h2);
	printf("%*s  %*s  (%s)\n", (int)l1, pte, (int)l2, phys, flags);
}

static void print_text(struct gc_kernel *k, const struct gc_walk *w,
		       bool has_root, uint64_t root)
{
	char phys[32];
	if (w->ok)
		snprintf(phys, sizeof(phys), "%" PRIx64, w->phys);
	else
		snprintf(phys, sizeof(phys), "(not mapped)");
	printf("VIRTUAL           PHYSICAL        \n");
	printf("%016" PRIx64 "  %-16s\n\n", w->vaddr, phys);
	uint64_t pgdv = gc_kernel_pgd_vaddr(k);
	/* crash's labels: the root is the PGD (the PML5 table with 5
	 * levels, the PML4 with 4), its entry the PAGE DIRECTORY line; below
	 * it P4D (5 levels only: the walk's "PGD", the PML4), PUD, PMD, PTE.
	 * --json keeps the walk's own names (PML5, PGD, PUD, PMD, PTE). */
	bool five = w->levels == 5;
	const char *root_name = "PGD";
	if (has_root || !pgdv)
		printf("%s DIRECTORY: %" PRIx64 " [%s]\n", root_name,
		       w->nr ? w->lvl[0].table : root,
		       w->xen_pv ? "machine" : "physical");
	else
		printf("%s DIRECTORY: %" PRIx64 "\n", root_name, pgdv);
	const char *mach = w->xen_pv ? " [machine]" : "";
	for (unsigned int i = 0; i < w->nr; i++) {
		const struct gc_walk_level *l = &w->lvl[i];
		if (!l->read)
			break;
		bool last = i + 1 == w->nr;
		if (i == 0) {
			printf("PAGE DIRECTORY: %" PRIx64 "%s\n", l->entry,
			       mach);
		} else {
			uint64_t ea = (l->has_table_phys ? l->table_phys :
							   l->table) +
				      (uint64_t)l->index * 8;
			const char *label = five && !strcmp(l->name, "PGD") ?
					    "P4D" : l->name;
			printf("   %s: %" PRIx64 " => %" PRIx64 "%s\n", label,
			       ea, l->entry, mach);
		}
		if (!w->xen_pv || !l->has_entry_pseudo)
			continue;
		uint64_t next = l->entry_pseudo & ~0xfffull;
		bool leaf = last && w->ok;
		if (leaf && !strcmp(l->name, "PTE"))
			printf("   PTE: %" PRIx64 "\n", l->entry_pseudo);
		else if (!leaf && (!strcmp(l->name, "PGD") ||
				   !strcmp(l->name, "PUD") ||
				   !strcmp(l->name, "PML5")))
			printf("\t%s: %" PRIx64 "\n", l->name, next);
		else if (!leaf)
			printf("   %s: %" PRIx64 "\n", l->name, next);
	}
	if (!w->ok) {
		printf("\nWALK STOPPED: %s\n", w->why);
		return;
	}
	uint64_t base = w->phys & ~(w->page_size - 1);
	const char *big = w->page_size == (1ull << 30) ? "  (1GB)" :
			  w->page_size == (1ull << 21) ? "  (2MB)" : "";
	if (w->xen_pv)
		printf("  PAGE: %" PRIx64 " [machine]%s\n",
		       w->mach & ~(w->page_size - 1), big);
	printf("  PAGE: %" PRIx64 "%s\n", base, big);
	print_leaf(w);
}

static void print_json(const struct gc_walk *w)
{
	struct gc_json j;
	gc_json_init(&j, stdout, true);
	gc_json_object_begin(&j);
	gc_json_key(&j, "virtual");
	gc_json_hex(&j, w->vaddr);
	gc_json_key(&j, "levels");
	gc_json_u64(&j, w->levels);
	gc_json_key(&j, "xen_pv");
	gc_json_bool(&j, w->xen_pv);
	gc_json_key(&j, "walk");
	gc_json_array_begin(&j);
	for (unsigned int i = 0; i < w->nr; i++) {
		const struct gc_walk_level *l = &w->lvl[i];
		gc_json_object_begin(&j);
		gc_json_key(&j, "level");
		gc_json_string(&j, l->name);
		gc_json_key(&j, w->xen_pv ? "table_machine" : "table");
		gc_json_hex(&j, l->table);
		if (w->xen_pv && l->has_table_phys) {
			gc_json_key(&j, "table_physical");
			gc_json_hex(&j, l->table_phys);
		}
		gc_json_key(&j, "index");
		gc_json_u64(&j, l->index);
		if (l->read) {
			gc_json_key(&j, "entry");
			gc_json_hex(&j, l->entry);
		}
		if (l->has_entry_pseudo) {
			gc_json_key(&j, "entry_pseudo");
			gc_json_hex(&j, l->entry_pseudo);
		}
		gc_json_object_end(&j);
	}
	gc_json_array_end(&j);
	gc_json_key(&j, "mapped");
	gc_json_bool(&j, w->ok);
	if (w->ok) {
		gc_json_key(&j, "physical");
		gc_json_hex(&j, w->phys);
		if (w->xen_pv) {
			gc_json_key(&j, "machine");
			gc_json_hex(&j, w->mach);
		}
		gc_json_key(&j, "page_size");
		gc_json_u64(&j, w->page_size);
	} else {
		gc_json_key(&j, "stopped");
		gc_json_string(&j, w->why);
	}
	gc_json_object_end(&j);
	gc_json_end(&j);
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	struct gc_kernel_opts ko;
	if (!cli_take_kernel_opts(&argc, argv, &ko))
		return EXIT_ERROR;
	uint64_t root = 0;
	bool has_root = false;
	int j = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--cr3") && i + 1 < argc) {
			if (!cli_parse_hex(argv[++i], &root))
				return cli_fail("vtop: bad --cr3 '%s'",
						argv[i]);
			has_root = true;
		} else {
			argv[j++] = argv[i];
		}
	}
	argc = j;
	if (argc != 3)
		return cli_usage(&cmd_vtop);
	uint64_t va;
	if (!cli_parse_hex(argv[2], &va))
		return cli_fail("vtop: '%s' is not a hexadecimal address",
				argv[2]);
	struct gc_dump *d = cli_open(argv[1]);
	if (!d)
		return EXIT_ERROR;
	struct gc_kernel *k = cli_open_kernel(d, &ko);
	if (!k) {
		gc_dump_close(d);
		return EXIT_ERROR;
	}
	struct gc_walk w;
	struct gc_error *err = gc_kernel_walk(k, va, has_root, root, &w);
	gc_error_free(err);
	if (json)
		print_json(&w);
	else
		print_text(k, &w, has_root, root);
	gc_kernel_close(k);
	gc_dump_close(d);
	return w.ok ? EXIT_OK : EXIT_PROBLEMS;
}

static const struct cli_opt options[] = {
	CLI_VALUE_OPT("cr3", 0, "ADDR", "walk from this top-level table (a cr3 value; machine address for Xen PV)"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_vtop = {
	.name = "vtop",
	.run = run,
	.summary = "translate a kernel virtual address, level by level, "
		   "like crash's vtop",
	.usage = "vtop DUMP VADDR [--cr3 ADDR] [--json] [--vmcoreinfo FILE] "
		 "[--system-map FILE] [--vmlinux FILE]",
	.opts = options,
	.kernel = true,
};
