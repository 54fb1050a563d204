/* SPDX-License-Identifier: MIT */
/*
 * guestcore kernel types: one chain of type providers answering sizeof,
 * offsetof, member types, enum values, symbols and numbers, each answer
 * naming the provider (its SOURCE) that gave it.
 *
 * Providers, in the order a chain asks them:
 *   BTF      a raw BTF blob (the kernel's own, found in memory between
 *            __start_BTF and __stop_BTF, or a vmlinux's .BTF section), and
 *            split BTF (a module's), whose type ids and string offsets
 *            continue its base's;
 *   DWARF    a vmlinux's debug info (elfutils' libdw), where the kernel
 *            has no BTF;
 *   VMCOREINFO  the SIZE()/OFFSET()/SYMBOL()/NUMBER() lines the kernel
 *            wrote for makedumpfile (answers flat queries only; no type
 *            graph).
 * A chain is read-only once built; queries may run from several threads
 * on one chain.  Type handles (struct gc_type) live as long as the chain
 * that returned them.
 */
#ifndef GUESTCORE_TYPES_H
#define GUESTCORE_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

struct gc_vmcoreinfo;
struct gc_types;          /* a chain of providers */
struct gc_type_provider;  /* one provider (BTF blob, VMCOREINFO, ...) */

/* The kinds a type graph has (BTF's kinds; DWARF maps onto them). */
enum gc_type_kind {
	GC_TYPE_VOID = 0,
	GC_TYPE_INT,
	GC_TYPE_PTR,
	GC_TYPE_ARRAY,
	GC_TYPE_STRUCT,
	GC_TYPE_UNION,
	GC_TYPE_ENUM,
	GC_TYPE_FWD,
	GC_TYPE_TYPEDEF,
	GC_TYPE_VOLATILE,
	GC_TYPE_CONST,
	GC_TYPE_RESTRICT,
	GC_TYPE_FUNC,
	GC_TYPE_FUNC_PROTO,
	GC_TYPE_VAR,
	GC_TYPE_DATASEC,
	GC_TYPE_FLOAT,
	GC_TYPE_DECL_TAG,
	GC_TYPE_TYPE_TAG,
	GC_TYPE_ENUM64,
};

/* "int", "struct", "typedef", ... */
const char *gc_type_kind_name(enum gc_type_kind kind);

/* A type of one provider.  PROVIDER NULL = no type. */
struct gc_type {
	const struct gc_type_provider *provider;
	uint32_t id;
};

enum {
	GC_INT_SIGNED = 1,
	GC_INT_CHAR = 2,
	GC_INT_BOOL = 4,
};

struct gc_type_info {
	enum gc_type_kind kind;
	const char *name;      /* "" when anonymous */
	bool has_size;         /* int, float, struct, union, enum, ptr, datasec */
	uint64_t size;         /* bytes */
	bool has_target;       /* ptr, array (element), typedef, modifiers,
				* func, func_proto (return), var, decl_tag */
	struct gc_type target;
	uint64_t nr_elems;     /* array */
	uint32_t vlen;         /* members, enumerators, parameters, vars */
	unsigned int int_encoding; /* GC_INT_* */
	unsigned int int_bits;     /* int: value bits */
	unsigned int int_offset;   /* int: bit offset of the value */
	bool is_signed;        /* enum: signed values */
	bool fwd_union;        /* fwd: declares a union */
};

/* A struct or union member. */
struct gc_member {
	const char *name;      /* "" for an anonymous struct/union member */
	struct gc_type type;
	uint64_t bit_offset;   /* from the start of the containing type */
	uint32_t bitfield_size;/* 0 unless a bitfield */
};

struct gc_enumerator {
	const char *name;
	int64_t value;         /* unsigned 64-bit values as their bit pattern */
	bool is_signed;
};

/* ---- the chain ------------------------------------------------------ */

struct gc_error *gc_types_new(struct gc_types **out);
void gc_types_free(struct gc_types *t);
/* Append P (asked after those already added); the chain owns P from
 * here on, also when this fails. */
struct gc_error *gc_types_add(struct gc_types *t, struct gc_type_provider *p);
/* Free a provider that was never added to a chain (split providers
 * first, then their base). */
void gc_type_provider_free(struct gc_type_provider *p);
size_t gc_types_nr_providers(const struct gc_types *t);
const struct gc_type_provider *gc_types_provider(const struct gc_types *t,
						 size_t i);
/* What a provider is ("BTF", "VMCOREINFO") and where it came from. */
const char *gc_type_provider_kind(const struct gc_type_provider *p);
const char *gc_type_provider_source(const struct gc_type_provider *p);
/* Number of types (ids 1..n) a graph provider holds (0 for VMCOREINFO). */
uint32_t gc_type_provider_nr_types(const struct gc_type_provider *p);

