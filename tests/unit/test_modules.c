// SPDX-License-Identifier: MIT
/*
 * The module-list walk (src/lib/kernel/modules.c) on the synthetic memory
 * image of tests/fixtures/modimg.h (three modules, 6.1 and 6.4 struct
 * module layouts), clean and damaged; and on the real QEMU dump, the
 * layout from the kernel's BTF and pvpanic's symbols.
 */
#include <stdlib.h>

#include "harness.h"
#include "kernel/kernel_internal.h"
#include "kernel/modules.h"
#include "fixtures/modimg.h"

static uint8_t img[MODIMG_SIZE];
static uint64_t hole_lo, hole_hi;   /* reads here fail */

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	(void)ctx;
	uint64_t off = va - MODIMG_BASE;
	if (va < MODIMG_BASE || off > MODIMG_SIZE || MODIMG_SIZE - off < len)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the image");
	if (off < hole_hi && off + len > hole_lo)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "in the hole");
	memcpy(buf, img + off, len);
	return NULL;
}

static struct gc_error *walk(unsigned int v, struct gc_modlist *ml)
{
	struct gc_kmem m = {NULL, rd};
	struct gc_mod_layout l;
	modimg_layout(&l, v);
	memset(ml, 0, sizeof(*ml));
	return gc_modules_walk(&m, &l, MODIMG_BASE, ml);
}

static const char *problems(const struct gc_modlist *ml)
{
	static char buf[4096];
	buf[0] = 0;
	for (size_t i = 0; i < ml->nr_problems; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s|",
			 ml->problems[i]);
	return buf;
}

static void clean(unsigned int v)
{
	modimg_build(img, v);
	hole_lo = hole_hi = 0;
	struct gc_modlist ml;
	struct gc_error *err = walk(v, &ml);
	CHECK(!err);
	CHECK_EQ_U64(ml.n, 3);
	CHECK_EQ_U64(ml.nr_problems, 0);
	for (unsigned int i = 0; i < 3; i++) {
		const struct gc_kmodule *mod = &ml.m[i];
		uint64_t cva = MODIMG_BASE + (i + 1) * 0x4000ull;
		CHECK_STR(mod->pub.name, modimg_names[i]);
		CHECK_EQ_U64(mod->pub.addr, cva + MODIMG_MOD_OFF);
		CHECK_EQ_U64(mod->pub.base, cva);
		CHECK_EQ_U64(mod->pub.size, 0x4000);
		CHECK_EQ_U64(mod->pub.init_size, 0);
		CHECK_STR(mod->pub.state_name, "MODULE_STATE_LIVE");
		CHECK_EQ_U64(mod->pub.taints, i == 2 ? 0x1000 : 0);
		CHECK_EQ_U64(mod->nr_syms, 3);
		/* an address 0x50 into the text: <name>_notify+0x10 */
		const struct gc_modsym *s;
		const struct gc_kmodule *f = gc_modlist_find(&ml, cva + 0x50, &s);
		CHECK(f == mod && s);
		CHECK_EQ_U64(s->addr, cva + 0x40);
		CHECK_EQ_U64(s->type, 'T');
		char want[64];
		snprintf(want, sizeof(want), "%s_notify", modimg_names[i]);
		CHECK_STR(mod->names + s->name, want);
	}
	/* the list head's page and past the last module: no module */
	const struct gc_modsym *s;
	CHECK(!gc_modlist_find(&ml, MODIMG_BASE + 0x100, &s) && !s);
	CHECK(!gc_modlist_find(&ml, MODIMG_BASE + MODIMG_SIZE, &s));
	gc_modlist_free(&ml);
}

TEST(modules_core_layout) { clean(0); }
TEST(modules_mem_array) { clean(1); }

/* beta_mod's list.next is not a kernel pointer: two modules, the problem
 * names the entry. */
TEST(modules_bad_next)
{
	modimg_build(img, 0);
	hole_lo = hole_hi = 0;
	struct modimg_off o = modimg_off(0);
	modimg_put64(img + modimg_module(1) + o.list, 0x1234);
	struct gc_modlist ml;
	struct gc_error *err = walk(0, &ml);
	CHECK(!err);
	CHECK_EQ_U64(ml.n, 2);
	char want[128];
	snprintf(want, sizeof(want), "the entry after 0x%" PRIx64
		 " points to 0x1234", MODIMG_BASE + modimg_module(1) + o.list);
	CHECK_CONTAINS(problems(&ml), want);
	gc_modlist_free(&ml);
}

/* gamma's struct module cannot be read: two modules and a problem naming
 * its address. */
TEST(modules_unreadable)
{
	modimg_build(img, 0);
	hole_lo = modimg_module(2);
	hole_hi = hole_lo + 16;
	struct gc_modlist ml;
	struct gc_error *err = walk(0, &ml);
	CHECK(!err);
	CHECK_EQ_U64(ml.n, 2);
	char want[64];
	snprintf(want, sizeof(want), "struct module at 0x%" PRIx64
		 " (list entry", MODIMG_BASE + modimg_module(2));
	CHECK_CONTAINS(problems(&ml), want);
	gc_modlist_free(&ml);
	hole_lo = hole_hi = 0;
}

/* a list that loops (gamma -> alpha) ends with a problem, not a hang */
TEST(modules_loop)
{
	modimg_build(img, 0);
	hole_lo = hole_hi = 0;
	struct modimg_off o = modimg_off(0);
	modimg_put64(img + modimg_module(2) + o.list,
		     MODIMG_BASE + modimg_module(0) + o.list);
	struct gc_modlist ml;
	struct gc_error *err = walk(0, &ml);
	CHECK(!err);
	CHECK_EQ_U64(ml.n, 3);
	CHECK_CONTAINS(problems(&ml), "comes twice; stopped");
	gc_modlist_free(&ml);
}

