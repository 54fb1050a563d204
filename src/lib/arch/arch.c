// SPDX-License-Identifier: MIT
/* The architecture tables, the public register names and vCPU decoding. */
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"

#define EM_386_ 3u
#define EM_X86_64_ 62u

static const struct gc_arch_ops *const arches[GC_ARCH_COUNT] = {
	[GC_ARCH_X86_64] = &gc_arch_x86_64,
};

static const char *const arch_names[GC_ARCH_COUNT] = {
	[GC_ARCH_X86_64] = "x86_64",
	[GC_ARCH_AARCH64] = "aarch64",
};

const struct gc_arch_ops *gc_arch_get(enum gc_arch arch)
{
	return (unsigned)arch < GC_ARCH_COUNT ? arches[arch] : NULL;
}

const struct gc_arch_ops *gc_arch_by_e_machine(uint16_t em)
{
	if (em == 0 || em == EM_386_)
		return &gc_arch_x86_64;
	for (size_t i = 0; i < GC_ARCH_COUNT; i++)
		if (arches[i] && arches[i]->e_machine == em)
			return arches[i];
	return NULL;
}

const char *gc_arch_name(enum gc_arch arch)
{
	return (unsigned)arch < GC_ARCH_COUNT ? arch_names[arch] : "?";
}

bool gc_arch_supported(enum gc_arch arch)
{
	return gc_arch_get(arch) != NULL;
}

unsigned int gc_arch_nr_regs(enum gc_arch arch)
{
	const struct gc_arch_ops *a = gc_arch_get(arch);
	return a ? a->nr_regs : 0;
}

const char *gc_arch_reg_name(enum gc_arch arch, unsigned int n)
{
	const struct gc_arch_ops *a = gc_arch_get(arch);
	return a && n < a->nr_regs ? a->regs[n].name : NULL;
}

unsigned int gc_arch_reg_size(enum gc_arch arch, unsigned int n)
{
	const struct gc_arch_ops *a = gc_arch_get(arch);
	return a && n < a->nr_regs ? a->regs[n].size : 0;
}

bool gc_arch_reg_lookup(enum gc_arch arch, const char *name,
			unsigned int *n)
{
	const struct gc_arch_ops *a = gc_arch_get(arch);
	if (!a || !name)
		return false;
	for (unsigned int i = 0; i < a->nr_regs; i++) {
		if (!strcmp(a->regs[i].name, name)) {
			*n = i;
			return true;
		}
	}
	return false;
}

const char *gc_vcpu_reg_name(enum gc_vcpu_reg reg)
{
	const char *s = gc_arch_reg_name(GC_ARCH_X86_64, (unsigned)reg);
	return s ? s : "?";
}

bool gc_vcpu_get_reg(const struct gc_vcpu *v, unsigned int n, uint64_t *val)
{
	if (n >= GC_VCPU_MAX_REGS || !(v->valid_bits[n / 64] &
				       (1ull << (n % 64))))
		return false;
	*val = v->regs[n];
	return true;
}

void gc_vcpu_set_reg(struct gc_vcpu *v, unsigned int n, uint64_t val)
{
	if (n >= GC_VCPU_MAX_REGS)
		return;
	v->regs[n] = val;
	v->valid_bits[n / 64] |= 1ull << (n % 64);
}

/* Clear the registers named in the comma-separated LIST (LEN bytes)
 * from V: a file guestcore wrote holds them as 0 because its source did
 * not know them.  Names A does not have are ignored (such a list can
 * only make registers unknown).  True when one was cleared. */
