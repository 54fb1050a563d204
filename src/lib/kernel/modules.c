// SPDX-License-Identifier: MIT
/*
 * Loaded modules, from kernel memory only (no .ko files):
 *
 *   modules (struct list_head) -> struct module.list, for each module
 *     name[MODULE_NAME_LEN], state (enum module_state), taints,
 *     its memory: core_layout/init_layout {base, size} (Linux 4.5-6.3),
 *       mem[MOD_MEM_NUM_TYPES] {base, size} (6.4+), or module_core/
 *       core_size and module_init/init_size (before 4.5);
 *     kallsyms -> struct mod_kallsyms {symtab, num_symtab, strtab,
 *       typetab}: Elf64_Sym entries (24 bytes: st_name u32, st_info u8,
 *       st_other u8, st_shndx u16, st_value u64, st_size u64).  While a
 *       module initialises, kallsyms is the full table in its init memory;
 *       once init is freed it points at core_kallsyms, the core symbols.
 *
 * Every layout comes from the kernel's BTF.  Every pointer and count read
 * is checked (the table must lie in the module's own memory, counts are
 * bounded by that memory's size), the walk is bounded, and a damaged entry
 * becomes a problem line naming its address, never a guess.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/modules.h"
#include "util/util.h"
#include "util/vec.h"

#define MAX_MODULES 8192
#define MAX_MODULE_STRUCT (64u << 10)
#define MAX_REGION (1ull << 30)     /* a module region over 1 GiB is damage */
#define MAX_SYMS (1u << 20)
#define SYM_BYTES 24
#define MAX_SYM_NAME 512            /* KSYM_NAME_LEN */

/* ---- layout from the types ------------------------------------------ */

static struct gc_error *off(const struct gc_types *t, const char *ty,
			    const char *path, uint64_t *o)
{
	return gc_types_offsetof(t, ty, path, o, NULL);
}

static struct gc_error *member_size(const struct gc_types *t, const char *ty,
				    const char *path, uint64_t *size)
{
	struct gc_member m;
	struct gc_error *err = gc_types_member(t, ty, path, &m, NULL);
	if (!err)
		err = gc_type_sizeof(m.type, size);
	return err;
}

static struct gc_error *region(const struct gc_types *t,
			       struct gc_mod_layout *l, const char *ty,
			       uint64_t at, const char *base,
			       const char *size, bool init)
{
	uint64_t b, s, sb;
	struct gc_error *err;
	if ((err = off(t, ty, base, &b)) || (err = off(t, ty, size, &s)) ||
	    (err = member_size(t, ty, size, &sb)))
		return err;
	if (l->nr_regions >= GC_MOD_MAX_REGIONS || (sb != 4 && sb != 8))
		return gc_error_new(GC_ERR_UNSUPPORTED, ty, "module memory "
				    "layout not understood (%u regions, size "
				    "field of %" PRIu64 " bytes)",
				    l->nr_regions, sb);
	l->region[l->nr_regions].base = at + b;
	l->region[l->nr_regions].size = at + s;
	l->region[l->nr_regions].size_bytes = (unsigned int)sb;
	l->region[l->nr_regions].init = init;
	l->nr_regions++;
	return NULL;
}

static struct gc_error *regions(const struct gc_types *t,
				struct gc_mod_layout *l)
{
	struct gc_error *err;
	struct gc_member m;
	uint64_t o;
	/* 6.4+: struct module_memory mem[MOD_MEM_NUM_TYPES] */
	if (!(err = gc_types_member(t, "struct module", "mem", &m, NULL))) {
		struct gc_type_info ai, ei;
		if ((err = gc_type_info(m.type, &ai)))
			return err;
		if (ai.kind != GC_TYPE_ARRAY || !ai.nr_elems ||
		    ai.nr_elems > GC_MOD_MAX_REGIONS)
			return gc_error_new(GC_ERR_UNSUPPORTED, "struct module",
					    "member mem is not an array of 1-%d"
					    " regions", GC_MOD_MAX_REGIONS);
		uint64_t esz;
		if ((err = gc_type_sizeof(ai.target, &esz)) ||
		    (err = gc_type_info(ai.target, &ei)))
			return err;
		int64_t first_init = INT64_MAX;
		struct gc_error *e2 = gc_types_number(t, "MOD_INIT_TEXT",
						      &first_init, NULL);
		gc_error_free(e2);
		for (uint64_t i = 0; i < ai.nr_elems; i++)
			if ((err = region(t, l, "struct module_memory",
					  m.bit_offset / 8 + i * esz, "base",
					  "size", (int64_t)i >= first_init)))
				return err;
		l->layout = "mem[]";
		return NULL;
	}
	gc_error_free(err);
	/* 4.5-6.3: struct module_layout core_layout, init_layout */
	if (!(err = off(t, "struct module", "core_layout", &o))) {
		if ((err = region(t, l, "struct module_layout", o, "base",
				  "size", false)))
			return err;
		if (!(err = off(t, "struct module", "init_layout", &o)))
			err = region(t, l, "struct module_layout", o, "base",
				     "size", true);
		l->layout = "core_layout/init_layout";
		return err;
	}
	gc_error_free(err);
	/* before 4.5 */
	if ((err = region(t, l, "struct module", 0, "module_core",
			  "core_size", false)))
		return gc_error_context(err, "struct module has neither mem[],"
					" core_layout nor module_core");
	l->layout = "module_core/module_init";
	return region(t, l, "struct module", 0, "module_init", "init_size",
		      true);
}

