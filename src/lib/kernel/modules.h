// SPDX-License-Identifier: MIT
/*
 * Loaded modules read from kernel memory (modules.c): the `modules` list,
 * each struct module's name, memory regions, state, taints and its own
 * kallsyms (mod->kallsyms -> symtab/num_symtab/strtab/typetab).  The walk
 * works on a struct gc_kmem and a layout, so the fuzzer can feed it a
 * synthetic memory image; gc_mod_layout_from_types fills the layout from
 * the kernel's types (BTF).
 */
#ifndef GC_KERNEL_MODULES_H
#define GC_KERNEL_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestcore/kernel.h"
#include "guestcore/types.h"

struct gc_kmem;

#define GC_MOD_MAX_REGIONS 8
#define GC_MOD_MAX_STATES 8

/* Where struct module's fields are (byte offsets) and how big. */
struct gc_mod_layout {
	uint64_t size;              /* sizeof(struct module) */
	uint64_t list;              /* list (struct list_head) */
	uint64_t name, name_len;    /* char name[MODULE_NAME_LEN] */
	uint64_t state;             /* enum module_state (4 bytes) */
	uint64_t taints;            /* unsigned long */
	bool has_taints;
	uint64_t kallsyms;          /* struct mod_kallsyms * */
	bool has_kallsyms;
	unsigned int nr_regions;    /* core_layout/init_layout or mem[] */
	struct {
		uint64_t base, size;    /* offsets of the pointer and size */
		unsigned int size_bytes;/* 4 (unsigned int) or 8 */
		bool init;
	} region[GC_MOD_MAX_REGIONS];
	/* struct mod_kallsyms */
	uint64_t ks_size, ks_symtab, ks_num, ks_strtab, ks_typetab;
	unsigned int ks_num_bytes;
	bool has_typetab;
	/* enum module_state's names by value (NULL: unknown) */
	const char *state_name[GC_MOD_MAX_STATES];
	const char *layout;         /* "core_layout", "mem[7]", ... */
};

struct gc_modsym {
	uint64_t addr;
	char type;
	uint32_t name;              /* offset into the module's names */
};

struct gc_kmodule {
	struct gc_module pub;
	unsigned int nr_regions;
	struct { uint64_t base, size; bool init; } region[GC_MOD_MAX_REGIONS];
	struct gc_modsym *syms;     /* sorted by address */
	size_t nr_syms;
	char *names;
};

struct gc_modlist {
	struct gc_kmodule *m;
	size_t n, cap;
	char **problems;            /* one line each, naming the address */
	size_t nr_problems, cap_problems;
	bool loaded;
	bool loading;               /* guards gc_kernel_symbol recursion */
	struct gc_error *err;       /* why there is no list at all */
};

/* The layout from the kernel's types. */
struct gc_error *gc_mod_layout_from_types(const struct gc_types *t,
					  struct gc_mod_layout *l);
/* Walk the list whose head is at HEAD; damaged entries become OUT's
 * problems.  Fails only when out of memory or when HEAD itself cannot be
 * read. */
struct gc_error *gc_modules_walk(const struct gc_kmem *m,
				 const struct gc_mod_layout *l, uint64_t head,
				 struct gc_modlist *out);
void gc_modlist_free(struct gc_modlist *ml);
/* The module whose memory holds ADDR and its symbol at or below ADDR
 * (*SYM NULL when the module has none below ADDR); NULL if none. */
const struct gc_kmodule *gc_modlist_find(const struct gc_modlist *ml,
					 uint64_t addr,
					 const struct gc_modsym **sym);

#endif