static bool forget_regs(const struct gc_arch_ops *a, const char *list,
			size_t len, struct gc_vcpu *v)
{
	bool any = false;
	for (size_t at = 0; at < len;) {
		const char *c = memchr(list + at, ',', len - at);
		size_t nl = c ? (size_t)(c - (list + at)) : len - at;
		for (unsigned int n = 0; n < a->nr_regs &&
		     n < GC_VCPU_MAX_REGS; n++) {
			if (strlen(a->regs[n].name) != nl ||
			    memcmp(a->regs[n].name, list + at, nl))
				continue;
			uint64_t bit = 1ull << (n % 64);
			if (v->valid_bits[n / 64] & bit) {
				v->valid_bits[n / 64] &= ~bit;
				v->regs[n] = 0;
				any = true;
				if (n == a->reg_pgd) {
					v->pgd_addr = 0;
					v->pgd_space = GC_SPACE_NONE;
				}
			}
			break;
		}
		at += nl + 1;
	}
	return any;
}

struct gc_error *gc_arch_decode_cpu(const struct gc_cpu_state *st,
				    struct gc_vcpu *v)
{
	const struct gc_arch_ops *a = gc_arch_by_e_machine(st->e_machine);
	if (!a)
		return gc_error_new(GC_ERR_UNSUPPORTED, "vcpu registers",
				    "ELF machine %u is not an architecture "
				    "guestcore knows", st->e_machine);
	v->arch = a->arch;
	v->pgd_space = GC_SPACE_NONE;
	struct gc_error *err = NULL;
	if (st->xen_ctx) {
		if (!a->xen_ctx_read)
			return gc_error_new(GC_ERR_UNSUPPORTED, "vcpu registers",
					    "no Xen guest context layout for "
					    "%s", a->name);
		err = a->xen_ctx_read(st->xen_ctx, st->xen_ctx_len,
				      st->xen_32bit, st->be, st->xen_pv, v);
		if (err)
			return err;
	}
	if (st->prstatus) {
		err = a->prstatus_read(st->prstatus, st->prstatus_len, st->be,
				       v);
		if (err)
			return err;
	}
	if (st->qemu) {
		err = a->qemu_note_read(st->qemu, st->qemu_len, st->be,
					st->prstatus != NULL, v);
		if (err)
			return err;
	}
	if (!v->source)
		v->source = st->prstatus && st->qemu ?
			"NT_PRSTATUS + QEMU CPU state" :
			st->qemu ? "QEMU CPU state" :
			st->prstatus ? "NT_PRSTATUS" : "none";
	if (st->unknown_regs && forget_regs(a, st->unknown_regs,
					    st->unknown_regs_len, v))
		v->source = st->prstatus && st->qemu ?
			"NT_PRSTATUS + QEMU CPU state, with the registers "
			"guestcore's source did not know left out" :
			"NT_PRSTATUS, with the registers guestcore's source "
			"did not know left out";
	return NULL;
}

struct gc_error *gc_dump_vcpu(struct gc_dump *d, unsigned int index,
			      struct gc_vcpu *out)
{
	memset(out, 0, sizeof(*out));
	out->pgd_space = GC_SPACE_NONE;
	if (index >= d->nr_vcpus)
		return gc_error_new(GC_ERR_INVALID_ARG, "vcpu",
				    "vcpu %u does not exist (the dump has %u)",
				    index, d->nr_vcpus);
	if (d->ops->cpu_state) {
		struct gc_cpu_state st;
		memset(&st, 0, sizeof(st));
		struct gc_error *err = d->ops->cpu_state(d, index, &st);
		if (!err)
			err = gc_arch_decode_cpu(&st, out);
		free(st.xen_ctx);
		if (err)
			return gc_error_context(err, "vcpu %u", index);
		out->id = index;
		return NULL;
	}
	if (!d->ops->vcpu)
		return gc_error_new(GC_ERR_UNSUPPORTED, "vcpu",
				    "this format carries no registers");
	return d->ops->vcpu(d, index, out);
}

const struct gc_arch_ops *gc_arch_of_dump(struct gc_dump *d)
{
	if (gc_dump_nr_vcpus(d)) {
		struct gc_vcpu v;
		struct gc_error *e = gc_dump_vcpu(d, 0, &v);
		bool ok = !e;
		gc_error_free(e);
		if (ok && gc_arch_get(v.arch))
			return gc_arch_get(v.arch);
	}
	return &gc_arch_x86_64;
}