struct gc_error *gc_mod_layout_from_types(const struct gc_types *t,
					  struct gc_mod_layout *l)
{
	memset(l, 0, sizeof(*l));
	struct gc_error *err;
	if ((err = gc_types_sizeof(t, "struct module", &l->size, NULL)) ||
	    (err = off(t, "struct module", "list", &l->list)) ||
	    (err = off(t, "struct module", "name", &l->name)) ||
	    (err = member_size(t, "struct module", "name", &l->name_len)) ||
	    (err = off(t, "struct module", "state", &l->state)) ||
	    (err = regions(t, l)))
		return gc_error_context(err, "struct module layout");
	if (l->size > MAX_MODULE_STRUCT || !l->name_len || l->name_len > 256)
		return gc_error_new(GC_ERR_UNSUPPORTED, "struct module",
				    "%" PRIu64 " bytes, name of %" PRIu64
				    ": not a plausible layout", l->size,
				    l->name_len);
	if (!(err = off(t, "struct module", "taints", &l->taints)))
		l->has_taints = true;
	gc_error_free(err);
	/* CONFIG_KALLSYMS */
	if (!(err = off(t, "struct module", "kallsyms", &l->kallsyms)) &&
	    !(err = gc_types_sizeof(t, "struct mod_kallsyms", &l->ks_size,
				    NULL)) &&
	    !(err = off(t, "struct mod_kallsyms", "symtab", &l->ks_symtab)) &&
	    !(err = off(t, "struct mod_kallsyms", "strtab", &l->ks_strtab)) &&
	    !(err = off(t, "struct mod_kallsyms", "num_symtab", &l->ks_num))) {
		uint64_t nb = 0;
		struct gc_error *e2 = member_size(t, "struct mod_kallsyms",
						  "num_symtab", &nb);
		gc_error_free(e2);
		l->ks_num_bytes = nb == 8 ? 8 : 4;
		l->has_kallsyms = l->ks_size <= 4096;
		if (!(e2 = off(t, "struct mod_kallsyms", "typetab",
				&l->ks_typetab)))
			l->has_typetab = true;
		gc_error_free(e2);
	}
	gc_error_free(err);
	/* the names of enum module_state's values */
	struct gc_member m;
	if (!(err = gc_types_member(t, "struct module", "state", &m, NULL))) {
		struct gc_type e;
		struct gc_type_info ei;
		if (!(err = gc_type_strip(m.type, &e)) &&
		    !(err = gc_type_info(e, &ei)) && ei.kind == GC_TYPE_ENUM) {
			for (uint32_t i = 0; i < ei.vlen; i++) {
				struct gc_enumerator en;
				struct gc_error *ee = gc_type_enumerator(e, i,
									 &en);
				gc_error_free(ee);
				if (!ee && en.value >= 0 &&
				    en.value < GC_MOD_MAX_STATES)
					l->state_name[en.value] = en.name;
			}
		}
	}
	gc_error_free(err);
	return NULL;
}

/* ---- the walk --------------------------------------------------------- */

