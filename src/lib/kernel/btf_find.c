// SPDX-License-Identifier: MIT
/*
 * The kernel's types: builds the provider chain of a kernel view.
 *
 *   1. --vmlinux FILE, when given: its .BTF section, or else its DWARF
 *      (libdw);
 *   2. the kernel's own BTF, between the kallsyms symbols __start_BTF and
 *      __stop_BTF in the kernel image (CONFIG_DEBUG_INFO_BTF, Linux >= 5.2);
 *   3. the BTF of each loaded module: the kernel keeps every module's
 *      parsed struct btf on the btf_modules list (struct btf_module {list,
 *      module, btf}); the raw split BTF is btf->data (btf->data_size
 *      bytes; the module's own btf_data is freed after init).  The layouts
 *      of btf_module and btf come from the vmlinux BTF itself;
 *   4. VMCOREINFO's SIZE/OFFSET/SYMBOL/NUMBER lines.
 * What could not be had is said in the kernel's notes and in the chain's
 * failed lookups, with the option that supplies it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "types/types_internal.h"
#include "util/util.h"

#define BTF_MAX_BYTES (64ull << 20)  /* vmlinux BTF is ~5 MiB on 6.1 */
#define MAX_MODULES 8192

static struct gc_error *read_blob(struct gc_kernel *k, uint64_t va,
				  uint64_t len, uint8_t **out)
{
	*out = malloc(len ? len : 1);
	if (!*out)
		return &gc_error_nomem;
	struct gc_error *err = gc_kernel_read(k, va, *out, len);
	if (err) {
		free(*out);
		*out = NULL;
	}
	return err;
}

/* The vmlinux BTF in kernel memory. */
static struct gc_error *kernel_btf(struct gc_kernel *k,
				   struct gc_type_provider **out)
{
	struct gc_symbol s0, s1;
	struct gc_error *err = gc_kernel_symbol(k, "__start_BTF", &s0);
	if (!err)
		err = gc_kernel_symbol(k, "__stop_BTF", &s1);
	if (err)
		return gc_error_context(err, "no BTF in the kernel image (a "
					"kernel before 5.2 or without "
					"CONFIG_DEBUG_INFO_BTF)");
	if (s1.addr <= s0.addr || s1.addr - s0.addr > BTF_MAX_BYTES)
		return gc_error_addr(GC_ERR_FORMAT, GC_SPACE_KVIRT, s0.addr,
				     "kernel BTF", "__start_BTF 0x%" PRIx64
				     " .. __stop_BTF 0x%" PRIx64 " is not a "
				     "plausible BTF extent (1 byte .. 64 MiB)",
				     s0.addr, s1.addr);
	uint64_t len = s1.addr - s0.addr;
	uint8_t *blob;
	if ((err = read_blob(k, s0.addr, len, &blob)))
		return gc_error_context(err, "reading the kernel BTF");
	char src[160];
	snprintf(src, sizeof(src), "kernel BTF at 0x%" PRIx64 " (%" PRIu64
		 " bytes, __start_BTF from %s)", s0.addr, len, s0.source);
	err = gc_btf_provider_new(blob, len, src, out);
	free(blob);
	if (err)
		return gc_error_context(err, "kernel BTF at 0x%" PRIx64
					" (offsets are into the blob)", s0.addr);
	return NULL;
}

struct mod_layout {
	uint64_t list, btf;           /* btf_module */
	uint64_t data, data_size, name; /* btf */
	uint64_t name_len;
};

static struct gc_error *mod_layout(const struct gc_types *t,
				   struct mod_layout *l)
{
	struct gc_error *err;
	uint64_t sz;
	if ((err = gc_types_offsetof(t, "struct btf_module", "list", &l->list,
				     NULL)) ||
	    (err = gc_types_offsetof(t, "struct btf_module", "btf", &l->btf,
				     NULL)) ||
	    (err = gc_types_offsetof(t, "struct btf", "data", &l->data, NULL)) ||
	    (err = gc_types_offsetof(t, "struct btf", "data_size",
				     &l->data_size, NULL)) ||
	    (err = gc_types_offsetof(t, "struct btf", "name", &l->name, NULL)))
		return err;
	struct gc_member m;
	if ((err = gc_types_member(t, "struct btf", "name", &m, NULL)) ||
	    (err = gc_type_sizeof(m.type, &sz)))
		return err;
	l->name_len = GC_MIN(sz, 64);
	return NULL;
}