/* damaged kallsyms and name: the module stays listed, without symbols or
 * with the bad ones skipped, and each problem names the address */
TEST(modules_bad_kallsyms)
{
	modimg_build(img, 0);
	hole_lo = hole_hi = 0;
	struct modimg_off o = modimg_off(0);
	uint32_t c0 = 0x4000, c1 = 0x8000;
	modimg_put32(img + c0 + 0x2900 + 8, 0x7fffffff);   /* num_symtab */
	modimg_put32(img + c1 + 0x2000 + 2 * 24, 0x10000); /* st_name */
	memset(img + modimg_module(2) + o.name, 'x', o.name_len);
	struct gc_modlist ml;
	struct gc_error *err = walk(0, &ml);
	CHECK(!err);
	CHECK_EQ_U64(ml.n, 3);
	CHECK_EQ_U64(ml.m[0].nr_syms, 0);
	CHECK_EQ_U64(ml.m[1].nr_syms, 2);
	CHECK_EQ_U64(ml.m[2].nr_syms, 3);
	char want[160];
	snprintf(want, sizeof(want), "module alpha: mod_kallsyms at 0x%"
		 PRIx64 ": symtab 0x%" PRIx64 " with 2147483647 entries does "
		 "not lie", MODIMG_BASE + c0 + 0x2900, MODIMG_BASE + c0 + 0x2000);
	CHECK_CONTAINS(problems(&ml), want);
	snprintf(want, sizeof(want), "module beta_mod: 1 of 4 kallsyms entries"
		 " are undefined or name no string in strtab (the first at 0x%"
		 PRIx64 ")", MODIMG_BASE + c1 + 0x2000 + 2 * 24);
	CHECK_CONTAINS(problems(&ml), want);
	snprintf(want, sizeof(want), "struct module at 0x%" PRIx64 ": name is "
		 "not NUL-terminated", MODIMG_BASE + modimg_module(2));
	CHECK_CONTAINS(problems(&ml), want);
	gc_modlist_free(&ml);
}

/* A layout whose fields lie past struct module is refused. */
TEST(modules_bad_layout)
{
	modimg_build(img, 0);
	struct gc_kmem m = {NULL, rd};
	struct gc_mod_layout l;
	modimg_layout(&l, 0);
	l.kallsyms = l.size;
	struct gc_modlist ml;
	memset(&ml, 0, sizeof(ml));
	struct gc_error *err = gc_modules_walk(&m, &l, MODIMG_BASE, &ml);
	CHECK(err);
	CHECK_CONTAINS(gc_error_string(err), "past the structure");
	gc_error_free(err);
	gc_modlist_free(&ml);
}

/* The real KASLR dump: the layout from its BTF is 6.1's (the offsets the
 * synthetic image uses), and pvpanic's symbols resolve. */
TEST(modules_real_dump)
{
	const char *p = gc_test_real_dump(
		"qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf");
	if (!p) {
		gc_test_skip("real dump absent");
		return;
	}
	struct gc_dump *d;
	struct gc_kernel *k;
	CHECK(!gc_dump_open(p, NULL, &d));
	CHECK(!gc_kernel_open(d, NULL, &k));
	const struct gc_types *t;
	CHECK(!gc_kernel_types(k, &t));
	struct gc_mod_layout l, want;
	CHECK(!gc_mod_layout_from_types(t, &l));
	modimg_layout(&want, 0);
	CHECK_EQ_U64(l.size, want.size);
	CHECK_EQ_U64(l.list, want.list);
	CHECK_EQ_U64(l.name, want.name);
	CHECK_EQ_U64(l.name_len, want.name_len);
	CHECK_EQ_U64(l.taints, want.taints);
	CHECK_EQ_U64(l.kallsyms, want.kallsyms);
	CHECK_EQ_U64(l.nr_regions, 2);
	CHECK_EQ_U64(l.region[0].base, want.region[0].base);
	CHECK_EQ_U64(l.region[0].size, want.region[0].size);
	CHECK_EQ_U64(l.region[1].base, want.region[1].base);
	CHECK_EQ_U64(l.ks_num, 8);
	CHECK_EQ_U64(l.ks_typetab, 24);
	CHECK_STR(l.state_name[0], "MODULE_STATE_LIVE");
	size_t n;
	CHECK(!gc_kernel_modules(k, &n));
	CHECK_EQ_U64(n, 3);
	CHECK_EQ_U64(gc_kernel_nr_module_problems(k), 0);
	struct gc_symbol s;
	CHECK(!gc_kernel_symbol_at(k, 0xffffffffc0303230ull, &s));
	CHECK_STR(s.name, "pvpanic_panic_notify");
	CHECK_STR(s.module, "pvpanic");
	CHECK_EQ_U64(s.addr, 0xffffffffc03031d0ull);
	CHECK(!gc_kernel_symbol(k, "fw_cfg_read_blob", &s));
	CHECK_EQ_U64(s.addr, 0xffffffffc02f8300ull);
	CHECK_STR(s.module, "qemu_fw_cfg");
	/* image symbols have no module */
	CHECK(!gc_kernel_symbol(k, "linux_banner", &s));
	CHECK_STR(s.module, "");
	gc_kernel_close(k);
	gc_dump_close(d);
}

TEST_MAIN()