static struct gc_error *problem(struct gc_modlist *ml, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct gc_error *problem(struct gc_modlist *ml, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = gc_vasprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return &gc_error_nomem;
	if (!gc_vec_push(&ml->problems, &ml->nr_problems, &ml->cap_problems,
			 &s)) {
		free(s);
		return &gc_error_nomem;
	}
	return NULL;
}

static uint64_t getn(const uint8_t *p, unsigned int n)
{
	return n == 8 ? gc_get64(p, false) : gc_get32(p, false);
}

/* The region of MOD holding [VA, VA+LEN), or -1. */
static int region_of(const struct gc_kmodule *mod, uint64_t va, uint64_t len)
{
	for (unsigned int i = 0; i < mod->nr_regions; i++) {
		uint64_t b = mod->region[i].base, s = mod->region[i].size;
		if (va >= b && va - b <= s && len <= s - (va - b))
			return (int)i;
	}
	return -1;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct gc_modsym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The module's own kallsyms; problems name the module and address. */
static struct gc_error *read_syms(const struct gc_kmem *m,
				  const struct gc_mod_layout *l,
				  const uint8_t *mb, struct gc_kmodule *mod,
				  struct gc_modlist *ml)
{
	const char *nm = mod->pub.name;
	uint64_t ksp = gc_get64(mb + l->kallsyms, false);
	if (!ksp)
		return problem(ml, "module %s (struct module at 0x%" PRIx64
			       "): kallsyms pointer is NULL", nm,
			       mod->pub.addr);
	uint8_t ks[4096];
	struct gc_error *err = m->read(m->ctx, ksp, ks, l->ks_size);
	if (err) {
		struct gc_error *e2 = problem(ml, "module %s: struct "
					      "mod_kallsyms at 0x%" PRIx64
					      " unreadable: %s", nm, ksp,
					      gc_error_string(err));
		gc_error_free(err);
		return e2;
	}
	uint64_t symtab = gc_get64(ks + l->ks_symtab, false);
	uint64_t strtab = gc_get64(ks + l->ks_strtab, false);
	uint64_t num = getn(ks + l->ks_num, l->ks_num_bytes);
	uint64_t typetab = l->has_typetab ? gc_get64(ks + l->ks_typetab,
						     false) : 0;
	if (num > MAX_SYMS || region_of(mod, symtab, num * SYM_BYTES) < 0)
		return problem(ml, "module %s: mod_kallsyms at 0x%" PRIx64
			       ": symtab 0x%" PRIx64 " with %" PRIu64
			       " entries does not lie in the module's memory",
			       nm, ksp, symtab, num);
	int sr = region_of(mod, strtab, 1);
	if (sr < 0)
		return problem(ml, "module %s: mod_kallsyms at 0x%" PRIx64
			       ": strtab 0x%" PRIx64 " is not in the "
			       "module's memory", nm, ksp, strtab);
	if (typetab && region_of(mod, typetab, num) < 0)
		return problem(ml, "module %s: mod_kallsyms at 0x%" PRIx64
			       ": typetab 0x%" PRIx64 " (%" PRIu64 " bytes) "
			       "is not in the module's memory", nm, ksp,
			       typetab, num);
	if (!num)
		return NULL;
	uint8_t *tab = malloc(num * SYM_BYTES);
	uint8_t *types = typetab ? malloc(num) : NULL;
	char *strs = NULL;
	mod->syms = calloc(num, sizeof(*mod->syms));
	if (!tab || (typetab && !types) || !mod->syms) {
		free(tab);
		free(types);
		return &gc_error_nomem;
	}
	const char *what = "symtab";
	uint64_t at = symtab;
	err = m->read(m->ctx, symtab, tab, num * SYM_BYTES);
	/* strtab is read once: up to the last name the symbols use (plus
	 * the longest name), never past the end of its region */
	uint64_t str_len = mod->region[sr].base + mod->region[sr].size - strtab;
	if (!err) {
		uint64_t need = 0;
		for (uint64_t i = 0; i < num; i++) {
			uint32_t o = gc_get32(tab + i * SYM_BYTES, false);
			if (o < str_len && o >= need)
				need = (uint64_t)o + MAX_SYM_NAME;
		}
		str_len = GC_MIN(str_len, need);
		if (!(strs = malloc(str_len + 1))) {
			free(tab);
			free(types);
			return &gc_error_nomem;
		}
	}
	if (!err && typetab) {
		what = "typetab";
		at = typetab;
		err = m->read(m->ctx, typetab, types, num);
	}
	if (!err) {
		what = "strtab";
		at = strtab;
		err = m->read(m->ctx, strtab, strs, str_len);
	}
	if (err) {
		struct gc_error *e2 = problem(ml, "module %s: %s at 0x%" PRIx64
					      " unreadable: %s", nm, what, at,
					      gc_error_string(err));
		gc_error_free(err);
		free(tab);
		free(types);
		free(strs);
		return e2;
	}
	strs[str_len] = 0;
	size_t bad = 0;
	uint64_t bad_at = 0;
	for (uint64_t i = 0; i < num; i++) {
		const uint8_t *s = tab + i * SYM_BYTES;
		uint32_t st_name = gc_get32(s, false);
		uint8_t info = s[4];
		uint16_t shndx = (uint16_t)(s[6] | s[7] << 8);
		uint64_t value = gc_get64(s + 8, false);
		if (!st_name && !value)
			continue;          /* the null symbol */
		if (shndx == 0 || st_name >= str_len || !strs[st_name] ||
		    !memchr(strs + st_name, 0,
			    GC_MIN(str_len - st_name + 1, MAX_SYM_NAME))) {
			if (!bad++)
				bad_at = symtab + i * SYM_BYTES;
			continue;
		}
		char type;
		if (types) {
			/* typetab's letter, upper case for a global or weak
			 * binding as nm and crash print it (6.1's typetab
			 * says 't' for exported functions) */
			type = (char)types[i];
			if ((info >> 4) != 0 && type >= 'a' && type <= 'z')
				type = (char)(type - 'a' + 'A');
		} else {
			unsigned int bind = info >> 4, stt = info & 15;
			type = stt == 2 ? 't' : 'd';      /* STT_FUNC */
			if (bind != 0)                   /* not STB_LOCAL */
				type = (char)(type - 'a' + 'A');
		}
		if ((unsigned char)type < 0x21 || (unsigned char)type > 0x7e)
			type = '?';
		struct gc_modsym *o = &mod->syms[mod->nr_syms++];
		o->addr = value;
		o->type = type;
		o->name = st_name;
	}
	free(tab);
	free(types);
	/* names are printed: sanitize the whole table once */
	for (uint64_t i = 0; i < str_len; i++)
		if (strs[i] && ((unsigned char)strs[i] < 0x20 ||
				(unsigned char)strs[i] > 0x7e))
			strs[i] = '?';
	mod->names = strs;
	gc_qsort(mod->syms, mod->nr_syms, sizeof(*mod->syms), sym_cmp);
	mod->pub.nr_syms = mod->nr_syms;
	if (bad)
		return problem(ml, "module %s: %zu of %" PRIu64 " kallsyms "
			       "entries are undefined or name no string in "
			       "strtab (the first at 0x%" PRIx64 "); skipped",
			       nm, bad, num, bad_at);
	return NULL;
}

static void mod_free(struct gc_kmodule *mod)
{
	free(mod->syms);
	free(mod->names);
}

/* One struct module at MA (already read into MB). */
static struct gc_error *parse_module(const struct gc_kmem *m,
				     const struct gc_mod_layout *l,
				     uint64_t ma, const uint8_t *mb,
				     struct gc_modlist *ml)
{
	struct gc_kmodule mod;
	memset(&mod, 0, sizeof(mod));
	mod.pub.addr = ma;
	const char *raw = (const char *)mb + l->name;
	size_t nl = strnlen(raw, l->name_len);
	size_t cap = sizeof(mod.pub.name) - 1;
	gc_sanitize(mod.pub.name, raw, GC_MIN(nl, cap));
	struct gc_error *err = NULL;
	if (nl == 0 || nl == l->name_len)
		err = problem(ml, "struct module at 0x%" PRIx64 ": name %s",
			      ma, nl ? "is not NUL-terminated" : "is empty");
	if (err)
		return err;
	if (!nl)
		snprintf(mod.pub.name, sizeof(mod.pub.name), "?");
	uint32_t st = gc_get32(mb + l->state, false);
	mod.pub.state = st;
	mod.pub.state_name = st < GC_MOD_MAX_STATES ? l->state_name[st] : NULL;
	if (!mod.pub.state_name)
		mod.pub.state_name = "";
	if (l->has_taints) {
		mod.pub.taints = gc_get64(mb + l->taints, false);
		mod.pub.has_taints = true;
	}
	bool base_set = false;
	for (unsigned int i = 0; i < l->nr_regions; i++) {
		uint64_t b = gc_get64(mb + l->region[i].base, false);
		uint64_t s = getn(mb + l->region[i].size,
				  l->region[i].size_bytes);
		if (!b && !s)
			continue;     /* unused (init memory after init) */
		if (!b || s > MAX_REGION || b + s < b) {
			if ((err = problem(ml, "module %s (struct module at 0x%"
					   PRIx64 "): memory region %u base "
					   "0x%" PRIx64 " size %" PRIu64
					   " is not plausible; ignored",
					   mod.pub.name, ma, i, b, s)))
				return err;
			continue;
		}
		unsigned int r = mod.nr_regions++;
		mod.region[r].base = b;
		mod.region[r].size = s;
		mod.region[r].init = l->region[i].init;
		if (l->region[i].init) {
			if (!mod.pub.init_base)
				mod.pub.init_base = b;
			mod.pub.init_size += s;
		} else {
			if (!base_set)
				mod.pub.base = b;
			base_set = true;
			mod.pub.size += s;
		}
	}
	if (!base_set && (err = problem(ml, "module %s (struct module at 0x%"
					PRIx64 "): no core memory", mod.pub.name,
					ma)))
		return err;
	if (l->has_kallsyms && mod.nr_regions &&
	    (err = read_syms(m, l, mb, &mod, ml))) {
		mod_free(&mod);
		return err;
	}
	if (!gc_vec_push(&ml->m, &ml->n, &ml->cap, &mod)) {
		mod_free(&mod);
		return &gc_error_nomem;
	}
	return NULL;
}

static bool kernel_pointer(uint64_t p)
{
	return p >= 0xff00000000000000ull && !(p & 7);
}

struct gc_error *gc_modules_walk(const struct gc_kmem *m,
				 const struct gc_mod_layout *l, uint64_t head,
				 struct gc_modlist *out)
{
	uint8_t hb[8];
	struct gc_error *err = m->read(m->ctx, head, hb, 8);
	if (err)
		return gc_error_context(err, "modules list head at 0x%" PRIx64,
					head);
	if (l->size > MAX_MODULE_STRUCT || l->list + 16 > l->size ||
	    l->name + l->name_len > l->size || l->state + 4 > l->size ||
	    (l->has_taints && l->taints + 8 > l->size) ||
	    (l->has_kallsyms && (l->kallsyms + 8 > l->size ||
				 l->ks_size > 4096 ||
				 l->ks_symtab + 8 > l->ks_size ||
				 l->ks_strtab + 8 > l->ks_size ||
				 l->ks_num + l->ks_num_bytes > l->ks_size ||
				 (l->has_typetab &&
				  l->ks_typetab + 8 > l->ks_size))))
		return gc_error_new(GC_ERR_INVALID_ARG, "struct module layout",
				    "a field lies past the structure's %" PRIu64
				    " bytes", l->size);
	for (unsigned int i = 0; i < l->nr_regions; i++)
		if (l->region[i].base + 8 > l->size ||
		    l->region[i].size + l->region[i].size_bytes > l->size)
			return gc_error_new(GC_ERR_INVALID_ARG,
					    "struct module layout", "memory "
					    "region %u lies past the structure",
					    i);
	uint8_t *mb = malloc(l->size);
	if (!mb)
		return &gc_error_nomem;
	uint64_t pos = gc_get64(hb, false), prev = head;
	unsigned int n = 0;
	while (pos != head) {
		if (n++ >= MAX_MODULES) {
			err = problem(out, "modules list at 0x%" PRIx64 " does "
				      "not come back to its head after %d "
				      "entries; stopped", head, MAX_MODULES);
			break;
		}
		if (!kernel_pointer(pos) || pos < l->list) {
			err = problem(out, "modules list: the entry after 0x%"
				      PRIx64 " points to 0x%" PRIx64 ", not "
				      "a kernel address; the rest of the list "
				      "is lost", prev, pos);
			break;
		}
		uint64_t ma = pos - l->list;
		struct gc_error *re = m->read(m->ctx, ma, mb, l->size);
		if (re) {
			err = problem(out, "struct module at 0x%" PRIx64 " (list "
				      "entry 0x%" PRIx64 ") unreadable: %s; "
				      "the rest of the list is lost", ma, pos,
				      gc_error_string(re));
			gc_error_free(re);
			break;
		}
		uint64_t next = gc_get64(mb + l->list, false);
		uint64_t back = gc_get64(mb + l->list + 8, false);
		if (back != prev &&
		    (err = problem(out, "struct module at 0x%" PRIx64 ": "
				   "list.prev is 0x%" PRIx64 ", expected 0x%"
				   PRIx64, ma, back, prev)))
			break;
		/* A list that loops back to an entry already seen. */
		bool seen = false;
		for (size_t i = 0; i < out->n && back != prev; i++)
			seen |= out->m[i].pub.addr == ma;
		if (seen) {
			err = problem(out, "modules list: struct module at 0x%"
				      PRIx64 " comes twice; stopped", ma);
			break;
		}
		if ((err = parse_module(m, l, ma, mb, out)))
			break;
		prev = pos;
		pos = next;
	}
	free(mb);
	return err;
}

void gc_modlist_free(struct gc_modlist *ml)
{
	for (size_t i = 0; i < ml->n; i++)
		mod_free(&ml->m[i]);
	free(ml->m);
	for (size_t i = 0; i < ml->nr_problems; i++)
		free(ml->problems[i]);
	free(ml->problems);
	gc_error_free(ml->err);
	memset(ml, 0, sizeof(*ml));
}

const struct gc_kmodule *gc_modlist_find(const struct gc_modlist *ml,
					 uint64_t addr,
					 const struct gc_modsym **sym)
{
	*sym = NULL;
	for (size_t i = 0; i < ml->n; i++) {
		const struct gc_kmodule *mod = &ml->m[i];
		if (region_of(mod, addr, 1) < 0)
			continue;
		size_t lo = 0, hi = mod->nr_syms;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (mod->syms[mid].addr <= addr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo) {
			/* prefer a global name among equal addresses */
			size_t best = lo - 1;
			for (size_t j = lo - 1; j-- > 0 &&
			     mod->syms[j].addr == mod->syms[lo - 1].addr;)
				if (mod->syms[j].type >= 'A' &&
				    mod->syms[j].type <= 'Z')
					best = j;
			/* only a symbol in the same region as ADDR */
			if (region_of(mod, mod->syms[best].addr, 1) ==
			    region_of(mod, addr, 1))
				*sym = &mod->syms[best];
		}
		return mod;
	}
	return NULL;
}

/* ---- the kernel object's list ----------------------------------------- */

void gc_kernel_modules_free(struct gc_kernel *k)
{
	if (k->mods) {
		gc_modlist_free(k->mods);
		free(k->mods);
		k->mods = NULL;
	}
}

size_t gc_kernel_nr_modules_read(const struct gc_kernel *k)
{
	return k->mods ? k->mods->n : 0;
}

/* Read the list once.  NULL when out of memory. */
static struct gc_modlist *load(struct gc_kernel *k)
{
	if (!k->mods && !(k->mods = calloc(1, sizeof(*k->mods))))
		return NULL;
	struct gc_modlist *ml = k->mods;
	if (ml->loaded)
		return ml;
	ml->loaded = true;
	ml->loading = true;
	const struct gc_types *t;
	struct gc_symbol head;
	struct gc_mod_layout l;
	struct gc_error *err = gc_kernel_symbol(k, "modules", &head);
	if (err)
		err = gc_error_context(err, "the modules list head");
	if (!err)
		err = gc_kernel_types(k, &t);
	if (!err)
		err = gc_mod_layout_from_types(t, &l);
	if (!err) {
		struct gc_kmem m;
		gc_kernel_kmem(k, &m);
		err = gc_modules_walk(&m, &l, head.addr, ml);
		if (!err && !l.has_kallsyms)
			gc_kernel_add_note(k, "modules: struct module has no "
					   "kallsyms (a kernel without "
					   "CONFIG_KALLSYMS): no module "
					   "symbols");
	}
	for (size_t i = 0; i < ml->nr_problems; i++)
		gc_kernel_add_note(k, "modules: %s", ml->problems[i]);
	ml->err = err;
	ml->loading = false;
	return ml;
}

struct gc_error *gc_kernel_modules(struct gc_kernel *k, size_t *nr)
{
	*nr = 0;
	struct gc_modlist *ml = load(k);
	if (!ml || ml->err == &gc_error_nomem)
		return &gc_error_nomem;
	if (ml->err)
		return gc_error_new(gc_error_code(ml->err), "modules", "%s",
				    gc_error_string(ml->err));
	*nr = ml->n;
	return NULL;
}

const struct gc_module *gc_kernel_module(const struct gc_kernel *k, size_t i)
{
	return k->mods && i < k->mods->n ? &k->mods->m[i].pub : NULL;
}

bool gc_kernel_module_sym(const struct gc_kernel *k, size_t i, size_t j,
			  struct gc_symbol *out)
{
	memset(out, 0, sizeof(*out));
	if (!k->mods || i >= k->mods->n || j >= k->mods->m[i].nr_syms)
		return false;
	const struct gc_kmodule *mod = &k->mods->m[i];
	snprintf(out->name, sizeof(out->name), "%s",
		 mod->names + mod->syms[j].name);
	snprintf(out->module, sizeof(out->module), "%s", mod->pub.name);
	out->addr = mod->syms[j].addr;
	out->type = mod->syms[j].type;
	out->source = "module kallsyms";
	return true;
}

size_t gc_kernel_nr_module_problems(const struct gc_kernel *k)
{
	return k->mods ? k->mods->nr_problems : 0;
}

const char *gc_kernel_module_problem(const struct gc_kernel *k, size_t i)
{
	return k->mods && i < k->mods->nr_problems ? k->mods->problems[i] :
						     NULL;
}

/* The list, unless it or the types are being read right now (reading it
 * asks for kernel symbols and the types, which must not recurse into it). */
static const struct gc_modlist *usable(struct gc_kernel *k)
{
	if ((k->mods && k->mods->loading) || k->types_building)
		return NULL;
	return load(k);
}

bool gc_kernel_module_symbol_at(struct gc_kernel *k, uint64_t addr,
				struct gc_symbol *out,
				struct gc_error **err)
{
	*err = NULL;
	const struct gc_modlist *ml = usable(k);
	if (!ml)
		return false;
	const struct gc_modsym *s;
	const struct gc_kmodule *mod = gc_modlist_find(ml, addr, &s);
	if (!mod)
		return false;
	if (!s) {
		*err = gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, addr,
				     "symbol lookup", "in module %s (0x%" PRIx64
				     ", %" PRIu64 " bytes), which has no "
				     "symbol below it (%zu symbols)",
				     mod->pub.name, mod->pub.base,
				     mod->pub.size, mod->nr_syms);
		return true;
	}
	snprintf(out->name, sizeof(out->name), "%s", mod->names + s->name);
	snprintf(out->module, sizeof(out->module), "%s", mod->pub.name);
	out->addr = s->addr;
	out->type = s->type;
	out->source = "module kallsyms";
	return true;
}

bool gc_kernel_module_find(struct gc_kernel *k, const char *module,
			   const char *name, struct gc_symbol *out)
{
	const struct gc_modlist *ml = usable(k);
	for (size_t i = 0; ml && i < ml->n; i++) {
		const struct gc_kmodule *mod = &ml->m[i];
		if (module && strcmp(mod->pub.name, module))
			continue;
		for (size_t j = 0; j < mod->nr_syms; j++) {
			if (strcmp(mod->names + mod->syms[j].name, name))
				continue;
			snprintf(out->name, sizeof(out->name), "%s", name);
			snprintf(out->module, sizeof(out->module), "%s",
				 mod->pub.name);
			out->addr = mod->syms[j].addr;
			out->type = mod->syms[j].type;
			out->source = "module kallsyms";
			return true;
		}
	}
	return false;
}

struct gc_error *gc_kernel_module_symbol(struct gc_kernel *k,
					 const char *module, const char *name,
					 uint64_t *addr)
{
	size_t n;
	struct gc_symbol sym;
	struct gc_error *err = gc_kernel_modules(k, &n);
	if (err)
		return err;
	if (gc_kernel_module_find(k, module, name, &sym)) {
		*addr = sym.addr;
		return NULL;
	}
	bool loaded = !module;
	for (size_t i = 0; module && i < n; i++)
		if (!strcmp(gc_kernel_module(k, i)->name, module))
			loaded = true;
	if (!loaded)
		return gc_error_new(GC_ERR_NOT_PRESENT, name, "module %s is not "
				    "loaded (%zu modules loaded)", module, n);
	return gc_error_new(GC_ERR_NOT_PRESENT, name, "no such symbol in %s%s "
			    "(%zu modules loaded)", module ? "module " : "the "
			    "loaded modules", module ? module : "", n);
}
