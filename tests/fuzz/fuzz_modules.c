// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the module-list walk and each module's kallsyms
 * (src/lib/kernel/modules.c) over kernel-virtual memory made of the input,
 * mapped at MODIMG_BASE (tests/fixtures/modimg.h).  The first byte picks
 * the struct module layout (bit 0: 6.4 mem[], else 6.1 core_layout) and
 * whether memory has a hole (bit 1: reads of the second quarter fail).
 * Then every address of the image is looked up as gc_kernel_symbol_at
 * would.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/modules.h"
#include "fixtures/modimg.h"

struct img {
	const uint8_t *p;
	size_t n;
	bool hole;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct img *im = ctx;
	uint64_t off = va - MODIMG_BASE;
	if (va < MODIMG_BASE || off > im->n || im->n - off < len)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "outside the image");
	if (im->hole && off < im->n / 2 && off + len > im->n / 4)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "read", "in the hole");
	memcpy(buf, im->p + off, len);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;
	struct img im = {data + 1, size - 1, (data[0] & 2) != 0};
	struct gc_kmem m = {&im, rd};
	struct gc_mod_layout l;
	modimg_layout(&l, data[0] & 1);
	struct gc_modlist ml;
	memset(&ml, 0, sizeof(ml));
	struct gc_error *err = gc_modules_walk(&m, &l, MODIMG_BASE, &ml);
	if (ml.n > 8192)
		__builtin_trap();
	for (size_t i = 0; i < ml.n; i++) {
		const struct gc_kmodule *mod = &ml.m[i];
		if (strlen(mod->pub.name) >= sizeof(mod->pub.name))
			__builtin_trap();
		for (size_t j = 0; j < mod->nr_syms; j++) {
			if (j && mod->syms[j].addr < mod->syms[j - 1].addr)
				__builtin_trap();  /* sorted */
			if (strlen(mod->names + mod->syms[j].name) >= 512)
				__builtin_trap();
		}
	}
	for (uint64_t a = MODIMG_BASE; a < MODIMG_BASE + im.n; a += 0x40) {
		const struct gc_modsym *s;
		const struct gc_kmodule *mod = gc_modlist_find(&ml, a, &s);
		if (s && (!mod || s->addr > a))
			__builtin_trap();
	}
	gc_error_free(err);
	gc_modlist_free(&ml);
	return 0;
}