/*
 * Find a type by NAME: "struct task_struct", "union x", "enum pid_type",
 * or a bare name ("task_struct", "u64", "int") looked up as struct, union,
 * typedef, enum, then base type.  A complete definition is preferred over
 * a forward declaration.  *SOURCE (may be NULL) gets the provider's source.
 * GC_ERR_NOT_PRESENT when no provider knows it.
 */
struct gc_error *gc_types_find(const struct gc_types *t, const char *name,
			       struct gc_type *out, const char **source);
/* sizeof(NAME): a graph provider's type, or VMCOREINFO's SIZE(name). */
struct gc_error *gc_types_sizeof(const struct gc_types *t, const char *name,
				 uint64_t *size, const char **source);
/*
 * The member at PATH ("pid", "se.vruntime", "thread.sp") of type NAME,
 * found through anonymous struct/union members; OUT->bit_offset is from
 * the start of NAME.  VMCOREINFO answers OFFSET(name.path) (with no
 * member type: OUT->type.provider NULL).
 */
struct gc_error *gc_types_member(const struct gc_types *t, const char *name,
				 const char *path, struct gc_member *out,
				 const char **source);
/* offsetof(NAME, PATH) in bytes; a bitfield not starting on a byte
 * boundary is GC_ERR_INVALID_ARG (use gc_types_member). */
struct gc_error *gc_types_offsetof(const struct gc_types *t, const char *name,
				   const char *path, uint64_t *offset,
				   const char **source);
/* An enumerator's value by its name (BTF enums), or NUMBER(name). */
struct gc_error *gc_types_number(const struct gc_types *t, const char *name,
				 int64_t *value, const char **source);
/* A symbol's address (VMCOREINFO SYMBOL(name); BTF has no addresses). */
struct gc_error *gc_types_symbol(const struct gc_types *t, const char *name,
				 uint64_t *addr, const char **source);

/* ---- one type -------------------------------------------------------- */

struct gc_error *gc_type_info(struct gc_type ty, struct gc_type_info *out);
/* Member I (< vlen) of a struct or union. */
struct gc_error *gc_type_member(struct gc_type ty, uint32_t i,
				struct gc_member *out);
/* Enumerator I of an enum or enum64. */
struct gc_error *gc_type_enumerator(struct gc_type ty, uint32_t i,
				    struct gc_enumerator *out);
/* Skip typedefs and const/volatile/restrict/type tags. */
struct gc_error *gc_type_strip(struct gc_type ty, struct gc_type *out);
/* The size of an object of the type (through typedefs, modifiers and
 * arrays); GC_ERR_INVALID_ARG for void, functions and forward decls. */
struct gc_error *gc_type_sizeof(struct gc_type ty, uint64_t *size);
/* The type as C spells it, with NAME (may be NULL) as the declarator:
 * "struct list_head *", "char comm[16]", "void (*fn)(int)". */
struct gc_error *gc_type_format(struct gc_type ty, const char *name,
				char **out);
const char *gc_type_source(struct gc_type ty);

/* ---- providers -------------------------------------------------------- */

/* A BTF blob (copied).  SOURCE names where it came from.  Every header
 * field, section, type record, type id and string offset is checked. */
struct gc_error *gc_btf_provider_new(const void *data, size_t len,
				     const char *source,
				     struct gc_type_provider **out);
/* Split BTF (a module's) on BASE, a BTF provider that must outlive it
 * (the chain it is added to, if BASE is in the same chain). */
struct gc_error *gc_btf_provider_new_split(const struct gc_type_provider *base,
					   const void *data, size_t len,
					   const char *source,
					   struct gc_type_provider **out);
/* The .BTF section of an ELF file (a vmlinux or a module .ko; for a
 * module, BASE is the vmlinux's provider, else NULL). */
struct gc_error *gc_btf_provider_from_elf(const char *path,
					  const struct gc_type_provider *base,
					  struct gc_type_provider **out);
/* The DWARF debug info of an ELF file (a debug vmlinux or module),
 * through elfutils' libdw.  Type ids are .debug_info DIE offsets (not
 * dense: nr_types is 0).  Opening indexes every unit's named types. */
struct gc_error *gc_dwarf_provider_open(const char *path,
					struct gc_type_provider **out);
/* VMCOREINFO's SIZE/OFFSET/SYMBOL/NUMBER lines (VI must outlive it). */
struct gc_error *gc_vmcoreinfo_provider_new(const struct gc_vmcoreinfo *vi,
					    const char *source,
					    struct gc_type_provider **out);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
