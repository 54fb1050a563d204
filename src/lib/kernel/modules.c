// SPDX-License-Identifier: MIT
/*
 * Symbols of loaded modules: the kernel's `modules` list -> struct module
 * (list, name) -> mod_kallsyms (symtab: Elf64_Sym[num_symtab], strtab),
 * the table /proc/kallsyms prints for modules.  kvm's vm_list lives
 * there, not in the core kernel's kallsyms.  The layouts of module and
 * mod_kallsyms come from the kernel's types (BTF); every count and
 * string read from memory is bounded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "util/util.h"

#define MAX_MODULES 8192
#define MAX_MOD_SYMS (1u << 20)
#define SYM_SIZE 24u          /* Elf64_Sym */
#define SYMS_PER_READ 256u

struct mod_off {
	uint64_t list, name, name_len, kallsyms, symtab, num, strtab;
};

static struct gc_error *mod_offsets(const struct gc_types *t,
				    struct mod_off *o)
{
	struct gc_error *err;
	struct gc_member m;
	uint64_t sz;
	if ((err = gc_types_offsetof(t, "struct module", "list", &o->list,
				     NULL)) ||
	    (err = gc_types_offsetof(t, "struct module", "name", &o->name,
				     NULL)) ||
	    (err = gc_types_offsetof(t, "struct module", "kallsyms",
				     &o->kallsyms, NULL)) ||
	    (err = gc_types_offsetof(t, "struct mod_kallsyms", "symtab",
				     &o->symtab, NULL)) ||
	    (err = gc_types_offsetof(t, "struct mod_kallsyms", "num_symtab",
				     &o->num, NULL)) ||
	    (err = gc_types_offsetof(t, "struct mod_kallsyms", "strtab",
				     &o->strtab, NULL)) ||
	    (err = gc_types_member(t, "struct module", "name", &m, NULL)) ||
	    (err = gc_type_sizeof(m.type, &sz)))
		return err;
	o->name_len = GC_MIN(sz, 64);
	return NULL;
}

/* Look NAME up in one module's symtab. */
static struct gc_error *mod_find(struct gc_kernel *k, const struct mod_off *o,
				 uint64_t mod, const char *modname,
				 const char *name, uint64_t *addr, bool *found)
{
	uint64_t ks, symtab, strtab;
	uint32_t num;
	struct gc_error *err;
	if ((err = gc_kernel_read_u64(k, mod + o->kallsyms, &ks)) ||
	    (err = gc_kernel_read_u64(k, ks + o->symtab, &symtab)) ||
	    (err = gc_kernel_read(k, ks + o->num, &num, sizeof(num))) ||
	    (err = gc_kernel_read_u64(k, ks + o->strtab, &strtab)))
		return gc_error_context(err, "kallsyms of module %s (struct "
					"module 0x%" PRIx64 ")", modname, mod);
	if (num > MAX_MOD_SYMS)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, ks,
				     "mod_kallsyms", "module %s: num_symtab %"
				     PRIu32 " (at most %u)", modname, num,
				     MAX_MOD_SYMS);
	size_t nlen = strlen(name);
	uint8_t buf[SYMS_PER_READ * SYM_SIZE];
	char str[130];
	for (uint32_t i = 0; i < num; i += SYMS_PER_READ) {
		uint32_t n = GC_MIN(num - i, SYMS_PER_READ);
		if ((err = gc_kernel_read(k, symtab + (uint64_t)i * SYM_SIZE,
					  buf, (size_t)n * SYM_SIZE)))
			return gc_error_context(err, "symtab of module %s",
						modname);
		for (uint32_t s = 0; s < n; s++) {
			const uint8_t *e = buf + s * SYM_SIZE;
			uint32_t st_name = gc_get32(e, false);
			uint64_t value = gc_get64(e + 8, false);
			if (!st_name || !value || nlen + 1 >= sizeof(str))
				continue;
			if ((err = gc_kernel_read(k, strtab + st_name, str,
						  nlen + 1))) {
				gc_error_free(err);
				continue;
			}
			if (!memcmp(str, name, nlen) && !str[nlen]) {
				*addr = value;
				*found = true;
				return NULL;
			}
		}
	}
	return NULL;
}

struct gc_error *gc_kernel_module_symbol(struct gc_kernel *k,
					 const char *module, const char *name,
					 uint64_t *addr)
{
	const struct gc_types *t;
	struct gc_error *err = gc_kernel_types(k, &t);
	struct mod_off o;
	if (!err)
		err = mod_offsets(t, &o);
	if (err)
		return gc_error_context(err, "module symbols (struct module "
					"layout)");
	struct gc_symbol head;
	if ((err = gc_kernel_symbol(k, "modules", &head)))
		return gc_error_context(err, "the kernel's module list");
	uint64_t pos;
	if ((err = gc_kernel_read_u64(k, head.addr, &pos)))
		return gc_error_context(err, "the kernel's module list");
	bool seen_module = false;
	for (unsigned int n = 0; pos != head.addr; n++) {
		if (n >= MAX_MODULES)
			return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					     head.addr, "module list",
					     "does not close after %u entries",
					     n);
		uint64_t mod = pos - o.list, next;
		char mname[65];
		if ((err = gc_kernel_read_u64(k, pos, &next)) ||
		    (err = gc_kernel_read(k, mod + o.name, mname, o.name_len)))
			return gc_error_context(err, "struct module 0x%" PRIx64,
						mod);
		mname[o.name_len] = 0;
		gc_sanitize(mname, mname, strnlen(mname, o.name_len));
		if (!module || !strcmp(module, mname)) {
			seen_module = true;
			bool found = false;
			err = mod_find(k, &o, mod, mname, name, addr, &found);
			if (err && module)
				return err;
			gc_error_free(err);
			if (found)
				return NULL;
		}
		pos = next;
	}
	if (module && !seen_module)
		return gc_error_new(GC_ERR_NOT_PRESENT, "module symbol",
				    "module %s is not loaded (not on the "
				    "kernel's module list)", module);
	return gc_error_new(GC_ERR_NOT_PRESENT, "module symbol",
			    "%s: no such symbol in %s%s", name,
			    module ? "module " : "any loaded module",
			    module ? module : "");
}