/* Add each loaded module's split BTF on BASE; problems become notes. */
static void module_btfs(struct gc_kernel *k, struct gc_types *t,
			const struct gc_type_provider *base)
{
	struct gc_symbol head;
	struct gc_error *err = gc_kernel_symbol(k, "btf_modules", &head);
	struct mod_layout l;
	if (!err)
		err = mod_layout(t, &l);
	if (err) {
		gc_kernel_add_note(k, "no module BTF: %s",
				   gc_error_string(err));
		gc_error_free(err);
		return;
	}
	uint64_t pos;
	if ((err = gc_kernel_read_u64(k, head.addr, &pos))) {
		gc_kernel_add_note(k, "no module BTF: btf_modules list: %s",
				   gc_error_string(err));
		gc_error_free(err);
		return;
	}
	unsigned int n = 0;
	for (; pos != head.addr; n++) {
		if (n >= MAX_MODULES) {
			gc_kernel_add_note(k, "module BTF: btf_modules list at "
					   "0x%" PRIx64 " does not close after "
					   "%u entries; stopped", head.addr, n);
			return;
		}
		uint64_t ent = pos - l.list, btf, data, next;
		uint8_t b4[4];
		char name[65] = "";
		if ((err = gc_kernel_read_u64(k, pos, &next)) ||
		    (err = gc_kernel_read_u64(k, ent + l.btf, &btf)) ||
		    (err = gc_kernel_read_u64(k, btf + l.data, &data)) ||
		    (err = gc_kernel_read(k, btf + l.data_size, b4, 4)) ||
		    (err = gc_kernel_read(k, btf + l.name, name, l.name_len))) {
			gc_kernel_add_note(k, "module BTF: btf_module at 0x%"
					   PRIx64 ": %s; the rest of the list "
					   "skipped", ent, gc_error_string(err));
			gc_error_free(err);
			return;
		}
		name[l.name_len] = 0;
		gc_sanitize(name, name, strnlen(name, l.name_len));
		uint32_t size = gc_get32(b4, false);
		uint8_t *blob = NULL;
		struct gc_type_provider *p = NULL;
		if (size == 0 || size > BTF_MAX_BYTES)
			err = gc_error_addr(GC_ERR_FORMAT, GC_SPACE_KVIRT, btf,
					    "struct btf", "data_size %" PRIu32
					    " is not plausible", size);
		else
			err = read_blob(k, data, size, &blob);
		if (!err) {
			char src[192];
			snprintf(src, sizeof(src), "BTF of module %s at 0x%"
				 PRIx64 " (%" PRIu32 " bytes, struct btf 0x%"
				 PRIx64 ")", name, data, size, btf);
			err = gc_btf_provider_new_split(base, blob, size, src,
							&p);
		}
		free(blob);
		if (!err)
			err = gc_types_add(t, p);
		if (err) {
			gc_kernel_add_note(k, "module BTF of %s skipped: %s",
					   name, gc_error_string(err));
			gc_error_free(err);
		}
		pos = next;
	}
}

static struct gc_error *build(struct gc_kernel *k, struct gc_types *t)
{
	struct gc_error *err;
	const struct gc_type_provider *base = NULL;
	struct gc_strbuf missing;
	gc_strbuf_init(&missing);
	if (k->opts.vmlinux) {
		/* its .BTF when it has one (fast), else its DWARF */
		struct gc_type_provider *p;
		err = gc_btf_provider_from_elf(k->opts.vmlinux, NULL, &p);
		if (err && err != &gc_error_nomem) {
			/* no .BTF, or a module's split .BTF: try DWARF */
			char *why = gc_asprintf("%s: %s", gc_error_what(err) ? gc_error_what(err) :
						"", gc_error_why(err) ? gc_error_why(err) : "");
			gc_error_free(err);
			err = gc_dwarf_provider_open(k->opts.vmlinux, &p);
			if (err)
				err = gc_error_context(err, "%s; and its DWARF",
						       why ? why : "no BTF");
			free(why);
		}
		if (!err && !(err = gc_types_add(t, p)))
			base = p;
		if (err) {
			if (err == &gc_error_nomem)
				return err;
			gc_kernel_add_note(k, "--vmlinux gives no types: %s",
					   gc_error_string(err));
			gc_strbuf_printf(&missing, "--vmlinux %s gives no types:"
					 " %s", k->opts.vmlinux,
					 gc_error_string(err));
			gc_error_free(err);
		}
	}
	struct gc_type_provider *kb;
	err = kernel_btf(k, &kb);
	if (!err && !(err = gc_types_add(t, kb))) {
		base = kb; /* modules were split against the running kernel's */
	} else if (err) {
		if (err == &gc_error_nomem) {
			gc_strbuf_free(&missing);
			return err;
		}
		gc_kernel_add_note(k, "%s", gc_error_string(err));
		gc_strbuf_printf(&missing, "%s%s", missing.len ? "; " : "",
				 gc_error_string(err));
		gc_error_free(err);
	}
	if (base && gc_type_provider_nr_types(base))
		module_btfs(k, t, base);  /* split BTF needs a BTF base */
	else if (!base)
		gc_strbuf_printf(&missing, "; %s --vmlinux FILE (a vmlinux with "
				 "DWARF debug info or a .BTF section)",
				 k->opts.vmlinux ? "give a working" : "give");
	if (k->vi) {
		struct gc_type_provider *vp;
		if ((err = gc_vmcoreinfo_provider_new(k->vi, "VMCOREINFO", &vp)) ||
		    (err = gc_types_add(t, vp))) {
			gc_strbuf_free(&missing);
			return err;
		}
	}
	if (missing.len && !missing.failed)
		err = gc_types_set_missing(t, missing.buf);
	gc_strbuf_free(&missing);
	return err;
}

struct gc_error *gc_kernel_types(struct gc_kernel *k,
				 const struct gc_types **out)
{
	if (!k->types) {
		struct gc_types *t;
		struct gc_error *err = gc_types_new(&t);
		k->types_building = true;
		if (!err)
			err = build(k, t);
		k->types_building = false;
		if (err) {
			gc_types_free(t);
			return err;
		}
		k->types = t;
	}
	*out = k->types;
	return NULL;
}
