// SPDX-License-Identifier: MIT
/*
 * The type provider interface.  A provider is one source of type answers;
 * a chain (types.c) asks its providers in order and the first answer wins.
 *
 * A graph provider (BTF, DWARF) implements find/info/member/enumerator
 * over its own type ids (1..nr_types; 0 is void); the chain derives
 * sizeof/offsetof/enum values from the graph.  A flat provider
 * (VMCOREINFO) implements only the flat queries (size/offset/symbol/
 * number).  Either kind may implement both.  To add a provider: see
 * docs/types.md "Adding a type provider".
 */
#ifndef GC_TYPES_INTERNAL_H
#define GC_TYPES_INTERNAL_H

#include "guestcore/types.h"

struct gc_type_provider_ops {
	const char *kind;                 /* "BTF", "VMCOREINFO", "DWARF" */
	void (*destroy)(struct gc_type_provider *p);
	/* graph queries (NULL for flat providers) */
	bool (*find)(const struct gc_type_provider *p, const char *name,
		     enum gc_type_kind kind, uint32_t *id);
	struct gc_error *(*info)(const struct gc_type_provider *p, uint32_t id,
				 struct gc_type_info *out);
	struct gc_error *(*member)(const struct gc_type_provider *p,
				   uint32_t id, uint32_t i,
				   struct gc_member *out);
	struct gc_error *(*enumerator)(const struct gc_type_provider *p,
				       uint32_t id, uint32_t i,
				       struct gc_enumerator *out);
	/* an enumerator by name anywhere in the graph */
	bool (*enum_value)(const struct gc_type_provider *p, const char *name,
			   int64_t *value);
	/* flat queries (NULL when not answered) */
	bool (*size)(const struct gc_type_provider *p, const char *name,
		     uint64_t *out);
	bool (*offset)(const struct gc_type_provider *p, const char *name,
		       const char *path, uint64_t *out);
	bool (*symbol)(const struct gc_type_provider *p, const char *name,
		       uint64_t *out);
	bool (*number)(const struct gc_type_provider *p, const char *name,
		       int64_t *out);
};

struct gc_type_provider {
	const struct gc_type_provider_ops *ops;
	char *source;       /* owned */
	uint32_t nr_types;  /* graph: highest id */
};

/* Fill the common part (SOURCE copied); false when out of memory. */
bool gc_type_provider_init(struct gc_type_provider *p,
			   const struct gc_type_provider_ops *ops,
			   const char *source);
void gc_type_provider_fini(struct gc_type_provider *p);

/* Say what a chain lacks ("no BTF in the kernel's memory: ...; give
 * --vmlinux FILE"); failed lookups repeat it.  TEXT is copied. */
struct gc_error *gc_types_set_missing(struct gc_types *t, const char *text);

/* Longest chain of typedefs/modifiers/arrays followed before a type is
 * called cyclic (hostile BTF may loop). */
#define GC_TYPE_MAX_DEPTH 64
/* Members looked at for one member name, through anonymous members
 * (hostile BTF can nest wide anonymous types deeply: 65535^64). */
#define GC_TYPE_MAX_MEMBERS (1 << 20)

#endif
